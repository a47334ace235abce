"""Cricket's figures are said "for"; scores, series scores and ranges beside them are not."""

from __future__ import annotations

import pytest

from briefing.text.speech.text import normalize


@pytest.mark.parametrize("written, said", [
    ("Leg-spinner Aroha Tuhiwai took 4-27 as New Zealand won by seven wickets.", "took 4 for 27"),
    ("England were 31-2 after the 10-over powerplay.", "were 31 for 2"),
    ("The hosts declared on 412-7 on the second day of the Test.", "declared on 412 for 7"),
])
def test_figures_and_totals_are_said_for(written, said):
    assert said in normalize(written)


@pytest.mark.parametrize("written, kept", [
    ("New Zealand went 1-0 up in the series after the win by seven wickets.", "1 nil up"),
    ("Pakistan lead the five-match Test series 2-1 after the win.", "series 2"),
    ("Arsenal won 3-1 in front of 60,000.", "won 3"),
    ("He took 12 wickets in the 2019-20 season.", "twenty nineteen to twenty twenty"),
])
def test_scores_and_years_beside_cricket_stay_as_they_are(written, kept):
    spoken = normalize(written)
    assert kept in spoken and " for " not in spoken.replace("won by", "")


def test_over_as_a_preposition_is_not_cricket():
    assert "6 for 1" not in normalize("She reached the final with an easy 6-1 6-2 win over the seventh seed.")
