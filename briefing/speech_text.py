"""Normalisation for speech: turn a cleaned news sentence into text a TTS engine reads like a newsreader.

Owns: sentence splitting (pysbd) and the rewriting of what espeak-ng / pyttsx3 would misread —
money, units, percentages, dates, times, years, ranges, scores, ordinals, titles, common
abbreviations, acronyms, brackets and stray symbols. Numbers stay as digits wherever espeak already
reads them well ("3,000", "1.2"); words are used only where digits would be read wrongly.

Does not own: removing boilerplate or HTML (clean.py), choosing sentences (select.py), pauses
between paragraphs (script.py) or anything engine-specific beyond plain text.

Decisions worth knowing (each pinned by a test):
- Acronyms spelled letter by letter are joined with dots ("B.B.C", "U.S"): espeak reads a spaced
  "A" as the article "a", and reads some undotted ones as words ("IMF" as "imf"). Plural and
  possessive forms use hyphens ("M-P's"), because espeak reads "M.Ps" as "M dot P S". Acronyms said
  as words are listed in WORD_ACRONYMS and written in title case ("Nato").
- A number with "m" means million after a currency sign, before a currency word or a noun
  ("£65m", "65m euros", "65m people"); it means metres before a length word or in a compound
  ("65m high", "a 65m-high tower", "the 100m sprint"), next to a feet conversion, after a bare
  "the" ("third in the 400m"), or with two decimals ("a leap of 17.30m"). Otherwise the sentence
  decides: more length words than money words means metres, else million.
- Times: "9.30pm" → "nine thirty p.m."; 24-hour times are read the British broadcast way:
  "14:30" → "fourteen thirty", "1400 GMT" → "fourteen hundred G.M.T", "00:20" → "twenty past midnight".
- A bare four-digit number from 1100 to 2099 is a year unless a unit, money or a plural noun
  follows it ("2019 people" stays a number). News style writes counts of thousands with commas.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

# --- tables -------------------------------------------------------------------------------

# All-caps acronyms that are said as words; everything else of 2-4 capitals is spelled out.
WORD_ACRONYMS = {
    "ACAS": "Acas", "AIDS": "Aids", "ASDA": "Asda", "ASEAN": "Asean", "BAFTA": "Bafta",
    "COP": "Cop", "COVID": "Covid", "DEFRA": "Defra", "FIFA": "Fifa", "FTSE": "Footsie",
    "GIF": "gif", "IKEA": "Ikea", "ISA": "Isa", "ISIS": "Isis", "JAXA": "Jaxa", "LEGO": "Lego",
    "MERS": "Mers", "NAFTA": "Nafta", "NASA": "Nasa", "NATO": "Nato", "OFCOM": "Ofcom",
    "OFGEM": "Ofgem", "OFSTED": "Ofsted", "OFWAT": "Ofwat", "OK": "okay", "OPEC": "Opec",
    "PIN": "pin", "SARS": "Sars", "SIM": "sim", "UEFA": "Uefa", "UNESCO": "Unesco",
    "UNICEF": "Unicef", "ZIP": "zip",
}
# Ordinary words written in capitals for emphasis, read as words.
SHOUTED_WORDS = frozenset(
    "ALL AND ARE BUT FOR HER HIS NEW NO NOT NOW ONE ONLY OUR OUT THE TOO TWO WAS WILL YES YOU".split()
)

TITLES = {
    "Adm": "Admiral", "Brig": "Brigadier", "Capt": "Captain", "Cllr": "Councillor", "Col": "Colonel",
    "Cpl": "Corporal", "Det": "Detective", "Dr": "Doctor", "Fr": "Father", "Gen": "General",
    "Gov": "Governor", "Hon": "Honourable", "Insp": "Inspector", "Lt": "Lieutenant", "Maj": "Major",
    "Prof": "Professor", "Pte": "Private", "Rep": "Representative", "Rev": "Reverend",
    "Revd": "Reverend", "Rt": "Right", "Sen": "Senator", "Sgt": "Sergeant", "Supt": "Superintendent",
}
ALWAYS_TITLES = {"Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Messrs": "Messieurs"}

MONTHS = {
    "January": "January", "Jan": "January", "February": "February", "Feb": "February",
    "March": "March", "Mar": "March", "April": "April", "Apr": "April", "May": "May",
    "June": "June", "Jun": "June", "July": "July", "Jul": "July", "August": "August",
    "Aug": "August", "September": "September", "Sept": "September", "Sep": "September",
    "October": "October", "Oct": "October", "November": "November", "Nov": "November",
    "December": "December", "Dec": "December",
}

# symbol → (singular, plural, name of the hundredth part)
CURRENCIES = {
    "£": ("pound", "pounds", "pence"), "$": ("dollar", "dollars", "cents"),
    "US$": ("US dollar", "US dollars", "cents"), "A$": ("Australian dollar", "Australian dollars", "cents"),
    "C$": ("Canadian dollar", "Canadian dollars", "cents"), "NZ$": ("New Zealand dollar", "New Zealand dollars", "cents"),
    "HK$": ("Hong Kong dollar", "Hong Kong dollars", "cents"), "€": ("euro", "euros", "cents"),
    "¥": ("yen", "yen", "sen"), "₹": ("rupee", "rupees", "paise"), "₽": ("rouble", "roubles", "kopecks"),
    "₩": ("won", "won", "jeon"),
}
MULTIPLIERS = {
    "k": "thousand", "thousand": "thousand", "m": "million", "mn": "million", "million": "million",
    "bn": "billion", "billion": "billion", "tn": "trillion", "trn": "trillion", "trillion": "trillion",
}
CURRENCY_WORDS = (
    "pounds? sterling|pounds?|dollars?|euros?|yen|yuan|renminbi|rupees?|roubles?|rubles?|naira|kroner|"
    "krona|kronor|francs?|pesos?|rand|shekels?|dinars?|riyals?|dirhams?|lira|reais|won"
)

# unit → (singular, plural). Units in ATTACHED_ONLY are expanded only when written onto the number.
UNITS = {
    "sq km": ("square kilometre", "square kilometres"), "sq miles": ("square mile", "square miles"),
    "sq mi": ("square mile", "square miles"), "sq m": ("square metre", "square metres"),
    "sq ft": ("square foot", "square feet"), "km2": ("square kilometre", "square kilometres"),
    "km²": ("square kilometre", "square kilometres"), "m2": ("square metre", "square metres"),
    "m²": ("square metre", "square metres"), "km/h": ("kilometre per hour", "kilometres per hour"),
    "kph": ("kilometre per hour", "kilometres per hour"), "mph": ("mile per hour", "miles per hour"),
    "m/s": ("metre per second", "metres per second"), "km": ("kilometre", "kilometres"),
    "kms": ("kilometre", "kilometres"), "cm": ("centimetre", "centimetres"),
    "mm": ("millimetre", "millimetres"), "ft": ("foot", "feet"), "yd": ("yard", "yards"),
    "yds": ("yard", "yards"), "kg": ("kilogram", "kilograms"), "kgs": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"), "g": ("gram", "grams"), "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"), "st": ("stone", "stone"),
    "ml": ("millilitre", "millilitres"), "ha": ("hectare", "hectares"), "mpg": ("mile per gallon", "miles per gallon"),
    "°C": ("degree Celsius", "degrees Celsius"), "ºC": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "ºF": ("degree Fahrenheit", "degrees Fahrenheit"),
    "C": ("degree Celsius", "degrees Celsius"), "F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "KB": ("kilobyte", "kilobytes"), "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"), "kbps": ("kilobit per second", "kilobits per second"),
    "Mbps": ("megabit per second", "megabits per second"), "Gbps": ("gigabit per second", "gigabits per second"),
    "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"), "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"), "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "MWh": ("megawatt hour", "megawatt hours"), "GWh": ("gigawatt hour", "gigawatt hours"),
    "TWh": ("terawatt hour", "terawatt hours"), "bhp": ("brake horsepower", "brake horsepower"),
    "cc": ("cc", "cc"), "mins": ("minute", "minutes"), "hrs": ("hour", "hours"), "yrs": ("year", "years"),
}
ATTACHED_ONLY = frozenset({"g", "st", "ha", "C", "F", "cc", "m2"})

LENGTH_WORDS = (
    "high|long|wide|deep|tall|thick|away|across|apart|above|below|beneath|underground|offshore|"
    "short|in (?:height|length|width|depth|diameter)"
)
ATHLETICS_WORDS = (
    "sprints?|hurdles|races?|relay|freestyle|backstroke|breaststroke|butterfly|medley|dash|finals?|"
    "heats?|gold|silver|bronze|titles?|records?|runs?|runners?|swims?|events?|specialists?|champion"
)
FUNCTION_WORDS = frozenset(
    "a after an and are as at be been before but by can could did each for from had has have if in into "
    "is it its of off on or over per so than that the then this to under until up was went were when "
    "which while who will with would".split()
)
DETERMINERS = r"(?i:a|an|the|his|her|its|their|our|my|your|this|that|new|\w+'s)"
FRACTIONS = {"1/2": "a half", "1/3": "a third", "2/3": "two thirds", "1/4": "a quarter", "3/4": "three quarters"}
ROMAN_CARDINAL_AFTER = frozenset("War Volume Vol Part Chapter Act Phase Grade Type Class Bowl Apollo Test".split())

NUM = r"\d(?:[\d,]*\d)?(?:\.\d+)?"
YEAR = r"(?:1[1-9]\d\d|20\d\d)"
DAY = r"(?:[12]\d|3[01]|0?[1-9])"
MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
CURRENCY_SIGN = "|".join(re.escape(sign) for sign in sorted(CURRENCIES, key=len, reverse=True))
MULTIPLIER = r"(?:bn|billion|mn|million|m|k|thousand|trn|tn|trillion)(?![\w²])"


POSSIBLE_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*\s")  # no boundary: skip pysbd

# --- small helpers --------------------------------------------------------------------------


@cache
def _segmenter():
    import pysbd  # ~25 ms: loaded only when a sentence is first split

    return pysbd.Segmenter(language="en", clean=False)


def _num2words(number: int, to: str = "cardinal") -> str:
    from num2words import num2words  # ~40 ms: loaded only when first needed

    return num2words(number, lang="en", to=to)


def _value(number: str) -> float:
    return float(number.replace(",", ""))


def _plural_words(words: str) -> str:
    """'thirty' → 'thirties', 'six' → 'sixes', 'nineteen ninety' → 'nineteen nineties'."""
    if words.endswith("y"):
        return words[:-1] + "ies"
    if words.endswith("x"):
        return words + "es"
    return words + "s"


def _year_words(year: str) -> str:
    return _num2words(int(year), to="year")


def _ordinal_words(number: str) -> str:
    return _num2words(int(number.replace(",", "")), to="ordinal")


def _next_word(text: str, end: int) -> str:
    match = re.match(r"\s*([\w'’-]+)", text[end:])
    return match.group(1) if match else ""


# --- rules, in the order normalize() applies them -----------------------------------------------


def _tidy_characters(text: str) -> str:
    text = re.sub(r"<[^>]*>", " ", text)
    text = text.translate(str.maketrans({
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
        "\u201e": '"', "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2026": "...",
        "\u00bd": " 1/2", "\u00bc": " 1/4", "\u00be": " 3/4",
    }))
    text = re.sub(r"(?<=\d)\s?[\u2013\u2012]\s?(?=[\d£$€])", "-", text)  # en dash in a range
    text = re.sub(r"\s*[\u2014\u2013\u2012]\s*|\s+-+\s+|(?<=\w)\s+-+(?=[a-zA-Z])", ", ", text)
    text = re.sub(r"#(?=\d)", "number ", text)
    text = re.sub(r"~(?=\s?\d)", "about ", text)
    text = re.sub(r"\bc\.\s?(?=\d)", "circa ", text)  # before the numbers are read, or 'c.' is lost
    text = re.sub(r"[*#|\[\]<>_{}^~\\•]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_AMOUNT = (
    rf"(?:(?:about|around|roughly|approx\.?|nearly|almost|over|c\.)\s)?(?:{CURRENCY_SIGN})?\s?{NUM}"
    rf"(?:\s?[-–]\s?(?:{CURRENCY_SIGN})?{NUM})?\s?(?:{MULTIPLIER})?\s?"
    rf"(?:(?:{'|'.join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))}|{CURRENCY_WORDS}|"
    rf"m|metres?|feet|foot|miles?|inches|kilometres?|kilograms?|tonnes?|acres?)\b)?"
)
_CONVERSION = re.compile(rf"(?<=[\w.%)])\s*\(\s*{_AMOUNT}(?:\s*(?:[;,/]|or)\s*{_AMOUNT})*\s*\)")


def _drop_conversions(text: str) -> str:
    """Drop '(1,158 sq miles)' or '($141m; £70m)' straight after a measurement or an amount."""

    def drop(match: re.Match) -> str:
        inside = match.group(0)
        before = text[max(0, match.start() - 30):match.start()]
        has_unit = re.search(rf"[a-zA-Z£$€¥₹%]|{CURRENCY_SIGN}", inside.split("(", 1)[1])
        return "" if has_unit and re.search(r"\d", before) else inside

    return _CONVERSION.sub(drop, text)


def _clock_words(hours: int, minutes: int) -> str:
    if minutes == 0:
        return _num2words(hours)
    if minutes < 10:
        return f"{_num2words(hours)} oh {_num2words(minutes)}"
    return f"{_num2words(hours)} {_num2words(minutes)}"


def _twelve_hour(match: re.Match) -> str:
    hours, minutes, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)[0].lower()
    return f"{_clock_words(hours, minutes)} {meridiem}.m."


def _twenty_four_hour(match: re.Match) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    suffix = f" {match.group(3)}" if match.lastindex and match.lastindex >= 3 and match.group(3) else ""
    if hours in (0, 24):
        spoken = "midnight" if minutes == 0 else f"{_num2words(minutes)} past midnight"
    elif hours == 12 and minutes == 0:
        spoken = "midday"
    elif minutes == 0:
        spoken = f"{_num2words(hours)} hundred" if hours > 12 else f"{_num2words(hours)} o'clock"
    else:
        spoken = _clock_words(hours, minutes)
    return spoken + suffix


def _expand_times(text: str) -> str:
    text = re.sub(r"\b(1[0-2]|0?[1-9])(?:[.:]([0-5]\d))?\s?([ap])\.?m\b\.?(?=\s|$|[,;:!?)\"'–-])",
                  _twelve_hour, text, flags=re.IGNORECASE)
    text = re.sub(r"(?<=\.m\.)\s?[-–]\s?", " to ", text)
    text = re.sub(r"(?<![\d.,:])\b([01]?\d|2[0-4]):([0-5]\d)\b(?![:.]\d)", _twenty_four_hour, text)
    zones = r"GMT|BST|UTC|CET|CEST|EST|EDT|PST|PDT|hrs|hours|local time"
    return re.sub(rf"(?<![\d.,])\b([01]\d|2[0-3])([0-5]\d)\s?({zones})\b", _twenty_four_hour, text)


def _day_month(match: re.Match) -> str:
    first, second, month, year = match.group("d1"), match.group("d2"), match.group("month"), match.group("year")
    spoken = "" if re.search(r"\bthe\s$", match.string[:match.start()]) else "the "
    spoken += _ordinal_words(first)
    if second:
        spoken += f" to the {_ordinal_words(second)}"
    spoken += f" of {MONTHS[month]}"
    return spoken + (f" {_year_words(year)}" if year else "")


def _month_day(match: re.Match) -> str:
    month, day, year = match.group("month"), match.group("d1"), match.group("year")
    if month == "May" and re.search(r"[A-Z][a-z]+\s$", match.string[:match.start()]):
        return match.group(0)  # 'Theresa May 14 times' is a name
    spoken = f"{MONTHS[month]} the {_ordinal_words(day)}"
    if match.group("d2"):
        spoken += f" {match.group('joint')} the {_ordinal_words(match.group('d2'))}"
    return spoken + (f", {_year_words(year)}" if year else "")


def _slash_date(match: re.Match) -> str:
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group(0)
    year = year if len(year) == 4 else f"20{year}"
    month_name = list(dict.fromkeys(MONTHS.values()))[month - 1]
    return f"the {_ordinal_words(str(day))} of {month_name} {_year_words(year)}"


def _expand_dates(text: str) -> str:
    """'14 March' → 'the fourteenth of March', 'March 14' → 'March the fourteenth', '1/5/2024' UK order."""
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


def _is_attributive(text: str, start: int, end: int) -> bool:
    """True for 'a £500m fund' or 'Arsenal's £100m deal', where speech says 'pound', not 'pounds'."""
    following = _next_word(text, end)
    return bool(re.match(r"\s[a-z]", text[end:]) and following not in FUNCTION_WORDS
                and not following.endswith("ly")
                and re.search(rf"\b{DETERMINERS}\s(?:[a-z]+\s)?$", text[:start]))


