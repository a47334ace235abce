"""One writer per library, across machines: the lock file ``<library>/.briefing.lock``.

``flock`` does not hold between machines on NFS, so the lock is the file itself. It is created
atomically with ``link()`` from a private, fully written file (atomic on every NFS version, unlike
``O_EXCL`` on old ones) and holds JSON naming its owner (a random token unique to this acquisition),
its machine (boot id, hostname and PID namespace, so cloned VMs and containers sharing a hostname
are told apart), pid and an expiry time. The holder renews the expiry from a background thread
every third of ``ttl``. A lock is stale when its expiry has passed by more than ``CLOCK_SKEW_S``
(hosts' clocks must agree within that, as NTP keeps them), when its expiry lies further ahead than
any holder renews (a hand-made or corrupt file), or at once when its holder is on this machine and
its process is gone. A live holder's lock is never stale while it renews.

Breaking a stale lock is compare-and-swap, so it is correct however long the breaker pauses between
judging and acting: the breaker renames the file aside (only one process can move a given file) and
compares what it moved with what it judged stale. The same: it removes it and competes for the
free name with ``link()`` like anyone else. Different (renewed, or someone else's new lock): it
links the file back, and if a holder has meanwhile rewritten its own lock, that one stands. The
holder's renewer and its publishing check put back their own lock if they find the name empty.

Fencing: every write to the library's database made while this process holds the lock checks,
inside the database's own ``BEGIN IMMEDIATE`` transaction, that the lock file still names its token
(``check_fence``), so a run that lost the lock cannot record or publish anything.

The file is opened without following links, non-blocking, and read only up to ``MAX_LOCK_BYTES``:
a FIFO, a device or a link in its place is not a lock, and is replaced like a stale one.

A holder killed with SIGKILL leaves its file behind; the next run on the same machine takes over
at once, one on another machine after the expiry. This module does not decide what is done under
the lock: ``daily`` holds it for a whole run, ``make`` and the feed commands while they publish.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import glob
import json
import os
import random
import socket
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from briefing.errors import BriefingError, LibraryBusy
from briefing.system.fsutil import host_tag, machine_identity
from briefing.system.processes import process_alive, process_start

LOCK_NAME = ".briefing.lock"
LOCK_TTL_S = 30.0  # a holder that stops renewing is taken over this long after its last renewal
CLOCK_SKEW_S = 5.0  # how far apart two hosts' clocks may be before one breaks the other's live lock
POLL_S = (0.05, 0.5)  # waiting: first and longest pause between attempts (jittered)
MAX_LOCK_BYTES = 4096  # a lock file is a line of JSON; more than this is not one


class LockLost(BriefingError):
    """Our lock was taken over while we held it (we stopped renewing for longer than its ttl)."""


@dataclass(frozen=True)
class LockInfo:
    """What the lock file says: who holds it and until when (seconds since the epoch)."""

    owner: str
    host: str
    pid: int
    expires: float
    acquired: float
    process_start: str | None = None  # guards against a recycled pid on the same machine
    machine: str | None = None  # boot id, hostname and PID namespace of the holder (``machine_identity``)

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self)) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> LockInfo | None:
        try:
            fields = json.loads(data)
            machine = fields.get("machine")
            return cls(str(fields["owner"]), str(fields["host"]), int(fields["pid"]), float(fields["expires"]),
                       float(fields["acquired"]), fields.get("process_start"),
                       machine if isinstance(machine, str) else None)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # an old flock-era file holding only a pid, or garbage: nobody's lock


@contextlib.contextmanager
def library_lock(library_dir: Path, *, wait: bool | float = False, ttl: float = LOCK_TTL_S) -> Iterator[Path]:
    """Hold the library's lock for the block; if it is taken, wait (``True``: as long as it takes, a
    number: at most that many seconds) and then raise LibraryBusy."""
    if not 0 < ttl <= LOCK_TTL_S:
        raise ValueError(f"ttl must lie in (0, {LOCK_TTL_S}]: a longer one reads as stale to others")
    library_dir = Path(library_dir)
    library_dir.mkdir(parents=True, exist_ok=True)
    lock = _HeldLock(library_dir / LOCK_NAME, ttl)
    try:
        lock.acquire(wait)
    except OSError as error:  # a full disk: the lock file cannot be written
        raise BriefingError(f"{lock.path}: cannot take the library's lock: {error.strerror or error}") from None
    token = _this_run.set({**_this_run.get(), _key(lock.path): lock})
    try:
        yield lock.path
    finally:
        _this_run.reset(token)
        lost = lock.release()
    if lost:
        raise LockLost(f"{library_dir}: another process took over the library lock while this run held it")


def check_fence(library_dir: Path) -> None:
    """Raise LockLost if this process took ``library_dir``'s lock and the lock file no longer names it.

    Called by the library inside its write transactions, so nothing a run that lost the lock would
    record or publish gets in. Without a lock held here (reading commands), there is nothing to check.
    """
    key = _key(Path(library_dir) / LOCK_NAME)
    with _held_guard:
        lock = _this_run.get().get(key) or _held.get(key)
    if lock is not None and not lock.still_ours():
        lock.mark_lost()
        raise LockLost(f"{library_dir}: another process took over the library lock; nothing recorded")


def revoke(library_dir: Path) -> None:
    """Take back the lock a run in this process holds on ``library_dir`` (it passed its deadline): from
    now on its writes to the library fail, and the lock file is removed so the next run need not wait."""
    with _held_guard:
        lock = _held.get(_key(Path(library_dir) / LOCK_NAME))
    if lock is not None:
        lock.revoke()


def read_lock(path: Path) -> LockInfo | None:
    """The lock file's contents, or None when there is no lock file (anything but a small regular
    file of our JSON reads as a lock expired long ago)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:  # a symbolic link: not a lock we wrote
            return _unreadable_lock()
        raise
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise BriefingError(f"{path}: is a folder, not a lock file: remove it")
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_LOCK_BYTES:
            return _unreadable_lock()
        data = os.read(descriptor, MAX_LOCK_BYTES + 1)
    finally:
        os.close(descriptor)
    return (LockInfo.from_bytes(data) if len(data) <= MAX_LOCK_BYTES else None) or _unreadable_lock()


