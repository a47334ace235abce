"""The Python API: `briefing.make_episode` makes and publishes an episode with no command line at all.

Real reading, the real speech engine, real MP3s decoded by ffmpeg, a real SQLite library and the
feed read back with feedparser; no click anywhere in these tests.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from helpers import FIXTURES, decode_pcm, pcm_duration, requires_espeak, requires_ffmpeg

import briefing
from briefing.errors import UsageError
from briefing.library.store import Library

ARTICLE = FIXTURES / "bin-collections.txt"

pytestmark = [requires_espeak, requires_ffmpeg]


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")
                  if path.is_file() and "cache" not in path.relative_to(folder).parts)


def test_make_episode_publishes_an_episode_whose_audio_decodes_and_whose_feed_lists_it(tmp_path: Path) -> None:
    library = tmp_path / "podcast"
    made = briefing.make_episode(str(ARTICLE), briefing.MakeOptions(max_words=40, voice="british", library=library))

    assert made.episode is not None
    assert made.audio == library / made.episode.audio_path
    decoded = pcm_duration(decode_pcm(made.audio))
    assert decoded == pytest.approx(made.duration_s, abs=0.1)
    assert decoded == pytest.approx(made.episode.duration_s, abs=0.1)

    feed = feedparser.parse((library / "feed.xml").read_bytes())
    assert not feed.bozo
    [item] = feed.entries
    assert item.title == made.script.title == "Bin collections in Hartley will move to every three weeks"
    [enclosure] = item.enclosures
    assert enclosure.href.endswith(made.episode.audio_path)
    assert int(enclosure.length) == made.audio.stat().st_size
    with Library.open(library, create=False) as opened:
        assert [episode.guid for episode in opened.episodes()] == [made.episode.guid]

    # The episode lives in episodes/ only: no second copy at the library's root.
    name = made.audio.name  # side files are named after the whole audio name
    assert [path for path in _files(library) if path.startswith("episodes/")] == sorted(
        [f"episodes/{name}"] + [f"episodes/{name}{suffix}"
                                for suffix in (".json", ".txt", ".vtt", ".chapters.json", ".png")])
    assert not list(library.glob("*.mp3"))


def test_remaking_an_article_replaces_its_episode_and_deletes_the_old_audio(tmp_path: Path) -> None:
    library = tmp_path / "podcast"
    library.mkdir()
    (library / "briefing.toml").write_text("[channel]\nkeep_replaced_hours = 0\n", encoding="utf-8")  # no grace
    first = briefing.make_episode(str(ARTICLE), briefing.MakeOptions(max_words=20, voice="british", library=library))
    again = briefing.make_episode(str(ARTICLE), briefing.MakeOptions(max_words=40, voice="british", library=library))
    assert first.episode is not None and again.episode is not None
    assert again.episode.guid == first.episode.guid
    assert not first.audio.exists() and again.audio.exists()  # one item, its old audio deleted
    assert len(feedparser.parse((library / "feed.xml").read_bytes()).entries) == 1


def test_an_unpublished_episode_is_written_where_asked_and_no_library_is_made(tmp_path: Path) -> None:
    output = tmp_path / "out" / "bins.mp3"
    made = briefing.make_episode(str(ARTICLE), briefing.MakeOptions(
        max_words=20, voice="british", library=tmp_path / "podcast", output=output, publish=False,
        title="Bins every three weeks"))
    assert made.episode is None and made.audio == output
    assert made.script.title == "Bins every three weeks"
    assert pcm_duration(decode_pcm(output)) == pytest.approx(made.duration_s, abs=0.1)
    assert not (tmp_path / "podcast" / "briefing.db").exists()


def test_conflicting_lengths_are_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="choose one of"):
        briefing.make_episode(str(ARTICLE), briefing.MakeOptions(max_words=40, minutes=1, library=tmp_path))
    assert not list(tmp_path.iterdir())