def _money(match: re.Match) -> str:
    singular, plural, hundredth = CURRENCIES[match.group("sign")]
    if _is_attributive(match.string, match.start(), match.end()):
        plural = singular
    amount, upper, multiplier = match.group("amount"), match.group("upper"), match.group("mult")
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


def _expand_money(text: str) -> str:
    """'£1.2bn' → '1.2 billion pounds', '£5-10m' → '5 to 10 million pounds', '50p' → '50 pence'."""
    text = re.sub(
        rf"(?P<sign>{CURRENCY_SIGN})\s?(?P<amount>{NUM})(?:\s?[-–]\s?(?:{CURRENCY_SIGN})?(?P<upper>{NUM}))?"
        rf"(?:\s?(?P<mult>{MULTIPLIER}))?(?:-(?=worth))?",
        lambda m: _money(m) + (" " if m.group(0).endswith("-") else ""), text, flags=re.IGNORECASE)
    text = re.sub(r"\b1p\b", "1 penny", text)
    return re.sub(rf"\b({NUM})p\b", r"\1 pence", text)


def _metres_or_million(text: str, number: str, start: int, end: int) -> str:
    """Decide what 'm' after a bare number means; see the module docstring for the rule."""
    after, before, following = text[end:], text[:start], _next_word(text, end).lower()
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
    if re.search(r"\bthe\s$", before) or re.fullmatch(r"\d+\.\d\d", number):
        return "metres"
    length_cues = len(re.findall(
        rf"\b(?:metres?|feet|ft|km|kilometres?|miles|height|{LENGTH_WORDS}|jump\w*|leap|race|sprint|"
        r"hurdles|swim\w*|athlet\w*|distance|stretch\w*)\b", text))
    money_cues = len(re.findall(
        r"[£$€]|\b(?:bn|million|billion|profits?|revenues?|sales|shares|people|population|budget|"
        r"costs?|worth|funds?|funding|deal|debts?|price|viewers|users|customers|euros|dollars|pounds)\b", text))
    return "metres" if length_cues > money_cues else "million"


