"""Clutter recognised by its shape, not by one site's phrase: calls to action, links and handles,
credits in brackets, links to other stories, subheadings and dates after a byline. Invented lines."""

from __future__ import annotations

import pytest

from briefing.text.clean import clean
from briefing.text.listening import for_listening
from briefing.model import RawArticle
from briefing.text.script import build_script
from briefing.voices import Pauses

LEDE = "A new footbridge over the river in Ashford opened on Saturday after two years of delays."
STORY = "The council said the bridge had cost about four million pounds, a third more than planned."
LATER = "Engineers will inspect the bridge again in the spring, a spokesman for the council said."


def kept(*paragraphs: str) -> list[str]:
    """What of these paragraphs may be said."""
    article = clean(RawArticle(title="Bridge opens", paragraphs=list(paragraphs), source="t", format="text"))
    return [p.text for p in for_listening(article).paragraphs]


@pytest.mark.parametrize("clutter", [
    "Chat with us on WhatsApp for the latest updates",
    "Share this story with your friends",
    "Follow our reporter on Instagram",
    "Download the Ashford Echo app today",
    "Sign up to our morning briefing",
    "Subscribe now for unlimited access",
    "pic.twitter.com/Ab12Cd34",
    "@ashfordecho #bridge",
    "https://example.com/news/bridge-opens",
    "— Ashford Council (@AshfordCouncil) May 4, 2024",
    "Read more: Why the bridge cost so much",
    "RELATED | Council faces questions over budget",
    "More on this story: Bridge delayed again",
])
def test_clutter_between_paragraphs_is_not_kept(clutter: str) -> None:
    assert kept(LEDE, STORY, clutter, LATER) == [LEDE, STORY, LATER]


@pytest.mark.parametrize("paragraph, expected", [
    ("The bridge opened on Saturday (Photo: Ana Ruiz/AFP) to cheers.", "The bridge opened on Saturday to cheers."),
    ("Crowds gathered on both banks (Getty Images).", "Crowds gathered on both banks."),
    ("The crews worked all night (Li Wen/AFP).", "The crews worked all night."),
    ("The mayor cut the ribbon. Chat with us on WhatsApp for updates.", "The mayor cut the ribbon."),
    ("The mayor thanked the crews (@AshfordMayor) for their work.", "The mayor thanked the crews for their work."),
    ("The council is ready, she wrote. pic.twitter.com/Ab12Cd34", "The council is ready, she wrote."),
    ("The plans are at https://example.org/plans for anyone to read.", "The plans are at https://example.org/plans for anyone to read."),
])
def test_clutter_inside_a_paragraph_is_dropped_and_the_sentences_kept(paragraph: str, expected: str) -> None:
    assert kept(LEDE, paragraph)[1] == expected


@pytest.mark.parametrize("sentence", [
    "Follow the money, investigators told the court.",
    "Share prices fell sharply after the announcement on Monday.",
    "The Reuters report (published on Monday) was denied.",
    "The Environmental Protection Agency (EPA) would enforce the limits.",
])
def test_sentences_that_look_a_little_like_clutter_are_kept(sentence: str) -> None:
    assert kept(LEDE, sentence) == [LEDE, sentence]


def test_an_embedded_post_is_kept_as_the_article_wrote_it_but_not_said() -> None:
    signature = "— Ashford Council (@AshfordCouncil) May 4, 2024"
    post = "The bridge is open! pic.twitter.com/Ab12Cd34"
    article = clean(RawArticle(title="Bridge", paragraphs=[LEDE, post, signature, LATER], source="t", format="text"))
    assert [p.text for p in article.paragraphs] == [LEDE, post, signature, LATER]
    assert [p.text for p in for_listening(article).paragraphs] == [LEDE, "The bridge is open!", LATER]


def test_a_short_line_without_a_sentence_end_before_a_paragraph_is_a_subheading() -> None:
    article = clean(RawArticle(title="Bridge", paragraphs=[LEDE, STORY, "Why the bridge cost so much", LATER], source="t", format="text"))
    assert [(p.text, p.is_heading, p.read_aloud) for p in article.paragraphs][2] == ("Why the bridge cost so much", True, False)
    script = build_script(article, article.paragraphs, Pauses())
    assert "Why the bridge cost so much" in [section.heading for section in script.sections]
    assert not any("Why the bridge" in segment.text for segment in script.segments())


@pytest.mark.parametrize("byline, expected", [
    ("Analysis by Jo Lee, Tuesday 5 November 2024", "Analysis by Jo Lee"),
    ("By Sam Ortiz, transport correspondent | Updated 10:31 GMT", "By Sam Ortiz, transport correspondent"),
    ("By Ana Ruiz - Nov 5, 2024", "By Ana Ruiz"),
])
def test_a_date_after_a_byline_is_not_part_of_it(byline: str, expected: str) -> None:
    article = clean(RawArticle(title="Bridge", paragraphs=[LEDE, STORY, byline, LATER], source="t", format="text"))
    assert article.paragraphs[2].text == expected and article.paragraphs[2].is_heading


def test_a_list_that_opens_with_a_short_headline_has_it_as_title_and_keeps_the_first_sentence(tmp_path) -> None:
    from briefing.pipeline import load_article

    source = tmp_path / "story.txt"
    source.write_text(repr(["Footbridge opens after delays", LEDE, STORY, LATER]), encoding="utf-8")
    article = load_article(str(source))
    assert article.title == "Footbridge opens after delays"
    assert [(p.text, p.section) for p in article.paragraphs][0] == (LEDE, "lede")


