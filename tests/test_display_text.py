"""Transcripts, chapters, pages and feed descriptions show the article's words, not the engine's."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from briefing.audio.chapters import chapter_list, chapters_json_text, vtt_text
from briefing.daily.run import Story, build_daily_script, plan_budget
from briefing.model import Segment
from briefing.pipeline import _description, load_article, make_script
from briefing.text.selection import Budget
from briefing.text.speech.text import display_text
from briefing.voices import Pauses, load_profile
from briefing.library.page import transcript_from_vtt as page_transcript

from helpers import FIXTURES

EVAL_ARTICLES = Path(__file__).resolve().parents[2] / "shared/eval/bbc-news-summary/News Articles"
# Engine spellings a reader must never see: "B.B.C", "T.V", "U.K-based", "M.P.'s", "Miz", "3 G", "<v ".
ENGINE_SPELLINGS = re.compile(
    r"\b[A-Z]\.[A-Z](?:\.[A-Z])*(?![.\w])|\b[A-Z](?:\.[A-Z])+\.'s|\bMiz\b|<v\s|\b\d [A-Z]\b(?![.\w'])"
)


def timed(script):
    for index, segment in enumerate(script.segments()):
        segment.start, segment.end = float(index), index + 0.9
    return script


def written_for_people(script) -> dict[str, str]:
    vtt = vtt_text(timed(script))
    return {
        "vtt": vtt,
        "chapters": chapters_json_text(chapter_list(script, len(script.segments())), script.title),
        "page": page_transcript(vtt),
        "feed": _description(script),
        "script file": script.to_text(display=True),
    }


def test_the_example_reads_as_written_and_is_spoken_as_before(example_article: Path) -> None:
    script = make_script(load_article(str(example_article)), Budget(None), load_profile(None))
    spoken = " ".join(segment.text for segment in script.segments())
    assert "B.B.C" in spoken and "T.V" in spoken  # the engine still gets its spellings
    for where, text in written_for_people(script).items():
        assert not ENGINE_SPELLINGS.search(text), (where, ENGINE_SPELLINGS.findall(text))
    shown = written_for_people(script)["page"]
    assert "told the BBC" in shown and "Russian TV" in shown and "Kharkiv" in shown
    assert "\n<v" not in written_for_people(script)["vtt"]


def test_every_eval_article_reads_as_written() -> None:
    paths = sorted(EVAL_ARTICLES.glob("*/*.txt"))
    if not paths:
        pytest.skip(f"no evaluation articles at {EVAL_ARTICLES}")
    profile = load_profile(None)
    for path in paths:
        script = make_script(load_article(str(path)), Budget(None), profile)
        for where, text in written_for_people(script).items():
            assert not ENGINE_SPELLINGS.search(text), (path.name, where, ENGINE_SPELLINGS.findall(text))


def test_each_segment_keeps_spoken_and_written_forms_of_the_same_sentence(example_article: Path) -> None:
    script = make_script(load_article(str(example_article)), Budget(250), load_profile(None))
    for segment in script.segments():
        assert segment.display and segment.text
        assert segment.display.split()[0].strip('"').lower()[:3] == segment.text.split()[0].strip('"').lower()[:3]
    document = script.to_json()
    segments = [s for section in document["sections"] for s in section["segments"]]
    assert all({"text", "display", "source", "pause_after_ms"} <= set(s) for s in segments)
    json.dumps(document)


def test_the_daily_script_shows_titles_and_sentences_as_written() -> None:
    harbour = load_article(str(FIXTURES / "bank-rates.txt"))
    plan = plan_budget([Story("a", harbour)], 2.0, dt.date(2026, 11, 25))
    script = build_daily_script(dt.date(2026, 11, 25), plan, Pauses())
    spoken = " ".join(segment.text for segment in script.segments())
    shown = " ".join(segment.display for segment in script.segments())
    assert "per cent" in spoken and "%" in shown
    assert "25th" in shown and "twenty-fifth" in spoken


def test_display_text_tidies_spacing_markup_and_quotes() -> None:
    assert display_text('  <b>Rates</b>   held ,  he said .') == "Rates held, he said."
    assert display_text("``We will win''") == '"We will win"'
    assert display_text('" Rates held "') == '"Rates held"'


def test_a_segment_without_a_written_form_shows_its_spoken_text() -> None:
    assert Segment("Hello.", None, 0).display == "Hello."


def test_the_engine_spellings_the_issue_names_are_spoken_but_never_shown(tmp_path: Path) -> None:
    article = tmp_path / "story.txt"
    article.write_text("Phone deal agreed\n\nMs Lomax told Russian TV that UK-based 3G firms and the BBC would pay.\n\n"
                       "The deal runs for ten years.\n", encoding="utf-8")
    script = make_script(load_article(str(article)), Budget(None), load_profile(None))
    spoken = " ".join(segment.text for segment in script.segments())
    assert all(form in spoken for form in ("Miz Lomax", "T.V", "U.K-based", "3 G", "B.B.C"))
    for where, text in written_for_people(script).items():
        assert not ENGINE_SPELLINGS.search(text), (where, ENGINE_SPELLINGS.findall(text))
    shown = written_for_people(script)["page"]
    assert "Ms Lomax told Russian TV that UK-based 3G firms and the BBC would pay." in shown
