"""One writer per library: an exclusive ``flock`` on ``<library>/.briefing.lock``.

The lock belongs to an open file description, so the kernel releases it when the holder exits,
however it exits (SIGKILL included): a stale lock file never blocks the next run.
This module does not decide what is done under the lock; ``daily`` holds it for a whole run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from briefing.errors import BriefingError

LOCK_NAME = ".briefing.lock"
EX_TEMPFAIL = 75  # sysexits.h: try again later


class LibraryBusy(BriefingError):
    """Another process holds the library lock."""

    exit_code = EX_TEMPFAIL


@contextlib.contextmanager
def library_lock(library_dir: Path, *, wait: bool = False) -> Iterator[Path]:
    """Hold the library's lock for the block; without ``wait``, raise LibraryBusy if it is taken."""
    library_dir = Path(library_dir)
    library_dir.mkdir(parents=True, exist_ok=True)
    path = library_dir / LOCK_NAME
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise LibraryBusy(f"{library_dir}: another briefing is running on this library "
                              "(try again later, or use --wait)") from None
        # Who holds it, for a person looking at the file; the lock itself is the flock.
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(descriptor)  # releases the flock
