"""Numbers that name something rather than count it: model, flight, phone and version numbers.

A count is read as a cardinal ("787 seats"); a name is read the way people say it:
- model numbers after a maker ("Boeing 787" → "seven eighty-seven"), with a letter prefix
  ("A320" → "A three twenty", "MH370"), before a product noun ("the 737 Max", "777 jets"), or as
  "the 787" in a sentence that names a maker. A variant after a hyphen is part of the name, not a
  range: "787-9" → "seven eighty-seven nine", "737-800" → "seven thirty-seven eight hundred".
- flight numbers: "flight QF32" → "flight QF thirty-two", "Flight 1549" → "fifteen forty-nine".
- emergency and phone numbers digit by digit: "call 999" → "nine nine nine", "911" anywhere but
  after a maker → "nine one one", "0800 123 4567" → "oh eight oh oh, one two three, ...".
- versions: "version 2.0.1" → "two point oh point one", "Python 3.12" → "three point twelve".
Groups of three or four digits are said in pairs, as with years ("1549" → "fifteen forty-nine").
"""

from __future__ import annotations

import re

from briefing.text.speech.numbers import number_words
from briefing.text.speech.vocabulary import MAKERS, PRODUCT_NOUNS, VERSIONED_PRODUCTS

_DIGIT = ("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def digit_by_digit(digits: str) -> str:
    return " ".join(_DIGIT[int(digit)] for digit in digits)


def _pair(digits: str) -> str:
    """A two-digit group as said inside a name: '87' → 'eighty-seven', '07' → 'oh seven'."""
    if digits[0] == "0":
        return f"oh {_DIGIT[int(digits[1])]}"
    return number_words(int(digits))


def grouped(digits: str) -> str:
    """'787' → 'seven eighty-seven', '777' → 'triple seven', '1549' → 'fifteen forty-nine'."""
    value = int(digits)
    if len(digits) <= 2 or digits[0] == "0" or value % 1000 == 0:
        return number_words(value) if digits[0] != "0" else digit_by_digit(digits)
    if len(digits) == 3:
        if len(set(digits)) == 1:
            return f"triple {_DIGIT[value % 10]}"
        if digits[1:] == "00":
            return number_words(value)
        return f"{_DIGIT[int(digits[0])]} {_pair(digits[1:])}"
    if len(digits) == 4:
        if digits[2:] == "00":
            return f"{number_words(int(digits[:2]))} hundred"
        return f"{_pair(digits[:2])} {_pair(digits[2:])}"
    return digit_by_digit(digits)


def _variant(digits: str) -> str:
    return number_words(int(digits)) if len(digits) <= 2 else grouped(digits)


# --- model numbers --------------------------------------------------------------------------------

_MODEL_NUMBER = r"(?P<number>\d{3,4})(?:-(?P<variant>\d{1,4}))?(?P<suffix>[A-Z]{1,2}\b)?(?![\d.,]\d|-\d)"


def _model(match: re.Match) -> str:
    prefix, number, variant, suffix = match.group("prefix", "number", "variant", "suffix")
    spoken = grouped(number) + (f" {_variant(variant)}" if variant else "") + (f" {suffix}" if suffix else "")
    return f"{prefix} {spoken}" if prefix[-1:].isalpha() else f"{prefix}{spoken}"


def expand_model_numbers(text: str) -> str:
    """Model numbers named by a maker, a letter prefix or a product noun; see the module docstring."""
    after_maker = rf"(?P<prefix>\b(?:{MAKERS})(?:['’]s)?\s(?:[A-Z][a-z]+\s)?)"
    text = re.sub(after_maker + _MODEL_NUMBER, _model, text)
    text = re.sub(r"\b([A-Z]{1,3})((?:19|20)\d\d-\d\d)\b", r"\1 \2", text)  # 'FY2020-22': years, read later
    text = re.sub(r"(?P<prefix>\b[A-Z]{1,3}-?)" + _MODEL_NUMBER, _model, text)
    # 'the 737 Max', 'ten 787 jets', but a count after a verb: 'delivered 348 aircraft'.
    named_by = r"(?:(?i:the|its|their|his|her|our|these|those|two|three|four|five|six|seven|eight|nine|ten)|\d+|\w+['’]s)"
    before_product = (rf"(?P<prefix>\b{named_by}\s)"
                      rf"(?=\d{{3,4}}(?:-\d{{1,4}})?[A-Z]?\s(?:{PRODUCT_NOUNS})\b)")
    text = re.sub(before_product + _MODEL_NUMBER, _model, text)
    text = re.sub(r"(?P<prefix>(?<![\w.,£$€-]))(?=\d{3}[A-Z]\b)" + _MODEL_NUMBER, _model, text)  # '777X'

    if re.search(rf"\b(?:{MAKERS})\b", text):
        # 'Boeing said the 787 had been grounded', but not a count: 'the 150 passengers were safe'.
        after = r"(?=[,.;:]|\s(?:had|has|have|is|was|were|will|would|can|could|flew|flies|landed|crashed|fleet|family|line|programme|program)\b)"
        text = re.sub(r"(?P<prefix>\bthe\s)" + _MODEL_NUMBER + after, _model, text)
    return text


# --- flight numbers -------------------------------------------------------------------------------


def expand_flight_numbers(text: str) -> str:
    """'flight QF32' → 'flight QF thirty-two', 'Flight 1549' → 'Flight fifteen forty-nine'."""

    def flight(match: re.Match) -> str:
        code = match.group(2) or ""
        return f"{match.group(1)}{code + ' ' if code else ''}{grouped(match.group(3))}"

    return re.sub(r"(\b[Ff]lights?\s(?:number\s)?)([A-Z]{2}|[A-Z]\d|\d[A-Z])?\s?(\d{1,4})\b(?![.,]\d)", flight, text)


# --- emergency and phone numbers ------------------------------------------------------------------

_CALL = r"(?i:call(?:s|ed|ing)?|dial(?:s|led|ed|ling|ing)?|ring(?:s|ing)?|rang|phon(?:e|es|ed|ing)|text(?:s|ed|ing)?|contact(?:ed)?|on)"
_SERVICE_AFTER = r"(?:calls?|callers?|operators?|dispatch(?:ers?)?|services?|lines?|numbers?|centres?|centers?|system)"
_EMERGENCY = r"(?:999|911|112|111|101|988|000|119|110|211|311|411)"
_PHONE = r"(?:\+\d{1,3}[ .-]?|\(\d{2,5}\)\s?|\b0\d{2,4}[ .-]|\b1-8\d\d-)(?:\d{2,5}[ .-]?){1,3}\d{2,5}\b"


def _phone(match: re.Match) -> str:
    return ", ".join(digit_by_digit(group) for group in re.findall(r"\d+", match.group(0)))


def expand_phone_numbers(text: str) -> str:
    """Phone numbers and emergency numbers are said digit by digit, groups parted by a pause."""
    text = re.sub(r"\b9/11\b", "nine eleven", text)
    text = re.sub(_PHONE, _phone, text)
    text = re.sub(rf"(\b{_CALL}\s(?:the\s)?)(\d{{3}}\s\d{{3,4}}|{_EMERGENCY})\b(?![.,]?\d)",
                  lambda m: m.group(1) + ", ".join(digit_by_digit(group) for group in m.group(2).split()), text)
    text = re.sub(rf"(?<![\w.,£$€-]){_EMERGENCY}(?=\s{_SERVICE_AFTER}\b)", lambda m: digit_by_digit(m.group(0)), text)
    return re.sub(r"(?<![\w.,£$€/-])911\b(?![.,/-]?\d|\s(?:[a-z]+s|people)\b)", "nine one one", text)


# --- versions -------------------------------------------------------------------------------------


def _version(match: re.Match) -> str:
    parts = match.group(2).split(".")
    spoken = " point ".join(digit_by_digit(part) if part[0] == "0" else number_words(int(part)) for part in parts)
    return f"{match.group(1)}{spoken}"


def expand_versions(text: str) -> str:
    """'version 2.0.1' → 'version two point oh point one', 'iOS 17.2' → 'iOS seventeen point two'."""
    named = rf"(\b(?:[Vv]ersions?|[Uu]pdates?|[Rr]eleases?|[Ff]irmware|v|{VERSIONED_PRODUCTS})\s?)(\d+(?:\.\d+)+)\b(?!\.\d)"
    text = re.sub(named, _version, text)
    return re.sub(r"(\s)(\d{1,2}(?:\.\d{1,3}){2,3})\b(?![./]\d)", _version, text)


def expand_identifiers(text: str) -> str:
    for rule in (expand_phone_numbers, expand_flight_numbers, expand_versions, expand_model_numbers):
        text = rule(text)
    return text
