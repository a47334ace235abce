"""A command resolves its channel once: the settings are read once and the library's database is
opened once per `make` and per `daily`, however many stages need them (``briefing.channel``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, requires_espeak, requires_ffmpeg, write_article

from briefing import config as settings_module
from briefing import make_episode, MakeOptions
from briefing.channel import Channel
from briefing.cli import main
from briefing.library.store import Library

pytestmark = [requires_ffmpeg, requires_espeak]


@pytest.fixture
def counts(monkeypatch) -> dict[str, int]:
    """How often the settings file is parsed and the library's database opened; both still do their work."""
    seen = {"settings": 0, "library": 0}
    parse, open_library = settings_module.parse_config, Library.open.__func__

    def counted_parse(*args, **keywords):
        seen["settings"] += 1
        return parse(*args, **keywords)

    def counted_open(cls, *args, **keywords):
        seen["library"] += 1
        return open_library(cls, *args, **keywords)

    monkeypatch.setattr(settings_module, "parse_config", counted_parse)
    monkeypatch.setattr(Library, "open", classmethod(counted_open))
    return seen


def _library(tmp_path: Path) -> Path:
    library = tmp_path / "library"
    library.mkdir()
    (library / "briefing.toml").write_text('[channel]\ntitle = "Coast FM"\nkeep = 5\n\n[sources]\ninbox = "inbox"\n',
                                           encoding="utf-8")
    return library


def test_make_episode_reads_the_settings_once_and_opens_the_library_once(tmp_path, counts):
    library = _library(tmp_path)
    for attempt in range(2):  # a first episode (the database is made) and a second one
        counts.update(settings=0, library=0)
        made = make_episode(str(FIXTURES / "storm-ciaran.txt"),
                            MakeOptions(voice="classic", max_words=40 + attempt, library=library))
        assert made.episode is not None
        assert counts == {"settings": 1, "library": 1}, f"episode {attempt + 1}"


def test_make_of_several_articles_resolves_the_channel_once(tmp_path, counts):
    library = _library(tmp_path)
    articles = [str(FIXTURES / "storm-ciaran.txt"), str(FIXTURES / "bank-rates.txt")]
    result = CliRunner().invoke(main, ["make", *articles, "--voice", "classic", "--max-words", "40",
                                       "--library", str(library), "-q"])
    assert result.exit_code == 0, result.output
    assert counts == {"settings": 1, "library": 1}
    with Library.open(library, create=False) as opened:
        assert len(opened.episodes()) == 2


def test_daily_reads_the_settings_once_and_opens_the_library_once(tmp_path, counts):
    library = _library(tmp_path)
    (library / "inbox").mkdir()
    for number in range(2):
        write_article(library / "inbox", number)
    result = CliRunner().invoke(main, ["daily", "--library", str(library), "--date", "2026-11-25",
                                       "--voice", "classic", "--minutes", "0.5"])
    assert result.exit_code == 0, result.output
    assert counts == {"settings": 1, "library": 1}


def test_run_daily_uses_the_channel_it_is_given(tmp_path, counts):
    from briefing.daily.run import DailyOptions, run_daily
    from briefing.pipeline import RenderOptions
    from briefing.voices import load_profile

    library = _library(tmp_path)
    (library / "inbox").mkdir()
    write_article(library / "inbox", 0)
    with Channel.resolve(library) as channel:
        counts.update(settings=0, library=0)
        result = run_daily(channel, DailyOptions(date=dt.date(2026, 11, 25), minutes=0.5,
                                                 render=RenderOptions(profile=load_profile("classic"))))
        assert result.episode is not None
        assert counts == {"settings": 0, "library": 1}  # opened at first use, by the channel


def test_script_with_library_says_the_channels_intro_and_reads_no_library_without_it(tmp_path, monkeypatch):
    library = _library(tmp_path)
    (library / "lexicon.toml").write_text('southern = "Suthern"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # ./output would be the default library: it must not be read
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "briefing.toml").write_text("[channel]\nintro = \"Not this show.\"\n", encoding="utf-8")
    article = str(FIXTURES / "storm-ciaran.txt")

    plain = CliRunner().invoke(main, ["script", article, "--max-words", "60", "--json"])
    channel = CliRunner().invoke(main, ["script", article, "--max-words", "60", "--json", "--library", str(library)])

    assert plain.exit_code == 0 and channel.exit_code == 0, plain.output + channel.output
    assert "Not this show" not in plain.output and "Coast FM" not in plain.output
    assert "Coast FM" in channel.output  # the show's name, said by its intro
    assert "Suthern" in channel.output and "Suthern" not in plain.output  # the channel's lexicon


def test_extract_minutes_keeps_what_make_minutes_would_say(tmp_path):
    import json

    from briefing.pipeline import fit_script, load_article
    from briefing.voices import load_profile

    article = str(FIXTURES / "storm-ciaran.txt")
    result = CliRunner().invoke(main, ["extract", article, "--minutes", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    kept = [paragraph["source"] for paragraph in json.loads(result.output)["paragraphs"]]
    script = fit_script(load_article(article), 0.5, load_profile(None))
    said = sorted({segment.source for section in script.sections for segment in section.segments
                   if segment.source is not None})
    assert kept == said
