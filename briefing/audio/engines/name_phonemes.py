"""How a name hibari's dictionaries lack is said: espeak-ng's rules for the language its spelling shows.

hibari reads a word its lexicons lack with a small network trained on espeak-ng's English readings, so
"Wojciech" or "Oluwaseun" come out as English spelling would have them, and a possessive ("Wanjiru's")
is read afresh, its vowels changed: one name said two ways in one episode. Here a capitalised unknown
word is read once, alone, and that reading said every time, a possessive adding only its "s". Where its
letters show a language whose rules Whisper hears better (Polish for "cz"/"ł"; Swahili's letters-as-
written for "Ng-", "Olu-"), the reading is espeak-ng's for that language, its IPA mapped onto the English
phonemes hibari speaks, the way an English newsreader says a foreign name; otherwise it is hibari's own.

Does not own: words hibari's dictionaries know (those win) and the shipped or a library's lexicon,
whose respellings are applied to the text before any engine sees it. Lower-case and all-capital words
stay with hibari's own guess: they are rare words and acronyms, not names.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable

from briefing.system.fsutil import read_toml
from briefing.system.processes import end_with_parent
from briefing.voices import LEXICON_NAME, voices_dir

# Set to "off" to keep hibari's own guess for every unknown word (benchmarks/name_pronunciation.py).
SWITCH = "BRIEFING_NAME_PHONEMES"
MAX_LEXICON_BYTES = 4 * 1024 * 1024
MAX_NAME_LETTERS = 40  # longer "names" are run-together text: hibari's guess, not a process each

# (espeak-ng voice, letters that show a name's language), first match wins: spellings the language uses
# and English does not. Only languages whose rules Whisper heard better than hibari's guess on the names
# the rules were written against (benchmarks/name_pronunciation.py); Italian, Spanish, Portuguese, Irish,
# pinyin and espeak-ng's English were heard worse or no better there, so those names keep hibari's guess.
ORIGINS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((voice, re.compile(pattern)) for voice, pattern in (
    ("pl", r"[łąęśźżćń]|szcz|rz[aeouy]|[^s]cz|sz[aeiouy]|w(icz|ski|ska)$|czyk$|[^aeiou]j[^aeiou]|ojc|ie[ck]h?$"),
    # Letters said as written with pure vowels (Swahili's rules): names from Africa, whose spelling is
    # phonetic (also India's and Japan's) and whose letters English rules misread.
    ("sw", r"^(ng|mb|nd|nj|nk|ny)[aeiou]|^olu|^ade|^chi[a-z]{4}|wu|aa|bh|dh|(esh|endra|ita|deep|jit|preet|shi|moto|yama|ko|ru)$"),
))

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

HIBARI_PHONEMES = frozenset("AIOWYbdfhijklmnpstuvwzɡŋɹʃʒðθʤʧæɑɔəɛɜɪʊʌᵊTˈˌ")
VOWEL_PHONEMES = frozenset("AIOWYiuæɑɔəɛɜɪʊʌᵊ")
_LANGUAGE_SWITCH = re.compile(r"\([a-z-]+\)")  # espeak-ng's "(en)" where a voice hands a word to English
_SPELLED_OUT = re.compile(r"\s")


def origin(name: str) -> str | None:
    """The espeak-ng voice whose rules fit the name's spelling; None when its spelling shows none."""
    letters = name.lower()
    return next((voice for voice, pattern in ORIGINS if pattern.search(letters)), None)


def to_hibari(ipa: str) -> str:
    """espeak-ng's IPA for one word in hibari's phonemes; "" when nothing speakable is left."""
    ipa = re.sub(r"[0-9]", "", _LANGUAGE_SWITCH.sub("", ipa)).replace("ː", "").replace("\u0303", "n")
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


class EspeakPhonemes:
    """espeak-ng, the program, asked for one word's IPA in one of its voices.

    The program, not its library: the library keeps one state per process, which pyttsx3's espeak-ng
    driver (the classic voice, and the fallback) shares; a second user of it in one process left that
    driver hung. A program per word costs tens of milliseconds, and only names whose spelling shows a
    language are read, each once."""

    def __init__(self, executable: str) -> None:
        self._executable = executable

    @functools.cached_property
    def voices(self) -> frozenset[str]:
        try:
            listed = subprocess.run([self._executable, "--voices"], capture_output=True, text=True,
                                    timeout=TIMEOUT_S, check=False, preexec_fn=end_with_parent).stdout
        except (OSError, subprocess.TimeoutExpired):
            return frozenset()
        return frozenset(line.split()[1] for line in listed.splitlines()[1:] if len(line.split()) > 1)

    def __call__(self, word: str, voice: str) -> str:
        """The IPA of ``word`` read by ``voice``; "" when espeak-ng has no such voice or cannot read it."""
        if voice not in self.voices:
            return ""
        try:
            result = subprocess.run([self._executable, "-q", "--ipa", "-v", voice, "--", word], capture_output=True,
                                    timeout=TIMEOUT_S, check=False, preexec_fn=end_with_parent)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        if result.returncode != 0:
            return ""
        return " ".join(result.stdout.decode("utf-8", "replace").split())


TIMEOUT_S = 10.0  # one word; espeak-ng answers in tens of milliseconds


@functools.cache
def espeak_phonemes() -> EspeakPhonemes | None:
    """The one reader of this process; None where espeak-ng is not installed."""
    executable = shutil.which("espeak-ng")
    return EspeakPhonemes(executable) if executable else None


class NamePhonemes:
    """hibari's ``oov`` callable: names by espeak-ng where their spelling shows a language, other
    unknown words by hibari's own guess. A name is read once, alone, and that reading is said every time
    ("Wanjiru's" is "Wanjiru" and a "z"): hibari's own guess read a possessive afresh, its vowels changed."""

    def __init__(self, fallback: Callable[[str], str | None], read: Callable[[str, str], str],
                 keep: frozenset[str] = frozenset()) -> None:
        self._fallback = fallback
        self._read_ipa = read
        self._keep = keep
        self._said: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, word: str) -> str | None:
        base, possessive = _split_possessive(word)
        if not is_name(base) or base.lower() in self._keep:
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

    def _read(self, name: str) -> str:
        voice = origin(name)
        if voice is None:
            return ""
        ipa = self._read_ipa(name, voice)
        if not ipa or _SPELLED_OUT.search(ipa):
            return ""  # espeak-ng said it letter by letter, or could not: hibari's guess is no worse
        return _stress(to_hibari(ipa))


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


def name_phonemes(fallback: Callable[[str], str | None], keep: frozenset[str] = frozenset()) -> Callable[[str], str | None]:
    """What hibari calls for a word it does not know: ``NamePhonemes`` where espeak-ng is installed and
    the switch is not off, else ``fallback`` itself. ``keep``: lower-case words left to ``fallback``."""
    if os.environ.get(SWITCH, "").lower() in ("off", "0", "no", "false"):
        return fallback
    read = espeak_phonemes()
    return fallback if read is None else NamePhonemes(fallback, read, keep)


def respelled_words() -> frozenset[str]:
    """The words of the shipped lexicon's respellings ("Hoezay"), lower-case: each was checked by ear as
    hibari's own guess says it, so the lexicon's choice is kept as it was heard."""
    try:
        entries = read_toml(voices_dir() / f"{LEXICON_NAME}.toml", MAX_LEXICON_BYTES)
    except (OSError, ValueError):
        return frozenset()
    return frozenset(word.lower() for said in entries.values() if isinstance(said, str)
                     for word in re.findall(r"[^\W\d_]+", said))
