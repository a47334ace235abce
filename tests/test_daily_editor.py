"""The day's editor on the invented news days (tests/fixtures/newsdays): stories, not articles; the
most-covered first; one telling per story from all its sources; a bulletin's shape; the --plan view;
and one real daily over RSS feeds served on 127.0.0.1.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import daily, daily_episodes, mp3_chapters, write_config
from newsdays import NewsDay, feed_urls, news_days, page_html, serving

from briefing.config import parse_config
from briefing.daily.run import Story, build_daily_script, plan_budget, stories_of_day
from briefing.daily.editor import stories as grouping
from briefing.daily.editor.figures import Figure, disagree, figures
from briefing.daily.editor.tell import Source, telling, without_dateline
from briefing.model import Article, Paragraph
from briefing.daily.sources import Candidate, SourceSettings, SourceSpec, page_article, source_settings
from briefing.voices import load_profile

DAYS = news_days()


def candidates(day: NewsDay) -> tuple[list[Candidate], SourceSettings]:
    """The day's articles as `gather` would find them in the outlets' feeds, and the sources' settings."""
    rank = {slug: index for index, (slug, _) in enumerate(day.outlets)}
    found = []
    for article in day.articles:
        link = f"http://127.0.0.1/{day.name}/{article.outlet}/{article.id}.html"
        read = replace(page_article(link, page_html(article).encode(), "text/html"), title=article.title)
        found.append(Candidate(article.id, read, rank[article.outlet], article.published.timestamp(), link,
                               f"http://127.0.0.1/{article.outlet}/rss.xml", article.outlet_name, article.position))
    specs = tuple(SourceSpec("feed", f"http://127.0.0.1/{slug}/rss.xml", index) for index, (slug, _) in enumerate(day.outlets))
    return found, SourceSettings(specs=specs)


def day_stories(day: NewsDay, settings: SourceSettings | None = None) -> list[Story]:
    if settings is None:
        return list(_stories_with_default_settings(day))
    return stories_of_day([], candidates(day)[0], settings)


@functools.cache
def _stories_with_default_settings(day: NewsDay) -> tuple[Story, ...]:
    """Grouped and ranked once for the tests that read them (stories are frozen)."""
    found, settings = candidates(day)
    return tuple(stories_of_day([], found, settings))


@functools.cache
def eight_minutes(day: NewsDay) -> tuple[tuple[Story, list[str]], ...]:
    """The day planned for the default 8 minutes, once for the tests that read the plan."""
    return tuple(plan_budget(day_stories(day), 8.0, day.date))


def members(story: Story) -> set[str]:
    return {story.key, *story.merged}


@pytest.mark.parametrize("day", DAYS, ids=lambda day: day.name)
def test_articles_of_one_event_make_one_story_and_related_events_stay_apart(day):
    stories = day_stories(day)
    found = sorted(sorted(members(story)) for story in stories)
    wanted = sorted(sorted(story.articles) for story in day.stories)
    assert found == wanted


@pytest.mark.parametrize("day", DAYS, ids=lambda day: day.name)
def test_the_most_covered_stories_lead_and_every_several_source_story_comes_before_single_ones(day):
    stories = day_stories(day)
    sources = [day.story_of(story.key).sources for story in stories]
    assert sources == sorted(sources, reverse=True)
    assert stories[0].signals is not None and "sources" in stories[0].signals.explain(stories[0].names)


def test_a_pinned_source_weight_moves_its_stories_up():
    day = DAYS[0]
    quiet = "Metro Post"
    raw = {"sources": {"feeds": [f"http://127.0.0.1/{slug}/rss.xml" for slug, _ in day.outlets],
                       "weights": {quiet: 3}}}
    settings = source_settings(parse_config(raw, Path("/nonexistent")), Path("/nonexistent"))
    stories = day_stories(day, settings)
    lead = day.story_of(stories[0].key)
    assert any(day.article(id).outlet_name == quiet for id in lead.articles)
    single = [story for story in stories if len(members(story)) == 1]
    assert day.article(single[0].key).outlet_name == quiet  # its own items lead the single-source ones


