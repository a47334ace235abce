"""A library folder treated badly: a lost or damaged database, a file where the folder should be,
a full disk, and runs killed with SIGKILL leaving temporary files behind.

Real SQLite files damaged the way disks and people damage them, the real CLI (in-process and as
processes), real renders on a real (small) tmpfs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import (
    assert_feed_valid,
    briefing_command,
    cli_env,
    dead_pid,
    fill_leaving,
    kill,
    paused_briefing,
    requires_espeak,
    requires_ffmpeg,
    run_in_process,
)
from publishing import make_episode, make_library

from briefing.system import fsutil
from briefing.cli import main
from briefing.library.store import Library, LibraryDamaged, LibraryLost
from briefing.library.sidefiles import side_path
from briefing.library.publish import publish

ARTICLE = ("Council approves tram extension\n\n"
           "Councillors voted on Tuesday to approve the tram extension, which will cost four million pounds.\n\n"
           "Residents at a public meeting were divided about the timing of the work.\n")


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code != 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def temporaries(library: Path) -> list[str]:
    """Temporary files of our writers (the lock module's own private files aside) in the library."""
    found = []
    for folder in (library, library / "episodes"):
        if folder.is_dir():
            found += [p.name for p in folder.iterdir() if p.name.endswith(".tmp") and not p.name.startswith(".briefing.lock")]
    return found


# ---- 9: a lost library ---------------------------------------------------------------------------

@pytest.mark.parametrize("loss", ["empty", "missing", "new schema"])
def test_a_library_whose_database_is_lost_is_refused_and_its_feed_kept(tmp_path, loss):
    make_library(tmp_path, count=3)
    feed_before = (tmp_path / "feed.xml").read_bytes()
    db = tmp_path / "briefing.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if loss == "empty":
        db.write_bytes(b"")
    elif loss == "new schema":  # what an older briefing made of the empty file
        Library.create_file(tmp_path, db).close()

    listed = run("episodes", "--library", str(tmp_path))
    one_line_error(listed, "briefing.db", f"briefing rebuild --library {tmp_path}")
    with pytest.raises(LibraryLost):
        publish(tmp_path, make_episode(tmp_path, "newcomer"))
    one_line_error(run("feed", "--library", str(tmp_path)), "briefing rebuild")
    assert (tmp_path / "feed.xml").read_bytes() == feed_before  # not rewritten from 3 items to 1


def test_rebuild_restores_the_episodes_from_the_feed_and_side_files(tmp_path):
    episodes = make_library(tmp_path, count=3)
    timing = tmp_path / side_path(Path(episodes[0].audio_path), "timing")
    timing.write_text('{"title": "t", "duration": 19.875, "voice": "classic", "sections": [{"kind": "story"}]}')
    with Library.open(tmp_path) as library:
        podcast_guid = library.stored_meta("podcast_guid")
    (tmp_path / "briefing.db").write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp_path / 'briefing.db'}{suffix}").unlink(missing_ok=True)

    result = run("rebuild", "--library", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "Restored 3 episode(s) from feed.xml" in result.output
    with Library.open(tmp_path) as library:
        restored = {episode.guid: episode for episode in library.episodes()}
        assert library.stored_meta("podcast_guid") == podcast_guid
    assert set(restored) == {episode.guid for episode in episodes}
    for episode in episodes[1:]:
        assert restored[episode.guid] == episode.__class__(**{**episode.__dict__, "source": ""})
    first = restored[episodes[0].guid]
    assert (first.duration_s, first.voice, first.kind) == (19.875, "espeak-en", "daily")  # feed's narrator wins
    assert assert_feed_valid(tmp_path) == 3
    assert run("rebuild", "--library", str(tmp_path)).exit_code == 2  # a sound database is left alone


def test_rebuild_without_a_feed_uses_the_timing_files(tmp_path):
    episode = make_episode(tmp_path, "alone")
    audio = tmp_path / episode.audio_path
    # Named as a briefing before sidefiles named it: still read.
    (tmp_path / episode.timing_path).unlink()
    audio.with_suffix(".json").write_text('{"title": "Alone at last", "duration": 20.0, "voice": "british"}')
    untimed = make_episode(tmp_path, "no-timing")  # an audio file without its timing .json cannot be restored
    (tmp_path / untimed.timing_path).unlink()

    result = run("rebuild", "--library", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "Skipped: episodes/no-timing" in result.output
    with Library.open(tmp_path) as library:
        [restored] = library.episodes()
    assert (restored.title, restored.audio_path, restored.voice) == ("Alone at last", episode.audio_path, "british")
    assert restored.transcript_path == episode.transcript_path and restored.cover_path == episode.cover_path
    assert restored.timing_path == str(Path(episode.audio_path).with_suffix(".json"))


def test_garbage_in_a_database_page_is_a_one_line_error_everywhere_and_rebuild_repairs_it(tmp_path):
    episodes = make_library(tmp_path, count=3)
    with (tmp_path / "briefing.db").open("r+b") as handle:
        handle.seek(8192)
        handle.write(b"garbage!" * 512)

    for command in (["episodes"], ["feed"], ["serve", "--port", "1"], ["remove", episodes[0].guid]):
        one_line_error(run(*command, "--library", str(tmp_path)), "damaged", "briefing rebuild")
    with pytest.raises(LibraryDamaged):
        publish(tmp_path, make_episode(tmp_path, "newcomer"))

    result = run("rebuild", "--library", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert list(tmp_path.glob("briefing.db.damaged-*"))  # kept for whoever wants to look
    assert len(run("episodes", "--library", str(tmp_path)).output.splitlines()) == 3


def test_a_corrupt_page_found_only_in_use_is_still_one_line(tmp_path):
    make_library(tmp_path, count=2)
    with Library.open(tmp_path) as library:
        with (tmp_path / "briefing.db").open("r+b") as handle:  # damaged after the check on opening
            handle.seek(4096)
            handle.write(b"\xff" * 4096)
        with pytest.raises(LibraryDamaged, match="damaged"):
            library.episodes()


def test_a_new_folder_still_starts_a_library_silently(tmp_path):
    publish(tmp_path / "new", make_episode(tmp_path / "new", "first"))
    assert len(run("episodes", "--library", str(tmp_path / "new")).output.splitlines()) == 1


@requires_espeak
@requires_ffmpeg
def test_make_on_a_lost_library_leaves_the_feed_alone(tmp_path):
    make_library(tmp_path / "lib", count=3)
    library = tmp_path / "lib"
    feed_before = (library / "feed.xml").read_bytes()
    (library / "briefing.db").write_bytes(b"")
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    result = subprocess.run([*briefing_command(), "make", str(article), "--voice", "classic", "-q"],
                            env=cli_env(library), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1, result.stderr
    assert "briefing rebuild" in result.stderr
    assert (library / "feed.xml").read_bytes() == feed_before


# ---- 11: a file where the library folder should be -----------------------------------------------

@pytest.mark.parametrize("command", [["daily"], ["episodes"], ["feed"], ["rebuild"], ["serve", "--port", "1"]])
def test_a_library_that_is_a_regular_file_is_a_usage_error(tmp_path, command):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("my notes")
    result = run(*command, "--library", str(not_a_folder))
    one_line_error(result, "notes.txt", "must be a folder")
    assert result.exit_code == 2
    assert not_a_folder.read_text() == "my notes"


# ---- 11: a full disk ------------------------------------------------------------------------------

def duration(audio: Path) -> float:
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(audio)],
                           capture_output=True, text=True, check=True)
    return float(probe.stdout)


@requires_espeak
@requires_ffmpeg
@pytest.mark.slow
def test_a_full_disk_at_every_stage_of_make_is_one_line_and_leaves_nothing_half_written(tmp_path, small_disk):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)

    def make(library: Path) -> subprocess.CompletedProcess:  # in-process: what is tested is what it writes
        return run_in_process(["make", article, "--voice", "classic", "-q", "--library", library])

    roomy = tmp_path / "roomy"
    assert make(roomy).returncode == 0
    needed = sum(p.stat().st_size for p in roomy.rglob("*") if p.is_file())
    roomy_audio = next(roomy.glob("episodes/*.mp3"))
    cache = sum(p.stat().st_size for p in (roomy / "cache").rglob("*") if p.is_file())
    episode = sum(p.stat().st_size for p in roomy.glob("episodes/*"))
    # What make writes into the library, in order: its speech and encoded caches while it renders (a
    # clip the disk has no room for is not kept), the lock and the database, the episode's audio and
    # side files in episodes/, then the feed and page. A level of free space for each: none, half the
    # caches, the caches and half the audio, the caches and the episode's files, what the roomy library
    # holds (its database grew in steps: the feed and page may not fit), and twice that.
    levels = [0, cache // 2, cache + roomy_audio.stat().st_size // 2, cache + episode, needed, 2 * needed]
    outcomes = []
    for free in levels:
        library = small_disk / f"lib-{free}"
        fill_leaving(small_disk, free + 64 * 1024)  # the folder and the lock file need a little
        library.mkdir()
        result = make(library)
        outcomes.append((free, result.returncode, result.stderr.strip()))
        assert "Traceback" not in result.stderr, result.stderr
        if result.returncode != 0:
            assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
            assert result.stderr.startswith("Error: ")
            for audio in library.glob("episodes/*.mp3"):  # rendered whole, then publishing failed: the whole group
                assert {p.suffix for p in audio.parent.glob(audio.stem + ".*")} >= {".mp3", ".png", ".vtt", ".json", ".txt"}
                assert abs(duration(audio) - duration(roomy_audio)) < 0.1
        assert temporaries(library) == [], (free, temporaries(library))
        if (library / "feed.xml").exists():
            assert_feed_valid(library)
        shutil.rmtree(library)
    print("\n".join(f"free {free:>8} B: exit {code} {message}" for free, code, message in outcomes))
    failures = [outcome for outcome in outcomes if outcome[1] != 0]
    assert failures and any(code == 0 for _, code, _ in outcomes), outcomes
    assert any("No space left on device" in message for _, _, message in failures), outcomes


# ---- 12: stale temporary files ---------------------------------------------------------------------

def test_only_temporaries_of_writers_that_are_gone_are_removed(tmp_path, live_pid):
    host = fsutil.host_tag()
    files = {
        "dead": f".feed.xml.{dead_pid()}-{host}.abcd1234.tmp",
        "live": f".feed.xml.{live_pid}-{host}.abcd1234.tmp",
        "mine": f".index.html.{os.getpid()}-{host}.abcd1234.tmp",
        "other host, fresh": f".feed.xml.{dead_pid()}-00000000.abcd1234.tmp",
        "other host, old": f".feed.xml.{dead_pid()}-00000000.efgh5678.tmp",
        "untagged, fresh": ".feed.xml.k3j4h5g6.tmp",
        "untagged, old": ".story.mp3.a1b2c3d4.tmp",
        "lock's own": ".briefing.lock.0123456789abcdef0123456789abcdef.tmp",
        "not a temporary": "notes.tmp",
    }
    for name in files.values():
        (tmp_path / name).write_text("x")
    hours_ago = time.time() - 2 * fsutil.STALE_AGE_S
    for key in ("other host, old", "untagged, old", "lock's own"):
        os.utime(tmp_path / files[key], (hours_ago, hours_ago))

    removed = {path.name for path in fsutil.remove_stale_temporaries(tmp_path)}
    assert removed == {files["dead"], files["other host, old"], files["untagged, old"]}
    assert not any((tmp_path / name).exists() for name in removed)


def test_a_recycled_pid_does_not_keep_a_temporary_alive(tmp_path):
    # Our own parent started long before this file was written... but is not its writer when the
    # file is older than the process: the file's time is set before the process started.
    parent = os.getppid()
    name = f".feed.xml.{parent}-{fsutil.host_tag()}.abcd1234.tmp"
    (tmp_path / name).write_text("x")
    os.utime(tmp_path / name, (1_000_000, 1_000_000))  # 1970: before any process running now
    assert [p.name for p in fsutil.remove_stale_temporaries(tmp_path)] == [name]


def test_temporary_names_carry_the_writer_and_are_removed_after_a_crash(tmp_path):
    target = tmp_path / "feed.xml"
    with pytest.raises(RuntimeError):
        with fsutil.atomic_path(target) as temporary:
            assert temporary.name.startswith(f".feed.xml.{os.getpid()}-{fsutil.host_tag()}.")
            temporary.write_text("half")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


# Where a make is stopped and killed: while it speaks, and with each kind of temporary file it writes
# into the library on disk (named for the process, renamed into place when whole): (function, naming).
KILLED_MAKES = {
    "speaking: a first clip in the speech cache": ("briefing.audio.cache:RenderCache.put", "", True),
    "the audio's temporary in episodes/": ("os:replace", "/episodes/.", False),
    "the feed's temporary": ("os:replace", "/.feed.xml.", False),
    "the page's temporary": ("os:replace", "/.index.html.", False),
}


@requires_espeak
@requires_ffmpeg
@pytest.mark.slow
def test_killed_makes_leave_no_temporary_file_after_the_next_run(tmp_path):
    library = tmp_path / "lib"
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    args = ["make", str(article), "--voice", "classic", "-q", "--library", str(library)]
    scratch = tmp_path / "tmp"  # the system's temporary folder of the killed runs
    scratch.mkdir()
    env = cli_env(library, TMPDIR=str(scratch))
    assert run_in_process(args).returncode == 0
    left = 0
    for kill_number, (phase, (at, naming, after)) in enumerate(KILLED_MAKES.items()):
        article.write_text(ARTICLE + f"\nThe vote was number {kill_number}.\n")
        kill(paused_briefing(at, *args, naming=naming, after=after, env=env))
        left_here = temporaries(library)
        assert left_here or not naming, f"{phase}: the kill left no temporary in the library"
        left += len(left_here)
        assert_feed_valid(library)
        done = run_in_process(args)  # the next run (in-process: what is tested is what it removes)
        assert done.returncode == 0, f"{phase}: {done.stderr}"
        assert temporaries(library) == [], (phase, temporaries(library))
        assert_feed_valid(library)
    print(f"{len(KILLED_MAKES)} kills of make: {left} temporary files left in the library, every one removed by "
          "the next run")


def test_rebuild_with_nothing_to_rebuild_from_says_so(tmp_path):
    one_line_error(run("rebuild", "--library", str(tmp_path / "nowhere")), "no library folder here")
    (tmp_path / "empty").mkdir()
    one_line_error(run("rebuild", "--library", str(tmp_path / "empty")), "nothing to rebuild from")


# ---- SQLite on a full disk -----------------------------------------------------------------------

@requires_espeak
@requires_ffmpeg
@pytest.mark.slow
def test_sqlite_on_a_full_disk_is_one_line_naming_the_library_in_make_and_daily(tmp_path, small_disk):
    """The database cannot grow (its WAL, its index, a new row): `make` and `daily` say so in one line,
    exit 1 and leave the feed as it was, or (a re-make whose episode the feed names) exit 0."""
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    made, daily_library = small_disk / "made", small_disk / "daily"
    (daily_library / "inbox").mkdir(parents=True)
    (daily_library / "briefing.toml").write_text('[sources]\ninbox = "inbox"\n')
    (daily_library / "inbox" / "a.txt").write_text(ARTICLE)
    # In-process (renders in the session's temporary folder, off the small disk: only the libraries are on it).

    def make() -> subprocess.CompletedProcess:
        return run_in_process(["make", article, "--voice", "classic", "-q", "--library", made])

    def daily(date: str) -> subprocess.CompletedProcess:
        return run_in_process(["daily", "--library", daily_library, "--voice", "classic", "-q", "--date", date])

    assert make().returncode == 0 and daily("2026-11-01").returncode == 0
    outcomes = []
    for day, free in enumerate([0, 4096, 12_288, 16_384, 20_480, 24_576, 32_768], start=2):
        (small_disk / "filler").unlink(missing_ok=True)
        # A new article and a broken file, so that daily writes to the database before it renders.
        (daily_library / "inbox" / f"dredging-{day}.txt").write_text(
            f"Harbour dredging approved, plan {day}\n\nThe harbour board approved dredging plan {day} on Monday, "
            "at a cost of two million pounds.\n\nFishermen welcomed the plan.\n")
        (daily_library / "inbox" / f"broken-{day}.json").write_text('{"title": "Half')
        fill_leaving(small_disk, free)
        for library, result in ((made, make()), (daily_library, daily(f"2026-11-{day:02d}"))):
            outcomes.append((free, library.name, result.returncode, result.stderr.strip()))
            assert "Traceback" not in result.stderr, result.stderr
            if result.returncode == 0:  # the same article made again: its episode is in the feed, as it says
                assert library is made and assert_feed_valid(library) == 1 and not result.stderr
                continue
            error = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
            assert len(error) == 1 and error == result.stderr.splitlines()[-1:], result.stderr
            assert str(library) in error[0], error  # names the file: the database, its lock, an episode
            assert assert_feed_valid(library) == 1
    print("\n".join(f"free {free:>6} B, {name}: exit {code} {message!r}" for free, name, code, message in outcomes))
    sqlite_errors = [name for _, name, _, message in outcomes
                     if "database or disk is full" in message or "disk I/O error" in message]
    assert {"made", "daily"} <= set(sqlite_errors), outcomes  # SQLite's own errors were met, in both
    assert all("the disk is full" in message for *_, message in outcomes if "disk I/O error" in message)
