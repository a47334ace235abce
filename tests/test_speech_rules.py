"""What a listener would hear wrong, each fixed by a general rule and pinned by input → spoken pairs."""

from __future__ import annotations

import re

import pytest

from briefing.text.clean import clean
from briefing.model import RawArticle
from briefing.readers.text import read_text
from briefing.text.script import build_script, repeats_opening
from briefing.text.selection import Budget, dependencies, select, Sentence
from briefing.text.speech.text import normalize
from briefing.voices import Pauses

PAUSES = Pauses()


# --- units after a scale word ---------------------------------------------------------------------

@pytest.mark.parametrize("text, spoken", [
    ("The probe has flown 225 million km so far.", "The probe has flown 225 million kilometres so far."),
    ("The rover drove 28km.", "The rover drove 28 kilometres."),
    ("Forests cover 4 billion sq km.", "Forests cover 4 billion square kilometres."),
    ("It weighs 1.5 million kg.", "It weighs 1.5 million kilograms."),
    ("Light travels 300 thousand km each second.", "Light travels 300 thousand kilometres each second."),
])
def test_a_unit_after_a_scale_word_is_read_as_a_word(text: str, spoken: str) -> None:
    assert normalize(text) == spoken
    assert not re.search(r"\bkm\b|\bkg\b", normalize(text))


# --- web addresses --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, spoken", [
    ("Donate at https://www.example.com/donate today.", "Donate at example dot com slash donate today."),
    ("Details are on www.bbc.co.uk/news.", "Details are on B.B.C dot co dot U.K slash news."),
    ("Write to info@example.org for a copy.", "Write to info at example dot org for a copy."),
    ("See http://news.example.com/2024/05/01/story-123?id=7 for more.", "See news dot example dot com for more."),
    ("Shares in Amazon.com rose.", "Shares in Amazon dot com rose."),
])
def test_a_web_address_is_said_as_a_domain_without_scheme_or_www(text: str, spoken: str) -> None:
    assert normalize(text) == spoken
    assert "www" not in normalize(text).lower() and "http" not in normalize(text)


@pytest.mark.parametrize("text", ["The U.S. economy grew, e.g. in services.", "It rose 3.5 per cent."])
def test_abbreviations_and_decimals_are_not_web_addresses(text: str) -> None:
    assert " dot " not in normalize(text)


# --- acronyms: one form, with or without a suffix ----------------------------------------------

@pytest.mark.parametrize("text, spoken", [
    ("BA said BA's profits fell.", "B.A said B.A.'s profits fell."),
    ("MPs and the MPs' pay board met.", "M.P.'s and the M.P.'s pay board met."),
    ("The UK-based UK firm grew.", "The U.K-based U.K firm grew."),
])
def test_an_acronym_keeps_the_same_dotted_form_with_a_suffix_or_hyphen(text: str, spoken: str) -> None:
    assert normalize(text) == spoken
    assert not re.search(r"\b[A-Z]-[A-Z]", normalize(text))


# --- money as an adjective ---------------------------------------------------------------------

