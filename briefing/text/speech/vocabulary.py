"""The word tables of speech normalisation, and the regex pieces built from them.

Data only: what an abbreviation, unit, currency or month is said as, and the cue words the rules
weigh. To teach the normaliser a new unit, title or acronym, add a row here; the rules that use
each table live in speech/abbreviations.py, speech/amounts.py, speech/dates.py, speech/fractions.py
and speech/numbers.py.
"""

from __future__ import annotations

import re

# --- acronyms, titles, roman numerals (abbreviations) --------------------------------

# All-caps acronyms that are said as words; everything else of 2-4 capitals is spelled out.
WORD_ACRONYMS = {
    "ACAS": "Acas", "AIDS": "Aids", "ASDA": "Asda", "ASEAN": "Asean", "BAFTA": "Bafta",
    "COP": "Cop", "COVID": "Covid", "DEFRA": "Defra", "FIFA": "Fifa", "FTSE": "Footsie",
    "GIF": "gif", "IKEA": "Ikea", "ISA": "Isa", "ISIS": "Isis", "JAXA": "Jaxa", "LEGO": "Lego", "MAX": "Max",
    "MERS": "Mers", "NAFTA": "Nafta", "NASA": "Nasa", "NATO": "Nato", "OFCOM": "Ofcom",
    "OFGEM": "Ofgem", "OFSTED": "Ofsted", "OFWAT": "Ofwat", "OK": "okay", "OPEC": "Opec",
    "PIN": "pin", "SARS": "Sars", "SIM": "sim", "UEFA": "Uefa", "UNESCO": "Unesco",
    "UNICEF": "Unicef", "ZIP": "zip",
}
# Acronyms with a vowel, spelled, that shouted text may hold: "FBI AGENTS RAID HOME". Most others are
# known by their shape (speech/shouting.py): no vowel ("BBC"), two letters that are not a word ("AI"),
# or a start no English word has ("FBI", "NRA").
KNOWN_ACRONYMS = frozenset(
    "CIA EPA FBI IMF IRA IRS ICC ICU IVF IPO IPCC ISS OECD IAEA ECB ECJ CEO CFO OBE MBE UAE UFO USA USB VAR "
    "AGM ONS IEA IDF ESA EIB UNHCR".split()
)
# The English words of two letters: any other pair of capitals is an acronym ("AI", "EU", "UK").
TWO_LETTER_WORDS = frozenset("AH AM AN AS AT BE BY DO EH GO HA HE HI IF IN IS IT ME MY NO OF OH OK ON OR OW OX SO TO UP US WE".split())
# How English words may begin with two consonants; capitals that begin otherwise are spelled ("FBI").
WORD_ONSETS = frozenset(
    "BL BR CH CL CR DR DW FL FR GH GL GN GR KN PH PL PR PS SC SH SK SL SM SN SP ST SW TH TR TW WH WR".split()
)
# Ordinary words written in capitals for emphasis, read as words.
SHOUTED_WORDS = frozenset(
    "ALL AND ARE BUT FOR HER HIS NEW NO NOT NOW ONE ONLY OUR OUT THE TOO TWO WAS WILL YES YOU".split()
)

TITLES = {
    "Adm": "Admiral", "Brig": "Brigadier", "Cmdr": "Commander", "Cdr": "Commander", "Capt": "Captain", "Cllr": "Councillor", "Col": "Colonel",
    "Cpl": "Corporal", "Det": "Detective", "Dr": "Doctor", "Fr": "Father", "Gen": "General",
    "Gov": "Governor", "Hon": "Honourable", "Insp": "Inspector", "Lt": "Lieutenant", "Maj": "Major",
    "Prof": "Professor", "Pte": "Private", "Rep": "Representative", "Rev": "Reverend",
    "Revd": "Reverend", "Rt": "Right", "Sen": "Senator", "Sgt": "Sergeant", "Supt": "Superintendent",
}
# Abbreviations with a full stop that a capitalised word often follows inside a sentence.
INNER_ABBREVIATIONS = (
    "Gov|Rep|Sen|Cmdr|Cdr|Adm|Brig|Capt|Col|Cpl|Det|Gen|Insp|Lt|Maj|Pte|Sgt|Supt|Rev|Prof|Dr|Mr|Mrs|Ms|"
    "St|Mt|Ft|Inc|Corp|Co|Ltd|Jr|Sr|Bros|Dept|Univ|Jan|Feb|Aug|Sept|Sep|Oct|Nov|Dec|No|Nos|Vol"
)
ALWAYS_TITLES = {"Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Messrs": "Messieurs"}

