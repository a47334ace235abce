"""Writing files so that a reader never sees half of one: temporary name in the same folder, then rename.

Every temporary name carries its writer's pid and a tag of its host
(``.<name>.<pid>-<host>.<random>.tmp``), so that a file left by a writer killed with SIGKILL can be
told from one a live writer is still filling: ``remove_stale_temporaries`` deletes only the former.
Work folders in the system's temporary directory are named the same way
(``briefing-<purpose>.<pid>-<host>.<random>``, see ``temporary_folder``), and
``remove_stale_temporary_folders`` deletes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from briefing.system.processes import process_alive, process_started_at

PUBLIC_FILE_MODE = 0o644
# A temporary file from another host (a library on NFS), or from a briefing older than the owner
# tags, is judged by its age alone: no write of ours takes this long.
STALE_AGE_S = 3600.0
_NAME_CHARS = 100  # of the target's name in a temporary name: long names must still fit in 255 bytes
_TAGGED = re.compile(r"^\..*\.(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\.[a-z0-9_]{8}\.tmp$", re.DOTALL)
# What mkstemp made before the tags: ".<name>.<8 random characters>.tmp".
_UNTAGGED = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$", re.DOTALL)
FOLDER_PREFIX = "briefing-"
_TAGGED_FOLDER = re.compile(r"^briefing-[a-z0-9]+\.(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\.[a-z0-9_]{8}$")
# What TemporaryDirectory/mkdtemp made before the tags: "briefing-<8>" and "briefing-pyttsx3-<8>".
_UNTAGGED_FOLDER = re.compile(r"^briefing-(pyttsx3-)?[a-z0-9_]{8}$")


@functools.cache
def machine_identity() -> str:
    """Boot id, hostname and PID namespace: two processes share it only when their pids mean the same
    process (same kernel, same boot, same namespace), which a hostname alone does not promise (cloned
    VMs, containers)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = "no-boot-id"
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = "no-pid-namespace"
    return f"{boot}/{socket.gethostname()}/{namespace}"


def host_tag() -> str:
    """A short tag of ``machine_identity``: a pid in a name carrying it can be checked here."""
    return hashlib.sha256(machine_identity().encode()).hexdigest()[:8]


def temporary_prefix(path: Path) -> str:
    """The start of a temporary name for ``path``; ``tempfile.mkstemp`` adds the random part."""
    return f".{path.name[:_NAME_CHARS]}.{os.getpid()}-{host_tag()}."


def temporary_name(path: Path) -> Path:
    """A fresh temporary name beside ``path``, for writers that create the file themselves (``os.link``)."""
    return path.with_name(temporary_prefix(path) + secrets.token_hex(4) + ".tmp")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=temporary_prefix(path), suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        with open(temporary_path, "rb+") as written:
            os.fsync(written.fileno())
        os.chmod(temporary_path, PUBLIC_FILE_MODE)  # mkstemp makes files private; ours are for serving
        os.replace(temporary_path, path)
    finally:
        temporary_path.unlink(missing_ok=True)


_FICLONE = 0x40049409  # linux/fs.h: share the source's blocks until either file changes (btrfs, XFS)


def clone_or_copy(source: Path, target: Path) -> None:
    """Write ``target`` as a copy of ``source`` that never shares an inode with it: a reflink where
    the file system offers one (no space used until either changes), else a plain copy."""
    import fcntl

    with open(source, "rb") as reading, open(target, "wb") as writing:
        try:
            fcntl.ioctl(writing.fileno(), _FICLONE, reading.fileno())
            return
        except OSError:
            pass  # not offered here (ext4, tmpfs, across file systems): copy the bytes
        shutil.copyfileobj(reading, writing, 1 << 20)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def temporary_folder(purpose: str) -> Iterator[Path]:
    """A new private folder in the system's temporary directory, deleted after the block.

    Named for its process, so that the folder of a run killed with SIGKILL is deleted by the next run
    (``remove_stale_temporary_folders``); ``purpose`` is a short lower-case word naming the user.
    """
    folder = make_temporary_folder(purpose)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make_temporary_folder(purpose: str) -> Path:
    """Create the folder ``temporary_folder`` yields; the caller deletes it."""
    return Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{purpose}.{os.getpid()}-{host_tag()}."))


