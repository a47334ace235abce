"""Cricket's figures for speech: "took 4-27" → "took 4 for 27", "England were 31-2" → "31 for 2".

A bowler's figures (wickets, then runs) and a side's total (runs, then wickets) are both written with a
hyphen and both said "for". They are told from a score or a range by the sentence: it must be about
cricket (wickets, overs, an innings, a bowler...), and one side of the pair must be a possible count
of wickets (ten or fewer). A series score stays a score ("to go 1-0 up in the series" → "1 nil up",
"lead the series 2-1", speech/numbers.py), and so do years and longer runs of numbers. A sentence that
names nothing of cricket ("Australia slumped to 45-5") is not known to be about it.
"""

from __future__ import annotations

import re

_CRICKET = re.compile(
    r"\d-over\b|\b(?:wickets?|overs|innings|bowl(?:ed|ing|er|ers|s)?|bowled out|batt(?:ing|er|ers|ed)|batsm[ae]n|"
    r"spinner|seamer|paceman|pacemen|powerplay|all out|declared|stumps|crease|Test|ODI|T20|run chase|"
    r"leg-spinner|off-spinner|century|half-century|not out|lbw)\b")
_FIGURES = re.compile(r"(?<![\w.,/-])(\d{1,3})-(\d{1,3})(?![\w/-]|\.\d)")
_SERIES_BEFORE = re.compile(r"\bseries (?:\w+ )?$")  # "lead the series 2-1"
_SERIES_SCORE_AFTER = re.compile(r"\s(?:up|down|lead|win|victory|defeat|series|in the series|scoreline)\b")


def expand_cricket_figures(text: str) -> str:
    if not _CRICKET.search(text):
        return text

    def said(match: re.Match[str]) -> str:
        first, second = int(match.group(1)), int(match.group(2))
        if min(first, second) > 10 or _SERIES_SCORE_AFTER.match(text, match.end()) or _SERIES_BEFORE.search(
                text, max(0, match.start() - 30), match.start()):
            return match.group(0)
        return f"{match.group(1)} for {match.group(2)}"

    return _FIGURES.sub(said, text)