def is_stale(info: LockInfo, now: float | None = None) -> bool:
    """A holder that stopped renewing, an expiry no holder would write, or a holder on this machine
    whose process is gone."""
    now = now if now is not None else time.time()
    if now > info.expires + CLOCK_SKEW_S or info.expires > now + LOCK_TTL_S + CLOCK_SKEW_S:
        return True
    if info.machine is not None and info.machine == machine_identity():
        return not process_alive(info.pid, info.process_start)
    return False


# The locks this process holds, for ``check_fence``: the run's own (its thread), else any of the process.
_this_run: contextvars.ContextVar[dict[str, _HeldLock]] = contextvars.ContextVar("briefing_locks", default={})
_held: dict[str, _HeldLock] = {}
_held_guard = threading.Lock()


def _key(path: Path) -> str:
    return str(path.absolute().resolve())


class _HeldLock:
    def __init__(self, path: Path, ttl: float) -> None:
        self.path, self.ttl = path, ttl
        self.owner = uuid.uuid4().hex
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self, wait: bool | float) -> None:
        pause = POLL_S[0]
        deadline = None if wait is True else time.monotonic() + float(wait)
        while not self._try_acquire():
            if deadline is not None and time.monotonic() >= deadline:
                waited = f" (waited {float(wait):g} s)" if wait else " (try again later, or use --wait)"
                raise LibraryBusy(f"{self.path.parent}: another briefing is running on this library{waited}")
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(POLL_S[1], pause * 2)
        self._sweep_private_files()
        with _held_guard:
            _held[_key(self.path)] = self
        self._renewer = threading.Thread(target=self._renew_until_released, name="briefing-lock-renewer",
                                         daemon=True)
        self._renewer.start()

    def release(self) -> bool:
        """Stop renewing and remove the lock file if it is still ours; return whether it was lost."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        with _held_guard:
            if _held.get(_key(self.path)) is self:
                del _held[_key(self.path)]
        if not self._lost.is_set() and self._is_ours():
            self.path.unlink(missing_ok=True)
        return self._lost.is_set()

    def mark_lost(self) -> None:
        self._lost.set()

    def revoke(self) -> None:
        ours = not self._lost.is_set() and self._is_ours()
        self._lost.set()
        self._stop.set()
        if ours:
            self.path.unlink(missing_ok=True)

    def still_ours(self) -> bool:
        """The lock file names us; if the name is empty (a breaker has it aside for a moment), ours again."""
        if self._lost.is_set():
            return False
        if read_lock(self.path) is None:
            private = self._write_private(self._info())
            try:
                os.link(private, self.path)
            except FileExistsError:
                pass
            finally:
                private.unlink(missing_ok=True)
        return self._is_ours()

    def _info(self) -> LockInfo:
        now = time.time()
        return LockInfo(self.owner, socket.gethostname(), os.getpid(), now + self.ttl, now,
                        process_start(os.getpid()), machine_identity())

    def _try_acquire(self) -> bool:
        mine = self._write_private(self._info())
        try:
            try:
                os.link(mine, self.path)
                return True
            except FileExistsError:
                pass
            except OSError:
                # NFS may report a failed link that happened (the reply was lost): the link count tells.
                if os.stat(mine).st_nlink == 2:
                    return True
                raise
            held = read_lock(self.path)
            if held is None or not is_stale(held):
                return False
            if not self._remove_if_unchanged(held):
                return False
            try:
                os.link(mine, self.path)
                return True
            except FileExistsError:  # another process was quicker to the free name
                return False
        finally:
            mine.unlink(missing_ok=True)

    def _remove_if_unchanged(self, judged: LockInfo) -> bool:
        """Move the lock file aside; if it still says what was judged stale, drop it, else put it back."""
        aside = self._private_name()
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return False  # another breaker moved it first
        try:
            if read_lock(aside) == judged:
                return True
            with contextlib.suppress(FileExistsError):  # its holder has already written it afresh
                os.link(aside, self.path)
            return False
        finally:
            aside.unlink(missing_ok=True)

    def _renew_until_released(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            private = self._private_name()
            try:
                if not self.still_ours():
                    self._lost.set()
                    return
                self._write_private(self._info(), private)
                os.replace(private, self.path)
            except (OSError, BriefingError):
                private.unlink(missing_ok=True)  # a passing file-server hiccup: the next renewal tries again

    def _is_ours(self) -> bool:
        held = read_lock(self.path)
        return held is not None and held.owner == self.owner

    def _private_name(self) -> Path:
        return self.path.with_name(f"{self.path.name}.{os.getpid()}@{host_tag()}.{uuid.uuid4().hex}.tmp")

    def _sweep_private_files(self) -> None:
        """Remove the private files of this machine's processes killed while acquiring or renewing."""
        for private in self.path.parent.glob(f"{glob.escape(self.path.name)}.*@*.tmp"):
            pid, _, machine = private.name[len(self.path.name) + 1:].rsplit(".", 2)[0].partition("@")
            if machine == host_tag() and pid.isdigit() and not process_alive(int(pid), None):
                private.unlink(missing_ok=True)

    def _write_private(self, info: LockInfo, private: Path | None = None) -> Path:
        """``info`` in a file only we use, complete and on disk before anyone can see it."""
        private = private or self._private_name()
        descriptor = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            os.write(descriptor, info.to_bytes())
            os.fsync(descriptor)
        except BaseException:
            private.unlink(missing_ok=True)
            raise
        finally:
            os.close(descriptor)
        return private


def _unreadable_lock() -> LockInfo:
    """A lock file we cannot parse is treated as expired: it cannot name a live holder."""
    return LockInfo(owner="", host="", pid=0, expires=0.0, acquired=0.0)
