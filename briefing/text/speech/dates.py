"""Times, dates and years for speech.

- Times in sport: "2:17:45" → "two hours, seventeen minutes and forty-five seconds".
- Times: "9.30pm" → "nine thirty p.m."; 24-hour times are read the British broadcast way:
  "14:30" → "fourteen thirty", "1400 GMT" → "fourteen hundred G.M.T", "00:20" → "twenty past midnight".
- Dates are said in the writer's order, as the writer's readers say them: "14 March" → "the fourteenth
  of March" (British), "March 14" → "March fourteenth" (American); slashed dates are in UK order
  ("1/5/2024" is the first of May).
- A bare four-digit number from 1100 to 2099 is a year unless a unit, money or a plural noun
  follows it ("2019 people" stays a number). News style writes counts of thousands with commas.
"""

from __future__ import annotations

import re

from briefing.text.speech.numbers import next_word, number_words, ordinal_words
from briefing.text.speech.vocabulary import CURRENCY_WORDS, DAY, MONTH, MONTHS, UNITS, YEAR


def _year_words(year: str) -> str:
    return number_words(int(year), to="year")


def _plural_words(words: str) -> str:
    """'thirty' → 'thirties', 'six' → 'sixes', 'nineteen ninety' → 'nineteen nineties'."""
    if words.endswith("y"):
        return words[:-1] + "ies"
    if words.endswith("x"):
        return words + "es"
    return words + "s"


# --- times ----------------------------------------------------------------------------------------


def _clock_words(hours: int, minutes: int) -> str:
    if minutes == 0:
        return number_words(hours)
    if minutes < 10:
        return f"{number_words(hours)} oh {number_words(minutes)}"
    return f"{number_words(hours)} {number_words(minutes)}"


def _twelve_hour(match: re.Match) -> str:
    hours, minutes, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)[0].lower()
    return f"{_clock_words(hours, minutes)} {meridiem}.m."


def _twenty_four_hour(match: re.Match) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    suffix = f" {match.group(3)}" if match.lastindex and match.lastindex >= 3 and match.group(3) else ""
    if hours in (0, 24):
        spoken = "midnight" if minutes == 0 else f"{number_words(minutes)} past midnight"
    elif hours == 12 and minutes == 0:
        spoken = "midday"
    elif minutes == 0:
        spoken = f"{number_words(hours)} hundred" if hours > 12 else f"{number_words(hours)} o'clock"
    else:
        spoken = _clock_words(hours, minutes)
    return spoken + suffix


def _duration_words(parts: list[tuple[str, str]]) -> str:
    said = [f"{number_words(int(value))} {unit}{'' if int(value) == 1 else 's'}" for value, unit in parts if int(value)]
    return ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else (said[0] if said else "")


def expand_race_times(text: str) -> str:
    """A time in sport: '2:17:45' → 'two hours, seventeen minutes and forty-five seconds', '3:43.13' →
    'three minutes and forty-three point one three seconds'. A clock time has no seconds in news."""

    def hours(match: re.Match) -> str:
        return _duration_words([(match.group(1), "hour"), (match.group(2), "minute"), (match.group(3), "second")])

    def minutes(match: re.Match) -> str:
        seconds = f"{number_words(int(match.group(2)))} point {' '.join(number_words(int(d)) for d in match.group(3))} seconds"
        return f"{number_words(int(match.group(1)))} minute{'' if match.group(1) == '1' else 's'} and {seconds}"

    text = re.sub(r"(?<![\d:.])\b(\d):([0-5]\d):([0-5]\d)\b(?![:.]\d|\s?[ap]\.?m\b|\s(?:GMT|BST|UTC))", hours, text)
    return re.sub(r"(?<![\d:.])\b(\d{1,2}):([0-5]\d)\.(\d{1,2})\b(?![:.]\d)", minutes, text)


def expand_times(text: str) -> str:
    text = re.sub(r"\b(1[0-2]|0?[1-9])(?:[.:]([0-5]\d))?\s?([ap])\.?m\b\.?(?=\s|$|[,;:!?)\"'–-])",
                  _twelve_hour, text, flags=re.IGNORECASE)
    text = re.sub(r"(?<=\.m\.)\s?[-–]\s?", " to ", text)
    text = re.sub(r"(?<![\d.,:])\b([01]?\d|2[0-4]):([0-5]\d)\b(?![:.]\d)", _twenty_four_hour, text)
    zones = r"GMT|BST|UTC|CET|CEST|EST|EDT|PST|PDT|hrs|hours|local time"
    return re.sub(rf"(?<![\d.,])\b([01]\d|2[0-3])([0-5]\d)\s?({zones})\b", _twenty_four_hour, text)


