"""Numbers for speech: ranges and scores, ordinals, and the spoken-number helpers.

Numbers stay as digits wherever espeak already reads them well ("3,000", "1.2"); words are used
only where digits would be read wrongly. number_words, ordinal_words and next_word are shared with
the other speech_* rule modules. num2words is imported lazily, on first use.
"""

from __future__ import annotations

import re

from briefing.text.speech.vocabulary import NUM, YEAR

# --- helpers shared by the speech_* rules -------------------------------------------------------


def number_words(number: int, to: str = "cardinal") -> str:
    from num2words import num2words  # ~40 ms: loaded only when first needed

    return num2words(number, lang="en", to=to)


def ordinal_words(number: str) -> str:
    return number_words(int(number.replace(",", "")), to="ordinal")


_NEXT_WORD = re.compile(r"\s*+([\w'’-]++)")


def next_word(text: str, end: int) -> str:
    match = _NEXT_WORD.match(text, end)
    return match.group(1) if match else ""


def _value(number: str) -> float:
    return float(number.replace(",", ""))


# --- rules ----------------------------------------------------------------------------------------


def _is_score_context(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 25):start], text[end:end + 25]
    verbs = (r"\b(?:won|lost|drew|beat|beaten|defeated|thrashed|trail(?:ed|ing)?|le[ad]d?|leading|draw|score|"
             r"finished|ended)\s(?:\w+\s)?$")
    nouns = r"^\s(?:\w+\s)?(?:win|victory|defeat|loss|draw|lead|scoreline|thrashing|home|away|reverse|success|deficit)\b"
    # where a side stands: '0-2 down', '19-7 up at the interval', '1-1 at half-time'
    standing = r"^\s(?:down|up|ahead|behind|on\saggregate|at\s(?:half[- ]?time|full[- ]?time|the\s(?:break|interval)))\b"
    teams = r"[A-Z][a-z]+\s$", r"^\s[A-Z][a-z]"  # 'Chelsea 2-3 Arsenal'
    sets = r"(?:^|\s|\()\d{1,2}-\d{1,2}(?:\s|\)|,|$)"
    return bool(re.search(verbs, before) or re.search(nouns, after) or re.search(standing, after)
                or (re.search(teams[0], before) and re.search(teams[1], after))
                or re.search(sets, before[-7:]) or re.search(sets, after[:7]))


def expand_ranges(text: str) -> str:
    """'2019-20' → '2019 to 2020', '10-15 people' → '10 to 15 people', 'won 1-0' → 'won 1 nil'."""

    def years(match: re.Match) -> str:
        first, second = match.group(1), match.group(2)
        if len(second) == 2:
            second = first[:2] + second
        return f"{first} to {second}" if int(second) > int(first) else match.group(0)

    text = re.sub(rf"\b({YEAR})\s?[-–/]\s?(\d\d|{YEAR})\b(?![-/]\d)", years, text)

    def span(match: re.Match) -> str:
        first, second = match.group(1), match.group(2)
        small = re.fullmatch(r"\d{1,2}", first) and re.fullmatch(r"\d{1,2}", second)
        if small and re.match(r"\s(?:jobs?|shifts?|working|workday|routine)\b", text[match.end():]):
            return f"{first} to {second}"  # working hours: 'a 9-5 job' goes round the clock, not a score
        if small and (int(first) >= int(second) or _is_score_context(text, match.start(), match.end())):
            return _score(int(first), int(second))  # ranges go up; '15-6' and 'won 1-2' are scores
        if re.fullmatch(r"\d{1,3}", first) and re.fullmatch(r"\d{1,3}", second) and _is_score_context(
                text, match.start(), match.end()):
            return _score(int(first), int(second))  # 'won 112-104' 
        if re.search(r"\d\s$", text[:match.start()]) or (
                _value(first) >= 100 and _value(second) >= 100 and int(_value(first)) % 5):
            return f"{first} {second}"  # ranges are round numbers: '737-800' is a model number
        return f"{first} to {second}"

    # 'between 15-18 per cent', and a range an earlier rule said: 'between 30 to 40 centimetres'
    text = re.sub(rf"\b([Bb]etween {NUM}(?: [a-z]+)?)(?:\s?[-–]\s?| to )(?={NUM})", r"\1 and ", text)
    text = re.sub(r"(\b\d{1,2}-\d{1,2}\)?)\s(?=\(?\d{1,2}-\d{1,2}\b)", r"\1, ", text)  # sets: '6-4 6-2'
    # not '1-1/2', a mixed number written the American way (speech/fractions.py)
    return re.sub(rf"(?<![\w.,-])({NUM})\s?[-–]\s?({NUM})\b(?![-./]\d)", span, text)


def _score(first: int, second: int) -> str:
    """'3 1', '1 nil', '2 all'; with a two-digit side '21 to 17' and '15 to 6': bare, '21 17' would be
    heard as a year and '15 6' as one number. A side of nothing is 'nil' ('10 nil')."""
    if first == second:
        return "nil all" if first == 0 else f"{first} all"
    if max(first, second) >= 10 and min(first, second) > 0:
        return f"{first} to {second}"
    return " ".join("nil" if side == 0 else str(side) for side in (first, second))


def expand_ordinals(text: str) -> str:
    def ordinal(match: re.Match) -> str:
        number, suffix = match.group(1), match.group(2).lower()
        last_two = int(number.replace(",", "")) % 100
        expected = "th" if 11 <= last_two <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(last_two % 10, "th")
        return ordinal_words(number) if suffix == expected else match.group(0)

    return re.sub(r"\b(\d{1,3}(?:,\d{3})*)(st|nd|rd|th)\b", ordinal, text, flags=re.IGNORECASE)
