"""Fleet at scale: `briefing fleet` over 12 channels of 5 articles each, 1 worker against 2, same run.

Each channel is a fresh library whose ``[sources] files`` name 5 BBC news articles from
``../shared/eval/bbc-news-summary/News Articles`` (read in place, never copied; different articles
for every channel). Both runs are the real CLI as a child process, with the default voice
(``voices/default.toml``, whichever engine it names today) and the daily default budget, each on its
own fresh copy of the channels; the cluster is the in-process LocalCluster (``--workers N``).

Besides the speedup it measures what chose the unit of work (one channel per Dask task):
  - scheduling efficiency: channel-seconds of work / (workers × seconds from first submission to
    last result), from the per-channel times the fleet prints; what finer tasks could win at most
    is the idle rest;
  - Dask's own cost per task: 200 empty tasks on a 1-worker LocalCluster, milliseconds each.
It ends with the headline figures as ``name: value`` lines, including a projection of the cores
needed for 5,000 channels in 60 minutes at the measured per-core rate.

Run: ``.venv/bin/python benchmarks/fleet_scale.py``.
"""

from __future__ import annotations

import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from daily_scale import ARTICLES_DIR, bbc_articles  # noqa: E402

CHANNELS = 12
ARTICLES_EACH = 5
DATE = "2026-11-25"
TARGET_CHANNELS, TARGET_MINUTES = 5000, 60
EMPTY_TASKS = 200
LINE = re.compile(r"^(?P<name>\S+): (?P<status>published|FAILED) .*\((?P<seconds>[\d.]+) s on (?P<worker>[^)]+)\)$")
SUMMARY = re.compile(r"(?P<published>\d+) published, (?P<failed>\d+) failed, in (?P<seconds>[\d.]+) s")


def make_channels(folder: Path, files: list[Path]) -> None:
    for number in range(CHANNELS):
        channel = folder / f"channel-{number:02d}"
        channel.mkdir(parents=True)
        mine = files[number * ARTICLES_EACH:(number + 1) * ARTICLES_EACH]
        listed = ", ".join(f'"{path}"' for path in mine)
        (channel / "briefing.toml").write_text(f'[channel]\ntitle = "Channel {number}"\n\n'
                                               f"[sources]\nfiles = [{listed}]\n", encoding="utf-8")


def run_fleet(files: list[Path], workers: int) -> dict:
    """Wall seconds of `briefing fleet --workers N` on fresh channels, and what the fleet printed."""
    with tempfile.TemporaryDirectory(prefix="briefing-fleet-bench-") as folder:
        make_channels(Path(folder), files)
        command = [sys.executable, "-m", "briefing", "fleet", folder, "--workers", str(workers), "--date", DATE]
        cpu_before = _children_cpu_seconds()
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - started
        # Every process of the run (cluster workers, engine processes) was waited for: its CPU time is here.
        cpu = _children_cpu_seconds() - cpu_before
    lines = [LINE.match(line) for line in (result.stdout + result.stderr).splitlines()]
    channels = [match for match in lines if match]
    summary = SUMMARY.search(result.stdout)
    if result.returncode != 0 or summary is None or len(channels) != CHANNELS:
        sys.exit(f"fleet with {workers} worker(s) failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    work = sum(float(match["seconds"]) for match in channels)
    fleet_seconds = float(summary["seconds"])
    return {"wall": wall, "cpu": cpu, "load": os.getloadavg()[0], "work": work, "fleet": fleet_seconds, "startup": wall - fleet_seconds,
            "longest": max(float(match["seconds"]) for match in channels),
            "efficiency": work / (workers * fleet_seconds), "workers_used": len({m["worker"] for m in channels})}


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def dask_task_cost_ms() -> float:
    """Milliseconds per empty task, submitted and gathered one at a time (the worst case for overhead)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.submit(abs, -1).result()  # warm
        started = time.perf_counter()
        for number in range(EMPTY_TASKS):
            client.submit(abs, -number, pure=False).result()
        return (time.perf_counter() - started) / EMPTY_TASKS * 1000


def main() -> None:
    if not ARTICLES_DIR.is_dir():
        print(f"skipped: {ARTICLES_DIR} is not here")
        return
    from briefing.voices import load_profile

    profile = load_profile(None)
    print(f"voice: default profile -> engine {profile.engine} ({profile.settings.voice or profile.settings.model})")
    print(f"machine: {os.cpu_count()} cores, load average before {os.getloadavg()[0]:.2f}")
    files = bbc_articles(CHANNELS * ARTICLES_EACH)
    runs = {}
    for workers in (1, 2):
        runs[workers] = run_fleet(files, workers)
        run = runs[workers]
        print(f"{workers} worker(s): {run['wall']:.1f} s wall ({run['startup']:.1f} s starting the cluster), "
              f"{run['work']:.1f} channel-seconds, longest channel {run['longest']:.1f} s, "
              f"scheduling efficiency {run['efficiency']:.3f}, {run['workers_used']} worker(s) used, "
              f"{run['cpu']:.1f} CPU-seconds, load average {run['load']:.2f} at the end")
    task_ms = dask_task_cost_ms()
    print(f"Dask cost per task: {task_ms:.2f} ms (one channel is ~{runs[1]['work'] / CHANNELS:.1f} s of work)")
    print(f"load average after {os.getloadavg()[0]:.2f} (other programs competing for the cores slow the "
          "2-worker run most: compare the CPU-time figures)")

    speedup = runs[1]["wall"] / runs[2]["wall"]
    per_core_hour = CHANNELS / (runs[2]["wall"] / 3600) / 2
    # A big fleet's rate per core: start-up is paid once, and CPU time does not depend on what else
    # the machine runs (wall time on a shared machine does).
    steady_per_core_hour = 3600 / (runs[2]["cpu"] / CHANNELS)
    cores = math.ceil(TARGET_CHANNELS / (steady_per_core_hour * TARGET_MINUTES / 60))
    # What the speedup would be with both cores ours: each run's CPU time spread over its workers at
    # the measured scheduling efficiency, plus its start-up (derived, not measured: see the README).
    dedicated = [runs[w]["startup"] + runs[w]["cpu"] / (w * runs[w]["efficiency"]) for w in (1, 2)]
    print(f"engine: {profile.engine}")
    print(f"speedup_2_workers_vs_1: {speedup:.2f}")
    print(f"speedup_2_workers_vs_1_by_cpu_time: {dedicated[0] / dedicated[1]:.2f}")
    print(f"seconds_1_worker: {runs[1]['wall']:.1f}")
    print(f"seconds_2_workers: {runs[2]['wall']:.1f}")
    print(f"channels_per_hour_per_core_1_worker: {CHANNELS / (runs[1]['wall'] / 3600):.0f}")
    print(f"channels_per_hour_per_core_2_workers: {per_core_hour:.0f}")
    print(f"cpu_seconds_per_channel: {runs[2]['cpu'] / CHANNELS:.2f}")
    print(f"channels_per_hour_per_core_by_cpu_time: {steady_per_core_hour:.0f}")
    print(f"scheduling_efficiency_2_workers: {runs[2]['efficiency']:.3f}")
    print(f"dask_ms_per_task: {task_ms:.2f}")
    print(f"projected_cores_for_{TARGET_CHANNELS}_channels_in_{TARGET_MINUTES}_min: {cores}")


if __name__ == "__main__":
    main()
