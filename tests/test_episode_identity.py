"""Nothing a user owns is written over, and a GUID says what an episode is (issue 24: identity and output).

The articles here are invented for these tests. `make` (with the classic voice) and `daily` run
in-process through CliRunner; the podcast client is gPodder's `gpo`, against `briefing serve` on 127.0.0.1.
"""

from __future__ import annotations

import anyio
import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from helpers import (
    assert_feed_valid,
    daily,
    daily_episodes,
    requires_espeak,
    requires_ffmpeg,
    run_in_process,
    write_config,
)
from publishing import (
    free_port,
    gpo,
    make_episode,
    make_library,
    require_debian_packages,
)
from test_publishing_identity import fetch, start_server

from briefing.library import identity
from briefing.daily.run import day_identity
from briefing.library.store import MIGRATIONS, Library
from briefing.model import Episode
from briefing.library.publish import publish
from briefing.server.app import Published
from briefing.library.sidefiles import legacy_side_path, side_path

MONDAY = ("Council approves tram extension to the hospital\n\n"
          "Councillors voted on Monday to extend the tram line to the general hospital, at a cost of 40 million "
          "pounds. Work is due to start in the spring and take two years.\n")
TUESDAY = ("Town swimming pool to reopen in April\n\n"
           "The town's swimming pool will reopen in April after repairs to its roof, the council said on Tuesday. "
           "It has been closed since a storm in January.\n")
WEDNESDAY = ("Night bus trial extended for six months\n\n"
             "A trial of night buses between the station and the university will run until the summer, after "
             "more than 2,000 journeys were made in its first month, the operator said on Wednesday.\n")
SIDE_NAMES = ["chapters.json", "json", "png", "txt", "vtt"]


def make(home: Path, *args, input: bytes | None = None) -> subprocess.CompletedProcess:
    return run_in_process(["make", *args, "--voice", "classic", "--max-words", "20", "-q"], home=home, input=input)