@pytest.mark.parametrize("day", DAYS[:2], ids=lambda day: day.name)
def test_a_bulletin_names_only_top_stories_tells_each_once_and_says_who_reported_it(day):
    plan = list(eight_minutes(day))
    script = build_daily_script(day.date, plan, load_profile(None).pauses)
    top = [story for story, _ in plan if not story.brief]
    briefs = [body for story, body in plan if story.brief]
    headlines = [s for s in script.sections if s.kind == "headlines"][0]
    assert len(headlines.segments) == len(top) and all(story.multi_source for story in top)
    assert briefs and all(1 <= len(body) <= 2 for body in briefs)
    said = [segment.display for section in script.sections if section.kind == "story" for segment in section.segments]
    assert len(said) == len(set(said))  # no sentence twice
    facts = said_facts = 0
    for story, body in plan:
        labelled = day.story_of(story.key)
        if not story.brief and labelled.sources > 1:
            assert body[-1].startswith("Reported by ") and len(story.names) == labelled.sources
            text = " ".join(getattr(s, "display", s) for s in body).lower()
            facts += len(labelled.facts)
            said_facts += sum(any(p.lower() in text for p in fact) for fact in labelled.facts)
    assert said_facts >= 0.9 * facts
    stories = [s for s in script.sections if s.kind == "story"]
    assert [s.url for s in stories] == [story.link for story, _ in plan] and all(s.url for s in stories)


def test_where_sources_disagree_on_a_figure_the_older_is_seldom_said_as_if_true():
    labelled = said_as_true = newest_said = 0
    for day in DAYS:
        plan = eight_minutes(day)
        told = {day.story_of(story.key).id: " ".join(" ".join(getattr(s, "display", s) for s in body).lower().split())
                for story, body in plan}
        for disagreement in day.disagreements:
            labelled += 1
            said_as_true += disagreement.says_older_as_true(told[disagreement.story])
            newest_said += disagreement.settled(told[disagreement.story])
    assert labelled >= 10
    assert said_as_true <= 0.1 * labelled  # a figure's quantity is read from the words around it: not always
    assert newest_said >= 0.8 * labelled


def test_a_sentence_of_another_source_is_added_only_for_new_facts():
    lede = ["The Wend Bridge will close for two weeks after a lorry hit it, the council said."]
    others = [["A lorry hit the Wend Bridge, which will close for two weeks.", "He said it was 200 years old."],
              ["City engineer Tom Brasher said cracks were found in the arch.", "He said repairs would cost £2m."]]
    told = telling("Bridge closed", lede, others, 100)
    # the repeat is left out, and so is the sentence leaning on it; the next leans on one that was said
    assert told == lede + others[1]


HERALD_EARLY = Source("The Herald", 1_000.0)
WIRE_LATER = Source("Westhaven Wire", 5_000.0)
CRASH_HERALD = ["At least 12 people died when a coach left the A40 near Selby on Tuesday night.",
                "The coach was carrying a choir home from a concert in Carlow."]
CRASH_WIRE = ["Police said 14 people were killed and 20 were taken to hospital.",
              "The driver, Lewis Harker, was among the injured."]


def test_a_newer_sources_figure_is_said_with_the_older_one_each_credited():
    told = telling("Coach crash near Selby", CRASH_HERALD, [CRASH_WIRE], 200, [HERALD_EARLY, WIRE_LATER])

    assert told[0] == "According to the Herald, at least 12 people died when a coach left the A40 near Selby on Tuesday night."
    assert "According to a later report by Westhaven Wire, police said 14 people were killed and 20 were taken to hospital." in told
    assert CRASH_WIRE[1] in told  # the rest of the newer article is told as it is


def test_an_older_sources_figure_is_left_out_when_the_newer_was_said():
    told = telling("Coach crash near Selby", CRASH_WIRE, [CRASH_HERALD], 200, [WIRE_LATER, HERALD_EARLY])

    assert told[:2] == CRASH_WIRE and CRASH_HERALD[0] not in told
    assert not any(sentence.startswith("According to") for sentence in told)
    assert CRASH_HERALD[1] in told  # its other news still comes


def test_money_figures_that_disagree_are_not_both_said_as_if_true():
    lede = ["The new Wend footbridge will cost £3.5m, the council's leader said on Friday."]
    older = ["The footbridge was expected to cost £3.2 million, according to papers seen by the Courier.",
             "Work is due to start in June."]
    told = telling("Footbridge deal signed", lede, [older], 200, [Source("Metro Post", 9.0), Source("Coast Courier", 3.0)])
    assert told == lede + [older[1]]


