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

    Busy cores are the runnable tasks other than this one (``/proc/loadavg``), the least of a few
    readings so that a passing process does not count; without that file, every core is free.
    """
    cores = cpu_count()
    readings = []
    try:
        for _ in range(_LOAD_READINGS):
            with open("/proc/loadavg", encoding="ascii") as handle:
                readings.append(int(handle.read().split()[3].split("/")[0]))
            time.sleep(_LOAD_READING_GAP_S)
    except (OSError, ValueError, IndexError):
        return cores
    return max(1, min(cores, cores - (min(readings) - 1)))