def episodes(home: Path) -> list[dict]:
    result = run_in_process(["episodes", "--json"], home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def fingerprints(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links as where they point) and its content's hash."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_symlink():
            found[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def assert_one_line_usage_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.stderr, result.stderr
    assert all(word in lines[0] for word in words), lines[0]


# ---- -o: a copy of the episode, beside nothing it could overwrite -------------------------------------

@pytest.mark.slow
@requires_espeak
@requires_ffmpeg
def test_make_story_txt_to_story_mp3_keeps_the_article_and_writes_a_copy_not_a_link(tmp_path):
    work, library = tmp_path / "work", tmp_path / "library"
    work.mkdir()
    story = work / "story.txt"
    story.write_text(MONDAY, encoding="utf-8")

    result = make(library, story, "-o", work / "story.mp3")

    assert result.returncode == 0, result.stderr
    assert story.read_text(encoding="utf-8") == MONDAY
    assert sorted(path.name for path in work.iterdir()) == sorted(
        ["story.txt", "story.mp3"] + [f"story.mp3.{name}" for name in SIDE_NAMES])
    [episode] = episodes(library)
    published = library / episode["audio_path"]
    assert published.read_bytes() == (work / "story.mp3").read_bytes()
    for ours, theirs in [(work / "story.mp3", published), (work / "story.mp3.txt", library / episode["script_path"]),
                         (work / "story.mp3.json", side_path(published, "timing"))]:
        assert not os.path.samefile(ours, theirs)  # a copy: changing one never changes the other
    kept = fingerprints(library / "episodes")
    with open(work / "story.mp3", "r+b") as copy:  # the user retags, truncates, rewrites their copy
        copy.truncate(1000)
    (work / "story.mp3.txt").write_text("my notes\n", encoding="utf-8")
    assert fingerprints(library / "episodes") == kept

    again = make(library, story, "-o", work / "story.mp3")  # briefing's own files there are replaced
    assert again.returncode == 0, again.stderr
    assert story.read_text(encoding="utf-8") == MONDAY
    assert (work / "story.mp3").stat().st_size > 1000


def _input_itself(work: Path, library: Path) -> tuple[Path, Path]:
    article = work / "news.mp3"  # an article with an audio suffix (a mislabelled download)
    article.write_text(MONDAY, encoding="utf-8")
    return article, article


def _text_input_as_output(work: Path, library: Path) -> tuple[Path, Path]:
    return work / "story.txt", work / "story.txt"


def _side_file_of_the_output_is_the_input(work: Path, library: Path) -> tuple[Path, Path]:
    article = work / "story.mp3.txt"
    article.write_text(MONDAY, encoding="utf-8")
    return article, work / "story.mp3"


def _folder(work: Path, library: Path) -> tuple[Path, Path]:
    (work / "episodes.mp3").mkdir()
    return work / "story.txt", work / "episodes.mp3"


def _symlink_into_another_folder(work: Path, library: Path) -> tuple[Path, Path]:
    elsewhere = work.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "music.mp3").write_bytes(b"ID3 someone else's song")
    (work / "link.mp3").symlink_to(elsewhere / "music.mp3")
    return work / "story.txt", work / "link.mp3"


def _symlink_at_a_side_file_name(work: Path, library: Path) -> tuple[Path, Path]:
    (work / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (work / "story.mp3.txt").symlink_to(work / "notes.txt")
    return work / "story.txt", work / "story.mp3"


def _a_file_briefing_did_not_write(work: Path, library: Path) -> tuple[Path, Path]:
    (work / "story.mp3").write_bytes(b"ID3 the user's own recording")
    return work / "story.txt", work / "story.mp3"


def _a_side_file_name_briefing_did_not_write(work: Path, library: Path) -> tuple[Path, Path]:
    (work / "story.mp3.json").write_text('{"my": "settings"}', encoding="utf-8")
    return work / "story.txt", work / "story.mp3"


def _channel_cover(work: Path, library: Path) -> tuple[Path, Path]:
    return work / "story.txt", library / "cover.mp3"


def _a_published_episode(work: Path, library: Path) -> tuple[Path, Path]:
    with Library.open(library) as opened:
        return work / "story.txt", library / opened.episodes()[0].audio_path


REFUSED = {
    "the input": (_input_itself, "is the article being read"),
    "the text input": (_text_input_as_output, "story.txt"),
    "an input's side-file name": (_side_file_of_the_output_is_the_input, "story.mp3.txt: is the article being read"),
    "a folder": (_folder, "is a folder"),
    "a symlink into another folder": (_symlink_into_another_folder, "symbolic link"),
    "a symlink at a side-file name": (_symlink_at_a_side_file_name, "story.mp3.txt: is a symbolic link"),
    "a file briefing did not write": (_a_file_briefing_did_not_write, "briefing did not write it"),
    "a side-file name briefing did not write": (_a_side_file_name_briefing_did_not_write, "story.mp3.json"),
    "the library's cover": (_channel_cover, "inside the library"),
    "a published episode": (_a_published_episode, "inside the library"),
    **{f"suffix {suffix or 'none'}": ((lambda suffix: lambda work, library: (
        work / "story.txt", work / f"episode{suffix}"))(suffix), "not an audio file name")
       for suffix in (".ogg", ".txt", ".json", ".png", ".MP3.bak", "")},
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_an_output_that_could_overwrite_what_briefing_did_not_write_is_refused_in_one_line(tmp_path, case):
    work, library = tmp_path / "work", tmp_path / "library"
    work.mkdir()
    (work / "story.txt").write_text(MONDAY, encoding="utf-8")
    make_library(library, count=1)
    setup, words = REFUSED[case]
    article, output = setup(work, library)
    before = fingerprints(tmp_path)

    result = make(library, article, "-o", output)

    assert_one_line_usage_error(result, words)
    assert fingerprints(tmp_path) == before  # every file as it was, nothing added


def test_unpublished_the_library_folder_may_hold_the_output_but_not_its_episodes(tmp_path):
    library = tmp_path / "library"
    [episode] = make_library(library, count=1)
    (tmp_path / "story.txt").write_text(MONDAY, encoding="utf-8")
    result = run_in_process(["make", tmp_path / "story.txt", "--no-publish", "-o", library / episode.audio_path],
                            home=library)
    assert_one_line_usage_error(result, "inside the library")


# ---- what an episode is: its GUID --------------------------------------------------------------------

@pytest.mark.slow
@requires_espeak
@requires_ffmpeg
def test_one_input_path_on_two_days_makes_two_episodes_and_the_same_article_again_replaces(tmp_path):
    library = tmp_path / "library"
    today = tmp_path / "today.txt"
    today.write_text(MONDAY, encoding="utf-8")
    assert make(library, today).returncode == 0
    today.write_text(TUESDAY, encoding="utf-8")
    assert make(library, today).returncode == 0
    made = {episode["title"]: episode for episode in episodes(library)}
    assert sorted(made) == ["Council approves tram extension to the hospital", "Town swimming pool to reopen in April"]
    assert len({episode["guid"] for episode in made.values()}) == 2
    assert assert_feed_valid(library) == 2

    copy = tmp_path / "copy-of-monday.txt"  # the same article, from another path and from standard input
    copy.write_text(MONDAY, encoding="utf-8")
    assert make(library, copy).returncode == 0
    assert make(library, "-", input=MONDAY.encode()).returncode == 0
    again = {episode["title"]: episode for episode in episodes(library)}
    assert sorted(again) == sorted(made)
    monday = "Council approves tram extension to the hospital"
    assert again[monday]["guid"] == made[monday]["guid"]

    other = tmp_path / "other-library"  # another channel: another GUID for the same article
    assert make(other, copy).returncode == 0
    [elsewhere] = episodes(other)
    assert elsewhere["guid"] != made[monday]["guid"]


def test_the_rule_is_content_and_the_library_not_the_path():
    monday = identity.article_guid("a" * 32, "digest-1")
    assert monday == identity.article_guid("a" * 32, "digest-1")
    assert monday != identity.article_guid("b" * 32, "digest-1")
    assert monday != identity.article_guid("a" * 32, "digest-2")
    day = identity.daily_guid("a" * 32, "2026-11-25", ["x", "y"])
    assert day == identity.daily_guid("a" * 32, "2026-11-25", ["y", "x"])  # the stories, in any order
    assert identity.daily_guid("a" * 32, "2026-11-25", ["x"]) != identity.daily_guid("b" * 32, "2026-11-25", ["x"])


def test_an_episode_that_replaces_another_keeps_the_earlier_files_served_until_the_grace_period_ends(tmp_path):
    library = tmp_path / "library"
    [earlier] = make_library(library, count=1)
    later = make_episode(library, "story-0-updated", "2025-03-02T07:00:00+00:00", guid="urn:briefing:later",
                         seconds=30)
    publish(library, later, replaces=[earlier.guid])
    with Library.open(library) as opened:
        assert opened.episodes() == [later]
    assert f'{earlier.audio_path}"' not in (library / "feed.xml").read_text(encoding="utf-8")
    served = anyio.run(Published(library.resolve()).current)
    assert {earlier.audio_path, earlier.transcript_path, later.audio_path} <= served
    (library / "briefing.toml").write_text("[channel]\nkeep_replaced_hours = 0\n", encoding="utf-8")
    publish(library, later)  # the next publication after the grace period deletes them
    assert not (library / earlier.audio_path).exists() and not (library / earlier.transcript_path).exists()
    assert earlier.audio_path not in anyio.run(Published(library.resolve()).current)


# ---- a library written before this: migrated once, its GUIDs kept ------------------------------------

OLD_DAY = "2026-11-24"


def old_library(folder: Path) -> tuple[list[Episode], Path]:
    """A library as the released briefing wrote it: schema version 3, GUIDs from the input's path and
    from the date alone, side files named after the audio's stem (``x.json``, ``x.txt``...)."""
    folder.mkdir(parents=True)
    connection = sqlite3.connect(folder / "briefing.db", isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:3], start=1):
        connection.executescript(script)
        connection.execute(f"PRAGMA user_version = {number}")
    article_path = folder.parent / "today.txt"
    article_path.write_text(MONDAY, encoding="utf-8")
    made = []
    for slug, guid, kind, title in [
            ("tram", identity.legacy_guid(str(article_path)), "article",
             "Council approves tram extension to the hospital"),
            ("day", identity.legacy_guid(f"daily:{OLD_DAY}"), "daily", "Briefing for Tuesday 24 November 2026")]:
        episode = make_episode(folder, slug, guid=guid, title=title, side_files=False)
        episode = Episode(**{**episode.__dict__, "kind": kind})
        audio = folder / episode.audio_path
        legacy_side_path(audio, "timing").write_text(json.dumps(
            {"title": title, "sections": [], "duration": 20.0, "voice": "classic"}), encoding="utf-8")
        columns = {name: value for name, value in episode.__dict__.items() if name != "timing_path"}  # not in schema 3
        connection.execute(f"INSERT INTO episodes VALUES ({', '.join('?' for _ in columns)})", tuple(columns.values()))
        made.append(episode)
    connection.execute("INSERT INTO daily_articles (key, date, position, source, title, article, used_at) "
                       "VALUES ('k1', ?, 0, 'inbox/a.txt', 'A', '{}', '2026-11-24T07:00:00+00:00')", (OLD_DAY,))
    connection.execute("INSERT INTO meta VALUES ('podcast_guid', '')")
    connection.close()
    return made, article_path


def user_version(folder: Path) -> int:
    connection = sqlite3.connect(folder / "briefing.db")
    try:
        return connection.execute("PRAGMA user_version").fetchone()[0]
    finally:
        connection.close()


def test_a_library_of_the_released_schema_is_migrated_once_and_keeps_its_guids(tmp_path):
    library = tmp_path / "library"
    made, _ = old_library(library)
    assert user_version(library) == 3

    with Library.open(library) as opened:
        first_identity = opened.identity()
        assert sorted(episode.guid for episode in opened.episodes()) == sorted(episode.guid for episode in made)
    assert user_version(library) == len(MIGRATIONS)
    with Library.open(library) as opened:  # a second opening migrates nothing and keeps the identity
        assert opened.identity() == first_identity and len(first_identity) == 32
    assert user_version(library) == len(MIGRATIONS)

    # Its timing files, under the old names, are recorded and served; and the day keeps its GUID unless it grows.
    old_timing = str(legacy_side_path(Path(made[0].audio_path), "timing"))
    served = anyio.run(Published(library.resolve()).current)
    assert old_timing in served
    with Library.open(library) as opened:
        assert opened.get(made[0].guid).timing_path == old_timing
    with Library.open(library) as opened:
        assert day_identity(opened, OLD_DAY, ["k1"], {"k1"}) == (made[1].guid, ())
        grown, replaces = day_identity(opened, OLD_DAY, ["k1", "k2"], {"k1"})
        assert grown != made[1].guid and replaces == (made[1].guid,)


@pytest.mark.slow
@requires_espeak
@requires_ffmpeg
def test_making_an_article_of_an_old_library_again_keeps_its_guid(tmp_path):
    library = tmp_path / "library"
    made, article = old_library(library)
    result = make(library, article)
    assert result.returncode == 0, result.stderr
    assert sorted(episode["guid"] for episode in episodes(library)) == sorted(episode.guid for episode in made)


# ---- dailies: unique per channel, and an update subscribers receive -----------------------------------

def _inbox_channel(folder: Path, *articles: str) -> Path:
    write_config(folder, 'inbox = "inbox"')
    (folder / "inbox").mkdir()
    for number, text in enumerate(articles):
        (folder / "inbox" / f"story-{number}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.e2e
@pytest.mark.slow
@requires_espeak
@requires_ffmpeg
def test_two_channels_dailies_of_one_date_have_distinct_guids_in_gpodder(tmp_path):
    channels, guids = [], []
    for name in ("north", "south"):  # the same stories, the same day, the same voice
        channel = _inbox_channel(tmp_path / name, MONDAY, TUESDAY)
        with open(channel / "briefing.toml", "a", encoding="utf-8") as config:
            config.write(f'\n[channel]\ntitle = "{name.title()} Briefing"\n')
        result = daily(channel, "--date", "2026-11-25", "--voice", "classic", "--minutes", "0.5")
        assert result.exit_code == 0, result.output
        [entry] = feedparser.parse((channel / "feed.xml").read_bytes()).entries
        channels.append(channel)
        guids.append(entry.id)
    assert guids[0] != guids[1]
    with subscribed(channels[0], tmp_path) as (_, north), subscribed(channels[1], tmp_path) as (_, south):
        listings = [gpo(tmp_path, "episodes", "--guid", url) for url in (north, south)]
    assert guids[0] in listings[0] and guids[1] in listings[1] and guids[0] not in listings[1]
    assert len(list((tmp_path / "downloads").rglob("*.mp3"))) == 2  # gPodder took them for two episodes


@contextlib.contextmanager
def subscribed(library: Path, home: Path) -> Iterator[tuple[int, str]]:
    """`briefing serve` on the library, and gPodder (in ``home``) subscribed to it with all downloaded:
    the port and the feed's URL."""
    require_debian_packages(["gpo"], ["gpodder"])
    port = free_port()
    server = start_server(library, port)
    try:
        feed_url = f"http://127.0.0.1:{port}/feed.xml"
        for command in (["subscribe", feed_url], ["download"]):  # subscribing reads the feed: no update needed
            gpo(home, *command)
        yield port, feed_url
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=15)


def _downloads(home: Path) -> dict[str, int]:
    return {path.name: path.stat().st_size for path in (home / "downloads").rglob("*.mp3")}


@pytest.mark.e2e
@pytest.mark.slow
@requires_espeak
@requires_ffmpeg
def test_gpodder_gets_an_updated_daily_as_the_longer_file_and_the_earlier_url_keeps_answering(tmp_path):
    library = _inbox_channel(tmp_path / "library", MONDAY, TUESDAY)
    assert daily(library, "--date", "2026-11-25", "--voice", "classic", "--minutes", "0.5").exit_code == 0
    [first] = daily_episodes(library)
    with subscribed(library, tmp_path) as (port, _):
        assert _downloads(tmp_path) == {Path(first.audio_path).name: first.size_bytes}

        (library / "inbox" / "story-2.txt").write_text(WEDNESDAY, encoding="utf-8")
        updated = daily(library, "--date", "2026-11-25", "--voice", "classic", "--minutes", "1", "--update")
        assert updated.exit_code == 0, updated.output
        [second] = daily_episodes(library)
        assert second.guid != first.guid and second.duration_s > first.duration_s

        assert "1 new episode" in gpo(tmp_path, "update")
        gpo(tmp_path, "download")
        assert _downloads(tmp_path)[Path(second.audio_path).name] == second.size_bytes > first.size_bytes
        assert fetch(f"/{first.audio_path}", port) == (200, (library / first.audio_path).read_bytes())
        assert first.audio_path not in (library / "feed.xml").read_text(encoding="utf-8")

        # Once the grace period is over, the next publication deletes it and it is no longer served.
        with open(library / "briefing.toml", "a", encoding="utf-8") as config:
            config.write("\n[channel]\nkeep_replaced_hours = 0\n")
        assert daily(library, "--date", "2026-11-25", "--voice", "classic", "--minutes", "1").exit_code == 0
        assert fetch(f"/{first.audio_path}", port)[0] == 404
        assert not (library / first.audio_path).exists()


@pytest.mark.slow
@pytest.mark.e2e
@requires_espeak
@requires_ffmpeg
def test_gpodder_sees_monday_and_tuesday_made_through_one_path_as_two_episodes(tmp_path):
    library, today = tmp_path / "library", tmp_path / "today.txt"
    today.write_text(MONDAY, encoding="utf-8")
    assert make(library, today).returncode == 0
    with subscribed(library, tmp_path) as (_, feed_url):
        today.write_text(TUESDAY, encoding="utf-8")
        assert make(library, today).returncode == 0
        assert "1 new episode" in gpo(tmp_path, "update")
        gpo(tmp_path, "download")
        listing = gpo(tmp_path, "episodes", feed_url)
    made = episodes(library)
    assert len(made) == 2 and all(episode["title"] in listing for episode in made)
    assert sorted(_downloads(tmp_path)) == sorted(Path(episode["audio_path"]).name for episode in made)
