"""`briefing make` publishes into the library: one episode per article, a new audio URL on every re-render."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import FIXTURES, run_cli


def _episodes(home: Path) -> list[dict]:
    result = run_cli(["episodes", "--json"], home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _make(home: Path, *args, input: bytes | None = None) -> None:
    result = run_cli(["make", *args, "--max-words", "20", "-q"], home=home, input=input)
    assert result.returncode == 0, result.stderr


def test_remaking_an_article_replaces_its_episode_under_a_new_audio_name(tmp_path: Path) -> None:
    article = FIXTURES / "bin-collections.txt"
    _make(tmp_path, article)
    [first] = _episodes(tmp_path)
    _make(tmp_path, article, "--voice", "british")
    [second] = _episodes(tmp_path)
    assert second["guid"] == first["guid"]
    assert second["audio_path"] != first["audio_path"]  # players cache by URL: new audio, new URL
    assert (tmp_path / first["audio_path"]).exists()  # kept for [channel] keep_replaced_hours
    assert (tmp_path / second["audio_path"]).stat().st_size == second["size_bytes"]
    feed = (tmp_path / "feed.xml").read_text()
    assert second["audio_path"] in feed and first["audio_path"] not in feed


def test_articles_from_standard_input_are_told_apart_by_their_title(tmp_path: Path) -> None:
    first = b"Council delays bin collections\n\nBin collections in the city will move to Tuesdays from March.\n"
    second = b"Library opens on Sundays\n\nThe central library will open on Sundays from next month.\n"
    _make(tmp_path, "-", input=first)
    _make(tmp_path, "-", input=second)
    _make(tmp_path, "-", input=first)
    titles = sorted(episode["title"] for episode in _episodes(tmp_path))
    assert titles == ["Council delays bin collections", "Library opens on Sundays"]
