"""Normalisation for speech: turn a cleaned news sentence into text a TTS engine reads like a newsreader.

Owns: the rewriting of what espeak-ng / pyttsx3 would misread —
money, units, percentages, dates, times, years, ranges, scores, ordinals, titles, common
abbreviations, acronyms, brackets and stray symbols. Numbers stay as digits wherever espeak already
reads them well ("3,000", "1.2"); words are used only where digits would be read wrongly.

Does not own: removing boilerplate or HTML (clean.py), choosing sentences (select.py), pauses
between paragraphs (script.py) or anything engine-specific beyond plain text.

This module is the entry point (normalize, display_text) and holds the order of the rules, plus
the character, bracket and punctuation tidying around them. The rules themselves, each with the
decisions worth knowing in its module docstring (each decision pinned by a test):
- speech/vocabulary.py     the word tables: acronyms said as words, titles, months, currencies, units
- speech/numbers.py        ranges and scores, ordinals; the spoken-number helpers
- speech/cricket.py         a bowler's figures and a side's total: "took 4-27" said "four for twenty-seven"
- speech/records.py         team records: "(6-5, 3-4 Big Ten)" said "six and five, three and four"
- speech/fractions.py      fractions and bond prices: "2 1/2 hours", "fell 5/32"; other slashes between digits
- speech/dates.py          times, dates, years and decades
- speech/amounts.py        money, million-or-metres, units, percentages, bracketed conversions
- speech/abbreviations.py  titles, abbreviations, roman numerals, acronyms
- speech/shouting.py       slogans and headlines in capitals said in ordinary case, acronyms kept
- speech/addresses.py      web addresses: "example dot com", no scheme or "www"
- speech/identifiers.py    numbers that name: model, flight, phone, emergency and version numbers
"""

from __future__ import annotations

import re

from briefing.text.speech.abbreviations import (
    drop_inner_full_stops,
    expand_abbreviations,
    expand_roman_numerals,
    expand_titles,
    expand_states,
    spell_acronyms,
)
from briefing.text.speech.addresses import expand_web_addresses
from briefing.text.speech.amounts import (
    drop_bracketed_conversions,
    expand_money,
    expand_multipliers,
    expand_percent,
    expand_per_units,
    expand_relays,
    expand_units,
)
from briefing.text.speech.cricket import expand_cricket_figures
from briefing.text.speech.dates import expand_dates, expand_race_times, expand_times, expand_years
from briefing.text.speech.identifiers import expand_identifiers
from briefing.text.speech.fractions import expand_fractions
from briefing.text.speech.numbers import expand_ordinals, expand_ranges
from briefing.text.speech.records import expand_records
from briefing.text.speech.shouting import said_in_ordinary_case

# --- tidying, before and after the other rules -------------------------------------------------


# Every pattern here runs on whatever an article holds, so none may backtrack over a long run: a run of
# spaces is entered only at its start ((?<!\s)) and taken whole (possessive), and a tag never spans
# another tag's "<", so a flood of "<" or of spaces costs one pass, not one pass per character.
TAG = re.compile(r"<[^<>]*>")
DASH_AS_PAUSE = re.compile(r"(?<!\s)\s*+[\u2014\u2013\u2012]\s*+|(?<!\s)\s++-++\s++|(?<=\w)\s++-++(?=[a-zA-Z])")

_PLAIN_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
    "\u201e": '"', "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2026": "...",
    "\u00bd": " 1/2", "\u00bc": " 1/4", "\u00be": " 3/4",
})


