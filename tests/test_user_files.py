"""Nothing a user owns is deleted, overwritten or published (issue 24): deletion of exactly the files
briefing recorded, a first run that will not write over the user's feed or page, rebuild adopting only
``episodes/``, the inbox and the channel image kept private, and the server serving only what is published.

Real files in ``tmp_path``, a real SQLite library, the real CLI through CliRunner, a real server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, fill_leaving
from publishing import fetch_status, make_episode, make_library

from briefing.cli import main
from briefing.config import load_config
from briefing.errors import UsageError
from briefing.library.store import MIGRATIONS, RETIRED_KEY, Library
from briefing.library.sidefiles import legacy_side_path
from briefing.library.publish import publish, refuse_foreign_files
from briefing.server.app import running
from briefing.config import parse_config
from briefing.daily.sources import gather, source_settings

BEFORE_24 = FIXTURES / "library-before-24" / "briefing.db"
USERS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>My own show</title><link>https://me.example/</link>
<generator>Hand-written</generator>
<item><title>Show one</title><guid>show1</guid>
<enclosure url="https://me.example/show1.mp3" length="4" type="audio/mpeg"/></item>
<item><title>Settings</title><guid>settings</guid>
<enclosure url="https://me.example/briefing.toml" length="4" type="audio/mpeg"/></item>
</channel></rss>
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# ---- a first run in a folder of the user's own files ----------------------------------------------

@pytest.mark.parametrize("name", ["index.html", "feed.xml", "feed.xsl", "cover.png"])
def test_a_first_make_refuses_to_write_over_a_file_briefing_did_not_write(tmp_path: Path, name: str) -> None:
    library = tmp_path / "site"
    library.mkdir()
    mine = library / name
    mine.write_bytes(USERS_FEED.encode() if name == "feed.xml" else b"the user's own " + name.encode())
    before = mine.read_bytes()
    result = run("make", str(FIXTURES / "bin-collections.txt"), "--library", str(library), "-q")
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and f"holds {name} that briefing did not write" in result.output
    assert "--adopt" in result.output
    assert mine.read_bytes() == before
    assert sorted(path.name for path in library.iterdir()) == [name]  # nothing written: no database either


def test_rebuild_and_serve_refuse_a_users_feed_and_feed_refuses_after_a_killed_first_make(tmp_path: Path) -> None:
    library = tmp_path / "site"
    library.mkdir()
    (library / "feed.xml").write_text(USERS_FEED, encoding="utf-8")
    (library / "index.html").write_text("<p>mine</p>", encoding="utf-8")
    for command in (["rebuild"], ["serve", "--port", "1"]):  # port 1: refused before it could listen
        result = run(*command, "--library", str(library))
        assert result.exit_code == 2, (command, result.output)
        assert "that briefing did not write" in result.output or "not written by briefing" in result.output
    Library.open(library).close()  # a make killed after creating the database, before its first feed
    result = run("feed", "--library", str(library))
    assert result.exit_code == 2 and "feed.xml, index.html that briefing did not write" in result.output
    assert (library / "feed.xml").read_text(encoding="utf-8") == USERS_FEED
    result = run("feed", "--library", str(library), "--adopt")
    assert result.exit_code == 0, result.output
    assert "<generator>briefing</generator>" in (library / "feed.xml").read_text(encoding="utf-8")
    refuse_foreign_files(library)  # the library has written its feed: later runs replace it freely


def test_a_briefing_feed_without_its_database_is_still_a_lost_library(tmp_path: Path) -> None:
    library = tmp_path / "library"
    make_library(library, 1)
    (library / "briefing.db").unlink()
    result = run("make", str(FIXTURES / "bin-collections.txt"), "--library", str(library), "-q")
    assert result.exit_code == 1 and "briefing rebuild" in result.output


# ---- rebuild adopts only episodes/ -----------------------------------------------------------------

def test_rebuild_of_a_users_feed_adopts_nothing_outside_episodes(tmp_path: Path) -> None:
    library = tmp_path / "site"
    library.mkdir()
    (library / "feed.xml").write_text(USERS_FEED, encoding="utf-8")
    for name in ("show1.mp3", "show1.txt", "show1.docx", "show1.mp3.bak"):
        (library / name).write_bytes(b"mine " + name.encode())
    (library / "briefing.toml").write_text("[channel]\nkeep = 1\n", encoding="utf-8")
    result = run("rebuild", "--library", str(library), "--adopt")
    assert result.exit_code == 2, result.output  # nothing in episodes/: nothing to make a library from
    assert "nothing to rebuild from" in result.output
    episode = make_episode(library, "ours")
    result = run("rebuild", "--library", str(library), "--adopt")
    assert result.exit_code == 0, result.output
    assert "Restored 1 episode(s) from the side files in episodes/" in result.output
    with Library.open(library) as opened:
        assert [e.audio_path for e in opened.episodes()] == [episode.audio_path]
    assert "show1" not in (library / "feed.xml").read_text(encoding="utf-8")
    for name in ("show1.mp3", "show1.txt", "show1.docx", "show1.mp3.bak"):
        assert (library / name).read_bytes() == b"mine " + name.encode()


def test_rebuild_from_side_files_skips_symlinks_in_episodes(tmp_path: Path) -> None:
    library = tmp_path / "library"
    ours = make_episode(library, "ours")
    outside = tmp_path / "private.mp3"
    shutil.copyfile(library / ours.audio_path, outside)
    (library / "episodes" / "linked.mp3").symlink_to(outside)
    (library / "episodes" / "linked.json").write_text('{"title": "Linked"}', encoding="utf-8")
    result = run("rebuild", "--library", str(library))
    assert result.exit_code == 0, result.output
    with Library.open(library) as opened:
        assert [e.audio_path for e in opened.episodes()] == [ours.audio_path]
        assert opened.episodes()[0].timing_path == ours.timing_path


# ---- a library written before this change ----------------------------------------------------------

def test_a_library_written_before_is_migrated_once_keeps_its_guids_and_deletes_only_recorded_files(
        tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    shutil.copyfile(BEFORE_24, library / "briefing.db")
    with sqlite3.connect(library / "briefing.db") as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 3
        rows = raw.execute("SELECT guid, audio_path FROM episodes ORDER BY guid").fetchall()
    for _, audio in rows:
        stem = (library / audio).with_suffix("")
        stem.parent.mkdir(exist_ok=True)
        for suffix in (".mp3", ".json", ".vtt", ".chapters.json", ".png", ".txt"):
            Path(f"{stem}{suffix}").write_bytes(b"briefing wrote " + suffix.encode())
        Path(f"{stem}.notes.md").write_text("the user's notes\n", encoding="utf-8")
    with Library.open(library) as opened:
        episodes = {e.guid: e for e in opened.episodes()}
        version = opened._db.execute("PRAGMA user_version").fetchone()[0]
    assert version == len(MIGRATIONS)
    assert sorted(episodes) == [guid for guid, _ in rows]  # the guids are kept
    for guid, audio in rows:
        assert episodes[guid].timing_path == audio[:-len(".mp3")] + ".json"
    with Library.open(library) as opened:  # opened again: nothing left to migrate, nothing changed
        assert {e.guid: e for e in opened.episodes()} == episodes
    result = run("remove", rows[0][0], "--delete-files", "--library", str(library))
    assert result.exit_code == 0, result.output
    stem = (library / rows[0][1]).with_suffix("")
    assert [path.name for path in stem.parent.glob(stem.name + ".*")] == [stem.name + ".notes.md"]


# ---- nothing private is published ------------------------------------------------------------------

def test_the_inbox_skips_symlinks_out_of_it_unless_told_to_follow_them(tmp_path: Path) -> None:
    library = tmp_path / "library"
    inbox = library / "inbox"
    inbox.mkdir(parents=True)
    private = tmp_path / "private.txt"
    private.write_text("Secret salaries\n\nThe board agreed private salaries for every director on Monday.\n",
                       encoding="utf-8")
    private.chmod(0o600)
    (inbox / "salaries.txt").symlink_to(private)
    (inbox / "status.txt").symlink_to("/proc/self/status")
    shutil.copyfile(FIXTURES / "cycle-lanes.txt", inbox / "cycle-lanes.txt")
    (inbox / "again.txt").symlink_to(inbox / "cycle-lanes.txt")  # inside the inbox: read (once, same content)
    lines: list[str] = []
    with Library.open(library) as opened:
        gathered = gather(source_settings(parse_config({"sources": {"inbox": "inbox"}}, library), library), opened, lines.append)
        assert [Path(c.origin).name for c in gathered.candidates] == ["cycle-lanes.txt"]
        assert sorted(line.split(":")[0].rsplit("/", 1)[1] for line in lines) == ["salaries.txt", "status.txt"]
        assert all("symlink out of the inbox" in line and "follow_symlinks" in line for line in lines)
        followed = gather(source_settings(parse_config({"sources": {"inbox": "inbox", "follow_symlinks": True}}, library), library),
                          opened)
    assert any("salaries" in c.article.title.lower() for c in followed.candidates)


@pytest.mark.parametrize("image, problem", [
    ("briefing.db", "PNG or JPEG"), ("briefing.toml", "PNG or JPEG"), ("daily.log", "PNG or JPEG"),
    ("../outside.png", "no '..'"), ("/etc/passwd", "no '..'"), ("inbox/photo.png", "in the inbox"),
    ("fake.png", "not a PNG image"), ("missing.png", "cannot be read"), ("escape.png", "leads out of"),
])
def test_the_channel_image_must_be_an_image_in_the_public_part_of_the_library(tmp_path: Path, image: str,
                                                                              problem: str) -> None:
    library = tmp_path / "library"
    (library / "inbox").mkdir(parents=True)
    make_library(library, 1)
    real_png = next((library / "episodes").glob("*.png"))
    shutil.copyfile(real_png, library / "inbox" / "photo.png")
    shutil.copyfile(real_png, tmp_path / "outside.png")
    (library / "escape.png").symlink_to(tmp_path / "outside.png")
    (library / "fake.png").write_text("not an image", encoding="utf-8")
    (library / "briefing.toml").write_text(f'[channel]\nimage = "{image}"\n[sources]\ninbox = "inbox"\n',
                                           encoding="utf-8")
    result = run("feed", "--library", str(library))
    assert result.exit_code == 2, result.output
    assert "channel.image" in result.output and problem in result.output
    assert result.output.count("\n") == 1


def test_a_channel_image_in_the_library_is_published(tmp_path: Path) -> None:
    library = tmp_path / "library"
    make_library(library, 1)
    (library / "art").mkdir()
    shutil.copyfile(next((library / "episodes").glob("*.png")), library / "art" / "logo.png")
    (library / "briefing.toml").write_text('[channel]\nimage = "art/logo.png"\n', encoding="utf-8")
    assert load_config(library).channel.image == "art/logo.png"
    assert run("feed", "--library", str(library)).exit_code == 0
    assert "art/logo.png" in (library / "feed.xml").read_text(encoding="utf-8")


def test_the_server_never_follows_a_symlink_out_of_the_published_files(tmp_path: Path) -> None:
    library = tmp_path / "library"
    episode = make_library(library, 1)[0]
    timing = library / episode.timing_path
    timing.unlink()
    timing.symlink_to(library / "briefing.db")  # at a side-file name, pointing to the database
    script = library / episode.script_path
    script.unlink()
    script.symlink_to(library / "briefing.toml")
    (library / "briefing.toml").write_text("[channel]\ntitle = 'Mine'\n", encoding="utf-8")
    (library / "episodes" / "notes.txt").write_text("not published\n", encoding="utf-8")
    transcript = library / episode.transcript_path
    transcript.unlink()
    transcript.symlink_to(library / episode.chapters_path)  # to another published file: served
    with running(library) as server:
        assert fetch_status(server.port, "/" + episode.timing_path) == 404
        assert fetch_status(server.port, "/" + episode.script_path) == 404
        assert fetch_status(server.port, "/episodes/notes.txt") == 404
        assert fetch_status(server.port, "/briefing.db") == 404
        assert fetch_status(server.port, "/" + episode.transcript_path) == 200
        assert fetch_status(server.port, "/" + episode.audio_path) == 200


# ---- deletion of exactly what was recorded -----------------------------------------------------------

def test_retention_deletes_the_recorded_files_and_nothing_beside_them(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "briefing.toml").write_text("[channel]\nkeep = 1\n", encoding="utf-8")
    old = make_episode(library, "old", "2025-03-01T07:00:00+00:00", frequency=330)
    publish(library, old)
    stem = str(library / Path(old.audio_path).with_suffix(""))
    mine = {Path(stem + ".notes.md"): b"notes", Path(stem + ".mp3.backup"): b"backup",
            Path(stem + ".docx"): b"docx", library / "show1.mp3": b"show"}
    for path, data in mine.items():
        path.write_bytes(data)
    from briefing.library.retention import apply_retention

    publish(library, make_episode(library, "new", "2025-03-02T07:00:00+00:00", frequency=550))
    assert [e.guid for e in apply_retention(library)] == [old.guid]
    assert not (library / old.audio_path).exists() and not (library / old.timing_path).exists()
    assert {path: path.read_bytes() for path in mine} == mine


def test_episodes_json_shows_the_recorded_timing_file(tmp_path: Path) -> None:
    library = tmp_path / "library"
    episode = make_library(library, 1)[0]
    result = run("episodes", "--json", "--library", str(library))
    assert json.loads(result.output)[0]["timing_path"] == episode.timing_path


def test_refusing_an_unknown_guid_to_retire_changes_nothing(tmp_path: Path) -> None:
    library = tmp_path / "library"
    episodes = make_library(library, 2)
    with Library.open(library) as opened, pytest.raises(UsageError):
        opened.retire([episodes[0].guid, "no-such-guid"], must_exist=True)
    with Library.open(library) as opened:
        assert len(opened.episodes()) == 2 and not opened.has_retired_files()
    assert os.path.exists(library / episodes[0].audio_path)


def test_rebuild_from_briefings_feed_skips_enclosures_outside_episodes(tmp_path: Path) -> None:
    library = tmp_path / "library"
    make_library(library, 1)
    (library / "briefing.toml").write_text("[channel]\ntitle = 'Mine'\n", encoding="utf-8")
    (library / "show1.mp3").write_bytes(b"the user's own show")
    feed = (library / "feed.xml").read_text(encoding="utf-8")
    extra = "".join(f'<item><title>{name}</title><guid>{name}</guid><enclosure url="http://127.0.0.1:8000/{name}" '
                    f'length="4" type="audio/mpeg"/></item>' for name in ("briefing.toml", "show1.mp3", "briefing.db"))
    (library / "feed.xml").write_text(feed.replace("</channel>", extra + "</channel>"), encoding="utf-8")
    (library / "briefing.db").unlink()
    result = run("rebuild", "--library", str(library))
    assert result.exit_code == 0, result.output
    assert result.output.count("is not an audio file in episodes/") == 3
    with Library.open(library) as opened:
        guids = [e.guid for e in opened.episodes()]
    assert len(guids) == 1
    assert run("remove", guids[0], "--delete-files", "--library", str(library)).exit_code == 0
    assert (library / "briefing.toml").read_text(encoding="utf-8") == "[channel]\ntitle = 'Mine'\n"
    assert (library / "show1.mp3").read_bytes() == b"the user's own show" and (library / "briefing.db").is_file()


# ---- remove --delete-files killed at any moment ----------------------------------------------------

# Where `remove --delete-files` is stopped and killed, in the order it gets there: (function, naming, after).
KILLED_REMOVES = {
    "before anything is changed": ("briefing.library.store:Library.retire", "", False),
    "the record retired, the feed still naming its files": ("briefing.library.retention:regenerate", "", False),
    "the feed regenerated, every file still there": ("briefing.library.store:Library.delete_retired_files", "",
                                                      False),
    "one of its files deleted": ("pathlib:Path.unlink", "/episodes/", True),
}


def _recorded(library: Path) -> set[str]:
    from briefing.library.store import episode_files

    with Library.open(library) as opened:
        return {path for episode in opened.episodes() for path in episode_files(episode)}


def _files_in_episodes(library: Path) -> set[str]:
    return {f"episodes/{path.name}" for path in (library / "episodes").iterdir()}


@pytest.mark.slow
def test_remove_killed_at_any_moment_never_leaves_the_feed_naming_a_missing_file(tmp_path: Path) -> None:
    from helpers import assert_feed_valid, kill, paused_briefing

    from briefing.library.store import episode_files
    from briefing.library.retention import finish_retiring

    library = tmp_path / "library"
    make_library(library, 2)
    caught_between = 0  # kills that came after the records went but before every file did
    for number, (phase, (at, naming, after)) in enumerate(KILLED_REMOVES.items()):
        publish(library, make_episode(library, f"kill-{number}", f"2025-04-{number + 1:02d}T07:00:00+00:00",
                                      frequency=300 + 13 * number))
        with Library.open(library) as opened:
            removing = opened.episodes()[-1]
        kill(paused_briefing(at, "remove", removing.guid, "--delete-files", "--library", str(library),
                             naming=naming, after=after))
        assert_feed_valid(library)
        with Library.open(library) as opened:
            gone = opened.get(removing.guid) is None
        caught_between += gone and any((library / path).exists() for path in episode_files(removing))
    assert caught_between == 3, "the kills after the records went and before the last file did"
    finish_retiring(library)  # what the next make, daily or remove does first
    assert_feed_valid(library)
    assert _files_in_episodes(library) == _recorded(library)  # no orphan left


# ---- a full disk while publishing ------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from briefing import pipeline
    from briefing.text.selection import Budget
    from briefing.voices import load_profile

    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("needs espeak-ng and ffmpeg")
    work = tmp_path_factory.mktemp("render")
    profile = load_profile("british")
    renders = []
    for name in ("cycle-lanes", "bin-collections"):
        script = pipeline.make_script(pipeline.load_article(str(FIXTURES / f"{name}.txt")), Budget(20), profile,
                                      library_dir=work)
        renders.append(pipeline.render(script, pipeline.RenderOptions(profile=profile), work / f"{name}.mp3"))
    return renders


def _publish_on_a_full_disk(disk: Path, rendered, leave: int, number: int) -> str:
    """Publish the second of ``rendered`` with ``leave`` bytes free; check what it leaves; return the outcome."""
    from helpers import assert_feed_valid

    from briefing.errors import BriefingError
    from briefing.channel import Channel
    from briefing.pipeline import publish_rendered
    from briefing.library.publish import feed_names

    first, second = rendered
    library = disk / f"library-{number}"
    with Channel.resolve(library) as channel:
        publish_rendered(first, channel, source="first", voice="british", guid="first")
    fill_leaving(disk, leave)
    filler = disk / "filler"
    try:
        with Channel.resolve(library) as channel:
            episode, warnings = publish_rendered(second, channel, source="second", voice="british", guid="second")
    except BriefingError as error:
        outcome = "failed"
        assert "space" in error.message or "full" in error.message, error.message
        assert b"second" not in (library / "feed.xml").read_bytes()
    else:
        outcome = "published with a warning" if warnings else "published"
        assert feed_names(library, episode)
    filler.unlink()  # SQLite cannot even open the database on a full disk
    assert_feed_valid(library)
    assert _files_in_episodes(library) == _recorded(library)  # nothing complete but unreferenced
    shutil.rmtree(library)
    return outcome


@pytest.mark.slow
def test_a_publish_that_meets_a_full_disk_is_whole_or_leaves_nothing(small_disk: Path, rendered) -> None:
    size = sum(path.stat().st_size for path in [rendered[1].audio, *rendered[1].side_files.values()])
    coarse = {leave: _publish_on_a_full_disk(small_disk, rendered, leave, number)
              for number, leave in enumerate(range(0, size + (480 << 10), 32 << 10))}
    assert coarse[0] == "failed" and list(coarse.values())[-1] == "published", coarse
    fitted = min(leave for leave, outcome in coarse.items() if outcome != "failed")
    # Page by page where the files fit but the database, the feed or the page may not (the exact edge
    # moves by a few pages from run to run: each run is checked, not which way it went).
    for number, leave in enumerate(range(fitted - (32 << 10), fitted, 4 << 10)):
        _publish_on_a_full_disk(small_disk, rendered, leave, 100 + number)


@pytest.mark.parametrize("unwritable, published", [("feed.xml", False), ("index.html", True)])
def test_a_publish_whose_feed_or_page_cannot_be_written_tells_whether_the_episode_is_in_the_feed(
        tmp_path: Path, unwritable: str, published: bool) -> None:
    from briefing.errors import BriefingError
    from briefing.library.publish import feed_names

    library = tmp_path / "library"
    first = make_library(library, 1)[0]
    (library / unwritable).unlink()
    (library / unwritable).mkdir()  # the rename onto it fails, as a write on a full disk does
    second = make_episode(library, "second", "2025-03-05T07:00:00+00:00", frequency=660)
    written = [library / path for path in (second.audio_path, second.timing_path, second.script_path)]
    if published:
        warnings = publish(library, second, written)
        assert len(warnings) == 1 and "the feed names the new episode" in warnings[0]
        assert feed_names(library, second) and all(path.is_file() for path in written)
    else:
        with pytest.raises(BriefingError):
            publish(library, second, written)
        assert not any(path.exists() for path in written)  # what this publish added is gone again
    with Library.open(library) as opened:
        assert [e.guid for e in opened.episodes()] == ([second.guid] if published else []) + [first.guid]


@pytest.mark.slow
def test_make_on_a_nearly_full_disk_exits_0_exactly_when_the_feed_names_the_episode(small_disk: Path) -> None:
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("needs espeak-ng and ffmpeg")
    from briefing.library.store import episode_files

    codes = []
    for leave in (150 << 10, 2 << 20):
        library = small_disk / "library"
        made = run("make", str(FIXTURES / "cycle-lanes.txt"), "--max-words", "20", "--voice", "british",
                   "--library", str(library), "-q")
        assert made.exit_code == 0, made.output
        fill_leaving(small_disk, leave)
        filler = small_disk / "filler"
        result = run("make", str(FIXTURES / "bin-collections.txt"), "--max-words", "20", "--voice", "british",
                     "--library", str(library), "-q")
        filler.unlink()
        with Library.open(library) as opened:
            episodes = opened.episodes()
        feed = (library / "feed.xml").read_text(encoding="utf-8")
        named = [e for e in episodes if e.audio_path in feed]
        assert (result.exit_code == 0) == (len(named) == 2), (result.exit_code, result.output)
        assert result.exit_code in (0, 1) and result.output.count("\n") <= 2, result.output
        codes.append(result.exit_code)
        assert _files_in_episodes(library) == {p for e in episodes for p in episode_files(e)}
        shutil.rmtree(library)
    assert codes == [1, 0], codes


# ---- the whole life of a library in a folder full of the user's files ------------------------------

def _fingerprints(root: Path, names: list[str]) -> dict[str, tuple[str, str]]:
    """Each named path's kind and content hash (a symlink: where it points, and what it points to)."""
    import hashlib

    found = {}
    for name in names:
        path = root / name
        target = os.readlink(path) if path.is_symlink() else ""
        found[name] = (target, hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "dangling")
    return found


