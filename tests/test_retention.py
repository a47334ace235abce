"""Retention (`[channel] keep` / `keep_days`) and `remove --delete-files`: old episodes leave the feed and the disk.

Real MP3s and side files (tests/publishing.py), a real SQLite library, the feed read back with
feedparser; one test makes real episodes through `briefing.make_episode`, one kills a real process.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from helpers import FIXTURES, requires_espeak, requires_ffmpeg
from publishing import make_episode, make_library

import briefing
from briefing.cli import main
from briefing.library.store import Library
from briefing.library.publish import publish
from briefing.library.retention import apply_retention

NOW = dt.datetime(2025, 3, 10, 7, 0, tzinfo=dt.timezone.utc)


def _configure(library: Path, channel: str) -> None:
    library.mkdir(parents=True, exist_ok=True)
    (library / "briefing.toml").write_text(f"[channel]\n{channel}\n", encoding="utf-8")


def _feed_enclosures(library: Path) -> list[str]:
    feed = feedparser.parse((library / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    return [enclosure.href for entry in feed.entries for enclosure in entry.enclosures]


def _episode_files(library: Path) -> list[str]:
    return sorted(path.name for path in (library / "episodes").iterdir())


def _assert_feed_valid(library: Path) -> None:
    """Every enclosure the feed names is on disk, whole."""
    for href in _feed_enclosures(library):
        name = href.rsplit("/", 1)[1]
        assert (library / "episodes" / name).stat().st_size > 1000, name


def test_keep_n_keeps_the_newest_episodes_and_deletes_every_file_of_the_others(tmp_path: Path) -> None:
    library = tmp_path / "library"
    _configure(library, "keep = 2")
    episodes = make_library(library, 4)
    retired = apply_retention(library, now=NOW)
    assert sorted(e.guid for e in retired) == sorted(e.guid for e in episodes[:2])
    assert len(_feed_enclosures(library)) == 2
    kept_stems = {Path(e.audio_path).stem for e in episodes[2:]}
    assert {name.split(".")[0] for name in _episode_files(library)} == kept_stems
    with Library.open(library) as opened:
        assert [e.guid for e in opened.episodes()] == [e.guid for e in reversed(episodes[2:])]
        assert not opened.has_retired_files()


def test_keep_days_retires_episodes_published_before_the_cutoff(tmp_path: Path) -> None:
    library = tmp_path / "library"
    _configure(library, "keep_days = 7.5")
    old = make_episode(library, "old", "2025-03-01T07:00:00+00:00", frequency=330)
    recent = make_episode(library, "recent", "2025-03-03T08:00:00+00:00", frequency=550)
    for episode in (old, recent):
        publish(library, episode)
    assert [e.guid for e in apply_retention(library, now=NOW)] == [old.guid]
    assert not (library / old.audio_path).exists() and (library / recent.audio_path).exists()
    assert [href.rsplit("/", 1)[1] for href in _feed_enclosures(library)] == [Path(recent.audio_path).name]


def test_no_retention_setting_keeps_everything(tmp_path: Path) -> None:
    library = tmp_path / "library"
    episodes = make_library(library, 3)
    assert apply_retention(library, now=NOW + dt.timedelta(days=3650)) == []
    assert all((library / e.audio_path).exists() for e in episodes)


def test_a_run_stopped_after_the_records_went_leaves_a_valid_feed_and_the_next_run_deletes_the_files(
        tmp_path: Path) -> None:
    library = tmp_path / "library"
    _configure(library, "keep = 1")
    episodes = make_library(library, 3)
    with Library.open(library) as opened:  # the first step alone, as a kill right after its commit leaves it
        opened.retire([episodes[0].guid, episodes[1].guid])
    _assert_feed_valid(library)  # the old feed still lists them, and their files are all there
    assert len(_feed_enclosures(library)) == 3
    assert apply_retention(library, now=NOW) == []  # nothing more to retire, but the deletion is finished
    assert len(_feed_enclosures(library)) == 1
    assert not (library / episodes[0].audio_path).exists() and not (library / episodes[1].audio_path).exists()
    assert {name.split(".")[0] for name in _episode_files(library)} == {Path(episodes[2].audio_path).stem}


_RETIRE_SLOWLY = """
import sys, time
from pathlib import Path
import briefing.library.store as library
from briefing.library.retention import apply_retention
deleting = library.Library.delete_unreferenced_files
def slowly(self, episode):
    time.sleep(0.05)
    return deleting(self, episode)
library.Library.delete_unreferenced_files = slowly
print("ready", flush=True)
apply_retention(Path(sys.argv[1]))
"""


@pytest.mark.slow
def test_killed_at_any_moment_the_feed_stays_valid_and_the_next_run_leaves_no_orphans(tmp_path: Path) -> None:
    library = tmp_path / "library"
    _configure(library, "keep = 2")
    for round_number in range(6):
        for number in range(3):
            publish(library, make_episode(library, f"r{round_number}-{number}",
                                          f"2025-03-{round_number + 1:02d}T07:0{number}:00+00:00",
                                          frequency=300 + 40 * number + 7 * round_number))
        process = subprocess.Popen([sys.executable, "-c", _RETIRE_SLOWLY, str(library)], stdout=subprocess.PIPE,
                                   text=True)
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        time.sleep(0.02 + 0.05 * round_number)  # from its first records to deleting the files
        process.send_signal(signal.SIGKILL)
        process.communicate()
        _assert_feed_valid(library)
    apply_retention(library)
    _assert_feed_valid(library)
    with Library.open(library) as opened:
        kept = {Path(e.audio_path).stem for e in opened.episodes()}
    assert len(kept) == 2
    assert {name.split(".")[0] for name in _episode_files(library)} == kept  # no orphan left


@requires_espeak
@requires_ffmpeg
def test_making_episodes_with_keep_one_leaves_one_episode_and_its_files(tmp_path: Path) -> None:
    library = tmp_path / "library"
    _configure(library, "keep = 1")
    for article in ("bin-collections.txt", "cycle-lanes.txt"):
        made = briefing.make_episode(str(FIXTURES / article), briefing.MakeOptions(
            max_words=20, voice="british", library=library))
    assert made.episode is not None
    assert [href.rsplit("/", 1)[1] for href in _feed_enclosures(library)] == [made.audio.name]
    assert {name.split(".")[0] for name in _episode_files(library)} == {made.audio.stem}


def test_remove_delete_files_keeps_the_users_hard_links_at_the_root(tmp_path: Path) -> None:
    library = tmp_path / "library"
    episodes = make_library(library, 2)
    gone = episodes[0]
    stem = Path(gone.audio_path).stem
    twins = []
    for path in (library / "episodes").glob(f"{stem}.*"):  # the user's -o copy, once a hard link
        twins.append(library / ("my-story" + path.name[len(stem):]))
        os.link(path, twins[-1])
    contents = {twin: twin.read_bytes() for twin in twins}
    result = CliRunner().invoke(main, ["remove", gone.guid, "--delete-files", "--library", str(library)])
    assert result.exit_code == 0, result.output
    assert {twin: twin.read_bytes() for twin in twins} == contents
    assert not list((library / "episodes").glob(f"{stem}.*"))
    assert (library / episodes[1].audio_path).exists()