def _expand_multipliers(text: str) -> str:
    """Bare '5.4bn' → '5.4 billion', '50k' → '50 thousand', '65m' → '65 million' or '65 metres'."""
    text = re.sub(r"\b(" + NUM + r")\s?(bn|tn|trn|k)\b", lambda m: f"{m.group(1)} {MULTIPLIERS[m.group(2)]}", text)

    def m_word(match: re.Match) -> str:
        number, hyphen = match.group(1), match.group(2)
        word = _metres_or_million(text, number, match.start(), match.end(1) + 1)
        if hyphen:
            return f"{number} metre " if word.startswith("metre") else f"{number} million-"
        return f"{number} {'metre' if word == 'metres' and number == '1' else word}"

    return re.sub(rf"(?<![\w.,])({NUM})m\b(?!\.\w)(-(?=[a-z]))?", m_word, text)


_UNIT_PATTERN = "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))


def _unit(match: re.Match) -> str:
    number, space, unit = match.group(1), match.group(2), match.group(3)
    if space and unit in ATTACHED_ONLY:
        return match.group(0)
    singular, plural = UNITS[unit]
    if match.group(4):  # a compound: 'a 10km-long road' → 'a 10 kilometre long road'
        return f"{number} {singular} "
    if _is_attributive(match.string, match.start(), match.end()):  # 'a 10km road'
        return f"{number} {singular}"
    return f"{number} {singular if number == '1' else plural}"


