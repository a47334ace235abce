"""Amounts for speech: money, multipliers, units of measure, percentages and bracketed conversions.

"£1.2bn" → "1.2 billion pounds", "a £500m fund" → "a 500 million pound fund", "70mph" → "70 miles
per hour", "5%" → "5 per cent".

A number with "m" means million after a currency sign, before a currency word or a noun
("£65m", "65m euros", "65m people"); it means metres before a length word or in a compound
("65m high", "a 65m-high tower", "the 100m sprint"), next to a feet conversion, after a bare
"the" ("third in the 400m"), or with two decimals ("a leap of 17.30m"). Otherwise the sentence
decides: more length words than money words means metres, else million.
"""

from __future__ import annotations

import re

from briefing.text.speech.numbers import next_word
from briefing.text.speech.vocabulary import (
    ATHLETICS_WORDS,
    NOT_A_NOUN_AFTER_AMOUNT,
    ATTACHED_ONLY,
    CURRENCIES,
    CURRENCY_SIGN,
    CURRENCY_WORDS,
    DETERMINERS,
    FUNCTION_WORDS,
    LENGTH_WORDS,
    MULTIPLIER,
    MULTIPLIERS,
    NUM,
    PER_UNIT,
    PER_UNITS,
    SCALE_WORDS,
    UNIT,
    UNITS,
)

# --- conversions in brackets (only with normalize(..., drop_conversions=True)) -------------------

_AMOUNT = (
    rf"(?:(?:about|around|roughly|approx\.?|nearly|almost|over|c\.)\s)?(?:{CURRENCY_SIGN})?\s?{NUM}"
    rf"(?:\s?[-–]\s?(?:{CURRENCY_SIGN})?{NUM})?\s?(?:{MULTIPLIER})?\s?"
    rf"(?:(?:{UNIT}|{CURRENCY_WORDS}|m|metres?|feet|foot|miles?|inches|kilometres?|kilograms?|tonnes?|acres?)\b)?"
)
_CONVERSION = re.compile(rf"(?<=[\w.%)])\s*\(\s*{_AMOUNT}(?:\s*(?:[;,/]|or)\s*{_AMOUNT})*\s*\)")


def drop_bracketed_conversions(text: str) -> str:
    """Drop '(1,158 sq miles)' or '($141m; £70m)' straight after a measurement or an amount."""

    def drop(match: re.Match) -> str:
        inside = match.group(0)
        before = text[max(0, match.start() - 30):match.start()]
        has_unit = re.search(rf"[a-zA-Z£$€¥₹%]|{CURRENCY_SIGN}", inside.split("(", 1)[1])
        return "" if has_unit and re.search(r"\d", before) else inside

    return _CONVERSION.sub(drop, text)


# --- money ----------------------------------------------------------------------------------------


def _is_attributive(text: str, start: int, end: int, *, needs_determiner: bool = False) -> bool:
    """True when the amount describes the noun after it, where speech says 'pound', not 'pounds'.

    'a £500m fund', "Arsenal's £100m deal", and without a determiner 'said £2bn savings' or
    '£1.2bn budget cuts'; not before a time, an adverb or a verb: 'an estimated £1.3bn last year',
    '£5m raised', '£8m available', '£5m abroad'. After a determiner a word in -ing is a noun ('a £5m housing
    scheme'); without one it is a verb ('£5m selling cakes'). A length needs the determiner: 'a 10km
    road', but 'walked 5km home'.
    """
    aside = re.match(r"\s?\([^()]{1,40}\)", text[end:])  # 'a £5.5bn ($7bn) plan'
    if aside:
        end += aside.end()
    following = next_word(text, end)
    if not re.match(r"\s[a-z]", text[end:]) or following in FUNCTION_WORDS or following in NOT_A_NOUN_AFTER_AMOUNT:
        return False
    if following.endswith(("ly", "ed")):
        return False
    if re.search(rf"\b{DETERMINERS}\s(?:[a-z]+\s)?$", text[:start]):
        return True
    return not needs_determiner and not following.endswith("ing")


