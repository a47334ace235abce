"""Scores written with a hyphen or an en dash are said as scores, wherever the sentence shows a
result; ranges, ages, working hours, model numbers and phone numbers are not. Invented sentences."""

from __future__ import annotations

import pytest

from briefing.text.speech.text import normalize


@pytest.mark.parametrize("text, fragment", [
    ("The visitors were 15-6 down at half-time.", "were 15 to 6 down at"),
    ("Leinster were 19-7 up at the interval.", "were 19 to 7 up at"),
    ("Millwall were 0-1 down at the break.", "were nil 1 down at"),
    ("Rovers came from 0-2 down to draw.", "from nil 2 down to"),
    ("Town led 3-1 at the break.", "led 3 1 at"),
    ("It ended in a 2-2 draw.", "a 2 all draw"),
    ("United lost 0-3 at home.", "lost nil 3 at"),
    ("The Bulls were trailing 98\u2013101 late on.", "trailing 98 to 101 late"),
    ("They won 10-0 in the end.", "won 10 nil in"),
    ("Chelsea 2-3 Arsenal was the result of the day.", "Chelsea 2 3 Arsenal"),
    ("It finished 1-2 after extra time.", "finished 1 2 after"),
    ("The hosts overturned a 3-10 deficit.", "a 3 to 10 deficit"),
    ("Westbury beat Eastleigh 4\u20132 in the replay.", "Eastleigh 4 2 in"),
])
def test_a_score_is_said_as_a_score(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("She left a 9-5 job in banking.", "a 9 to 5 job"),
    ("Rents rose 5-10 per cent.", "5 to 10 per cent"),
    ("They signed a 10-year lease.", "a 10-year lease"),
    ("Children aged 4-7 can join.", "aged 4 to 7 can"),
    ("The festival runs on 12-14 May.", "the twelfth to the fourteenth of May"),
    ("Qantas flies the Boeing 787-9 to Perth.", "seven eighty-seven nine"),
    ("Call 0300-123-4567 for details.", "oh three oh oh, one two three"),
    ("Cars accelerate from 0-60 in six seconds.", "0 to 60"),
])
def test_a_range_or_a_name_is_not_a_score(text: str, fragment: str) -> None:
    assert fragment in normalize(text)
