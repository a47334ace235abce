"""Whether a process of this machine is still running: the one check the lock, the feed address of a
running server and the temporary-file sweep share.

A pid alone is not an identity: pids are recycled, so each caller may also give what it recorded of
the process's start (``/proc/<pid>/stat``'s start time), which a later process with the same pid
does not share.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any


def process_alive(pid: object, started: str | None = None) -> bool:
    """Whether ``pid`` runs here and, when ``started`` is given, is the process that started then."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:  # os.kill(0, …) asks about our group
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        pass  # alive, someone else's
    return started is None or process_start(pid) in (None, started)


def process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), else None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def process_started_at(pid: int) -> float | None:
    """When ``pid`` started, in seconds since the epoch (Linux), else None."""
    ticks = process_start(pid)
    try:
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return None if ticks is None else boot + int(ticks) / os.sysconf("SC_CLK_TCK")


def ending_with_this_process() -> Callable[[], None]:
    """A ``preexec_fn``: in the child, before it runs, have it killed when this process dies (Linux), so
    a speech worker ended mid-sentence leaves no espeak-ng writing into its folder. A child whose
    parent died between the fork and that request (it would never be told) ends at once."""
    parent = os.getpid()

    def end_with_parent() -> None:
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:
                os._exit(1)

    return end_with_parent


_PR_SET_PDEATHSIG = 1
_PRCTL: Any
try:  # looked up here, not in the forked child
    _PRCTL = ctypes.CDLL(None).prctl
except (OSError, AttributeError):
    _PRCTL = None