# --- dates ----------------------------------------------------------------------------------------


def _day_month(match: re.Match) -> str:
    first, second, month, year = match.group("d1"), match.group("d2"), match.group("month"), match.group("year")
    spoken = "" if re.search(r"\bthe\s$", match.string[:match.start()]) else "the "
    spoken += ordinal_words(first)
    if second:
        spoken += f" to the {ordinal_words(second)}"
    spoken += f" of {MONTHS[month]}"
    return spoken + (f" {_year_words(year)}" if year else "")


def _month_day(match: re.Match) -> str:
    month, day, year = match.group("month"), match.group("d1"), match.group("year")
    if month == "May" and re.search(r"[A-Z][a-z]+\s$", match.string[:match.start()]):
        return match.group(0)  # 'Theresa May 14 times' is a name
    spoken = f"{MONTHS[month]} {ordinal_words(day)}"
    if match.group("d2"):
        spoken += f" {match.group('joint')} {ordinal_words(match.group('d2'))}"
    return spoken + (f", {_year_words(year)}" if year else "")


def _slash_date(match: re.Match) -> str:
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group(0)
    year = year if len(year) == 4 else f"20{year}"
    month_name = list(dict.fromkeys(MONTHS.values()))[month - 1]
    return f"the {ordinal_words(str(day))} of {month_name} {_year_words(year)}"


def expand_dates(text: str) -> str:
    """'14 March' → 'the fourteenth of March', 'March 14' → 'March fourteenth', '1/5/2024' UK order."""
    ordinal = r"(?:st|nd|rd|th)?"
    year = rf"(?:,?\s(?P<year>{YEAR})\b(?![,.]\d))?"
    text = re.sub(
        rf"\b(?P<d1>{DAY}){ordinal}(?:\s?[-–]\s?(?P<d2>{DAY}){ordinal})?\s(?:of\s)?(?P<month>{MONTH})\b(?:\.(?=\s[\da-z]))?{year}",
        _day_month, text)
    text = re.sub(rf"\b(?P<month>{MONTH})\.?\s(?P<d1>{DAY}){ordinal}\b(?![,.:]?\d|\s?%)"
                  rf"(?:\s(?P<joint>and|or|to)\s(?P<d2>{DAY}){ordinal}\b(?![,.:]?\d))?{year}", _month_day, text)
    text = re.sub(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b", _slash_date, text)
    # An abbreviated month is still a date before a year: 'Jan 2024' → 'January 2024'.
    return re.sub(rf"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?(?=\s{YEAR}\b)",
                  lambda m: MONTHS[m.group(1)], text)


# --- years and decades ----------------------------------------------------------------------------


def expand_years(text: str) -> str:
    """Years and decades as said aloud; a four-digit number followed by a count noun stays a number."""
    text = re.sub(r"\b((?:1[1-9]|20)\d0)s\b|'(\d0)s\b|(?<![\d,.])\b(\d{1,3}(?:,\d{3})*)s\b", lambda m: (
        _plural_words(_year_words(m.group(1))) if m.group(1)
        else _plural_words(number_words(int((m.group(2) or m.group(3)).replace(",", ""))))), text)

    def year(match: re.Match) -> str:
        following = next_word(text, match.end())
        if re.match(r"\s?[-/]?\d", text[match.end():match.end() + 2]):
            return match.group(0)
        if following.lower() in {"per", "square"} or re.fullmatch(
                rf"(?:{CURRENCY_WORDS}|{'|'.join(s for s, _ in UNITS.values())}|[a-z]+[^s'’]s|[a-z]+ies|"
                r"people|children|men|women|million|billion|thousand|metres|feet|miles)", following):
            return match.group(0)
        return _year_words(match.group(1))

    return re.sub(rf"(?<![\w£$€¥₹.,-])({YEAR})\b(?![,.]\d)", year, text)
