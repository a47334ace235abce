"""Which language's rules a name's spelling shows: the espeak-ng voice that should read it.

A name is sent to a language only on letters that language uses and English does not: Polish "cz" and
"ł", and an opening of "l" or "r" and a consonant, Slavic, which hibari's guess spelled ("Lviv" as
"El-viv"); pinyin, a word made wholly of Mandarin syllables with one of pinyin's marks (zh, x, q, c before a
vowel, "-iao", "-ang" in a name of two syllables...). Spellings no rule reads better than hibari's own
guess stop the search: African spellings ("Ng-", "Olu-"), Spanish ("ñ", "-ez"), French ("-eau", "-ault",
"ç", "è"), Italian ("gli", "-ucci", "-ini"), Portuguese, Turkish, Hungarian and Irish letters; so do spellings shared by several languages, or by English.

Does not own: whether a word is a name or known to hibari (``name_phonemes``), nor how the language's
sounds become hibari's (``name_phonemes.to_hibari``).
"""

from __future__ import annotations

import re

PINYIN = "cmn-latn-pinyin"

# One pinyin syllable: an initial with the finals it takes, or a y-/w- spelling. A syllable with no
# initial is allowed only first: pinyin writes "Xi'an" with an apostrophe, so "Shanahan" is not split so.
_SYLLABLE = "|".join((
    r"[jqx](?:iang|iong|iao|ian|ing|ia|ie|iu|in|i|uan|ue|un|u)",
    r"(?:zh|ch|sh|r|z|c|s)(?:uang|ang|eng|ong|uai|uan|ai|ei|ao|ou|an|en|ua|uo|ui|un|a|e|i|u)",
    r"[bpmf](?:iang|iao|ian|ing|ang|eng|ai|ei|ao|ou|an|en|ie|in|iu|a|o|i|u)",
    r"[dtnl](?:iang|iao|ian|ing|ong|ang|eng|uan|ai|ei|ao|ou|an|en|ia|ie|iu|in|uo|ui|un|ue|a|e|i|u)",
    r"[gkh](?:uang|uai|uan|ang|eng|ong|ai|ei|ao|ou|an|en|ua|uo|ui|un|a|e|u)",
    r"y(?:uan|ang|ong|ing|ao|an|in|ue|un|ou|a|e|i|o|u)",
    r"w(?:ang|eng|ai|ei|an|en|a|o|u)",
))
_PINYIN_WORD = re.compile(rf"(?:ang|eng|ai|ei|ao|ou|an|en|er|a|o|e)?(?:{_SYLLABLE})+")
_ONE_SYLLABLE = re.compile(rf"ang|eng|ai|ei|ao|ou|an|en|er|a|o|e|{_SYLLABLE}")
# A mark of pinyin that English spelling does not make: without one, "Hanna" or "Bowen" stay English. The
# endings "-ang", "-ong" count only in a name of two syllables or more: "Hong", "Kong" keep English's vowel.
_PINYIN_MARK = re.compile(r"zh|x|q|c(?!h)|ia|ua|uo|ui|iu|ie|ao|ou")
_PINYIN_ENDING = re.compile(r"ang|eng|ong|ing")

# (espeak-ng voice, letters that show the language), tried in order, the first match winning; a voice of
# None keeps hibari's own guess, where espeak-ng's reading of such names was heard worse on the names the
# rules were tuned against (benchmarks/name_pronunciation.py): African spellings, French, Portuguese,
# Turkish, Hungarian and Irish; and Spanish and Italian, level on the tuning names but heard worse on
# the held-out ones. Marks a language alone uses come before those it shares.
ORIGINS: tuple[tuple[str | None, re.Pattern[str]], ...] = tuple((voice, re.compile(pattern)) for voice, pattern in (
    ("pl", r"^[lr][bcdfgkmnpstvwz](?=.*[aeiouy])|[łąęśźżćń]|szcz|szk|rz[aeouy]|[^s]cz|sz[aeiouy]|w(icz|ski|ska)$|czyk$|[^aeiou]j[^aeiou]|ojc|ie[ck]h?$"),
    # Letters said as written with pure vowels: names from Africa (also India's and Japan's).
    (None, r"^(ng|mb|nd|nj|nk|ny)[aeiou]|^olu|^ade|^chi[a-z]{4}|wu|aa|bh|dh|(esh|endra|ita|deep|jit|preet|shi|moto|yama|ko|ru)$"),
    (PINYIN, r""),  # is_pinyin(), not a pattern
    (None, r"[ãõıışğőű]|ção|ões|lh[aeo]|nh[aeo]|zs|cs|gy|th$|mh|aoi"),
    (None, r"[ñáíóú]|és$|[^aeiou]ez$|uez$|^ll[aeiou]"),
    (None, r"[éèêëàâîïôûùœç]|eaux?$|aux$|ault$|aud$|oix$|ois(e)?$|oit$|iers?$|[ie]eux$|oux$|eille?$|ques$"),
    (None, r"^gi[aou]|([bcdfglmnprstvz])\1[aio]$|cch|gli|zz[aeiou]|cci|[aeiou]gn[aeiou]"
           r"|(ini|ino|ina|etti|etto|etta|ucci|uccio|elli|ello|oni|acci|ardi|aldi|ieri|iello|ella|zio|zia)$"),
))


def origin(name: str) -> str | None:
    """The espeak-ng voice whose rules read the name; None where its spelling shows no language, or one
    whose rules were heard worse than hibari's own guess."""
    letters = name.lower()
    for voice, pattern in ORIGINS:
        if is_pinyin(letters) if voice == PINYIN else pattern.search(letters):
            return voice
    return None


def is_pinyin(letters: str) -> bool:
    """Wholly Mandarin syllables, with a mark English spelling does not make ("zhao", "xiaoming", "cai")."""
    if not _PINYIN_WORD.fullmatch(letters):
        return False
    return bool(_PINYIN_MARK.search(letters) or _PINYIN_ENDING.search(letters) and not _ONE_SYLLABLE.fullmatch(letters))
