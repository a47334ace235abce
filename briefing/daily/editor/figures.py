"""The figures of a sentence and what each counts, so a telling can see two sources disagree.

"At least 12 people died" and "14 people were killed" give two values for one quantity; "85 people
work there" and "300 people were evacuated" give two quantities. A figure's quantity is what it
counts: the first meaningful words after it (a word describing it may come first: "40 planned
operations"; the word before it when none follows), a word for people
("people", "residents") giving way to what happened to them, and the words news uses for deaths and
injuries taken as one. Money and percentages are their own kinds, and what they measure is as often
said before them ("saving £600,000", "save the council £540,000"): the two words before count too. Two figures
disagree when they are of one kind and measure the same thing, differ, and are near enough (within
``DISAGREEING_RATIO``) to be two estimates of it rather than two different counts that happen to
share a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.daily.editor.stories import NOT_NAMES, FEATURE_TOKEN, figure_key
from briefing.text.similarity import STOPWORDS, stem

DISAGREEING_RATIO = 1.5  # the larger value at most this many times the smaller: two estimates of one thing
CONTEXT_WORDS = 4  # words after a figure (or before it) that may say what it counts

_PEOPLE = frozenset("people person persons residents passengers adults children men women workers staff".split())
_SAME_THING = {  # news's words for one outcome, each to one name
    **{word: "dead" for word in "dead died die dies deaths death killed kill fatalities fatally lives".split()},
    **{word: "injured" for word in "injured injuries injury hurt wounded".split()},
}
_OUTCOMES = frozenset(_SAME_THING.values())
_VAGUE = frozenset("least almost nearly around roughly estimated some more than over under about up".split())
# Durations count time, not a thing: "waited 14 hours" and "waits of 12 hours" are seldom one fact.
_TIME = frozenset("seconds minutes hours days weeks months".split())
_CLAUSE_BREAK = re.compile(r"[.,;:!?()]")  # what a figure counts is said in its own clause
_CONJUNCTIONS = frozenset("and but or while whereas".split())


@dataclass(frozen=True)
class Figure:
    """One figure of a sentence: its kind ("£", "%", "" for a count), what it counts ("dead",
    "firefight"; for money and percentages also the two words before it) and its value."""

    kind: str
    counts: frozenset[str]
    value: float


def figures(text: str) -> list[Figure]:
    """The figures of ``text`` whose quantity can be told; years, small counts and pairs are left out."""
    tokens = list(FEATURE_TOKEN.finditer(text))
    found = []
    for index, match in enumerate(tokens):
        token = match.group(0)
        if not (token[0].isdigit() or token[0] in "£$€"):
            continue
        value = figure_key(token)
        if value is None or _is_year(token):
            continue
        after, before = _context(text, tokens, index)
        counted = _counted(after, before)
        if not counted:
            continue
        kind = token[0] if token[0] in "£$€" else "%" if _is_percent(token, text[match.end():]) else ""
        found.append(Figure(kind, frozenset(counted | set(before[:2]) if kind else counted), float(value)))
    # Two values of one quantity in one sentence are a pair (a vote, a score, a rise from one to the
    # other), not a figure another source could state otherwise.
    return [figure for figure in found if not any(other.value != figure.value and _same_quantity(figure, other)
                                                  for other in found)]


def disagree(first: Figure, second: Figure) -> bool:
    """Two values for one quantity, near enough to be two sources' figures for the same thing."""
    if not _same_quantity(first, second) or first.value == second.value:
        return False
    low, high = sorted((abs(first.value), abs(second.value)))
    return low > 0 and high <= DISAGREEING_RATIO * low


def _same_quantity(first: Figure, second: Figure) -> bool:
    return first.kind == second.kind and bool(first.counts & second.counts)


def _context(text: str, tokens: list[re.Match[str]], index: int) -> tuple[list[str], list[str]]:
    """The meaningful words of the figure's clause after it and before it, nearest first."""
    after = _meaningful(text, tokens, range(index + 1, min(len(tokens), index + 1 + CONTEXT_WORDS)), forward=True)
    before = _meaningful(text, tokens, range(index - 1, max(-1, index - 1 - CONTEXT_WORDS), -1), forward=False)
    return after, before


def _counted(after: list[str], before: list[str]) -> set[str]:
    outcome = next((word for word in after + before if word in _OUTCOMES), None)
    if outcome:  # "14 dead", "the death toll rose to 14"
        return {outcome}
    if after:  # "40 planned operations": the thing counted may follow a word that describes it
        return {after[1]} if after[0] in _PEOPLE and len(after) > 1 else set(after[:2])
    return set(before[:1])


def _meaningful(text: str, tokens: list[re.Match[str]], indices: range, forward: bool) -> list[str]:
    """The meaningful words at ``indices`` (in that order), up to a figure or the clause's end."""
    words = []
    previous = tokens[indices.start - 1 if forward else indices.start + 1]
    for index in indices:
        token = tokens[index]
        between = text[previous.end():token.start()] if forward else text[token.end():previous.start()]
        lower = token.group(0).lower().strip("'’-")
        if _CLAUSE_BREAK.search(between) or lower in _CONJUNCTIONS or not lower[:1].isalpha():
            break
        previous = token
        if lower in STOPWORDS or lower in _VAGUE or lower in NOT_NAMES or lower in _TIME or len(lower) < 3:
            continue
        words.append(_SAME_THING.get(lower) or (lower if lower in _PEOPLE else _root(lower)))
    return words


def _root(word: str) -> str:
    """'saving', 'save' and 'saved' alike."""
    stemmed = stem(word)
    return stemmed[:-1] if stemmed.endswith("e") and len(stemmed) > 3 else stemmed


def _is_year(token: str) -> bool:
    return token.isdigit() and len(token) == 4 and 1800 <= int(token) <= 2100


def _is_percent(token: str, rest: str) -> bool:
    return token.endswith(("per cent", "pc")) or rest.startswith("%")
