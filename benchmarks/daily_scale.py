"""Daily briefing at scale with the default voice: wall time and peak memory of `briefing daily` with 50
articles, one speech worker (``--workers 1``) against one per core, in the same run; then the speech
cache at work: a 10-article day, and ``daily --update`` after one more article arrives.

The articles are BBC news articles from ``../shared/eval/bbc-news-summary/News Articles`` (taken in a
fixed order across the five categories), read in place through the ``files`` source of a fresh
library's ``briefing.toml`` — nothing is copied. Each run is a child process (the real CLI, the real
speech engine and MP3 export); the resident memory of its whole process tree (briefing and its speech
workers and encoders) is sampled with psutil every 0.1 s and its peak printed. The scaling runs turn the speech cache off (``cache_mb = 0``)
so both speak everything; the update runs keep it on, as users do. The budget grows with the number of stories so that every story is read:
``--minutes`` = max(8, 0.4 × articles).

The scaling runs, and the first run and update, are timed ``TIMED_RUNS`` times each, alternating, and
the fastest of each side compared.

Run: ``.venv/bin/python benchmarks/daily_scale.py``. Ends with ``name: value`` lines.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES_DIR = ROOT.parent / "shared" / "eval" / "bbc-news-summary" / "News Articles"
sys.path.insert(0, str(ROOT))

SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "50").split(",") if size)  # "": the update runs only
# This machine's speed wanders by about 5 % from one run to the next (it is a virtual machine on a
# shared host), more than the difference being measured: each side runs this many times, alternating,
# and the fastest run of each is compared (as timeit does), every run's time printed too.
TIMED_RUNS = int(os.environ.get("BENCH_RUNS", "3"))
UPDATE_SIZE = 10
DATE = "2026-11-25"


def bbc_articles(count: int) -> list[Path]:
    """``count`` articles, alternating between the categories so the stories differ."""
    categories = [sorted(folder.glob("*.txt")) for folder in sorted(ARTICLES_DIR.iterdir()) if folder.is_dir()]
    chosen: list[Path] = []
    for index in range(max(len(files) for files in categories)):
        for files in categories:
            if index < len(files) and len(chosen) < count:
                chosen.append(files[index])
    if len(chosen) < count:
        sys.exit(f"only {len(chosen)} articles in {ARTICLES_DIR}, {count} needed")
    return chosen


def write_config(library: Path, files: list[Path], cache: bool) -> None:
    listed = ", ".join(f'"{path}"' for path in files)
    channel = "" if cache else "[channel]\ncache_mb = 0\n"
    (library / "briefing.toml").write_text(f"{channel}[sources]\nfiles = [{listed}]\n", encoding="utf-8")


def run_daily(library: Path, count: int, workers: int | None, *extra: str, sample_memory: bool = False
              ) -> tuple[float, float, int]:
    """(wall seconds, peak MB of the whole process tree (0 unless ``sample_memory``), stories read).

    Sampling the tree's memory takes CPU of its own (psutil walks every process ten times a second):
    on two busy cores it lengthened the 2-worker run by 0.2-0.3 s and not the 1-worker run, which
    leaves a core free. So times come from runs without the sampler, and memory from runs of its own.
    """
    import psutil

    minutes = max(8.0, 0.4 * count)
    command = [sys.executable, "-m", "briefing", "daily", "--library", str(library), "--date", DATE,
               "--minutes", str(minutes), *extra]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree_peak = 0
    parent = psutil.Process(child.pid)
    while sample_memory and child.poll() is None:
        try:
            tree = [parent] + parent.children(recursive=True)
            tree_peak = max(tree_peak, sum(process.memory_info().rss for process in tree))
        except psutil.Error:
            pass
        time.sleep(0.1)
    child.wait()
    elapsed = time.perf_counter() - started
    output = child.stdout.read() + child.stderr.read()
    if child.returncode != 0:
        sys.exit(f"briefing daily failed ({child.returncode}):\n{output}")
    stories = sum(1 for line in output.splitlines() if line.startswith("  - "))
    return elapsed, tree_peak / 2**20, stories


def main() -> None:
    if not ARTICLES_DIR.is_dir():
        sys.exit(f"{ARTICLES_DIR} is not here")
    cores = len(os.sched_getaffinity(0))
    parallel = max(2, cores)
    results: dict[str, float | str] = {}
    for size in SIZES:
        files = bbc_articles(size)
        times: dict[int, list[float]] = {1: [], parallel: []}
        stories = 0
        for _ in range(TIMED_RUNS):  # alternating, so a slow spell of the machine falls on both
            for workers in (1, parallel):
                with tempfile.TemporaryDirectory(prefix="briefing-daily-bench-") as folder:
                    write_config(Path(folder), files, cache=False)
                    elapsed, _, stories = run_daily(Path(folder), size, workers)
                times[workers].append(elapsed)
        for workers in (1, parallel):
            with tempfile.TemporaryDirectory(prefix="briefing-daily-bench-") as folder:
                write_config(Path(folder), files, cache=False)
                with_sampler, tree_mb, _ = run_daily(Path(folder), size, workers, sample_memory=True)
            fastest = min(times[workers])
            results[f"daily {size} workers {workers} s with the memory sampler"] = round(with_sampler, 2)
            print(f"{size} articles, {stories} stories, {workers} worker(s): "
                  f"{', '.join(f'{elapsed:.2f}' for elapsed in times[workers])} s "
                  f"({with_sampler:.1f} s in the run that sampled memory), peak memory of the process tree {tree_mb:.0f} MB "
                  f"(load average {os.getloadavg()[0]:.2f})")
            results[f"daily {size} workers {workers} s"] = round(fastest, 2)
            results[f"daily {size} workers {workers} tree peak MB"] = round(tree_mb, 1)
        results[f"daily {size} speedup {parallel} workers vs 1 in each pair of runs"] = ", ".join(
            f"{one / more:.2f}" for one, more in zip(times[1], times[parallel]))
        results[f"daily {size} speedup {parallel} workers vs 1"] = round(min(times[1]) / min(times[parallel]), 2)
    files = bbc_articles(UPDATE_SIZE + 1)
    firsts, updates = [], []
    for _ in range(TIMED_RUNS):
        with tempfile.TemporaryDirectory(prefix="briefing-daily-update-") as folder:
            library = Path(folder)
            write_config(library, files[:UPDATE_SIZE], cache=True)
            first, _, stories = run_daily(library, UPDATE_SIZE + 1, None)
            write_config(library, files, cache=True)
            update, _, _ = run_daily(library, UPDATE_SIZE + 1, None, "--update")
        firsts.append(first)
        updates.append(update)
    print(f"{UPDATE_SIZE}-article day ({stories} stories): first run {', '.join(f'{t:.2f}' for t in firsts)} s, "
          f"--update after one more article {', '.join(f'{t:.2f}' for t in updates)} s "
          f"(load average {os.getloadavg()[0]:.2f})")
    results["daily update s"] = round(min(updates), 2)
    results["daily first run s"] = round(min(firsts), 2)
    results["daily update/first run ratio in each pair of runs"] = ", ".join(
        f"{update / first:.2f}" for first, update in zip(firsts, updates))
    results["daily update/first run ratio"] = round(min(updates) / min(firsts), 2)
    results["parallel workers"] = parallel
    results["load average at the end"] = round(os.getloadavg()[0], 2)
    for name, value in results.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