def _expand_units(text: str) -> str:
    text = re.sub(rf"(?<![\w.,])({NUM})(\s?)({_UNIT_PATTERN})(?![\w²/])(-(?=[a-z]))?", _unit, text)
    text = re.sub(r"\s?[°º]\s?([CF])\b", lambda m: " degrees " + ("Celsius" if m.group(1) == "C" else "Fahrenheit"), text)
    return text.replace("°", " degrees")


def _expand_percent(text: str) -> str:
    text = re.sub(r"\s?%", " per cent", text)
    return re.sub(r"\bpercent\b", "per cent", text)


def _is_score_context(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 25):start], text[end:end + 25]
    verbs = r"\b(?:won|lost|drew|beat|beaten|defeated|thrashed|trail(?:ed|ing)?|le[ad]d?|leading|draw|score)\s(?:\w+\s)?$"
    nouns = r"^\s(?:\w+\s)?(?:win|victory|defeat|loss|draw|lead|scoreline|thrashing|home|away|reverse|success)\b"
    sets = r"(?:^|\s|\()\d{1,2}-\d{1,2}(?:\s|\)|,|$)"
    return bool(re.search(verbs, before) or re.search(nouns, after)
                or re.search(sets, before[-7:]) or re.search(sets, after[:7]))


def _expand_ranges(text: str) -> str:
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
        if small and (int(first) >= int(second) or _is_score_context(text, match.start(), match.end())):
            return _score(int(first), int(second))  # ranges go up; '15-6' and 'won 1-2' are scores
        if re.search(r"\d\s$", text[:match.start()]) or (
                _value(first) >= 100 and _value(second) >= 100 and int(_value(first)) % 5):
            return f"{first} {second}"  # ranges are round numbers: '737-800' is a model number
        return f"{first} to {second}"

    text = re.sub(r"(\b\d{1,2}-\d{1,2}\)?)\s(?=\(?\d{1,2}-\d{1,2}\b)", r"\1, ", text)  # sets: '6-4 6-2'
    return re.sub(rf"(?<![\w.,-])({NUM})\s?[-–]\s?({NUM})\b(?![-.]\d)", span, text)