def test_without_names_or_times_the_figure_said_first_stands():
    told = telling("Coach crash near Selby", CRASH_HERALD, [CRASH_WIRE], 200)
    assert CRASH_WIRE[0] not in told and told[:2] == CRASH_HERALD


def test_different_counts_that_share_a_word_are_not_a_disagreement():
    evacuated = figures("The fire led to the evacuation of about 300 people from Mill Lane.")
    employed = figures("Norrel Chemicals, which employs 85 people at the site, said nobody was inside.")
    assert not any(disagree(first, second) for first in evacuated for second in employed)
    assert figures("12 people were injured and 14 killed") == [Figure("", frozenset({"injured"}), 12.0),
                                                               Figure("", frozenset({"dead"}), 14.0)]
    assert disagree(figures("The death toll rose to 14.")[0], figures("at least 12 dead")[0])
    assert figures("The motion passed by 31 votes to 24.") == []  # a pair, not a figure to disagree on
    assert figures("The museum opened in 1881.") == []  # a year counts nothing


def test_a_wire_dateline_is_not_read_out():
    assert without_dateline("KESSINGTON, March 5 (RPW) - The River Ardle flooded.") == "The River Ardle flooded."
    assert without_dateline("WESTHAVEN (Westhaven Wire) - Councillors voted.") == "Councillors voted."
    assert without_dateline("NATO (the alliance) said so.") == "NATO (the alliance) said so."


def test_grouping_stays_bounded_for_a_large_inbox():
    rng = random.Random(27)
    vocabulary = [f"Name{n}" for n in range(3000)] + [f"word{n}" for n in range(3000)]
    articles = [Article(f"Item {n}", [Paragraph(" ".join(rng.choices(vocabulary, k=80)) + ".", 0, "lede")],
                        f"{n}.txt", "text") for n in range(600)]
    items = [grouping.Item(article, f"source-{n % 7}") for n, article in enumerate(articles)]
    pairs = grouping.similarities(grouping.vectors(items))
    assert len(pairs) <= len(items) * grouping.MAX_NEIGHBOURS
    assert sum(len(group) for group in grouping.group(items)) == len(items)


def subscribe(library: Path, day: NewsDay, base: str) -> None:
    """``library``'s sources: the day's outlets' feeds, served on 127.0.0.1."""
    feeds = ", ".join(f'"{url}"' for url in feed_urls(day, base))
    write_config(library, f"feeds = [{feeds}]\nallow_private_urls = true")


def test_plan_prints_the_day_without_rendering_or_remembering(tmp_path):
    day = DAYS[1]
    library = tmp_path / "library"
    with serving([day]) as base:
        subscribe(library, day, base)
        result = daily(library, "--date", day.date.isoformat(), "--plan", "--json")
        assert result.exit_code == 0, result.output
        plan = json.loads(result.stdout)
        text = daily(library, "--date", day.date.isoformat(), "--plan")
    assert [story["kind"] for story in plan["stories"]][:5] == ["top"] * 5
    lead = plan["stories"][0]
    assert len(lead["sources"]) == 4 and len(lead["articles"]) == 4 and lead["signals"]["sources"] == 4
    assert all(article["link"].startswith(base) for article in lead["articles"])
    assert abs(plan["estimated_seconds"] - 480) <= 0.08 * 480
    assert plan["left_out"] and all(story["reason"] == "no time in --minutes 8" for story in plan["left_out"])
    assert "why: 4 sources" in text.stdout and "top" in text.stdout
    assert not (library / "episodes").exists() or not list((library / "episodes").iterdir())
    from briefing.library.store import Library

    with Library.open(library) as opened:
        assert opened.used_articles(day.date.isoformat()) == []