# US states as news style abbreviates them after a city ("Albany, N.Y.", "Sacramento, Calif.").
US_STATES = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia", "Ill.": "Illinois",
    "Ind.": "Indiana", "Kan.": "Kansas", "Kans.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana",
    "Md.": "Maryland", "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota",
    "Miss.": "Mississippi", "Mo.": "Missouri", "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada",
    "N.H.": "New Hampshire", "N.J.": "New Jersey", "N.M.": "New Mexico", "N.Y.": "New York",
    "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma", "Ore.": "Oregon",
    "Pa.": "Pennsylvania", "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota",
    "Tenn.": "Tennessee", "Tex.": "Texas", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington",
    "W.Va.": "West Virginia", "W. Va.": "West Virginia", "Wis.": "Wisconsin", "Wyo.": "Wyoming",
    "D.C.": "D.C.",
}
ROMAN_CARDINAL_AFTER = frozenset("War Volume Vol Part Chapter Act Phase Grade Type Class Bowl Apollo Test".split())

# --- dates (dates) ---------------------------------------------------------------------

MONTHS = {
    "January": "January", "Jan": "January", "February": "February", "Feb": "February",
    "March": "March", "Mar": "March", "April": "April", "Apr": "April", "May": "May",
    "June": "June", "Jun": "June", "July": "July", "Jul": "July", "August": "August",
    "Aug": "August", "September": "September", "Sept": "September", "Sep": "September",
    "October": "October", "Oct": "October", "November": "November", "Nov": "November",
    "December": "December", "Dec": "December",
}

# --- money and units (amounts) --------------------------------------------------------

# symbol → (singular, plural, name of the hundredth part)
CURRENCIES = {
    "£": ("pound", "pounds", "pence"), "$": ("dollar", "dollars", "cents"),
    "US$": ("US dollar", "US dollars", "cents"), "A$": ("Australian dollar", "Australian dollars", "cents"),
    "C$": ("Canadian dollar", "Canadian dollars", "cents"), "NZ$": ("New Zealand dollar", "New Zealand dollars", "cents"),
    "HK$": ("Hong Kong dollar", "Hong Kong dollars", "cents"), "€": ("euro", "euros", "cents"),
    "¥": ("yen", "yen", "sen"), "₹": ("rupee", "rupees", "paise"), "₽": ("rouble", "roubles", "kopecks"),
    "₩": ("won", "won", "jeon"), "₦": ("naira", "naira", "kobo"), "₺": ("lira", "lira", "kurus"),
    "₴": ("hryvnia", "hryvnias", "kopecks"), "₱": ("peso", "pesos", "centavos"), "₪": ("shekel", "shekels", "agorot"),
    "฿": ("baht", "baht", "satang"), "₫": ("dong", "dong", "xu"), "R$": ("real", "reais", "centavos"),
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
    "sec": ("second", "seconds"), "secs": ("second", "seconds"),
    "µg/m³": ("microgram per cubic metre", "micrograms per cubic metre"),
    "μg/m³": ("microgram per cubic metre", "micrograms per cubic metre"),
    "µg/m3": ("microgram per cubic metre", "micrograms per cubic metre"),
    "μg/m3": ("microgram per cubic metre", "micrograms per cubic metre"),
    "mg/m³": ("milligram per cubic metre", "milligrams per cubic metre"),
    "m³": ("cubic metre", "cubic metres"), "m3": ("cubic metre", "cubic metres"),
    "km³": ("cubic kilometre", "cubic kilometres"), "cm³": ("cubic centimetre", "cubic centimetres"),
    "µg": ("microgram", "micrograms"), "μg": ("microgram", "micrograms"),
}
ATTACHED_ONLY = frozenset({"g", "st", "ha", "C", "F", "cc", "m2", "m3"})

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
# Words after an amount that show it is not describing a noun: "£1.3bn last year", "£8m available".
NOT_A_NOUN_AFTER_AMOUNT = frozenset(
    "last next this every each ago already apiece available annually overall alone instead too more less "
    "worth extra back away off out down up yesterday today tonight now then respectively including "
    "compared against towards toward through across between among via plus minus online home abroad overseas "
    "elsewhere nationally locally".split()
)
SCALE_WORDS = "hundred|thousand|million|billion|trillion"
DETERMINERS = r"(?i:a|an|the|his|her|its|their|our|my|your|this|that|new|\w+'s)"