def remove_stale_temporary_folders(parent: Path | None = None, now: float | None = None) -> list[Path]:
    """Delete briefing's work folders in ``parent`` (the system's temporary directory) whose process is
    gone; return those deleted. Only this user's folders: a shared /tmp holds other people's runs."""
    parent = Path(tempfile.gettempdir()) if parent is None else parent
    now = time.time() if now is None else now
    removed = []
    try:
        entries = [entry for entry in os.scandir(parent) if entry.name.startswith(FOLDER_PREFIX)]
    except OSError:
        return []
    for entry in entries:
        try:
            status = entry.stat(follow_symlinks=False)
            if not entry.is_dir(follow_symlinks=False) or status.st_uid != os.getuid():
                continue
            if not _is_stale(entry.name, status.st_mtime, now, _TAGGED_FOLDER, _UNTAGGED_FOLDER):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        if not os.path.lexists(entry.path):
            removed.append(Path(entry.path))
    return removed



def remove_stale_leftovers(*folders: Path) -> list[Path]:
    """What runs killed with SIGKILL left behind: the temporary files in ``folders`` (a library's) and
    briefing's work folders in the system's temporary directory. Called as each run starts."""
    removed = remove_stale_temporary_folders()
    for folder in folders:
        removed += remove_stale_temporaries(folder)
    return removed


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Delete the temporary files in ``folder`` whose writers are gone; return those deleted.

    A tagged file of this host is stale when its pid is not running, or is a process started after
    the file was last written (a recycled pid); one of another host, or an untagged one (an older
    briefing's), when it is older than ``STALE_AGE_S``.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(".") or not entry.name.endswith(".tmp"):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or not _is_stale(entry.name, entry.stat().st_mtime, now):
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to delete
        removed.append(Path(entry.path))
    return removed


def _is_stale(name: str, modified: float, now: float, tagged_names: re.Pattern[str] = _TAGGED,
              untagged_names: re.Pattern[str] = _UNTAGGED) -> bool:
    """A temporary of a writer that is gone: tagged with a pid of this host that no longer writes, else
    (another host's, or from before names were tagged) older than ``STALE_AGE_S``."""
    tagged = tagged_names.match(name)
    if tagged is None:
        return untagged_names.match(name) is not None and now - modified > STALE_AGE_S
    if tagged["host"] != host_tag():
        return now - modified > STALE_AGE_S
    return not _may_be_writer(int(tagged["pid"]), modified)


def _may_be_writer(pid: int, modified: float) -> bool:
    """Whether process ``pid`` of this host is running and started before the file was last written."""
    if pid == os.getpid():
        return True
    if not process_alive(pid):
        return False
    started = process_started_at(pid)
    return started is None or started <= modified + 1.0  # a recycled pid started after the write


def read_small_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``. FileNotFoundError when absent, another OSError
    when unreadable; ValueError, with a one-line reason, for a FIFO or device (checked before it is read)
    or a file too large."""
    import stat

    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ValueError("not a regular file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"larger than {max_bytes // 1024} KB")
    return data


def read_toml(path: Path, max_bytes: int) -> dict:
    """A settings file of at most ``max_bytes``, parsed. FileNotFoundError when absent, another OSError when
    unreadable; ValueError, with a one-line reason, for anything else that is not a small TOML file: a
    FIFO or device (checked before it is read), a file too large, bad UTF-8, bad TOML, or nesting so deep
    that the parser would run out of stack."""
    import tomllib

    data = read_small_file(path, max_bytes)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except RecursionError:
        raise ValueError("nested too deeply") from None
