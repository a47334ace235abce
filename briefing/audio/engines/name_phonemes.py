"""How a name hibari's dictionaries lack is said: as espeak-ng's English dictionary lists it, else by
espeak-ng's rules for the language its spelling shows.

hibari reads a word its lexicons lack with a small network trained on espeak-ng's English readings, so
"Wojciech", "Xiaoming" or "Buenos" come out as English spelling would have them, and a possessive
("Wanjiru's") is read afresh, its vowels changed: one name said two ways in one episode. Here a
capitalised unknown word is read once, alone, and that reading said every time, a possessive adding only
its "s". Where espeak-ng's English dictionary lists the word (names of places and people chosen by hand:
"Bogota", "Buenos Aires", "Gdansk"), that reading is said; else where its letters show a language whose
rules Whisper heard better than hibari's guess (``name_origin``: Polish, pinyin), the
reading is espeak-ng's for that language, its IPA mapped onto the English phonemes hibari speaks, the way
an English newsreader says a foreign name; otherwise it is hibari's own.

Does not own: which language a spelling shows (``name_origin``); words hibari's dictionaries know (those
win; the ones it says wrongly are respelled in the shipped lexicon) and the shipped or a library's
lexicon, whose respellings are applied to the text before any engine sees it. Lower-case and
all-capital words stay with hibari's own guess: they are rare words and acronyms, not names.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable

from briefing.audio.engines.espeak_ipa import ENGLISH, espeak_phonemes
from briefing.audio.engines.name_origin import origin
from briefing.system.fsutil import read_toml
from briefing.voices import LEXICON_NAME, voices_dir

# Set to "off" to keep hibari's own guess for every unknown word (benchmarks/name_pronunciation.py).
SWITCH = "BRIEFING_NAME_PHONEMES"
MAX_LEXICON_BYTES = 4 * 1024 * 1024
MAX_NAME_LETTERS = 40  # longer "names" are run-together text: hibari's guess, not a process each

# espeak-ng's IPA (any language) onto the English phonemes hibari's voices were trained on (misaki's
# American set); longest first. What no entry names and hibari does not speak is dropped.
SOUNDS = {
    "eɪ": "A", "ei": "A", "aɪ": "I", "ai": "I", "aj": "I", "oʊ": "O", "əʊ": "O", "ou": "O", "aʊ": "W",
    "au": "W", "ɑu": "W", "aw": "W", "ɔɪ": "Y", "oi": "Y", "ɔj": "Y", "ɛj": "A", "ej": "A",
    "ɚ": "əɹ", "ɝ": "ɜɹ", "ɜː": "ɜɹ", "ɜ": "ɜɹ", "ᵻ": "ɪ", "ɐ": "ə", "ɵ": "ə", "ɤ": "ə", "ɨ": "ɪ",
    "a": "ɑ", "ä": "ɑ", "ɒ": "ɑ", "o": "O", "y": "u", "ʏ": "ʊ", "ʉ": "u", "ɯ": "u", "ø": "ɜɹ", "œ": "ɜɹ",
    "tɕ": "ʧ", "tʂ": "ʧ", "tʃ": "ʧ", "c": "ʧ", "dʑ": "ʤ", "dʐ": "ʤ", "dʒ": "ʤ", "ɟ": "ʤ", "ʝ": "j",
    "ɕ": "ʃ", "ʂ": "ʃ", "ʑ": "ʒ", "ʐ": "ʒ", "ç": "h", "ɦ": "h", "ħ": "h", "χ": "k", "q": "k",
    "ɲ": "nj", "ʎ": "lj", "ɫ": "l", "ɬ": "l", "ɭ": "l", "ʋ": "v", "β": "b", "ɣ": "ɡ", "ɸ": "f",
    "ʁ": "ɹ", "ʀ": "ɹ", "r": "ɹ", "ɽ": "ɹ", "ɻ": "ɹ", "ɳ": "n", "ɱ": "m", "ɖ": "d", "ʈ": "t", "ʔ": "t",
    "g": "ɡ", "ɲɟ": "nʤ", "ɲc": "nʧ",
    "ɾ": "ɹ", "ð": "d", "θ": "s",  # a foreign flap is an "r"; a soft "d", "th" and "z" are said as English's
}

# What one language's IPA means before the table above: pinyin's voiceless "b d g" (espeak-ng's p t k;
# "ph th kh" are the aspirated ones), its "zh q x" and the vowels after them. Regular expressions, in order.
LANGUAGE_SOUNDS: dict[str, tuple[tuple[str, str], ...]] = {
    "cmn-latn-pinyin": (
        (r"ts\.h|tʂh", "ʧ"), (r"ts\.|tʂ", "ʤ"), ("tɕh", "ʧ"), ("tɕ", "ʤ"), (r"s\.|ʂ", "ʃ"), ("ʐ", "ɹ"),
        (r"i\.", "ɜ"), ("i\u032a", "ə"), ("nɡ", "ŋ"), ("tsh", "ʦ"), ("ts", "dz"), ("ʦ", "ts"), ("p(?!h)", "b"),
        ("t(?![hs])", "d"), ("k(?!h)", "ɡ"), ("(?<=[ptk])h", ""), ("χ", "h"), ("uei", "wA"), ("y[ɛæ]", "wɛ"),
        (r"j?(ˈ?)i(?=[ɛɑ])", r"\1j"), ("ər", "ɜ"), ("-", ""),
    ),
    ENGLISH: (("ɾ", "T"),),  # American English's flapped "t" ("Bogota"), which hibari writes "T"
}

HIBARI_PHONEMES = frozenset("AIOWYbdfhijklmnpstuvwzɡŋɹʃʒðθʤʧæɑɔəɛɜɪʊʌᵊTˈˌ")
VOWEL_PHONEMES = frozenset("AIOWYiuæɑɔəɛɜɪʊʌᵊ")
_LANGUAGE_SWITCH = re.compile(r"\([a-z-]+\)")  # espeak-ng's "(en)" where a voice hands a word to English
_SPELLED_OUT = re.compile(r"\s")
_WORD = re.compile(r"[^\W\d_]+(?:['’]s)?")


def to_hibari(ipa: str, voice: str = "") -> str:
    """espeak-ng's IPA for one word (read by ``voice``) in hibari's phonemes; "" when nothing speakable is left."""
    ipa = re.sub(r"[0-9]", "", _LANGUAGE_SWITCH.sub("", ipa)).replace("ː", "")
    for sound, said in LANGUAGE_SOUNDS.get(voice, ()):
        ipa = re.sub(sound, said, ipa)
    ipa = ipa.replace("\u0303", "n")
    table = SOUNDS
    longest = max(map(len, table))
    out: list[str] = []
    at = 0
    while at < len(ipa):
        for size in range(longest, 0, -1):
            piece = ipa[at:at + size]
            if piece in table:
                sound = table[piece]
                break
        else:
            size, sound = 1, ipa[at]
            following = ipa[at + 1:at + 2]
            if sound == "e":  # a foreign "e": "ay" where it ends a syllable ("Giuseppe"), else "eh"
                sound = "A" if not following or following in VOWEL_PHONEMES or following in "ˈˌ" else "ɛ"
            elif sound == "x":  # the "ch" of "loch": "h" before a vowel ("José"), else "k"
                sound = "h" if following and (following in VOWEL_PHONEMES or following in "aeoˈˌ") else "k"
        if sound and not (out and len(sound) == 1 and sound not in VOWEL_PHONEMES and out[-1] == sound):
            out.append(sound)  # a doubled consonant ("pp") is said once in English
        at += size
    return "".join(phoneme for phoneme in "".join(out) if phoneme in HIBARI_PHONEMES)


def _stress(phonemes: str) -> str:
    """A name said alone carries a primary stress; espeak-ng leaves some words of one syllable without."""
    if "ˈ" in phonemes or not phonemes:
        return phonemes
    first_vowel = next((at for at, phoneme in enumerate(phonemes) if phoneme in VOWEL_PHONEMES), 0)
    return phonemes[:first_vowel] + "ˈ" + phonemes[first_vowel:]


class NamePhonemes:
    """hibari's ``oov`` callable: names as espeak-ng's English dictionary lists them, or by its rules
    where their spelling shows a language, other unknown words by hibari's own guess. A name is read
    once, alone, and that reading is said every time ("Wanjiru's" is "Wanjiru" and a "z"): hibari's own
    guess read a possessive afresh, its vowels changed."""

    def __init__(self, fallback: Callable[[str], str | None], read: Callable[[str, str], str],
                 keep: frozenset[str] = frozenset(), listed: Callable[[str], str] = lambda word: "",
                 read_many: Callable[[Iterable[str], Callable[[str], str | None]], None] | None = None,
                 known: Callable[[str], bool] = lambda word: False) -> None:
        self._fallback = fallback
        self._read_ipa = read
        self._listed = listed
        self._read_many = read_many
        self._known = known
        self._keep = keep
        self._said: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, word: str) -> str | None:
        base, possessive = _split_possessive(word)
        if not is_name(base):
            return self._fallback(word)
        with self._lock:
            known = self._said.get(base)
        if known is None:
            known = self._read(base) or self._fallback(base) or ""
            with self._lock:
                known = self._said.setdefault(base, known)
        if not known:
            return self._fallback(word)
        return known + _possessive_ending(known) if possessive else known

    def read_ahead(self, text: str) -> None:
        """Have espeak-ng read the names of ``text`` together, a program per voice rather than per name
        (hibari asks for one word at a time); what each name is said as does not change."""
        if self._read_many is None:
            return
        names = {_split_possessive(word)[0] for word in _WORD.findall(text)}
        with self._lock:
            names = {name for name in names if is_name(name) and name.lower() not in self._keep
                     and name not in self._said}
        names = {name for name in names if not self._known(name)}
        if names:
            self._read_many(sorted(names), origin)

    def _read(self, name: str) -> str:
        if name.lower() in self._keep:
            return ""  # the lexicon's respelling, checked as hibari's guess says it
        ipa, voice = self._listed(name), ENGLISH
        if not ipa:
            voice = origin(name) or ""
            ipa = self._read_ipa(name, voice) if voice else ""
        if not ipa or _SPELLED_OUT.search(ipa):
            return ""  # espeak-ng said it letter by letter, or could not: hibari's guess is no worse
        return _stress(to_hibari(ipa, voice))


def is_name(word: str) -> bool:
    """A capitalised word of letters with lower-case letters after the first ("Kowalczyk", not "NATO")."""
    return (2 <= len(word) <= MAX_NAME_LETTERS and word[0].isupper() and word[1:].islower()
            and all(letter.isalpha() for letter in word))


def _split_possessive(word: str) -> tuple[str, bool]:
    for ending in ("'s", "’s"):
        if word.endswith(ending):
            return word[:-len(ending)], True
    return word, False


def _possessive_ending(phonemes: str) -> str:
    last = phonemes.rstrip("ˈˌ")[-1:]
    if last in ("s", "z", "ʃ", "ʒ", "ʧ", "ʤ"):
        return "ɪz"
    return "s" if last in ("p", "t", "k", "f", "θ") else "z"


def name_phonemes(fallback: Callable[[str], str | None], keep: frozenset[str] = frozenset(),
                  known: Callable[[str], bool] = lambda word: False) -> Callable[[str], str | None]:
    """What hibari calls for a word it does not know: ``NamePhonemes`` where espeak-ng is installed and
    the switch is not off, else ``fallback`` itself. ``keep``: lower-case words read by ``fallback`` alone
    (still once, so their possessive keeps the reading);
    ``known``: whether hibari's dictionaries have a word (such words are not read ahead)."""
    if os.environ.get(SWITCH, "").lower() in ("off", "0", "no", "false"):
        return fallback
    read = espeak_phonemes()
    return fallback if read is None else NamePhonemes(fallback, read, keep, read.listed, read.read_ahead, known)


def respelled_words() -> frozenset[str]:
    """The words of the shipped lexicon's respellings ("Hoezay"), lower-case: each was checked by ear as
    hibari's own guess says it, so the lexicon's choice is kept as it was heard."""
    try:
        entries = read_toml(voices_dir() / f"{LEXICON_NAME}.toml", MAX_LEXICON_BYTES)
    except (OSError, ValueError):
        return frozenset()
    return frozenset(word.lower() for said in entries.values() if isinstance(said, str)
                     for word in re.findall(r"[^\W\d_]+", said))