def _money(match: re.Match) -> str:
    singular, plural, hundredth = CURRENCIES[match.group("sign")]
    amount, upper, multiplier = match.group("amount"), match.group("upper"), match.group("mult")
    # Only a large sum names a noun without a determiner: '£2bn savings', but 'costs $65 online'.
    if _is_attributive(match.string, match.start(), match.end(), needs_determiner=not multiplier):
        plural = singular
    spoken_range = f" to {upper}" if upper else ""
    if multiplier:
        return f"{amount}{spoken_range} {MULTIPLIERS[multiplier.lower()]} {plural}"
    whole, _, cents = amount.partition(".")
    if len(cents) == 2 and not upper:
        if whole == "0":
            return f"{int(cents)} {hundredth}"
        unit = singular if whole == "1" else plural
        return f"{whole} {unit}" + ("" if cents == "00" else f" {cents}")
    unit = singular if amount == "1" and not upper else plural
    return f"{amount}{spoken_range} {unit}"


def expand_money(text: str) -> str:
    """'£1.2bn' → '1.2 billion pounds', '£5-10m' → '5 to 10 million pounds', '50p' → '50 pence'."""
    text = re.sub(
        rf"(?P<sign>{CURRENCY_SIGN})\s?(?P<amount>{NUM})(?:\s?[-–]\s?(?:{CURRENCY_SIGN})?(?P<upper>{NUM}))?"
        rf"(?:\s?(?P<mult>{MULTIPLIER}))?(?:-(?=worth))?",
        lambda m: _money(m) + (" " if m.group(0).endswith("-") else ""), text, flags=re.IGNORECASE)
    text = re.sub(r"\b1p\b", "1 penny", text)
    text = re.sub(r"\b(480|720|1080|1440|2160|4320)p\b(/(?=\d))?", lambda m: f"{m.group(1)} p" + (" or " if m.group(2) else ""),
                  text)  # a video resolution, not pence
    return re.sub(rf"\b({NUM})p\b", r"\1 pence", text)


# --- multipliers: 'bn', 'k', and 'm' as million or metres ----------------------------------------


def _metres_or_million(text: str, number: str, start: int, end: int) -> str:
    """Decide what 'm' after a bare number means; see the module docstring for the rule."""
    after, before, following = text[end:], text[:start], next_word(text, end).lower()
    if re.match(r"-(?:worth|strong|plus|a-year|dollar|pound|euro)\b", after):
        return "million"
    if re.match(rf"-|\s(?:{ATHLETICS_WORDS})\b", after):
        return "metre"
    if re.match(rf"\s(?:{LENGTH_WORDS})\b|\s?\(\s?{NUM}\s?(?:ft|feet|foot)\b", after):
        return "metres"
    if re.search(r"(?:ft|feet|foot|miles?|yards?|inches)\s?\(\s?$", before):
        return "metres"
    if re.match(rf"\s(?:{CURRENCY_WORDS})\b", after) or (
        re.match(r"\s[a-z]", after) and following not in FUNCTION_WORDS):
        return "million"
    if re.search(r"\bthe\s(?:(?:last|first|final|opening|closing|next|whole)\s)?$", before) or re.fullmatch(
            r"\d+\.\d\d", number):
        return "metres"
    length_cues = len(re.findall(
        rf"\b(?:metres?|feet|ft|km|kilometres?|miles|height|{LENGTH_WORDS}|jump\w*|leap|race|sprint|"
        r"hurdles|swim\w*|swam|swum|lengths?|laps?|pool|athlet\w*|distance|stretch\w*)\b", text))
    money_cues = len(re.findall(
        r"[£$€]|\b(?:bn|million|billion|profits?|revenues?|sales|shares|people|population|budget|"
        r"costs?|worth|funds?|funding|deal|debts?|price|viewers|users|customers|euros|dollars|pounds)\b", text))
    return "metres" if length_cues > money_cues else "million"


