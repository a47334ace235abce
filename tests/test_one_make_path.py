"""`briefing make` and `briefing daily` render and publish their episodes through the one path in
``briefing.pipeline`` (``publish_rendered``, which every published episode goes through): the real
function runs, wrapped only to count its calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, daily, daily_episodes, requires_espeak, requires_ffmpeg, write_article, write_config

from briefing import pipeline
from briefing.cli import main
from briefing.library.store import Library

pytestmark = [requires_ffmpeg, requires_espeak]


@pytest.fixture
def make_calls(monkeypatch) -> list[tuple[str, str]]:
    """The (source, kind) of every episode published in the test through ``publish_rendered``, which
    still does its work."""
    calls: list[tuple[str, str]] = []
    real = pipeline.publish_rendered

    def counted(rendered, channel, **keywords):
        calls.append((keywords["source"], keywords.get("kind", "article")))
        return real(rendered, channel, **keywords)

    monkeypatch.setattr(pipeline, "publish_rendered", counted)
    return calls


def test_make_calls_the_make_path_once_per_article(tmp_path: Path, make_calls) -> None:
    library = tmp_path / "library"
    articles = [str(FIXTURES / "storm-ciaran.txt"), str(FIXTURES / "bank-rates.txt")]

    result = CliRunner().invoke(main, ["make", *articles, "--voice", "classic", "--max-words", "40",
                                       "--library", str(library), "-q"])

    assert result.exit_code == 0, result.output
    assert make_calls == [(article, "article") for article in articles]
    with Library.open(library, create=False) as opened:
        assert len(opened.episodes()) == 2


def test_daily_calls_the_make_path_once_for_its_episode(tmp_path: Path, make_calls) -> None:
    library = tmp_path / "library"
    write_config(library, 'inbox = "inbox"')
    (library / "inbox").mkdir()
    for number in range(2):
        write_article(library / "inbox", number)

    result = daily(library, "--date", "2026-11-25", "--voice", "classic", "--minutes", "0.5")

    assert result.exit_code == 0, result.output
    [(_, kind)] = make_calls
    assert kind == "daily"
    with Library.open(library) as opened:
        assert [episode.guid for episode in daily_episodes(library)] == opened.day_guids("2026-11-25")
