"""Shouted text for speech: a slogan or a headline in capitals is said in ordinary case, not spelled.

"SAVE OUR LIBRARIES NOW!" → "save our libraries now!", "BREAKING NEWS:" → "breaking news:", while
the acronyms inside stay in capitals for the acronym rule: "STOP THE BBC CUTS" → "stop the BBC cuts"
(said "stop the B.B.C cuts"). Without this, every short word of a slogan is spelled ("S.A.V.E").

The shape decides, not a list of slogans: a run of three or more words in capitals is shouting; so
are two before a colon (a label: "BREAKING NEWS:") or filling a quotation ("HANDS OFF"). A word of
the run stays in capitals when it is an acronym:
- its shape is no English word's: no vowel ("BBC", "NHS"), two letters that are not a word ("AI",
  "UK"), a start no English word has ("FBI", "NRA"), a roman numeral ("WORLD WAR II");
- it is a known acronym (vocabulary.KNOWN_ACRONYMS and WORD_ACRONYMS: "CIA", "NATO");
- the article writes it, in two to five capitals, among ordinary words ("the KLA said"): the caller
  passes those as ``acronyms`` (``acronyms_in`` finds them).
"US" is the country where it opens the run, follows "THE", or sits between a small word and a noun
("NO TO US BASES"); elsewhere it is the pronoun ("LET US VOTE", "GIVE US OUR PARK BACK").
Only what the voice is given changes; the display text keeps the capitals.
"""

from __future__ import annotations

import functools
import re

from briefing.text.speech.vocabulary import (
    FUNCTION_WORDS,
    KNOWN_ACRONYMS,
    SHOUTED_WORDS,
    TWO_LETTER_WORDS,
    WORD_ACRONYMS,
    WORD_ONSETS,
)

_WORD = r"[A-Z]+(?:['’][A-Z]+)?"
_GAP = r"(?:[,;:!?]?\s++|-)"
_RUN = re.compile(rf"(?<![\w'’.-]){_WORD}(?:{_GAP}{_WORD})+(?![\w'’-])")
_TOKEN = re.compile(_WORD)
_SMALL_WORDS = frozenset(word.upper() for word in FUNCTION_WORDS) | SHOUTED_WORDS | {"NO", "OF"}


@functools.lru_cache(maxsize=64)  # a daily story asks for its articles' at each stage that says them
def acronyms_in(text: str) -> frozenset[str]:
    """Words of two to five capitals that ``text`` writes among ordinary words: its own acronyms."""
    outside_runs = _RUN.sub(" ", text)
    found = re.findall(r"(?<![\w'’.-])([A-Z]{2,5})(?:s|['’]s)?(?![\w'’-])", outside_runs)
    return frozenset(found) - SHOUTED_WORDS


def _is_acronym(word: str, acronyms: frozenset[str]) -> bool:
    return (_shaped_as_acronym(word) or word in KNOWN_ACRONYMS or word in WORD_ACRONYMS or word in acronyms)


def _shaped_as_acronym(word: str) -> bool:
    if not re.search(r"[AEIOUY]", word) or re.fullmatch(r"[IVX]{2,}", word):
        return True
    if len(word) == 2:
        return word not in TWO_LETTER_WORDS
    return re.match(r"[^AEIOU][^AEIOUY]", word) is not None and word[:2] not in WORD_ONSETS


def _is_country(words: list[str], index: int) -> bool:
    """'US' in a shouted run: the country or the pronoun (see the module docstring)."""
    before = words[index - 1] if index else None
    after = words[index + 1] if index + 1 < len(words) else None
    if before is None or before == "THE":
        return True
    return after is not None and before in _SMALL_WORDS and after not in _SMALL_WORDS


def _ordinary(words: list[str], index: int, acronyms: frozenset[str]) -> str:
    word = words[index]
    base, *suffix = re.split(r"(?=['’])", word, maxsplit=1)  # 'BBC'S': the acronym and its "'s"
    if base == "US":
        return word if _is_country(words, index) else word.lower()
    if len(base) > 1 and _is_acronym(base, acronyms):
        return base + "".join(suffix).lower()
    if index + 1 < len(words) and re.fullmatch(r"[IVX]{2,}", words[index + 1]):
        return word.capitalize()  # 'WAR II': the roman numeral rule reads 'War two'
    return "I" + word[1:].lower() if base == "I" else word.lower()


def _is_shouting(match: re.Match, count: int) -> bool:
    if count >= 3:
        return True
    text, start, end = match.string, match.start(), match.end()
    quoted = text[start - 1:start] in "\"“" and re.match(r"[.,!?]?[\"”]", text[end:]) is not None
    return count == 2 and (text[end:end + 1] == ":" or (start > 0 and quoted))


def said_in_ordinary_case(text: str, acronyms: frozenset[str] = frozenset()) -> str:
    """Shouted runs of capitals in ordinary case, their acronyms kept; see the module docstring."""

    def ordinary(match: re.Match) -> str:
        words = _TOKEN.findall(match.group(0))
        if not _is_shouting(match, len(words)):
            return match.group(0)
        said = iter(_ordinary(words, index, acronyms) for index in range(len(words)))
        spoken = _TOKEN.sub(lambda _: next(said), match.group(0))
        opens = re.search(r"(?:^|[.!?:])[\s\"“'‘(]*$", text[:match.start()]) is not None  # a sentence
        return spoken[:1].upper() + spoken[1:] if opens else spoken

    return _RUN.sub(ordinary, text)
