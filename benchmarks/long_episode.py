"""Memory of a long episode: `briefing make --all` on about an hour of news with the default voice.

The article is BBC news articles from ``../shared/eval/bbc-news-summary/News Articles`` joined into one
text file in a scratch folder (read in place, the joined copy deleted afterwards). The resident memory
of briefing's own process and of its whole process tree (speech workers, encoders) is sampled with
psutil every 0.1 s, twice: as the sum of every process's RSS (which counts a shared library once per
process that maps it) and as the sum of their PSS (each shared page split between the processes that
share it: what the tree takes from the machine). Ends with ``name: value`` lines.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from daily_scale import ARTICLES_DIR, bbc_articles  # noqa: E402

WORDS = int(os.environ.get("BENCH_WORDS", "9500"))  # about an hour at 165 words a minute with pauses


def main() -> None:
    import psutil

    if not ARTICLES_DIR.is_dir():
        print(f"skipped: {ARTICLES_DIR} is not here")
        return
    with tempfile.TemporaryDirectory(prefix="briefing-long-") as scratch:
        folder = Path(scratch)
        paragraphs, words = ["An hour of news"], 0
        for path in bbc_articles(150):
            body = [line.strip() for line in path.read_text(encoding="latin-1").splitlines()[1:] if line.strip()]
            paragraphs += body
            words += sum(len(line.split()) for line in body)
            if words >= WORDS:
                break
        article = folder / "hour.txt"
        article.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        home = folder / "library"
        home.mkdir()
        (home / "briefing.toml").write_text("[channel]\ncache_mb = 0\n", encoding="utf-8")
        output = folder / "hour.mp3"
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "briefing", "make", str(article), "--all", "--no-publish",
                                  "-q", "-o", str(output)], env={**os.environ, "BRIEFING_HOME": str(home)},
                                 stderr=subprocess.PIPE, text=True)
        parent = psutil.Process(child.pid)
        own_peak = tree_peak = proportional_peak = 0
        while child.poll() is None:
            try:
                processes = [parent] + parent.children(recursive=True)
                own = parent.memory_info().rss
                tree = sum(process.memory_info().rss for process in processes)
                proportional = sum(process.memory_full_info().pss for process in processes)
                own_peak, tree_peak = max(own_peak, own), max(tree_peak, tree)
                proportional_peak = max(proportional_peak, proportional)
            except psutil.Error:
                pass
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        if child.returncode != 0:
            sys.exit(f"briefing make failed: {child.stderr.read()[-2000:]}")
        duration = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                                         "csv=p=0", str(output)], capture_output=True, text=True, check=True).stdout)
    print(f"{words} words, {duration / 60:.1f} minutes of audio in {elapsed:.1f} s")
    print(f"episode minutes: {duration / 60:.1f}")
    print(f"briefing process peak MB: {own_peak / 2**20:.0f}")
    print(f"process tree peak MB: {tree_peak / 2**20:.0f}")
    print(f"process tree peak PSS MB: {proportional_peak / 2**20:.0f}")


if __name__ == "__main__":
    main()
