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
