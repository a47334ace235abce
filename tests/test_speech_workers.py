"""The default number of speech workers: one per core that other programs leave free."""

from __future__ import annotations

import subprocess
import sys
import time

from briefing.cores import cpu_count, free_cores


def test_a_machine_whose_cores_are_all_busy_gets_one_worker() -> None:
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cpu_count())]
    try:
        time.sleep(0.5)  # every spinner is running
        assert free_cores() == 1
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def test_never_more_workers_than_cores() -> None:
    assert 1 <= free_cores() <= cpu_count()


def test_this_process_s_own_busy_threads_do_not_count_as_other_programs() -> None:
    """numpy's BLAS threads are runnable for a while after it loads: they made make speak with one worker."""
    import hashlib
    import threading

    stop = threading.Event()

    def hash_without_the_gil() -> None:
        block = bytes(1 << 24)
        while not stop.is_set():
            hashlib.sha256(block).digest()  # hashlib lets go of the GIL on large inputs: this thread stays runnable

    threads = [threading.Thread(target=hash_without_the_gil, daemon=True) for _ in range(cpu_count())]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.2)
        assert free_cores() == cpu_count()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