def expand_relays(text: str) -> str:
    """A relay is said "by": '4x100m' → '4 by 100 metres', 'the 4 x 400 metres' → 'the 4 by 400 metres'."""
    return re.sub(r"\b([2-9])\s?[x×]\s?(\d{2,4})\s?(m\b|metres?\b)", r"\1 by \2 metres", text)


def expand_multipliers(text: str) -> str:
    """Bare '5.4bn' → '5.4 billion', '50k' → '50 thousand', '65m' → '65 million' or '65 metres'."""
    text = re.sub(r"\b(" + NUM + r")\s?(bn|tn|trn|k)\b", lambda m: f"{m.group(1)} {MULTIPLIERS[m.group(2)]}", text)

    def m_word(match: re.Match) -> str:
        number, hyphen = match.group(1), match.group(2)
        word = _metres_or_million(text, number, match.start(), match.end(1) + 1)
        if hyphen:
            return f"{number} metre " if word.startswith("metre") else f"{number} million-"
        return f"{number} {'metre' if word == 'metres' and number == '1' else word}"

    return re.sub(rf"(?<![\w.,])({NUM})m\b(?!\.\w)(-(?=[a-z]))?", m_word, text)


# --- units and percentages ------------------------------------------------------------------------


def _unit(match: re.Match) -> str:
    number, space, unit = match.group(1), match.group(2), match.group(3)
    if space and unit in ATTACHED_ONLY:
        return match.group(0)
    singular, plural = UNITS[unit]
    if match.group(4):  # a compound: 'a 10km-long road' → 'a 10 kilometre long road'
        return f"{number} {singular} "
    if _is_attributive(match.string, match.start(), match.end(), needs_determiner=True):  # 'a 10km road'
        return f"{number} {singular}"
    return f"{number} {singular if number == '1' else plural}"


def expand_per_units(text: str) -> str:
    """A unit after a slash is said after "per": '30 cents/W' → '30 cents per watt', '120 g/km' →
    '120 grams per kilometre'. Only after a number, so 'and/or' and 'his/her' stay as they are."""

    def with_unit(match: re.Match) -> str:
        number, unit, per = match.group(1), match.group(2), PER_UNITS[match.group(3)]
        singular, plural = UNITS[unit]
        return f"{number} {singular if number == '1' else plural} per {per}"

    text = re.sub(rf"(?<![\w.,])({NUM})\s?({UNIT})\s?/\s?({PER_UNIT})(?![\w²])", with_unit, text)
    return re.sub(rf"(?<=\d)(\s?[A-Za-z%]+|\s[a-z]+\s[a-z]+)\s?/\s?({PER_UNIT})(?![\w²/])",
                  lambda m: f"{m.group(1)} per {PER_UNITS[m.group(2)]}", text)


def expand_units(text: str) -> str:
    """'28km' → '28 kilometres'; after a scale word too: '225 million km' → '225 million kilometres'.
    A temperature below zero is said "minus": '-8C' → 'minus 8 degrees Celsius'; so is any number after
    the minus sign proper ('−0.4'), which is never a hyphen or a dash."""
    text = re.sub(rf"(?<![\w.,)\]%-])-(?={NUM}\s?(?:[°º]|degrees\b|[CF]\b))|−(?=\d)", "minus ", text)
    text = re.sub(rf"(?<![\w.,])({NUM}(?:\s(?:{SCALE_WORDS})\b)?)(\s?)({UNIT})(?![\w²/])(-(?=[a-z]))?", _unit, text)
    text = re.sub(r"\s?[°º]\s?([CF])\b", lambda m: " degrees " + ("Celsius" if m.group(1) == "C" else "Fahrenheit"), text)
    return text.replace("°", " degrees")


def expand_percent(text: str) -> str:
    text = re.sub(r"\s?%", " per cent", text)
    return re.sub(r"\bpercent\b", "per cent", text)
