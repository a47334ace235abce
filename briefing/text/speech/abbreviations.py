"""Written short forms for speech: titles, common abbreviations, roman numerals and acronyms.

Acronyms spelled letter by letter are joined with dots ("B.B.C", "U.S"): espeak reads a spaced
"A" as the article "a", and reads some undotted ones as words ("IMF" as "imf"). Plural and
possessive forms keep the same dots and end in ".'s" ("M.P.'s", "B.A.'s"), so one story never says
"B-A's" beside "B.A": espeak reads "M.Ps" as "M dot P S", and hibari pauses at "B-A's". Acronyms said
as words are listed in vocabulary.WORD_ACRONYMS and written in title case ("Nato").
"""

from __future__ import annotations

import re

from briefing.text.speech.numbers import number_words
from briefing.text.speech.vocabulary import (
    ALWAYS_TITLES,
    CITY_OR_PARTY,
    INNER_ABBREVIATIONS,
    ROMAN_CARDINAL_AFTER,
    SHOUTED_WORDS,
    TITLES,
    US_STATE,
    US_STATES,
    WORD_ACRONYMS,
)


def expand_titles(text: str) -> str:
    """'Mr' → 'Mister' always; 'Dr', 'Gen', 'St'… only where the position makes them a title."""
    titles = "|".join(ALWAYS_TITLES)
    text = re.sub(rf"\b({titles})\b\.?", lambda m: ALWAYS_TITLES[m.group(1)], text)
    name = r"(?=\s(?:[A-Z][a-z]|[A-Z]'|[A-Z]\.|(?:Mister|Missus|Miz)\b))"
    text = re.sub(rf"\b({'|'.join(TITLES)})\b\.?{name}", lambda m: TITLES[m.group(1)], text)
    text = re.sub(rf"\bSt\b\.?{name}", "Saint", text)
    text = re.sub(r"\b([A-Z][a-z]+\s)(St|Dr|Rd|Ave)\b(?:\.(?=\s[a-z]))?", lambda m: m.group(1) + {
        "St": "Street", "Dr": "Drive", "Rd": "Road", "Ave": "Avenue"}[m.group(2)], text)
    return re.sub(r"(?<=[a-z])\s(Jr|Snr|Sr|Jnr)\b\.?", lambda m: " Junior" if "J" in m.group(1) else " Senior", text)


# In order: "&" alone comes after "& Co", "etc" mid-sentence after "etc" at the end.
_ABBREVIATIONS = tuple((re.compile(pattern), spoken) for pattern, spoken in (
    (r"\be\.?g\.(?=[\s,]|$)|\beg\b(?=,?\s)", "for example"),
    (r"\bi\.?e\.(?=[\s,]|$)|\bie\b(?=,?\s)", "that is"),
    (r"\betc\b\.?(?=\s*$)", "et cetera."),
    (r"\betc\b\.?", "et cetera"),
    (r"(?<=\w)\s(?:vs\.?|v\.?)\s(?=[A-Z0-9])|\bvs\b\.?", " versus "),
    (r"\b(?:No|no|Nos)\.?\s?(?=\d)", "Number "),
    (r"\b(?:approx)\b\.?", "approximately"),
    (r"&\s?Co\b\.?", "and Company"),
    (r"\bLtd\b\.?", "Limited"),
    (r"\s?&\s?", " and "),
    (r"(?<=\d)\s?\+", " plus"),
    (r"\s\+\s", " plus "),
    (r"\s?@\s?", " at "),
    (r"\s=\s", " equals "),
))


def expand_abbreviations(text: str) -> str:
    for pattern, spoken in _ABBREVIATIONS:
        text = pattern.sub(spoken, text)
    return text




_PARTIES = {"D": "Democrat", "R": "Republican", "I": "Independent"}
_STATE_NAME = "|".join(sorted(set(US_STATES.values()), key=len, reverse=True))