def _tidy_characters(text: str) -> str:
    text = TAG.sub(" ", text)
    text = text.translate(_PLAIN_TYPOGRAPHY)
    text = re.sub(r"(?<=\d)\s?[\u2013\u2012]\s?(?=[\d£$€])", "-", text)  # en dash in a range
    text = DASH_AS_PAUSE.sub(", ", text)
    text = re.sub(r"#(?=\d)", "number ", text)
    text = re.sub(r"~(?=\s?\d)", "about ", text)
    text = re.sub(r"\bc\.\s?(?=\d)", "circa ", text)  # before the numbers are read, or 'c.' is lost
    text = re.sub(r"[*#|\[\]<>_{}^~\\•]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _brackets_to_asides(text: str) -> str:
    """'(1,158 square miles)' becomes ', 1,158 square miles,' — commas give espeak a short pause. A
    capitalised word in brackets inside a name is part of it: 'the Clean Air (Schools) Bill' is said
    without a pause."""
    text = re.sub(r"(\b[A-Z][a-z]+) \(([A-Z][a-z]+)\) (?=(?:[A-Z][a-z]+ ){0,3}(?:Bill|Act|Fund|Trust|Council|Committee|Agency|Commission|Authority|Board|Regulations|Order)\b)",
                  r"\1 \2 ", text)
    text = re.sub(r'(?:(?<=^")|(?<=\s"))\(\s*+|(?<!\s)\s*+\)(?="(?:\s|$|[.,;:!?]))', "", text)  # '"(laughs)"'
    text = re.sub(r"(?<!\s)\s*+\(\s*+", ", ", text)
    return re.sub(r"(?<!\s)\s*+\)\s*+", ", ", text)


def _tidy_punctuation(text: str) -> str:
    text = re.sub(r"[$£€%]", lambda m: {"$": " dollars", "£": " pounds", "€": " euros", "%": " per cent"}[m.group(0)], text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"(?<!\s)\s++([,.;:!?])", r"\1", text)
    text = re.sub(r",(?:\s*+,)+", ",", text)
    text = re.sub(r",\s*+(?=[.;:!?]|$)", "", text)
    text = re.sub(r"([.!?;:]['\"]?)\s*,", r"\1", text)
    text = re.sub(r"(?<![.])\.\.(?!\.)", ".", text)
    return re.sub(r"^[\s,;:]+", "", text).strip()


# --- rules, in the order normalize() applies them -----------------------------------------------

_RULES = (
    expand_web_addresses, expand_identifiers, expand_race_times, expand_times, expand_dates, expand_ordinals, expand_money, expand_relays, expand_multipliers,
    expand_per_units, expand_units, expand_percent,
    expand_records, expand_cricket_figures, expand_ranges, expand_years, expand_fractions, expand_titles,
    expand_states, expand_abbreviations, expand_roman_numerals, spell_acronyms, drop_inner_full_stops, _brackets_to_asides,
    _tidy_punctuation,
)


# --- public API -----------------------------------------------------------------------------


def display_text(text: str) -> str:
    """A sentence as people read it: the article's own wording, with stray markup and spacing tidied.

    Transcripts, chapters and pages show this beside what ``normalize`` gives the engine, so they
    read "the BBC" and "Ms Lomax" while the voice says "the B.B.C" and "Miz Lomax".
    """
    text = TAG.sub(" ", text)
    text = re.sub(r"``|''", '"', text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<!\s)\s++(?=[,.;:!?](?:\s|$))", "", text)
    return re.sub(r'^(["“‘])\s++|(?<!\s)\s++(["”’])$', lambda m: m.group(1) or m.group(2), text)


def normalize(text: str, *, drop_conversions: bool = False, acronyms: frozenset[str] = frozenset()) -> str:
    """Rewrite one sentence or paragraph so a TTS engine reads it like a newsreader.

    With drop_conversions, a bracketed unit or currency conversion after a measurement
    ('3,000 sq km (1,158 sq miles)') is left out instead of being read as an aside. ``acronyms`` are
    the article's own ('the KLA said'), kept as acronyms inside shouted text ('KLA SAYS NO').
    """
    text = said_in_ordinary_case(_tidy_characters(text), acronyms)
    if drop_conversions:
        text = drop_bracketed_conversions(text)
    for rule in _RULES:
        text = rule(text)
    return text