def _score(first: int, second: int) -> str:
    if first == second:
        return "nil all" if first == 0 else f"{first} all"
    return " ".join("nil" if side == 0 else str(side) for side in (first, second))


def _expand_years(text: str) -> str:
    """Years and decades as said aloud; a four-digit number followed by a count noun stays a number."""
    text = re.sub(r"\b((?:1[1-9]|20)\d0)s\b|'(\d0)s\b|(?<![\d,.])\b(\d{1,3}(?:,\d{3})*)s\b", lambda m: (
        _plural_words(_year_words(m.group(1))) if m.group(1)
        else _plural_words(_num2words(int((m.group(2) or m.group(3)).replace(",", ""))))), text)

    def year(match: re.Match) -> str:
        following = _next_word(text, match.end())
        if re.match(r"\s?[-/]?\d", text[match.end():match.end() + 2]):
            return match.group(0)
        if following.lower() in {"per", "square"} or re.fullmatch(
                rf"(?:{CURRENCY_WORDS}|{'|'.join(s for s, _ in UNITS.values())}|[a-z]+[^s'’]s|[a-z]+ies|"
                r"people|children|men|women|million|billion|thousand|metres|feet|miles)", following):
            return match.group(0)
        return _year_words(match.group(1))

    return re.sub(rf"(?<![\w£$€¥₹.,-])({YEAR})\b(?![,.]\d)", year, text)


