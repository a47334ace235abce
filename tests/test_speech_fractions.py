"""Fractions said as people say them, and the other slashes between digits left alone: invented
sentences, input → what the voice must (or must not) say."""

from __future__ import annotations

import pytest

from briefing.text.speech.fractions import fraction_words
from briefing.text.speech.text import normalize


@pytest.mark.parametrize("top, bottom, said", [
    (1, 2, "a half"), (1, 3, "a third"), (3, 4, "three quarters"), (1, 8, "an eighth"),
    (1, 5, "one fifth"), (1, 32, "one thirty-second"), (29, 32, "twenty-nine thirty-seconds"),
    (7, 16, "seven sixteenths"), (3, 2, "three halves"),
])
def test_a_fraction_is_said_with_its_bottom_as_an_ordinal(top: int, bottom: int, said: str) -> None:
    assert fraction_words(top, bottom) == said


@pytest.mark.parametrize("text, fragment", [
    ("The 10-year note fell 5/32 to 99 29/32 on Tuesday.",
     "fell five thirty-seconds to ninety-nine and twenty-nine thirty-seconds on"),
    ("Treasury futures were up 3/8 at midday.", "up three eighths at"),
    ("The bond gained 1/32 in late trade.", "gained one thirty-second in"),
    ("Shares were quoted at 10 3/4 before the bell.", "at ten and three quarters before"),
])
def test_a_price_in_fractions_is_said_as_traders_say_it(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("The film lasts 2 1/2 hours.", "lasts two and a half hours"),
    ("She won by 2½ lengths.", "by two and a half lengths"),
    ("It ends a near 1-1/2 year trade war.", "a near one and a half year trade war"),
    ("About 3/4 of voters backed it.", "About three quarters of voters"),
    ("Only 1/5 of homes were checked.", "Only one fifth of homes"),
    ("The path runs for 1/2 mile.", "for half a mile"),
    ("Allow 1/2 hour for the climb.", "Allow half an hour for"),
    ("The storm dropped 3/4 inch of rain.", "dropped three quarters of an inch of rain"),
    ("They walked a 1/2 mile stretch.", "a half mile stretch"),
    ("He ran 1/2-mile laps.", "ran half-mile laps"),
    ("Unemployment fell by 1/2 a point.", "fell by half a point"),
    ("Bring 1/2 the money now.", "Bring half the money"),
    ("Tickets are 1/2 price today.", "are half price today"),
    ("The yield rose 1/2 in March.", "rose a half in March"),
])
def test_an_everyday_fraction_is_said_as_people_say_it(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment, never", [
    ("The offer ends on 11/25, the retailer said.", "11 25", "twenty-fifths"),
    ("The vote on 3/10 was close.", "3 10", "tenths"),
    ("Jadeja finished with figures of 5/32 from ten overs.", "5 32", "thirty-seconds"),
    ("The bowler fell for 4/27 in reply.", "4 27", "twenty-sevenths"),
    ("The 7/7 bombings changed policing.", "7 7", "sevenths"),
    ("The hosts were 120/4 at lunch.", "120 4", "quarters"),
    ("The shop is open 24/7.", "twenty-four seven", "sevenths"),
    ("Memorials marked 9/11 in New York.", "nine eleven", "elevenths"),
    ("Speeds are capped at 30 km/h.", "30 kilometres per hour", "slash"),
    ("Send a letter and/or an email.", "and/or", " per "),
    ("In 2023 1/3 of voters stayed home.", "a third of voters", "and a third"),
])
def test_a_date_a_tally_or_an_anniversary_is_not_a_fraction(text: str, fragment: str, never: str) -> None:
    spoken = normalize(text)
    assert fragment in spoken and never not in spoken