@pytest.mark.slow
def test_every_file_of_the_users_is_byte_identical_after_make_daily_retention_remove_and_rebuild(
        tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("needs espeak-ng and ffmpeg")
    library, elsewhere, out = tmp_path / "site", tmp_path / "elsewhere", tmp_path / "out"
    for folder in (library / "episodes", library / "inbox", elsewhere, out):
        folder.mkdir(parents=True)
    (elsewhere / "secret.txt").write_text("Private pay talks\n\nThe director's private salary review is secret.\n",
                                          encoding="utf-8")
    mine = {"feed.xml": USERS_FEED, "index.html": "<h1>My show</h1>", "feed.xsl": "<xsl:stylesheet/>",
            "cover.png": "my own cover", "show1.mp3": "my first show", "show1.txt": "show notes",
            "show1.docx": "a document", "show1.mp3.bak": "a backup", "notes.md": "# notes",
            "briefing.toml": '[channel]\nkeep = 1\n[sources]\ninbox = "inbox"\n',
            "episodes/readme.txt": "what this folder is", "episodes/holiday.mp3.bak": "an old recording",
            "inbox/cycle-lanes.txt": (FIXTURES / "cycle-lanes.txt").read_text(encoding="utf-8")}
    for name, text in mine.items():
        (library / name).write_text(text, encoding="utf-8")
    links = {"latest.mp3": "show1.mp3", "secret.txt": str(elsewhere / "secret.txt"),
             "episodes/show1.mp3": "../show1.mp3", "inbox/secret.txt": str(elsewhere / "secret.txt")}
    for name, target in links.items():
        (library / name).symlink_to(target)
    users = list(mine) + list(links)
    before = _fingerprints(library, users)
    make = ["make", "--max-words", "20", "--voice", "british", "--library", str(library), "-q"]

    refused = run(*make, str(FIXTURES / "bin-collections.txt"))
    assert refused.exit_code == 2 and "--adopt" in refused.output
    assert _fingerprints(library, users) == before
    assert run(*make, str(FIXTURES / "bin-collections.txt"), "--adopt").exit_code == 0
    adopted = {"feed.xml", "index.html", "feed.xsl", "cover.png"}  # the user let briefing replace these
    users = [name for name in users if name not in adopted]
    with Library.open(library) as opened:
        first = opened.episodes()[0]
    stem = str(Path(first.audio_path).with_suffix(""))
    for name in (f"{stem}.notes.md", f"{stem}.mp3.backup"):  # the user's notes beside briefing's episode
        (library / name).write_text("mine, beside an episode", encoding="utf-8")
        users.append(name)
    assert run(*make, str(FIXTURES / "storm-ciaran.txt"), "-o", str(out / "my-story.mp3")).exit_code == 0
    copies = sorted(path.name for path in out.iterdir())
    before = _fingerprints(library, users) | _fingerprints(out, copies)

    daily = run("daily", "--library", str(library), "--voice", "british", "--minutes", "0.5", "-q")
    assert daily.exit_code == 3, daily.output  # published; the symlink out of the inbox skipped, with a line
    assert "inbox/secret.txt: a symlink out of the inbox" in daily.output
    with Library.open(library) as opened:
        (kept,) = opened.episodes()  # keep = 1 retired the two made before
    assert kept.kind == "daily" and not (library / first.audio_path).exists()
    assert "salary" not in (library / kept.script_path).read_text(encoding="utf-8")
    assert run("remove", kept.guid, "--delete-files", "--library", str(library)).exit_code == 0
    assert run(*make, str(FIXTURES / "bank-rates.txt")).exit_code == 0
    (library / "briefing.db").unlink()  # lost: rebuilt from briefing's feed, then from episodes/ alone
    assert run("rebuild", "--library", str(library)).exit_code == 0
    (library / "feed.xml").unlink()
    for name in ("briefing.db", "briefing.db-wal", "briefing.db-shm"):
        (library / name).unlink(missing_ok=True)
    assert run("rebuild", "--library", str(library)).exit_code == 2  # without the feed, its page is not known ours
    rebuilt = run("rebuild", "--library", str(library), "--adopt")
    assert rebuilt.exit_code == 0 and "Restored 1 episode(s)" in rebuilt.output, rebuilt.output

    assert _fingerprints(library, users) | _fingerprints(out, copies) == before
    assert _files_in_episodes(library) - _recorded(library) == {name for name in users if name.startswith("episodes/")}


def test_the_upload_to_object_storage_sends_only_the_published_files(tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    from briefing.library.objectstore import upload_library

    library, bucket = tmp_path / "library", tmp_path / "bucket"
    episode = make_library(library, 1)[0]
    for name in ("show1.mp3", "notes.txt", "episodes/readme.txt", "inbox/story.txt", "logs/daily.log"):
        (library / name).parent.mkdir(exist_ok=True)
        (library / name).write_text("the user's own", encoding="utf-8")
    (library / episode.timing_path).unlink()
    (library / episode.timing_path).symlink_to(library / "briefing.toml")  # at a side-file name: not sent
    (library / "briefing.toml").write_text(f'[channel]\nbase_url = "https://podcasts.example.net/"\n'
                                           f'[publish]\nurl = "file://{bucket}"\n', encoding="utf-8")
    assert upload_library(library) is not None
    sent = sorted(str(path.relative_to(bucket)) for path in bucket.rglob("*") if path.is_file())
    assert sent == sorted(["cover.png", "feed.xml", "feed.xsl", "feed.css", "index.html", episode.audio_path,
                           episode.transcript_path, episode.chapters_path, episode.cover_path, episode.script_path])


def test_a_retirement_noted_before_the_timing_file_was_recorded_still_deletes_it(tmp_path: Path) -> None:
    from dataclasses import asdict

    library = tmp_path / "library"
    old, kept = make_library(library, 2)
    timing = library / legacy_side_path(Path(old.audio_path), "timing")  # where that version wrote it
    (library / old.timing_path).rename(timing)
    with Library.open(library) as opened:
        opened.retire([old.guid])
        noted = {key: value for key, value in asdict(old).items() if key != "timing_path"}  # as written before
        opened.set_meta(RETIRED_KEY, json.dumps([noted]))
        opened.delete_retired_files()
    assert not timing.exists() and (library / kept.timing_path).exists()
