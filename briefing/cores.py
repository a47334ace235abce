"""How many cores a run may use: those of this process's CPU set, and those other programs leave free."""

from __future__ import annotations

import os
import time

_LOAD_READINGS = 5
_LOAD_READING_GAP_S = 0.002


def cpu_count() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0))


def free_cores() -> int:
    """The cores other programs leave free, at least one: a worker without a core of its own speaks no
    sooner and adds its start-up (hibari: 0.6 s of CPU). Measured on the 2-core machine while other
    programs kept it busy: one hibari worker 2.8 s, two 3.4 s for the same text.

    Busy cores are the runnable tasks (``/proc/loadavg``) that are not threads of this process (numpy's
    BLAS threads are runnable for a while after it loads), the least of a few readings so that a passing
    process does not count; without those files, every core is free.
    """
    cores = cpu_count()
    readings = []
    try:
        for _ in range(_LOAD_READINGS):
            with open("/proc/loadavg", encoding="ascii") as handle:
                runnable = int(handle.read().split()[3].split("/")[0])
            readings.append(runnable - _own_runnable_threads())
            time.sleep(_LOAD_READING_GAP_S)
    except (OSError, ValueError, IndexError):
        return cores
    return max(1, min(cores, cores - min(readings)))


def _own_runnable_threads() -> int:
    """This process's threads that are running or ready to run: this one at least."""
    running = 0
    for task in os.scandir("/proc/self/task"):
        try:
            with open(os.path.join(task.path, "stat"), encoding="ascii") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):  # the thread ended while we looked
            continue
        running += state == "R"
    return max(1, running)
