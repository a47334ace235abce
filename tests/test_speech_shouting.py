"""Shouted text (a slogan, a headline in capitals) is said in ordinary case, not spelled letter by
letter; the acronyms inside it stay acronyms, and the page keeps the capitals. Invented sentences."""

from __future__ import annotations

import pytest

from briefing.text.script import spoken_sentences
from briefing.text.speech.shouting import acronyms_in
from briefing.text.speech.text import normalize


@pytest.mark.parametrize("text, fragment", [
    ('Protesters chanted "SAVE OUR LIBRARIES NOW!" as ministers arrived.', '"save our libraries now!" as'),
    ("BREAKING NEWS: the bridge has reopened.", "Breaking news: the bridge"),
    ('Fans sang "HANDS OFF" at the owners.', '"hands off" at'),
    ('A sign said "NO ENTRY TO THE PUBLIC".', '"no entry to the public"'),
    ('The crowd sang "GIVE US OUR PARK BACK" at the meeting.', "give us our park back"),
    ('The NO-DEAL CHAOS WARNING was repeated.', "no-deal chaos warning"),
    ("DON'T LOOK BACK IN ANGER played as they left.", "Don't look back in anger"),
])
def test_a_shouted_run_is_said_in_ordinary_case(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ('Placards read "STOP THE BBC CUTS" outside.', "stop the B.B.C cuts"),
    ('The headline read "FBI AGENTS RAID HOME OF MAYOR".', "F.B.I agents raid home of mayor"),
    ('Signs said "AI WILL NOT DRIVE OUR BUSES".', "A.I will not drive our buses"),
    ('The front page read "NATO TROOPS MOVE EAST".', "Nato troops move east"),
    ('Banners read "US TROOPS OUT NOW".', "U.S troops out now"),
    ('Banners read "NO TO US BASES".', "no to U.S bases"),
    ('The crowd chanted "LET US VOTE".', "let us vote"),
    ('Flags read "UK WORKERS DESERVE BETTER".', "U.K workers deserve better"),
    ('Veterans marched under "WORLD WAR II HEROES REMEMBERED".', "world War two heroes remembered"),
    ("The BBC'S OWN STAFF WALKED OUT.", "B.B.C.'s own staff walked out"),
])
def test_an_acronym_inside_shouting_stays_an_acronym(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("The BBC and the FBI declined to comment.", "The B.B.C and the F.B.I declined"),
    ("The US, UK and EU issued a statement.", "The U.S, U.K and E.U issued"),
    ("WATCH: the bridge reopens", "Watch: the bridge"),
    ("It was NOT his fault, he said.", "It was not his fault"),
])
def test_capitals_that_are_not_a_run_are_read_as_before(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


def test_the_articles_own_acronyms_are_those_it_writes_among_ordinary_words() -> None:
    text = 'The KLA, a residents\' group, met the UTA. They chanted "WE SAY NO" and "SAVE THE PARK NOW".'
    assert acronyms_in(text) == {"KLA", "UTA"}


def test_an_acronym_the_article_uses_stays_one_in_its_slogan_and_the_page_keeps_the_capitals() -> None:
    paragraph = 'Members of the UTA marched on Saturday. They chanted "UTA SAYS KEEP THEM OPEN" outside.'
    chanted = spoken_sentences(paragraph)[1]
    assert "U.T.A says keep them open" in chanted
    assert '"UTA SAYS KEEP THEM OPEN"' in chanted.display
    assert "uta says" in normalize('They chanted "UTA SAYS KEEP THEM OPEN" outside.')  # shaped like a word
    assert "U.T.A says" in normalize('They chanted "UTA SAYS KEEP THEM OPEN".', acronyms=frozenset({"UTA"}))