def expand_states(text: str) -> str:
    """'Albany, N.Y.' → 'Albany, New York', 'Rep. Jo Ruiz (D-Minn.)' → '... Democrat of Minnesota': a state
    after a city or a party letter is said in full, and its full stop, which a voice would take as the end
    of the sentence, goes with it (unless it ends the sentence). A party letter is said as the party."""
    text = re.sub(rf"({CITY_OR_PARTY})({US_STATE})(?=[\s,;:)]|$)",
                  lambda m: m.group(1) + US_STATES[m.group(2)] + ("." if m.end() == len(text) else ""), text)
    return re.sub(rf"\b([DRI])-(?=(?:{_STATE_NAME})\b)", lambda m: f"{_PARTIES[m.group(1)]} of ", text)


def drop_inner_full_stops(text: str) -> str:
    """The sentence splitter has already found where this sentence ends, so a full stop inside it
    after an abbreviation ('L.A.P.D. Chief', 'Inc. last year') is not an end: the voice would pause
    and fall there. Dotted acronyms, a middle initial ('James T. Kirk') and a known abbreviation
    ('Cmdr. Sean Ross') lose their last dot; so does a short capitalised word before a lower-case one."""
    text = re.sub(r"\b((?:[A-Z]\.){1,5}[A-Z])\.(?=\s+[\w\"'“‘(])", r"\1", text)
    text = re.sub(rf"\b([A-Z]|{INNER_ABBREVIATIONS})\.(?=\s+[A-Z])", r"\1", text)
    return re.sub(r"\b([A-Z][a-z]{1,4})\.(?=\s+[a-z])", r"\1", text)


# --- roman numerals -------------------------------------------------------------------------------


def _roman_value(numeral: str) -> int:
    values = [{"I": 1, "V": 5, "X": 10}[letter] for letter in numeral]
    return sum(-value if value < following else value for value, following in zip(values, values[1:] + [0]))


def _roman(match: re.Match) -> str:
    previous, numeral = match.group(1), match.group(2)
    value = _roman_value(numeral)
    if previous in ROMAN_CARDINAL_AFTER or numeral in {"XI", "XV"}:  # a war, a volume, a team of eleven
        return f"{previous} {number_words(value)}"
    return f"{previous} the {number_words(value, to='ordinal').capitalize()}"


def expand_roman_numerals(text: str) -> str:
    """'Richard III' → 'Richard the Third', 'World War II' → 'World War two'."""
    return re.sub(r"\b([A-Z][a-z]+) ((?=[IVX]{2,}\b)X{0,3}(?:IX|IV|V?I{0,3}))\b(?!['’]?s\b)", _roman, text)


# --- acronyms -------------------------------------------------------------------------------------


def _spell(letters: str, suffix: str) -> str:
    if suffix:
        return ".".join(letters) + ".'s"
    return ".".join(letters)


def _acronym(match: re.Match) -> str:
    letters, suffix = match.group(1), match.group(2) or ""
    if letters in WORD_ACRONYMS:
        return WORD_ACRONYMS[letters] + suffix
    if letters in SHOUTED_WORDS:
        return letters.lower() + suffix
    if len(letters) >= 5 and re.search(r"[AEIOUY]", letters[1:-1]):
        return letters.capitalize() + suffix
    return _spell(letters, suffix)


def spell_acronyms(text: str) -> str:
    """'BBC' → 'B.B.C', 'MPs' → 'M.P.'s', 'NATO' → 'Nato', 'WATCH' → 'Watch'."""
    text = re.sub(r"(?<![\d,.])\b(\d[\d,.]*+)([A-Za-z]++)\b", r"\1 \2", text)  # '5G' → '5 G', '3GSM' → '3 GSM'
    return re.sub(r"(?<![\w.'’])([A-Z]{2,})((?:'|’)s|s['’]?)?(?![\w]|[.'’]\w)", _acronym, text)
