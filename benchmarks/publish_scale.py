"""Publishing into a large library: the time to publish one more episode, and to regenerate the feed and
page, with N episodes against a library of 20 measured in the same run, and the cost per episode.

Each library holds one real MP3 (a 20 s tone made by ffmpeg) and its side files, shared by every
synthetic record; records are written straight into the SQLite library and published once (feed,
page, channel cover), then ``publish()`` adds one more episode (record, feed, page) and
``regenerate()`` rewrites feed.xml and index.html.
Each figure is the median of ``REPEATS`` runs. The feed written for N episodes is read back with
podcastparser and must list all of them. Everything happens in a temporary folder.

Run: ``.venv/bin/python benchmarks/publish_scale.py`` (``BENCH_EPISODES=10000`` for a larger library).
Ends with ``name: value`` lines.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from briefing.library.store import Library  # noqa: E402
from briefing.model import Episode  # noqa: E402
from briefing.library.publish import publish, regenerate  # noqa: E402

EPISODES = int(os.environ.get("BENCH_EPISODES", "2000"))
BASELINE_EPISODES = 20
REPEATS = 3
TONE_SECONDS = 20


def tone(folder: Path) -> Path:
    path = folder / "tone.mp3"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={TONE_SECONDS}", "-ac", "1", "-b:a", "64k", str(path)], check=True)
    return path


def library_of(folder: Path, mp3: Path, count: int) -> Episode:
    """A published library of ``count`` episodes sharing one set of files; return a template for more."""
    episodes = folder / "episodes"
    episodes.mkdir(parents=True)
    shutil.copyfile(mp3, episodes / "shared.mp3")
    (episodes / "shared.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:05.000\nGood morning.\n", encoding="utf-8")
    (episodes / "shared.chapters.json").write_text(
        '{"version":"1.2.0","chapters":[{"startTime":0,"title":"Introduction"}]}', encoding="utf-8")
    template = Episode(guid="", title="", published="", audio_path="episodes/shared.mp3",
                       size_bytes=mp3.stat().st_size, duration_s=float(TONE_SECONDS),
                       source="https://news.example/story", voice="bench",
                       description="A synthetic episode for the benchmark & its feed.",
                       transcript_path="episodes/shared.vtt", chapters_path="episodes/shared.chapters.json")
    with Library.open(folder) as library:
        for number in range(count):
            library.upsert(episode_number(template, number))
    regenerate(folder)  # as a library in use: its feed, page and channel cover already there
    return template


def episode_number(template: Episode, number: int) -> Episode:
    day, second = divmod(number, 86400)
    return replace(template, guid=f"urn:bench:{number}", title=f"Briefing number {number}",
                   published=f"2024-{1 + day % 12:02d}-01T{second // 3600 % 24:02d}:{second // 60 % 60:02d}:"
                             f"{second % 60:02d}+00:00")


def timings(mp3: Path, count: int) -> tuple[float, float]:
    """Median seconds to publish the ``count``-th episode into ``count - 1``, and to regenerate ``count``."""
    publishing, regenerating = [], []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory(prefix="briefing-publish-bench-") as scratch:
            folder = Path(scratch)
            template = library_of(folder, mp3, count - 1)
            started = time.perf_counter()
            publish(folder, episode_number(template, count - 1))
            publishing.append(time.perf_counter() - started)
            started = time.perf_counter()
            regenerate(folder)
            regenerating.append(time.perf_counter() - started)
            listed = feed_items(folder / "feed.xml")
            if listed != count:
                sys.exit(f"the feed of {count} episodes lists {listed}")
    return statistics.median(publishing), statistics.median(regenerating)


def feed_items(feed: Path) -> int:
    import podcastparser

    return len(podcastparser.parse(str(feed), io.BytesIO(feed.read_bytes()))["episodes"])


def main() -> None:
    if shutil.which("ffmpeg") is None:
        sys.exit("ffmpeg is needed to make the benchmark's MP3")
    with tempfile.TemporaryDirectory(prefix="briefing-publish-bench-media-") as media:
        mp3 = tone(Path(media))
        timings(mp3, BASELINE_EPISODES)  # warm-up: imports, fonts, the channel cover
        base_publish, base_regenerate = timings(mp3, BASELINE_EPISODES)
        big_publish, big_regenerate = timings(mp3, EPISODES)
    print(f"median of {REPEATS} runs; {EPISODES} episodes against {BASELINE_EPISODES}; "
          f"the feed of {EPISODES} read back with podcastparser lists all of them")
    figures = {
        f"publish into {EPISODES} s": big_publish,
        f"publish into {BASELINE_EPISODES} s": base_publish,
        f"regenerate {EPISODES} s": big_regenerate,
        f"regenerate {BASELINE_EPISODES} s": base_regenerate,
        f"publish {EPISODES}/{BASELINE_EPISODES} time ratio": big_publish / base_publish,
        # Below 1: each episode costs less in a big library (fixed costs shared); 1: linear.
        "publish per-episode cost ratio": (big_publish / EPISODES) / (base_publish / BASELINE_EPISODES),
        "regenerate per-episode cost ratio": (big_regenerate / EPISODES) / (base_regenerate / BASELINE_EPISODES),
        "publish ms per 1000 episodes in the library": 1000 * 1000 * big_publish / EPISODES,
    }
    for name, value in figures.items():
        print(f"{name}: {value:.3f}")


if __name__ == "__main__":
    main()