@pytest.mark.slow
def test_a_day_of_four_feeds_over_http_is_told_as_one_bulletin(tmp_path):
    day = DAYS[2]
    library = tmp_path / "library"
    with serving([day]) as base:
        subscribe(library, day, base)
        # The classic engine: what is proved is the day told from the feeds, not the voice.
        result = daily(library, "--date", day.date.isoformat(), "--minutes", "2.5", "--voice", "british")
    assert result.exit_code == 0, result.output
    [episode] = daily_episodes(library)
    chapters = mp3_chapters(library / episode.audio_path)
    lead = next(story for story in day.stories if story.sources == 4)
    assert chapters[2] in {day.article(id).title for id in lead.articles}
    from briefing.library.store import Library

    with Library.open(library) as opened:
        rows = opened.used_articles(day.date.isoformat())
    positions = {}
    for row in rows:
        story = day.story_of(row.key.rsplit("/", 1)[-1].removesuffix(".html")).id
        positions.setdefault(story, set()).add(row.position)
    assert all(len(places) == 1 for places in positions.values())  # no story told twice
    assert set(lead.articles) <= {row.key.rsplit("/", 1)[-1].removesuffix(".html") for row in rows}
    marks = json.loads((library / episode.chapters_path).read_text(encoding="utf-8"))["chapters"]
    assert marks[2]["url"].startswith(base) and "Reported by" in (library / episode.script_path).read_text()
    assert abs(episode.duration_s - 150) <= 0.08 * 150


def test_a_new_article_about_a_told_story_joins_it_and_is_not_told_again():
    day = DAYS[0]
    found, settings = candidates(day)
    fire = next(story for story in day.stories if story.id == "warehouse-fire")
    first = [c for c in found if c.key in fire.articles[:2]]
    [told] = stories_of_day([], first, settings)
    told = replace(told, told=("What was said.",))
    later = [c for c in found if c.key in fire.articles[2:] or c.key == "h4"]

    stories = stories_of_day([told], later, settings)

    assert stories[0].told == told.told and members(stories[0]) == set(fire.articles)
    assert [members(story) for story in stories[1:]] == [{"h4"}]


def test_news_in_an_article_that_joins_a_told_story_is_added_after_what_was_told():
    day = DAYS[0]
    found, settings = candidates(day)
    budget = next(story for story in day.stories if story.id == "council-budget")
    [story] = stories_of_day([], [c for c in found if c.key == budget.articles[0]], settings)
    said = tuple(body for _, body in plan_budget([story], 2.0, day.date))[0]
    told = replace(story, told=tuple(said))
    [joined] = stories_of_day([told], [c for c in found if c.key == "w1"], settings)

    [(_, body)] = plan_budget([joined], 2.0, day.date)

    assert body[:len(said)] == said and len(body) > len(said)  # word for word, then the update
    wire = " ".join(day.article("w1").paragraphs)
    assert all(getattr(line, "display", line) in wire for line in body[len(said):])


def test_an_update_plans_the_told_stories_from_what_they_asked_without_telling_them_again(monkeypatch):
    from briefing.daily import run

    day = DAYS[3]
    found, settings = candidates(day)
    first = [c for c in found if c.key != found[-1].key]
    plan = plan_budget(stories_of_day([], first, settings), 8.0, day.date)
    rows = run.used_rows(day.date.isoformat(), plan, run.DayFit(150.0, 1.0))
    told = run.stories_from_used(rows)
    assert all(story.needs is not None for story in told)
    stories = stories_of_day(told, [found[-1]], settings)
    forgotten = [replace(story, needs=None) for story in stories]
    worked_out = plan_budget(forgotten, 8.0, day.date, 150.0)
    asked: list[str] = []
    needs = run._needs
    monkeypatch.setattr(run, "_needs", lambda story: asked.append(story.key) or needs(story))

    updated = plan_budget(stories, 8.0, day.date, 150.0)

    assert [(story.key, body) for story, body in updated] == [(story.key, body) for story, body in worked_out]
    assert set(asked) <= {story.key for story in stories if story.told is None or story.arrived}


def test_an_update_line_giving_a_told_figure_otherwise_is_credited_to_the_later_report():
    from briefing.daily.editor.tell import update

    lines = update(CRASH_HERALD, [CRASH_WIRE], 45, ["Westhaven Wire"])

    assert lines[0] == "According to a later report by Westhaven Wire, police said 14 people were killed and 20 were taken to hospital."


def test_a_quotation_that_names_no_speaker_comes_only_after_the_sentence_naming_one():
    lede = ["The River Ardle flooded 150 homes in Kessington on Thursday."]
    other = ['"The water came under the door and just kept coming," said Edna Crowther, 84.',
             '"I\'ve lived here 50 years and it\'s never been past the garden gate."']
    assert telling("Kessington flooded", lede, [other[1:]], 100) == lede
    assert telling("Kessington flooded", lede, [other], 100) == lede + other
