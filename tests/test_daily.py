"""`briefing daily`: an inbox of articles becomes one episode of stories, once per date, safely.

Real files, the real speech engine (short budgets), real MP3s and SQLite; the CLI runs in-process
through CliRunner, and as separate processes where two runs must race.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import (
    DAILY_FIXTURES,
    EXAMPLE,
    assert_feed_valid,
    briefing_process,
    daily,
    daily_episodes,
    inbox_library,
    mp3_chapters,
)

from briefing.cli import main
from briefing.daily.run import (
    Story,
    order_candidates,
    plan_budget,
    stories_of_day,
)
from briefing.daily.editor.bulletin import fair_shares
from briefing.model import Article, Paragraph
from briefing.library.store import Library
from briefing.pipeline import load_article
from briefing.text.script import ordinal
from briefing.library.sidefiles import side_path
from briefing.daily.sources import Candidate, SourceSettings

HARBOUR = "Harbour bridge to close for three weeks of repairs"
RAIL = "Regional rail fares frozen for a second year"
DATE = "2026-11-25"
# What the tests after the first are about is the day, not the voice: they speak with the classic engine.
CLASSIC = ("--voice", "british")


# ---- the acceptance tests ------------------------------------------------------------------------

@pytest.mark.slow
def test_inbox_becomes_one_chapter_per_story_in_order_and_the_broken_file_is_reported(tmp_path):
    library = inbox_library(tmp_path)
    kharkiv = load_article(str(EXAMPLE)).title

    result = daily(library, "--date", DATE, "--minutes", "1.5")

    assert result.exit_code == 3, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("Skipped")]
    assert len(skipped) == 1 and "export.json" in skipped[0] and "not valid JSON" in skipped[0]
    [episode] = daily_episodes(library)
    with Library.open(library) as opened:
        assert opened.day_guids(DATE) == [episode.guid]
    assert episode.title == "Briefing for Wednesday 25 November 2026"
    expected = ["Introduction", "Headlines", HARBOUR, RAIL, kharkiv, "Close"]
    assert mp3_chapters(library / episode.audio_path) == expected
    script = (library / episode.script_path).read_text(encoding="utf-8")
    assert "Your briefing for Wednesday the 25th of November." in script  # as written, for people
    timing = json.loads(side_path(library / episode.audio_path, "timing").read_text(encoding="utf-8"))
    assert timing["sections"][0]["segments"][0]["text"].startswith("Your briefing for Wednesday the twenty-fifth of November.")
    assert assert_feed_valid(library) == 1


@pytest.mark.slow
def test_same_date_replaces_the_episode_and_update_adds_only_new_articles(tmp_path):
    library = inbox_library(tmp_path)
    assert daily(library, "--date", DATE, "--minutes", "1.5", *CLASSIC).exit_code == 3

    # Without -q, which prints only problems: the note on re-rendering is printed.
    again = CliRunner().invoke(main, ["daily", "--library", str(library), "--date", DATE, "--minutes", "1.5",
                                      *CLASSIC])
    # The broken file was rejected once; the day's stories are re-rendered, nothing is read again.
    assert again.exit_code == 0, again.output
    assert "Re-rendering the briefing for 2026-11-25" in again.stderr
    [first] = daily_episodes(library)

    news = library / "inbox" / "library-hours.txt"
    news.write_text("Libraries to open on Sundays\n\nAll twelve public libraries will open on Sundays from "
                    "January, the council said, after a trial at two branches drew more than 9,000 visitors.\n",
                    encoding="utf-8")
    without_update = daily(library, "--date", DATE, "--minutes", "1.5", *CLASSIC)
    [replaced] = daily_episodes(library)
    assert without_update.exit_code == 0
    assert "Libraries to open on Sundays" not in mp3_chapters(library / replaced.audio_path)

    assert replaced.guid == first.guid  # the same stories again: the day's item, replaced

    updated = daily(library, "--date", DATE, "--minutes", "2", "--update", *CLASSIC)
    assert updated.exit_code == 0, updated.output
    [episode] = daily_episodes(library)
    assert episode.guid != first.guid  # new stories: a new item podcast apps download, the earlier one gone
    assert mp3_chapters(library / episode.audio_path)[2:] == [
        HARBOUR, RAIL, load_article(str(EXAMPLE)).title, "Libraries to open on Sundays", "Close"]
    assert assert_feed_valid(library) == 1

    next_day = daily(library, "--date", "2026-11-26", *CLASSIC)
    assert next_day.exit_code == 0 and next_day.output == ""  # a quiet day, and -q: nothing to say
    assert len(daily_episodes(library)) == 1


@pytest.mark.slow
def test_two_runs_started_together_publish_one_episode(tmp_path):
    library = inbox_library(tmp_path)
    runs = [briefing_process(library, "--date", DATE, "--minutes", "1.5", *CLASSIC) for _ in range(2)]
    outcomes = [(run.wait(timeout=60), run.stderr.read()) for run in runs]
    codes = sorted(code for code, _ in outcomes)
    assert codes in ([3, 75], [0, 3]), outcomes  # 0: the second ran after the first had finished
    if codes == [3, 75]:
        busy = next(err for code, err in outcomes if code == 75)
        assert busy.strip().splitlines() == [
            f"Error: {library}: another briefing is running on this library (try again later, or use --wait)"]
    assert len(daily_episodes(library)) == 1

    waiting = [briefing_process(library, "--date", DATE, "--minutes", "1.5", "--wait", *CLASSIC) for _ in range(2)]
    assert [run.wait(timeout=60) for run in waiting] == [0, 0], [run.stderr.read() for run in waiting]
    assert len(daily_episodes(library)) == 1
    assert assert_feed_valid(library) == 1


# ---- the rules, on their own ---------------------------------------------------------------------

def _article(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_article(str(path))


def test_the_same_event_from_another_source_joins_its_story_and_different_events_stay_apart(tmp_path):
    harbour = load_article(str(DAILY_FIXTURES / "harbour-bridge-closure.txt"))
    rail = load_article(str(DAILY_FIXTURES / "rail-fares-freeze.json"))
    rewrite = _article(tmp_path, "rewrite.txt", "City bridge shut for three weeks as cables are replaced\n\n"
                       "Engineers will replace corroded cables on the harbour bridge, which closes to traffic for "
                       "three weeks from Monday, the council said.\n\nDrivers face delays of up to 25 minutes.\n")
    candidates = [Candidate("a", harbour, 0, 200.0, "inbox"), Candidate("b", rail, 0, 100.0, "inbox"),
                  Candidate("c", rewrite, 1, 300.0, "feed")]

    stories = stories_of_day([], order_candidates(candidates), SourceSettings())

    assert len(stories) == 2
    bridge = next(story for story in stories if {story.key, *story.merged} == {"a", "c"})
    assert bridge is stories[0]  # two sources before one
    assert [(story.key, story.merged) for story in stories if story is not bridge] == [("b", ())]


def test_order_is_source_rank_then_newest_first_then_undated_in_found_order(tmp_path):
    article = load_article(str(DAILY_FIXTURES / "rail-fares-freeze.json"))
    found = [Candidate("old", article, 0, 100.0, "x"), Candidate("undated", article, 0, None, "x"),
             Candidate("new", article, 0, 200.0, "x"), Candidate("later-source", article, 1, 999.0, "y")]
    assert [c.key for c in order_candidates(found)] == ["new", "old", "undated", "later-source"]


def test_fair_shares_give_short_stories_all_they_need_and_split_the_rest():
    assert fair_shares([30, 500, 500], 330) == [30, 150, 150]
    assert fair_shares([10, 20], 100) == [10, 20]
    assert sum(fair_shares([400, 400, 400], 301)) <= 301


def test_budget_is_respected_and_every_story_keeps_its_lede():
    harbour = load_article(str(DAILY_FIXTURES / "harbour-bridge-closure.txt"))
    rail = load_article(str(DAILY_FIXTURES / "rail-fares-freeze.json"))
    plan = plan_budget([Story("a", harbour), Story("b", rail)], 1.5, dt.date(2026, 11, 25))
    bodies = [body for _, body in plan]
    assert all(body for body in bodies)
    assert bodies[0][0].startswith("The city's main harbour bridge will close")
    titles = len(harbour.title.split()) + len(rail.title.split())
    spoken = sum(len(s.split()) for body in bodies for s in body) + 2 * titles + 20  # + intro and outro
    assert spoken <= 1.5 * 160


def test_more_stories_than_minutes_leaves_the_least_important_for_later():
    harbour = load_article(str(DAILY_FIXTURES / "harbour-bridge-closure.txt"))
    stories = [Story(str(n), harbour) for n in range(10)]
    plan = plan_budget(stories, 1.0, dt.date(2026, 11, 25))
    assert 1 <= len(plan) < 10
    assert [story.key for story, _ in plan] == [str(n) for n in range(len(plan))]


def _long_articles(count: int) -> list[Article]:
    """Articles of several paragraphs whose sentences pysbd must think about: titles, initials, decimals."""
    articles = []
    for number in range(count):
        paragraphs = [Paragraph(
            f"Mr. Okafor of the U.S. Treasury said on {number + 1} March that rates rose {number}.5% in "
            f"paragraph {position} of story {number}. Dr. Reyes, e.g. in St. Louis, disagreed; she said the "
            f"figure was nearer {position}.25% (about {number * 3} basis points). \"It is not,\" he replied.",
            position, "lede" if position == 0 else "story") for position in range(12)]
        articles.append(Article(f"Story {number} about rates", paragraphs, f"story-{number}.txt", "text"))
    return articles


def test_a_day_planned_on_several_cores_is_the_day_planned_on_one(monkeypatch):
    """The sentences are split ahead by forked copies (split_ahead) and the stories chosen on them
    (map_forked): the plan is the one a single process makes, and this process split only its share."""
    from briefing.text import sentences

    stories = [Story(str(number), article) for number, article in enumerate(_long_articles(30))]
    sentences._splits.clear()
    alone = plan_budget(stories, 12.0, dt.date(2026, 11, 25), processes=1)
    sentences._splits.clear()
    split_here = []
    real_split = sentences._split
    monkeypatch.setattr(sentences, "_split", lambda text: split_here.append(text) or real_split(text))
    shared = plan_budget(stories, 12.0, dt.date(2026, 11, 25), processes=2)
    assert [(story.key, [(str(s), s.display) for s in body]) for story, body in shared] == \
           [(story.key, [(str(s), s.display) for s in body]) for story, body in alone]
    assert 30 * 12 * 0.4 < len(split_here) < 30 * 12 * 0.6  # about half: the other copy split the rest


def test_a_sentence_comes_back_from_a_forked_copy_with_its_written_form():
    import pickle

    from briefing.text.script import Spoken

    back = pickle.loads(pickle.dumps(Spoken("the B.B.C said", "the BBC said")))
    assert (type(back), str(back), back.display) == (Spoken, "the B.B.C said", "the BBC said")


@pytest.mark.parametrize("day, spoken", [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (12, "12th"),
                                         (13, "13th"), (21, "21st"), (22, "22nd"), (25, "25th"), (31, "31st")])
def test_ordinal_days(day, spoken):
    assert ordinal(day) == spoken


@pytest.mark.slow
def test_update_says_the_told_stories_word_for_word_and_encodes_only_what_changed(tmp_path):
    library = inbox_library(tmp_path)
    (library / "inbox" / "export.json").unlink()
    assert daily(library, "--date", DATE, "--minutes", "3", *CLASSIC).exit_code == 0
    [first] = daily_episodes(library)
    before = _timing(library, first)  # its files go when the update replaces it
    encoded = library / "cache" / "encoded"
    pieces_before = set(encoded.glob("*/*.frames"))
    (library / "inbox" / "library-hours.txt").write_text(
        "Libraries to open on Sundays\n\nAll twelve public libraries will open on Sundays from January, the "
        "council said, after a trial at two branches drew more than 9,000 visitors. The council will hire "
        "fourteen staff. Opening hours will be ten until four.\n", encoding="utf-8")

    assert daily(library, "--date", DATE, "--minutes", "3", "--update", *CLASSIC).exit_code == 0

    [updated] = daily_episodes(library)
    after = _timing(library, updated)
    told = [section for section in before["sections"] if section["kind"] == "story"]
    now = [section for section in after["sections"] if section["kind"] == "story"]
    assert [s["heading"] for s in now] == [s["heading"] for s in told] + ["Libraries to open on Sundays"]
    for old, new in zip(told, now):
        assert [(g["text"], g["pause_after_ms"]) for g in new["segments"]] == \
            [(g["text"], g["pause_after_ms"]) for g in old["segments"]]
        assert abs((new["end"] - new["start"]) - (old["end"] - old["start"])) < 0.03  # frames: 26 ms
    assert after["duration"] > before["duration"]  # the new story is added, nothing told is cut
    made = set(encoded.glob("*/*.frames")) - pieces_before
    assert len(pieces_before) >= 3 and 1 <= len(made) < len(pieces_before)  # the intro's piece and the new story's
    assert mp3_chapters(library / updated.audio_path)[-2:] == ["Libraries to open on Sundays", "Close"]
    assert assert_feed_valid(library) == 1


def _timing(library: Path, episode) -> dict:
    return json.loads(side_path(library / episode.audio_path, "timing").read_text(encoding="utf-8"))


def test_re_rendering_a_day_picks_the_same_sentences_when_a_pause_differs_by_ten_milliseconds(tmp_path):
    """The re-render starts from the stored fit's pace; a few milliseconds more or less in the estimate
    must not move the budget across a sentence boundary."""
    import dataclasses
    import shutil as shutil_

    from briefing.daily.run import DailyOptions, Story, fit_day
    from briefing.library.store import Library
    from briefing.pipeline import RenderOptions
    from briefing.config import parse_config
    from briefing.daily.sources import gather, source_settings
    from briefing.voices import load_profile
    from helpers import FIXTURES

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ["bank-rates.txt", "bin-collections.txt", "cycle-lanes.txt", "storm-ciaran.txt",
                 "harbour-bridge.html", "library-closures.json"]:
        shutil_.copy(FIXTURES / name, inbox)
    with Library.open(tmp_path) as library:
        gathered = gather(source_settings(parse_config({"sources": {"inbox": "inbox"}}, tmp_path), tmp_path), library)
    stories = [Story(candidate.key, candidate.article) for candidate in gathered.candidates]
    profile = load_profile("british")
    for minutes in (1.0, 1.5, 2.0, 2.5, 3.0):
        options = DailyOptions(date=dt.date(2026, 11, 25), render=RenderOptions(profile=profile), minutes=minutes,
                               workers=1)
        plan, _, fit = fit_day(stories, options, tmp_path)
        for delta in (-10, 10):
            pauses = dataclasses.replace(profile.pauses, section_ms=profile.pauses.section_ms + delta)
            nudged = dataclasses.replace(options, render=RenderOptions(profile=dataclasses.replace(profile, pauses=pauses)))
            again, _, _ = fit_day(stories, nudged, tmp_path, previous=fit)
            assert [body for _, body in again] == [body for _, body in plan], (minutes, delta)


def test_the_summary_line_counts_one_story_in_the_singular():
    from briefing.daily.run import DailyResult
    from briefing.model import Episode

    episode = Episode("g", "Briefing for Wednesday 25 November 2026", "2026-11-25T06:00:00+00:00", "a.mp3", 1, 79.4,
                      "daily:2026-11-25", "espeak en")
    story = Story("k", Article("Harbour bridge", [], "x", "text"))
    assert DailyResult(episode, [story]).summary() == "Briefing for Wednesday 25 November 2026: 1 story, 1:19"
    assert DailyResult(episode, [story, story]).summary().endswith(": 2 stories, 1:19")
