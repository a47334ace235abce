"""Daily briefing at scale: wall time and peak memory of `briefing daily` with 10 and 50 articles,
sequential (``--workers 1``) against parallel (``--workers`` = available cores) rendering, in the same run.

The articles are BBC news articles from ``../shared/eval/bbc-news-summary/News Articles`` (taken in a
fixed order across the five categories), read in place through the ``files`` source of a fresh
library's ``briefing.toml`` — nothing is copied. Each run is a child process (the real CLI, the real
speech engine and MP3 export); its peak resident memory comes from ``os.wait4``'s rusage for that
child alone. The budget grows with the number of stories so that every story is read:
``--minutes`` = max(8, 0.4 × articles).

Run: ``.venv/bin/python benchmarks/daily_scale.py``. Ends with ``name: value`` lines.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES_DIR = ROOT.parent / "shared" / "eval" / "bbc-news-summary" / "News Articles"
sys.path.insert(0, str(ROOT))

SIZES = (10, 50)
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


def run_daily(files: list[Path], workers: int) -> tuple[float, float, int]:
    """(wall seconds, peak MB of the child, stories read) of one `briefing daily` on a fresh library."""
    with tempfile.TemporaryDirectory(prefix="briefing-daily-bench-") as folder:
        library = Path(folder)
        listed = ", ".join(f'"{path}"' for path in files)
        (library / "briefing.toml").write_text(f"[sources]\nfiles = [{listed}]\n", encoding="utf-8")
        minutes = max(8.0, 0.4 * len(files))
        command = [sys.executable, "-m", "briefing", "daily", "--library", str(library), "--date", DATE,
                   "--minutes", str(minutes), "--workers", str(workers)]
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        output = child.stdout.read() + child.stderr.read()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"briefing daily failed ({code}):\n{output}")
        stories = sum(1 for line in output.splitlines() if line.startswith("  - "))
        return elapsed, usage.ru_maxrss / 1024, stories


def main() -> None:
    from briefing import pipeline

    if not ARTICLES_DIR.is_dir():
        sys.exit(f"{ARTICLES_DIR} is not here")
    cores = len(os.sched_getaffinity(0))
    parallel = max(2, cores)
    has_workers = "workers" in inspect.signature(pipeline.render).parameters
    if not has_workers:
        print("note: pipeline.render has no `workers` parameter yet: both runs render sequentially")
    results: dict[str, float] = {}
    for size in SIZES:
        files = bbc_articles(size)
        sequential_s, sequential_mb, stories = run_daily(files, 1)
        parallel_s, parallel_mb, _ = run_daily(files, parallel)
        print(f"{size} articles, {stories} stories read: sequential {sequential_s:.1f} s ({sequential_mb:.0f} MB), "
              f"parallel x{parallel} {parallel_s:.1f} s ({parallel_mb:.0f} MB)")
        results[f"daily {size} sequential s"] = round(sequential_s, 2)
        results[f"daily {size} parallel s"] = round(parallel_s, 2)
        results[f"daily {size} speedup"] = round(sequential_s / parallel_s, 2)
        results[f"daily {size} peak MB"] = round(max(sequential_mb, parallel_mb), 1)
        results[f"daily {size} stories"] = stories
    results["parallel workers"] = parallel
    results["render has workers"] = int(has_workers)
    for name, value in results.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