def _expand_ordinals(text: str) -> str:
    def ordinal(match: re.Match) -> str:
        number, suffix = match.group(1), match.group(2).lower()
        last_two = int(number.replace(",", "")) % 100
        expected = "th" if 11 <= last_two <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(last_two % 10, "th")
        return _ordinal_words(number) if suffix == expected else match.group(0)

    return re.sub(r"\b(\d{1,3}(?:,\d{3})*)(st|nd|rd|th)\b", ordinal, text, flags=re.IGNORECASE)


def _expand_fractions(text: str) -> str:
    text = re.sub(r"(?<![\d/])\b(\d)/(\d)\b(?!/\d)", lambda m: FRACTIONS.get(m.group(0), m.group(0)), text)
    text = re.sub(r"\b24/7\b", "twenty-four seven", text)
    text = re.sub(r"(?<=\d)/(?=\d)", " ", text)  # a tie-break '(3/7)' or a title '06/05'; espeak says 'slash'
    return re.sub(r"\b(\d+)x(\d+)\b", r"\1 by \2", text)


def _expand_titles(text: str) -> str:
    """'Mr' → 'Mister' always; 'Dr', 'Gen', 'St'… only where the position makes them a title."""
    titles = "|".join(ALWAYS_TITLES)
    text = re.sub(rf"\b({titles})\b\.?", lambda m: ALWAYS_TITLES[m.group(1)], text)
    name = r"(?=\s(?:[A-Z][a-z]|[A-Z]'|[A-Z]\.|(?:Mister|Missus|Miz)\b))"
    text = re.sub(rf"\b({'|'.join(TITLES)})\b\.?{name}", lambda m: TITLES[m.group(1)], text)
    text = re.sub(rf"\bSt\b\.?{name}", "Saint", text)
    text = re.sub(r"\b([A-Z][a-z]+\s)(St|Dr|Rd|Ave)\b(?:\.(?=\s[a-z]))?", lambda m: m.group(1) + {
        "St": "Street", "Dr": "Drive", "Rd": "Road", "Ave": "Avenue"}[m.group(2)], text)
    return re.sub(r"(?<=[a-z])\s(Jr|Snr|Sr|Jnr)\b\.?", lambda m: " Junior" if "J" in m.group(1) else " Senior", text)