# --- fractions (fractions) ------------------------------------------------------------

# Singular measures a fraction is said "of a" before: "3/4 inch" → "three quarters of an inch".
FRACTION_MEASURES = (
    "percentage point|mile|inch|foot|yard|metre|meter|kilometre|centimetre|millimetre|hour|minute|second|day|week|month|"
    "year|decade|century|pound|ounce|ton|tonne|kilo|kilogram|gram|litre|liter|pint|gallon|cup|teaspoon|"
    "tablespoon|acre|hectare|point|lap|length|season|term"
)

# --- names with numbers (identifiers) ----------------------------------------------------

# Makers whose products carry model numbers said as names: "Boeing 787" is "seven eighty-seven".
MAKERS = (
    "Boeing|Airbus|Embraer|Bombardier|Cessna|Tupolev|Antonov|Sukhoi|Ilyushin|Lockheed|Douglas|Comac|"
    "Porsche|Peugeot|Ferrari|Fiat|Volvo|Saab|Ducati|Yamaha|Leica|Nikon|Canon|Fujifilm|Nokia|Motorola|"
    "Beretta|Glock|Colt"
)
# Nouns after a number that show it names a model: "the 737 Max", "787 jets".
PRODUCT_NOUNS = (
    "jets?|jetliners?|airliners?|aircraft|planes?|airplanes?|aeroplanes?|Max|MAX|Dreamliners?|freighters?|"
    "helicopters?|fighters?|bombers?|widebodies|narrowbodies|models?|series|variants?"
)
# Products whose number is a version: "iOS 17.2", "Python 3.12".
VERSIONED_PRODUCTS = (
    "iOS|iPadOS|macOS|OS X|Android|Windows|Linux|Python|Java|Firefox|Chrome|Safari|Bluetooth|HTML|USB|Wi-Fi|WiFi"
)
# A unit after a slash, as said after "per": "cents/W" → "cents per watt".
PER_UNITS = {
    "W": "watt", "kW": "kilowatt", "kWh": "kilowatt hour", "MWh": "megawatt hour", "GWh": "gigawatt hour",
    "h": "hour", "hr": "hour", "hour": "hour", "s": "second", "sec": "second", "second": "second",
    "min": "minute", "minute": "minute", "km": "kilometre", "mi": "mile", "mile": "mile", "m": "metre",
    "kg": "kilogram", "g": "gram", "lb": "pound", "oz": "ounce", "t": "tonne", "tonne": "tonne", "ton": "ton",
    "l": "litre", "L": "litre", "litre": "litre", "liter": "liter", "gal": "gallon", "gallon": "gallon",
    "bbl": "barrel", "barrel": "barrel", "MMBtu": "million British thermal units", "day": "day", "d": "day",
    "week": "week", "wk": "week", "month": "month", "mo": "month", "year": "year", "yr": "year",
    "night": "night", "person": "person", "head": "head", "capita": "head", "share": "share",
    "sq km": "square kilometre", "km2": "square kilometre", "km²": "square kilometre",
    "sq mi": "square mile", "m2": "square metre", "m²": "square metre", "sq ft": "square foot", "sq m": "square metre",
}

# --- regex pieces built from the tables ---------------------------------------------------------

NUM = r"\d(?:[\d,]*\d)?(?:\.\d+)?"
US_STATE = "|".join(re.escape(state) for state in sorted(US_STATES, key=len, reverse=True))
# What a state's abbreviation follows: a city and a comma ("Albany, N.Y."), or a party letter ("D-Minn.")
CITY_OR_PARTY = r"(?:\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,\s|\b[DRI]-)"
YEAR = r"(?:1[1-9]\d\d|20\d\d)"
DAY = r"(?:[12]\d|3[01]|0?[1-9])"
MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
CURRENCY_SIGN = "|".join(re.escape(sign) for sign in sorted(CURRENCIES, key=len, reverse=True))
MULTIPLIER = r"(?:bn|billion|mn|million|m|k|thousand|trn|tn|trillion)(?![\w²])"
UNIT = "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))
PER_UNIT = "|".join(re.escape(unit) for unit in sorted(PER_UNITS, key=len, reverse=True))