def test_a_list_that_opens_with_a_sentence_keeps_it_as_the_lede(tmp_path) -> None:
    from briefing.pipeline import load_article

    source = tmp_path / "story.txt"
    source.write_text(repr([LEDE, STORY, LATER]), encoding="utf-8")
    assert load_article(str(source)).paragraphs[0].text == LEDE


def test_extract_shows_the_article_s_own_words_and_script_leaves_out_what_is_not_said(tmp_path) -> None:
    from click.testing import CliRunner

    from briefing.cli import main

    source = tmp_path / "story.txt"
    source.write_text(repr(["ALBANY, N.Y. — " + LEDE, STORY, "pic.twitter.com/Ab12Cd34", LATER]), encoding="utf-8")
    extracted = CliRunner().invoke(main, ["extract", str(source)])
    scripted = CliRunner().invoke(main, ["script", str(source)])
    assert extracted.exit_code == 0 and "ALBANY, N.Y. —" in extracted.output and "pic.twitter.com" in extracted.output
    assert scripted.exit_code == 0 and "Albany" not in scripted.output and "twitter" not in scripted.output


# An invented page (no published article): a standfirst above the body, then a byline with a date, a
# share prompt, a photo credit, a subheading, a related-story link and a newsletter promotion inside it.
STANDFIRST = "A ferry that islanders campaigned for over ten years is back, with a timetable built around the school day."
FERRY_BODY = [
    "A passenger ferry between Carrick and the mainland made its first crossing in a decade on Monday, carrying forty people and a van of post.",
    "The island council paid for the boat with a loan from the regional transport fund, and says fares will stay at three pounds for a year.",
    "Islanders had campaigned since the old service was cut in 2015, when the operator said it could not find crew.",
    "The first boat leaves at seven in the morning so that pupils can reach the secondary school on the mainland before the bell.",
    "The council will review the timetable in the autumn, after a survey of passengers, its transport officer said.",
]


def ferry_page(standfirst_class: str) -> str:
    body = FERRY_BODY
    return f"""<!DOCTYPE html><html><head><title>Ferry returns to Carrick Sound | The Harbour Gazette</title>
<meta name="description" content="{STANDFIRST}"></head><body>
<header class="site-header"><a href="/">Home</a> <a href="/news">News</a></header>
<article>
 <h1>Ferry returns to Carrick Sound after ten years</h1>
 <p>By Morag Lindqvist, Tuesday 4 March 2025</p>
 <div class="article-text">
  <p class="{standfirst_class}">{STANDFIRST}</p>
  <p>{body[0]}</p>
  <p>Share this story with your friends</p>
  <p>{body[1]}</p>
  <p>{body[2][:-1]} (Photo: Ines Haldor/Harbour Gazette).</p>
  <h2>A timetable for the school day</h2>
  <p>{body[3]}</p>
  <p>Read more: Why the old ferry stopped</p>
  <p>Sign up to our morning newsletter for the latest updates</p>
  <p>{body[4]}</p>
 </div>
</article>
<footer>Harbour Gazette 2025</footer></body></html>"""


def said_of_page(page: str) -> list[str]:
    from briefing.readers.html import read_html

    return [p.text for p in for_listening(clean(read_html(page, "invented.html"))).paragraphs if not p.is_heading]


@pytest.mark.parametrize("standfirst_class", ["article__dek", "c-entry-summary p-dek", "standfirst", "content__standfirst"])
def test_a_page_s_standfirst_and_the_clutter_in_its_body_are_not_said(standfirst_class: str) -> None:
    assert said_of_page(ferry_page(standfirst_class)) == FERRY_BODY


def test_a_first_paragraph_marked_only_as_a_summary_or_introduction_is_still_the_lede() -> None:
    # Some sites class the article's own first paragraph "summary" or "introduction": not a standfirst.
    for paragraph_class in ("summary", "story-body__introduction"):
        said = said_of_page(ferry_page(paragraph_class))
        assert said == [STANDFIRST, *FERRY_BODY]


def test_a_list_that_opens_with_a_player_notice_and_a_watch_headline_keeps_the_first_sentence_as_lede(tmp_path) -> None:
    # Invented, in the shape of the seed example: a video notice, a "WATCH:" headline, then the
    # first sentence in bold markup; the first sentence is the lede, not dropped for the headline.
    from briefing.pipeline import load_article

    source = tmp_path / "story.txt"
    strings = ["This video can not be played", "WATCH: Crowds greet the first ferry in a decade",
               f'<b class="bold-text">{LEDE}  </b>', STORY, LATER]
    source.write_text(repr(strings), encoding="utf-8")
    paragraphs = load_article(str(source)).paragraphs
    assert [(p.text, p.section) for p in paragraphs if p.read_aloud][0] == (LEDE, "lede")
    assert [p.text for p in paragraphs if p.read_aloud][1:] == [STORY, LATER]


def test_the_seed_example_opens_on_its_first_sentence_not_its_headline() -> None:
    from helpers import EXAMPLE

    from briefing.pipeline import load_article

    if not EXAMPLE.is_file():
        pytest.skip(f"{EXAMPLE} is not here")
    lede = [p for p in load_article(str(EXAMPLE)).paragraphs if p.read_aloud][0]
    assert lede.section == "lede" and lede.text.startswith("Ukrainian forces outnumbered Russians")


def test_a_prompt_to_follow_a_reporter_is_not_read():
    from briefing.text.clean import matching_rule

    assert matching_rule("Follow Olena Savchuk on X @olena_savchuk_co") is not None
    assert matching_rule("Follow our reporter on Bluesky for updates") is not None
    assert matching_rule("Follow the money on the way out, the inspector said.") is None