def _expand_abbreviations(text: str) -> str:
    text = re.sub(r"\be\.?g\.(?=[\s,]|$)|\beg\b(?=,?\s)", "for example", text)
    text = re.sub(r"\bi\.?e\.(?=[\s,]|$)|\bie\b(?=,?\s)", "that is", text)
    text = re.sub(r"\betc\b\.?(?=\s*$)", "et cetera.", text)
    text = re.sub(r"\betc\b\.?", "et cetera", text)
    text = re.sub(r"(?<=\w)\s(?:vs\.?|v\.?)\s(?=[A-Z0-9])|\bvs\b\.?", " versus ", text)
    text = re.sub(r"\b(?:No|no|Nos)\.?\s?(?=\d)", "Number ", text)
    text = re.sub(r"\b(?:approx)\b\.?", "approximately", text)
    text = re.sub(r"&\s?Co\b\.?", "and Company", text)
    text = re.sub(r"\bLtd\b\.?", "Limited", text)
    text = re.sub(r"\s?&\s?", " and ", text)
    text = re.sub(r"(?<=\d)\s?\+", " plus", text)
    text = re.sub(r"\s\+\s", " plus ", text)
    text = re.sub(r"\s?@\s?", " at ", text)
    return re.sub(r"\s=\s", " equals ", text)


