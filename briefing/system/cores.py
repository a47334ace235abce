"""How many cores a run may use (those of this process's CPU set, and those other programs leave free),
and short pure work spread over them (``map_forked``)."""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable, Sequence
from typing import NoReturn, TypeVar

# A forked copy that takes far longer than this process did for the same share waits for something it
# will never get (a lock another thread held at the fork): its share is computed here instead.
COPY_GRACE_S = 5.0
COPY_SLOWDOWN = 4.0

Item = TypeVar("Item")
Result = TypeVar("Result")

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


def map_forked(function: Callable[[Item], Result], items: Sequence[Item], processes: int) -> list[Result]:
    """``[function(item) for item in items]``, computed by this process and ``processes - 1`` forked
    copies of it, each taking every ``processes``-th item.

    For short CPU-bound work in pure Python (which threads cannot share out) whose inputs are already
    here: a forked copy needs no arguments sent and no imports, only its results pickled back. A copy
    that fails in any way (an exception, a signal, results it cannot pickle), or cannot be forked at
    all, has its items computed here instead, so an error is raised as if nothing had been forked.
    Forking copies only the calling thread, so ``function`` must not need what other threads of this
    process may hold (a lock, a connection): splitting text, scoring, arithmetic. Should a copy still
    wait for something all the same, it is given ``COPY_SLOWDOWN`` times as long as this process took
    for its share (at least ``COPY_GRACE_S``), then killed and its share computed here. A copy whose
    parent is killed ends at its first write (the pipe's reader is gone), so nothing outlives the run
    by more than its own share.
    """
    processes = max(1, min(processes, len(items)))
    if processes == 1 or not hasattr(os, "fork"):
        return [function(item) for item in items]
    copies: dict[int, tuple[int, int]] = {}  # share: (pid, the reading end of its pipe)
    running: set[int] = set()
    shares: dict[int, list[Result]] = {}
    try:
        for share in range(1, processes):
            reader, writer = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # at the process limit, or out of memory: the rest is computed here
                os.close(reader)
                os.close(writer)
                break
            if pid == 0:
                _compute_in_copy(function, items[share::processes], writer, [reader, *(r for _, r in copies.values())])
            os.close(writer)
            copies[share] = (pid, reader)
            running.add(pid)
        started = time.monotonic()
        shares[0] = [function(item) for item in items[0::processes]]
        deadline = time.monotonic() + max(COPY_GRACE_S, COPY_SLOWDOWN * (time.monotonic() - started))
        for share, (pid, reader) in copies.items():
            data = _read_until(reader, deadline)
            if data is None:  # still at work: it will not be waited for
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            running.discard(pid)
            if data is not None and status == 0:
                try:
                    shares[share] = pickle.loads(data)
                except Exception:  # noqa: BLE001 - computed here instead, below
                    pass
    finally:
        for pid, reader in copies.values():
            os.close(reader)
            if pid in running:  # this process's own share failed: its copies are not needed
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
    results: list[Result] = [None] * len(items)  # type: ignore[list-item]
    for share in range(processes):
        computed = shares.get(share)
        if computed is None:
            computed = [function(item) for item in items[share::processes]]
        results[share::processes] = computed
    return results


def _compute_in_copy(function: Callable[[Item], Result], items: Sequence[Item], writer: int,
                     readers: list[int]) -> NoReturn:
    """In a forked copy: compute, send the pickled results and leave, never running the parent's code."""
    status = 1
    try:
        for number in (signal.SIGINT, signal.SIGTERM):  # the parent's handlers are for the parent
            signal.signal(number, signal.SIG_DFL)
        for reader in readers:  # held here, a reader would keep a write from failing once the parent is gone
            os.close(reader)
        data = pickle.dumps([function(item) for item in items])
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)


def _read_until(reader: int, deadline: float) -> bytes | None:
    """Everything until the writer closes the pipe; None if that is not before ``deadline``."""
    poller = select.poll()
    poller.register(reader, select.POLLIN)
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            return None
        chunk = os.read(reader, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