@pytest.mark.parametrize("text, spoken", [
    ("It set a £1.2bn budget.", "It set a 1.2 billion pound budget."),
    ("Ministers approved £1.2bn budget cuts.", "Ministers approved 1.2 billion pound budget cuts."),
    ("Brown said £2bn savings had been found.", "Brown said 2 billion pound savings had been found."),
    ("It made an estimated £1.3bn last year.", "It made an estimated 1.3 billion pounds last year."),
    ("With £8m available, work began.", "With 8 million pounds available, work began."),
    ("It raised £5m selling shares.", "It raised 5 million pounds selling shares."),
    ("A ticket costs $65 online.", "A ticket costs 65 dollars online."),
])
def test_an_amount_before_a_noun_is_said_as_an_adjective(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


# --- an untitled article keeps its first sentence; the intro does not repeat it -----------------

UNTITLED = ("Ukrainian forces outnumbered Russians by eight to one, an official says.\n\n"
            "The army says it took back 20 villages in the past 24 hours alone.\n\n"
            "Officials say the gains are the biggest since the spring.\n")


def test_a_one_sentence_first_paragraph_is_the_lede_not_the_title() -> None:
    raw = read_text(UNTITLED, "untitled.txt")
    assert raw.title is None
    assert raw.paragraphs[0].startswith("Ukrainian forces outnumbered Russians")


def test_a_short_headline_without_a_full_stop_is_still_the_title() -> None:
    for headline in ("Council approves cycle lanes", "Have hackers recruited your PC?"):
        raw = read_text(f"{headline}\n\nThe council voted on Tuesday.\n", "titled.txt")
        assert raw.title == headline and raw.paragraphs == ["The council voted on Tuesday."]


def script_of(text: str):
    article = clean(read_text(text, "article.txt"))
    return article, build_script(article, select(article, Budget(200)), PAUSES)


def test_the_intro_does_not_repeat_a_title_the_lede_opens_with() -> None:
    article, script = script_of(UNTITLED)
    intro, lede = script.sections[0].segments[0], script.sections[1].segments[0]
    assert intro.text == "Here is your briefing."
    assert lede.display.startswith("Ukrainian forces outnumbered Russians by eight to one")
    assert article.title.startswith("Ukrainian forces outnumbered")


def test_the_intro_names_a_headline_the_lede_does_not_say() -> None:
    _, script = script_of("Ad sales boost Time Warner profit\n\nQuarterly profits at the media giant jumped 76%.\n")
    assert script.sections[0].segments[0].text == "Here is your briefing. Ad sales boost Time Warner profit."


@pytest.mark.parametrize("title, opening, repeated", [
    ("Ukrainian forces outnumbered Russians by eight to one",
     "Ukrainian forces outnumbered Russians by eight to one in last week's counter-attack.", True),
    ("Ad sales boost Time Warner profit", "Quarterly profits at US media giant TimeWarner jumped 76%.", False),
])
def test_a_title_repeats_the_opening_when_nearly_all_its_words_are_in_it(title, opening, repeated) -> None:
    assert repeats_opening(title, opening) is repeated


# --- a title made from the lede ends on a whole phrase ---------------------------------------

@pytest.mark.parametrize("lede, title", [
    ("Thousands of angry residents of the small coastal town gathered outside the historic old town hall "
     "to protest against the plans.", "Thousands of angry residents"),
    ("The council's long-awaited and hugely controversial new eleven-point transport strategy was finally "
     "published yesterday after years of delay.", "The council's long-awaited and hugely controversial new eleven-point transport strategy was finally published yesterday"),
])
def test_a_title_from_the_lede_ends_at_a_phrase_boundary(lede: str, title: str) -> None:
    article = clean(RawArticle(None, [lede, "More follows."], "x.txt", "text"))
    assert article.title == title
    assert article.title.split()[-1].lower() not in {"a", "an", "the", "of", "to", "and", "small", "old"}


# --- a sentence that points back comes with what it points to ----------------------------------

@pytest.mark.parametrize("opening, leans", [
    ("However, the minister disagreed.", True),
    ("In fact, the army had already left.", True),
    ("For example, prices doubled.", True),
    ("Consequently, the deal collapsed.", True),
    ("Others remain more sceptical.", True),
    ("The latter said nothing.", True),
    ("More are expected to follow.", True),
    ("Such claims were denied.", True),
    ("More than 100 people were hurt.", False),
    ("More money is to be given to councils.", False),
    ("For the first time, the river froze.", False),
    ("In addition to the fine, he was banned.", False),
    ("As a result of the storm, roads closed.", False),
    ("Although prices rose, sales held up.", False),
    ("Meanwhile, a design engineer will get an award.", False),
    ("Rail fares will rise in March.", False),
])
def test_a_sentence_opening_with_a_backward_connective_or_comparative_leans_on_the_one_before(
        opening: str, leans: bool) -> None:
    sentences = [Sentence("The government announced a plan on Monday.", 0, True), Sentence(opening, 0, False)]
    assert (1 in dependencies(sentences)) is leans


# --- lead's rules from the blind invented stories (2026-12-07) -------------------------------------


@pytest.mark.parametrize("written, said", [
    ("Fournier swam the last 50m in 33.91.", "the last 50 metres in"),
    ("Britain won silver in the mixed 4x50m medley relay.", "4 by 50 metres medley relay"),
    ("She won by 0.08sec.", "0.08 seconds"),
    ("Temperatures fell to -8C overnight.", "minus 8 degrees Celsius"),
    ("A low of −4 is forecast.", "minus 4"),
    ("The naira fell to ₦1,640.", "1,640 naira"),
    ("Inflation will fall to between 15-18% by 2027.", "between 15 and 18 per cent"),
    ("Between 30-40cm of snow fell.", "Between 30 and 40 centimetres"),
    ("It was written by Sen. Maria Delgado, D-N.M.", "Maria Delgado, Democrat of New Mexico."),
    ("Sen. Ted Cruz, R-Texas, said so.", "Ted Cruz, Republican of Texas, said"),
    ("We start from 58µg/m³ of nitrogen dioxide.", "58 micrograms per cubic metre of"),
    ("A 5,000m³ tank burst.", "5,000 cubic metre tank"),
])
def test_numbers_and_affiliations_said_as_a_newsreader_says_them(written, said):
    assert said in normalize(written)


@pytest.mark.parametrize("written, kept", [
    ("The raid on D-Day began at dawn.", "D-Day"),
    ("The 100m final starts at 8pm.", "100 metre final"),
    ("Costs rose by £50m.", "50 million pounds"),
    ("The score moved from 10-12 to 12-15 in a week.", "10 to 12"),
])
def test_the_new_rules_leave_their_neighbours_alone(written, kept):
    assert kept in normalize(written)


def test_a_word_in_brackets_inside_a_bills_name_is_said_as_part_of_it():
    assert "the Clean Air Schools Bill, a bill" in normalize("the Clean Air (Schools) Bill, a bill")
    assert "Jo Ruiz, Labour, Tuesday said" in normalize("Jo Ruiz (Labour) Tuesday said")