def _roman_value(numeral: str) -> int:
    values = [{"I": 1, "V": 5, "X": 10}[letter] for letter in numeral]
    return sum(-value if value < following else value for value, following in zip(values, values[1:] + [0]))


def _roman(match: re.Match) -> str:
    previous, numeral = match.group(1), match.group(2)
    value = _roman_value(numeral)
    if previous in ROMAN_CARDINAL_AFTER or numeral in {"XI", "XV"}:  # a war, a volume, a team of eleven
        return f"{previous} {_num2words(value)}"
    return f"{previous} the {_num2words(value, to='ordinal').capitalize()}"


def _expand_roman_numerals(text: str) -> str:
    """'Richard III' → 'Richard the Third', 'World War II' → 'World War two'."""
    return re.sub(r"\b([A-Z][a-z]+) ((?=[IVX]{2,}\b)X{0,3}(?:IX|IV|V?I{0,3}))\b(?!['’]?s\b)", _roman, text)


def _spell(letters: str, suffix: str) -> str:
    if suffix:
        return "-".join(letters) + "'s"
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


def _spell_acronyms(text: str) -> str:
    """'BBC' → 'B.B.C', 'MPs' → 'M-P's', 'NATO' → 'Nato', 'WATCH' → 'Watch'."""
    text = re.sub(r"\b(\d[\d,.]*)([A-Za-z]+)\b", r"\1 \2", text)  # '5G' → '5 G', '3GSM' → '3 GSM'
    return re.sub(r"(?<![\w.'’])([A-Z]{2,})((?:'|’)s|s['’]?)?(?![\w]|[.'’]\w)", _acronym, text)


def _brackets_to_asides(text: str) -> str:
    """'(1,158 square miles)' becomes ', 1,158 square miles,' — commas give espeak a short pause."""
    text = re.sub(r'(?:(?<=^")|(?<=\s"))\(\s*|\s*\)(?="(?:\s|$|[.,;:!?]))', "", text)  # '"(laughs)"'
    text = re.sub(r"\s*\(\s*", ", ", text)
    return re.sub(r"\s*\)\s*", ", ", text)


def _tidy_punctuation(text: str) -> str:
    text = re.sub(r"[$£€%]", lambda m: {"$": " dollars", "£": " pounds", "€": " euros", "%": " per cent"}[m.group(0)], text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r",\s*(?=[.;:!?]|$)", "", text)
    text = re.sub(r"([.!?;:]['\"]?)\s*,", r"\1", text)
    text = re.sub(r"(?<![.])\.\.(?!\.)", ".", text)
    return re.sub(r"^[\s,;:]+", "", text).strip()


_RULES = (
    _expand_times, _expand_dates, _expand_ordinals, _expand_money, _expand_multipliers, _expand_units, _expand_percent,
    _expand_ranges, _expand_years, _expand_fractions, _expand_titles,
    _expand_abbreviations, _expand_roman_numerals, _spell_acronyms, _brackets_to_asides, _tidy_punctuation,
)


# --- public API -----------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping 'Mr.', 'U.S.', '3.5' and 'e.g.' inside them."""
    return list(_split_cached(text))


# Cached because the summariser and the script split the same paragraphs; pysbd is the slow part.
@lru_cache(maxsize=4096)
def _split_cached(text: str) -> tuple[str, ...]:
    stripped = text.strip()
    if not POSSIBLE_BOUNDARY.search(stripped):
        return (stripped,) if stripped else ()
    return tuple(sentence.strip() for sentence in _segmenter().segment(text) if sentence.strip())


def normalize(text: str, *, drop_conversions: bool = False) -> str:
    """Rewrite one sentence or paragraph so a TTS engine reads it like a newsreader.

    With drop_conversions, a bracketed unit or currency conversion after a measurement
    ('3,000 sq km (1,158 sq miles)') is left out instead of being read as an aside.
    """
    text = _tidy_characters(text)
    if drop_conversions:
        text = _drop_conversions(text)
    for rule in _RULES:
        text = rule(text)
    return text
