"""One writer per library, across machines: the lock file ``<library>/.briefing.lock``.

``flock`` does not hold between machines on NFS, so the lock is the file itself. It is created
atomically with ``link()`` from a private, fully written file (atomic on every NFS version, unlike
``O_EXCL`` on old ones) and holds JSON naming its owner (a token unique to this acquisition), host,
pid and an expiry time. The holder renews the expiry from a background thread every third of
``ttl``; a lock is stale when its expiry has passed by more than ``CLOCK_SKEW_S`` (hosts' clocks
must agree within that, as NTP keeps them), or at once when its holder is on this host and its
process is gone. A stale lock is broken by renaming our own lock file over it and re-reading it,
twice, ``SETTLE_S`` apart: of two processes breaking the same stale lock, the later rename wins and
the earlier one sees that and goes back to waiting. Releasing removes the file only while it is ours.

A holder killed with SIGKILL leaves its file behind; the next run on the same host takes over at
once, one on another host after the expiry. This module does not decide what is done under the
lock: ``daily`` holds it for a whole run, ``make`` and the feed commands while they publish.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from briefing.errors import BriefingError, LibraryBusy
from briefing.processes import process_alive, process_start

LOCK_NAME = ".briefing.lock"
LOCK_TTL_S = 30.0  # a holder that stops renewing is taken over this long after its last renewal
CLOCK_SKEW_S = 5.0  # how far apart two hosts' clocks may be before one breaks the other's live lock
SETTLE_S = 0.3  # longer than any gap between two breakers' read and rename of the same stale lock
POLL_S = (0.05, 0.5)  # waiting: first and longest pause between attempts (jittered)


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
    process_start: str | None = None  # guards against a recycled pid on the same host

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self)) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> LockInfo | None:
        try:
            fields = json.loads(data)
            return cls(str(fields["owner"]), str(fields["host"]), int(fields["pid"]), float(fields["expires"]),
                       float(fields["acquired"]), fields.get("process_start"))
        except (ValueError, KeyError, TypeError):
            return None  # an old flock-era file holding only a pid, or garbage: nobody's lock


@contextlib.contextmanager
def library_lock(library_dir: Path, *, wait: bool = False, ttl: float = LOCK_TTL_S) -> Iterator[Path]:
    """Hold the library's lock for the block; without ``wait``, raise LibraryBusy if it is taken."""
    library_dir = Path(library_dir)
    library_dir.mkdir(parents=True, exist_ok=True)
    lock = _HeldLock(library_dir / LOCK_NAME, ttl)
    try:
        lock.acquire(wait)
    except OSError as error:  # a full disk: the lock file cannot be written
        raise BriefingError(f"{lock.path}: cannot take the library's lock: {error.strerror or error}") from None
    try:
        yield lock.path
    finally:
        lost = lock.release()
    if lost:
        raise LockLost(f"{library_dir}: another process took over the library lock while this run held it")


def read_lock(path: Path) -> LockInfo | None:
    """The lock file's contents, or None when there is no lock file."""
    try:
        return LockInfo.from_bytes(path.read_bytes()) or _unreadable_lock()
    except FileNotFoundError:
        return None


def is_stale(info: LockInfo, now: float | None = None) -> bool:
    """A holder that stopped renewing, or one on this host whose process is gone."""
    if (now if now is not None else time.time()) > info.expires + CLOCK_SKEW_S:
        return True
    if info.host == socket.gethostname():
        return not process_alive(info.pid, info.process_start)
    return False


class _HeldLock:
    def __init__(self, path: Path, ttl: float) -> None:
        self.path, self.ttl = path, ttl
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self, wait: bool) -> None:
        pause = POLL_S[0]
        while not self._try_acquire():
            if not wait:
                raise LibraryBusy(f"{self.path.parent}: another briefing is running on this library "
                                  "(try again later, or use --wait)")
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(POLL_S[1], pause * 2)
        self._sweep_private_files()
        self._renewer = threading.Thread(target=self._renew_until_released, name="briefing-lock-renewer",
                                         daemon=True)
        self._renewer.start()

    def release(self) -> bool:
        """Stop renewing and remove the lock file if it is still ours; return whether it was lost."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        if self._is_ours():
            self.path.unlink(missing_ok=True)
        return self._lost.is_set()

    def _info(self) -> LockInfo:
        now = time.time()
        return LockInfo(self.owner, socket.gethostname(), os.getpid(), now + self.ttl, now, process_start(os.getpid()))

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
            return self._take_over(mine, held)
        finally:
            mine.unlink(missing_ok=True)

    def _take_over(self, mine: Path, stale: LockInfo) -> bool:
        if read_lock(self.path) != stale:  # changed since we judged it: someone renewed or broke it
            return False
        os.replace(mine, self.path)
        for _ in range(2):  # a breaker that read the same stale lock may rename over ours just after
            if not self._is_ours():
                return False
            time.sleep(SETTLE_S)
        return self._is_ours()

    def _renew_until_released(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            if not self._is_ours():
                self._lost.set()
                return
            private = self._private_name()
            try:
                self._write_private(self._info(), private)
                os.replace(private, self.path)
            except OSError:
                private.unlink(missing_ok=True)  # a passing file-server hiccup: the next renewal tries again

    def _is_ours(self) -> bool:
        held = read_lock(self.path)
        return held is not None and held.owner == self.owner

    def _private_name(self) -> Path:
        return self.path.with_name(f"{self.path.name}.{os.getpid()}@{socket.gethostname()}.{uuid.uuid4().hex}.tmp")

    def _sweep_private_files(self) -> None:
        """Remove the private files of this host's processes killed while acquiring or renewing."""
        suffix = f"@{socket.gethostname()}"
        for private in self.path.parent.glob(f"{glob.escape(self.path.name)}.*@*.tmp"):
            pid, _, host = private.name[len(self.path.name) + 1:].rsplit(".", 2)[0].partition("@")
            if "@" + host == suffix and pid.isdigit() and not process_alive(int(pid), None):
                private.unlink(missing_ok=True)

    def _write_private(self, info: LockInfo, private: Path | None = None) -> Path:
        """``info`` in a file only we use, complete and on disk before anyone can see it."""
        private = private or self._private_name()
        descriptor = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
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
