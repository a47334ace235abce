"""A team's record (wins and losses, after its name, in brackets or after "improved to") is said
"six and five"; a score beside it stays a score, and a result or a side standing in a game is not a
record. Invented sentences."""

from __future__ import annotations

import pytest

from briefing.text.speech.text import normalize


@pytest.mark.parametrize("text, fragment", [
    ("Iowa (7-3, 4-3 Big Ten) hosts Purdue on Saturday.", "Iowa, 7 and 3, 4 and 3 Big Ten, hosts"),
    ("Army (3-6) has lost four in a row.", "Army, 3 and 6, has"),
    ("The Flyers (22-14-6) visit Boston.", "22, 14 and 6"),
    ("The Nets improved to 15-9 with the win.", "improved to 15 and 9 with"),
    ("The Colts dropped to 4-6 after the loss.", "dropped to 4 and 6 after"),
    ("Clemson, now 10-0, plays on Saturday.", "now 10 and oh,"),
    ("The 9-2 Ducks lead the conference.", "The 9 and 2 Ducks"),
])
def test_a_record_is_said_as_wins_and_losses(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("Iowa (7-3) beat Purdue 31-20 on Saturday.", "31 to 20"),
    ("City (2-1 on aggregate) went through.", "2 1 on aggregate"),
    ("Town fell to 2-0 down at the break.", "2 nil down"),
    ("It was a 2-1 Chelsea win.", "a 2 1 Chelsea win"),
    ("Unemployment fell to 3-4 per cent.", "3 to 4 per cent"),
])
def test_a_score_a_result_or_a_range_is_not_a_record(text: str, fragment: str) -> None:
    assert fragment in normalize(text)
