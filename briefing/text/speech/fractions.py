"""Fractions for speech: "3/4 of" → "three quarters of", "2 1/2 hours" → "two and a half hours",
"fell 5/32 to 99 29/32" → "fell five thirty-seconds to ninety-nine and twenty-nine thirty-seconds".

Two numbers around a slash are a fraction only where the shape or the place says so, because the
same shape is a date ("11/25"), bowling figures ("took 5/32"), an anniversary ("7/7") or a tally
("120/4"). A fraction is proper (the top below the bottom), its bottom one people say (halves to
twelfths, sixteenths, thirty-seconds, sixty-fourths, hundredths), and it is one of:
- after a whole number: a mixed number, "2 1/2", "99 29/32", "1-1/2";
- halves, thirds and quarters anywhere ("1/3", "3/4");
- before "of" or a unit of measure ("1/5 of", "5/8 inch");
- in a price move, the way bonds are quoted: a halving denominator (eighths to sixty-fourths) just
  after a word of movement ("fell 5/32", "up 3/8"), in a sentence that is not about cricket.
Anything else keeps its digits; the slash becomes a short gap (espeak would say "slash").

Said as people say it: "a half", "a third", "a quarter", "an eighth", but "one fifth", "one
thirty-second"; "three quarters", "five thirty-seconds". Before a singular measure it takes "of a":
"half a mile", "half an hour", "three quarters of an inch"; after a determiner it describes the
noun: "a half mile stretch", "a three quarter inch gap". "half the money", "half price": a half before a noun is just "half".
"""

from __future__ import annotations

import re

from briefing.text.speech.numbers import next_word, number_words
from briefing.text.speech.vocabulary import FRACTION_MEASURES, FUNCTION_WORDS

SAID_BOTTOMS = frozenset({*range(2, 13), 16, 32, 64, 100})
PRICE_BOTTOMS = frozenset({8, 16, 32, 64})  # halvings: how bonds and old share prices are quoted
_MOVE = (r"\b(?:rose|rises?|fell|falls?|gained|gains?|lost|loses|added|adds|shed|sheds|slipped|slips|slid|dropped|drops|"
         r"climbed|climbs|jumped|eased|eases|edged(?:\s(?:up|down|higher|lower))?|firmed|rallied|declined|tumbled|"
         r"sank|up|down|higher|lower|by)\s(?:(?:a|just|another|nearly|almost|about|more\sthan)\s)?$")
_CRICKET = re.compile(r"\b(?:wickets?|overs?|innings|bowl\w*|figures|spells?|took|takes)\b", re.IGNORECASE)
_DETERMINER = re.compile(r"\b(?i:a|an|the|this|that|each|every|per)\s$")
_HALF_BEFORE = frozenset("the a an his her its their our my your this that these those".split())
_FRACTION = re.compile(r"(?<![\d/.,-])(?:(?P<whole>\d{1,3})[\s-])?(?P<top>\d{1,2})/(?P<bottom>\d{1,3})(?![\d/]|[.,]\d)")
_MEASURE = re.compile(rf"(?:\s|-)(?P<measure>{FRACTION_MEASURES})\b(?!['’]?s\b)")


def _bottom_words(bottom: int, plural: bool) -> str:
    word = {2: "half", 4: "quarter"}.get(bottom) or number_words(bottom, to="ordinal")
    if not plural:
        return word
    return "halves" if bottom == 2 else word + "s"


def fraction_words(top: int, bottom: int) -> str:
    """'a half', 'an eighth', 'one fifth', 'three quarters', 'twenty-nine thirty-seconds'."""
    if top > 1:
        return f"{number_words(top)} {_bottom_words(bottom, plural=True)}"
    if bottom in (2, 3, 4):
        return f"a {_bottom_words(bottom, plural=False)}"
    return "an eighth" if bottom == 8 else f"one {_bottom_words(bottom, plural=False)}"


def _is_fraction(match: re.Match) -> bool:
    top, bottom = int(match.group("top")), int(match.group("bottom"))
    if not 1 <= top < bottom or bottom not in SAID_BOTTOMS:
        return False
    if match.group("whole") or bottom in (2, 3, 4):
        return True
    text, end = match.string, match.end()
    if re.match(r"\sof\b", text[end:]) or _MEASURE.match(text, end):
        return bottom <= 12 or bottom in PRICE_BOTTOMS
    return (bottom in PRICE_BOTTOMS and re.search(_MOVE, text[max(0, match.start() - 40):match.start()]) is not None
            and not _CRICKET.search(text))


def _an(word: str) -> str:
    return "an" if word[:1] in "aeiou" or word.startswith("hour") else "a"


def _said(match: re.Match) -> str:
    top, bottom, whole = int(match.group("top")), int(match.group("bottom")), match.group("whole")
    text, start, end = match.string, match.start(), match.end()
    if whole:
        return f"{number_words(int(whole))} and {fraction_words(top, bottom)}"
    measure = _MEASURE.match(text, end)
    if _DETERMINER.search(text[max(0, start - 6):start]) or (measure and measure.group(0)[0] == "-"):
        # 'a 1/2 mile walk', '3/4-inch pipes': it describes the noun
        return _bottom_words(bottom, plural=False) if top == 1 else f"{number_words(top)} {_bottom_words(bottom, plural=False)}"
    following = next_word(text, end)
    if measure:  # 'half a mile', 'three quarters of an inch'; the measure is said after it, unchanged
        spoken = "half" if (top, bottom) == (1, 2) else f"{fraction_words(top, bottom)} of"
        return f"{spoken} {_an(measure.group('measure'))}"
    if (top, bottom) == (1, 2) and (following in _HALF_BEFORE or following == "of" or (
            re.match(r"\s[a-z]", text[end:]) and following not in FUNCTION_WORDS and not following.endswith(("ly", "ed")))):
        return "half"  # 'half the money', 'half of them', 'half price'
    return fraction_words(top, bottom)


def expand_fractions(text: str) -> str:
    """Fractions said as fractions (see the module docstring); other slashes between digits a gap."""
    text = re.sub(r"\b24/7\b", "twenty-four seven", text)
    text = _FRACTION.sub(lambda match: _said(match) if _is_fraction(match) else match.group(0), text)
    text = re.sub(r"(?<=\d)/(?=\d)", " ", text)  # a tie-break '(3/7)' or a title '06/05'; espeak says 'slash'
    return re.sub(r"\b(\d+)x(\d+)\b", r"\1 by \2", text)
