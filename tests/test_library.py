"""The SQLite library, publish(), the folder resolution and the episodes/remove/feed commands."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from publishing import make_episode, make_library

from briefing.cli import main
from briefing.errors import UsageError
from briefing.library.sidefiles import side_path
from briefing.library.store import MIGRATIONS, Library, resolve_library_dir
from briefing.library.publish import publish


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_upsert_replaces_by_guid_and_returns_the_old_record(tmp_path):
    first = make_episode(tmp_path, "budget")
    second = replace(first, title="Budget, corrected", duration_s=21.5)
    with Library.open(tmp_path) as library:
        assert library.upsert(first) is None
        assert library.upsert(second) == first
        assert library.episodes() == [second]
        assert library.get(first.guid) == second
        assert library.get("nope") is None


def test_episodes_are_newest_first(tmp_path):
    dates = ["2025-01-02T07:00:00+00:00", "2025-03-01T07:00:00+00:00", "2024-12-31T23:00:00+00:00"]
    with Library.open(tmp_path) as library:
        for n, date in enumerate(dates):
            library.upsert(make_episode(tmp_path, f"s{n}", date, side_files=False))
        assert [e.published for e in library.episodes()] == sorted(dates, reverse=True)


def test_every_field_survives_a_round_trip(tmp_path):
    episode = replace(make_episode(tmp_path, "round"), kind="daily", description="“quotes” & ünïcode")
    with Library.open(tmp_path) as library:
        library.upsert(episode)
    with Library.open(tmp_path) as library:
        assert library.get(episode.guid) == episode


def test_database_is_a_wal_file_with_a_schema_version(tmp_path):
    Library.open(tmp_path).close()
    connection = sqlite3.connect(tmp_path / "briefing.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_new_migration_runs_once_on_open(tmp_path, monkeypatch):
    Library.open(tmp_path).close()
    monkeypatch.setattr("briefing.library.store.MIGRATIONS",
                        MIGRATIONS + ["CREATE TABLE used_articles (url TEXT PRIMARY KEY);"])
    for _ in range(2):
        Library.open(tmp_path).close()
        assert sqlite3.connect(tmp_path / "briefing.db").execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
    tables = sqlite3.connect(tmp_path / "briefing.db").execute("SELECT name FROM sqlite_master").fetchall()
    assert ("used_articles",) in tables


def test_a_database_from_a_newer_briefing_is_refused(tmp_path):
    Library.open(tmp_path).close()
    connection = sqlite3.connect(tmp_path / "briefing.db")
    connection.execute("PRAGMA user_version = 999")
    connection.close()
    result = run("episodes", "--library", str(tmp_path))
    assert result.exit_code == 1
    assert "schema version 999" in result.output and len(result.output.strip().splitlines()) == 1


def test_publish_again_replaces_the_record_and_deletes_only_unused_files_after_the_grace_period(tmp_path):
    old = make_episode(tmp_path, "rates")
    publish(tmp_path, old)
    new = make_episode(tmp_path, "rates-v2", guid=old.guid, frequency=880)
    new = replace(new, chapters_path=old.chapters_path)  # still uses the old chapters file
    publish(tmp_path, new)
    with Library.open(tmp_path) as library:
        assert library.episodes() == [new]
        assert old.audio_path in library.replaced_files() and old.chapters_path not in library.replaced_files()
    feed_text = (tmp_path / "feed.xml").read_text()
    assert new.audio_path in feed_text and f'{old.audio_path}"' not in feed_text  # its chapters file stays
    assert new.audio_path in (tmp_path / "index.html").read_text()
    assert (tmp_path / old.audio_path).exists()  # a download in flight, or a shared link, still works

    (tmp_path / "briefing.toml").write_text("[channel]\nkeep_replaced_hours = 0\n", encoding="utf-8")
    publish(tmp_path, make_episode(tmp_path, "other"))  # the next publish deletes what is due
    assert not (tmp_path / old.audio_path).exists() and not (tmp_path / old.transcript_path).exists()
    assert (tmp_path / new.audio_path).exists() and (tmp_path / old.chapters_path).exists()
    with Library.open(tmp_path) as library:
        assert library.replaced_files() == []


def test_the_recorded_files_go_with_their_audio_and_files_beside_them_stay(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefing.toml").write_text("[channel]\nkeep_replaced_hours = 0\n", encoding="utf-8")
    old = make_episode(tmp_path, "rates")
    stem = tmp_path / Path(old.audio_path).with_suffix("")
    # A .json after the audio's stem is where an older briefing put the timing file: not recorded here, so the user's.
    users = [Path(f"{stem}.notes.md"), Path(f"{stem}.mp3.backup"), Path(f"{stem}.json.orig"), Path(f"{stem}.json")]
    for path in users:
        path.write_text("the user's own\n", encoding="utf-8")
    publish(Path("."), old)
    publish(Path("."), replace(old, title="same audio, new title"))
    assert (tmp_path / old.timing_path).exists()  # the same audio is still used, so are its side files
    publish(Path("."), replace(make_episode(tmp_path, "rates-v2", frequency=880), guid=old.guid))
    assert not (tmp_path / old.timing_path).exists() and not (tmp_path / old.audio_path).exists()
    assert all(path.read_text(encoding="utf-8") == "the user's own\n" for path in users)


def test_a_record_that_does_not_name_its_timing_file_finds_it_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefing.toml").write_text("[channel]\nkeep_replaced_hours = 0\n", encoding="utf-8")
    old = replace(make_episode(tmp_path, "rates"), timing_path=None)
    timing = tmp_path / side_path(Path(old.audio_path), "timing")
    older_timing = tmp_path / Path(old.audio_path).with_suffix(".json")  # as a briefing before sidefiles named it
    for path in (timing, older_timing):
        path.write_text("{}", encoding="utf-8")
    publish(Path("."), old)
    publish(Path("."), replace(make_episode(tmp_path, "rates-v2", frequency=880), guid=old.guid))
    assert not timing.exists() and not older_timing.exists()


def test_remove_keeps_files_unless_asked(tmp_path):
    kept, deleted = make_library(tmp_path, count=2)
    result = run("remove", kept.guid, "--library", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "files kept" in result.output
    assert (tmp_path / kept.audio_path).exists()
    result = run("remove", deleted.guid, "--delete-files", "--library", str(tmp_path))
    assert result.exit_code == 0, result.output
    for relative in (deleted.audio_path, deleted.transcript_path, deleted.chapters_path,
                     deleted.cover_path, deleted.script_path):
        assert not (tmp_path / relative).exists()
    with Library.open(tmp_path) as library:
        assert library.episodes() == []
    assert deleted.guid not in (tmp_path / "feed.xml").read_text()
    assert kept.guid not in (tmp_path / "feed.xml").read_text()


def test_remove_never_deletes_outside_the_episodes_folder(tmp_path):
    outside = tmp_path / "precious.mp3"
    outside.write_bytes(b"keep me")
    library_dir = tmp_path / "lib"
    make_library(library_dir, count=1)
    settings = library_dir / "briefing.toml"
    settings.write_text("[channel]\ntitle = 'Mine'\n", encoding="utf-8")
    (library_dir / "episodes" / "link").symlink_to(tmp_path)
    records = {"../precious.mp3": None, "briefing.toml": "briefing.db", "episodes/../briefing.toml": None,
               "episodes/link/precious.mp3": "feed.xml", str(outside): "index.html"}
    with Library.open(library_dir) as library:
        for number, (audio, script) in enumerate(records.items()):
            library.upsert(replace(make_episode(library_dir, f"odd-{number}"), guid=f"odd-{number}",
                                   audio_path=audio, script_path=script))
    for number in range(len(records)):
        assert run("remove", f"odd-{number}", "--delete-files", "--library", str(library_dir)).exit_code == 0
    assert outside.read_bytes() == b"keep me"
    assert settings.read_text(encoding="utf-8") == "[channel]\ntitle = 'Mine'\n"
    for name in ("briefing.db", "feed.xml", "index.html"):
        assert (library_dir / name).is_file()
    with Library.open(library_dir) as library:
        assert len(library.episodes()) == 1


def test_remove_unknown_guid_is_a_one_line_usage_error(tmp_path):
    make_library(tmp_path, count=1)
    result = run("remove", "no-such-guid", "--library", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {tmp_path / 'briefing.db'}: no episode with guid 'no-such-guid'"
    with pytest.raises(UsageError):
        Library.open(tmp_path).remove("no-such-guid")
    with pytest.raises(UsageError):
        Library.open(tmp_path).retire(["no-such-guid"], must_exist=True)


def test_commands_on_a_folder_without_a_library_fail_cleanly(tmp_path):
    for command in (["episodes"], ["feed"], ["remove", "x"]):
        result = run(*command, "--library", str(tmp_path / "missing"))
        assert result.exit_code == 2
        assert "no library here" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "missing").exists()


def test_library_folder_is_option_then_environment_then_output(tmp_path, monkeypatch):
    monkeypatch.delenv("BRIEFING_HOME", raising=False)
    assert resolve_library_dir(None) == Path("output")
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    assert resolve_library_dir(None) == tmp_path / "home"
    assert resolve_library_dir(str(tmp_path / "opt")) == tmp_path / "opt"


def test_episodes_command_honours_briefing_home_and_library_option(tmp_path):
    home, other = tmp_path / "home", tmp_path / "other"
    [home_episode] = make_library(home, count=1)
    publish(other, make_episode(other, "elsewhere"))
    result = run("episodes", env={"BRIEFING_HOME": str(home)})
    assert result.exit_code == 0 and home_episode.guid in result.output
    result = run("episodes", "--library", str(other), env={"BRIEFING_HOME": str(home)})
    assert "urn:briefing:elsewhere" in result.output and home_episode.guid not in result.output


def test_episodes_lists_guid_date_duration_title(tmp_path):
    episodes = make_library(tmp_path, count=2)
    result = run("episodes", "--library", str(tmp_path))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{e.guid}\t{e.published[:10]}\t00:00:20\t{e.title}" for e in reversed(episodes)]


def test_episodes_json_has_every_field(tmp_path):
    episodes = make_library(tmp_path, count=2)
    result = run("episodes", "--json", "--library", str(tmp_path))
    data = json.loads(result.output)
    assert [row["guid"] for row in data] == [e.guid for e in reversed(episodes)]
    assert data[0]["audio_path"] == episodes[-1].audio_path and data[0]["size_bytes"] > 0
    assert data[0]["chapters_path"] == episodes[-1].chapters_path


def test_feed_command_regenerates_with_a_base_url_and_prints_paths(tmp_path):
    episodes = make_library(tmp_path, count=1)
    (tmp_path / "feed.xml").unlink()
    result = run("feed", "--base-url", "https://cast.example/b", "--library", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(tmp_path / "feed.xml"), str(tmp_path / "index.html")]
    assert f"https://cast.example/b/{episodes[0].audio_path}" in (tmp_path / "feed.xml").read_text()


def test_feed_command_rejects_a_bad_base_url_in_one_line(tmp_path):
    make_library(tmp_path, count=1)
    result = run("feed", "--base-url", "cast.example", "--library", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.startswith("Error: --base-url: base_url must start with http")


def test_remove_takes_a_unique_guid_prefix_and_names_the_ambiguous(tmp_path):
    episodes = make_library(tmp_path, count=3)  # guids urn:briefing:story-0 … story-2
    ambiguous = run("remove", "urn:briefing:story", "--library", str(tmp_path))
    assert ambiguous.exit_code == 2
    assert ambiguous.output.strip() == ("Error: 'urn:briefing:story' starts 3 episodes' guids (urn:briefing:story-2, "
                                        "urn:briefing:story-1, urn:briefing:story-0): give more of it")
    removed = run("remove", "urn:briefing:story-1", "--library", str(tmp_path))
    assert removed.exit_code == 0 and removed.output.startswith(f"Removed {episodes[1].guid}: ")
    prefix = run("remove", "urn:briefing:story-", "--library", str(tmp_path))
    assert prefix.exit_code == 2  # still two
    with Library.open(tmp_path) as library:
        assert [episode.guid for episode in library.episodes()] == [episodes[2].guid, episodes[0].guid]


def test_feed_and_remove_exit_75_while_another_briefing_holds_the_library_unless_wait(tmp_path):
    import threading

    from briefing.library.locking import library_lock

    [episode] = make_library(tmp_path, count=1)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with library_lock(tmp_path):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(30)
    try:
        for command in (["feed"], ["remove", episode.guid]):
            busy = run(*command, "--library", str(tmp_path))
            assert busy.exit_code == 75, busy.output
        waiter = threading.Thread(target=lambda: results.append(run("feed", "--wait", "--library", str(tmp_path))))
        results: list = []
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive() and not results  # waiting for the lock
    finally:
        release.set()
        holder.join()
    waiter.join(30)
    assert results[0].exit_code == 0, results[0].output
