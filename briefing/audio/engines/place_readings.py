"""How the American hibari voices say places: the shipped gazetteer ``voices/places.tsv``, read before
hibari's own dictionaries.

hibari's dictionaries know a place as a word ("Slough" is the marsh, "sloo"), not at all ("Kherson",
read by its guess as "KUR-sun", "Uvalde" as "YOO-val-duh"), or by a spelling-rule reading espeak-ng gave
them. A newsreader says a place the way English-language news does, which no spelling rule recovers, so
the readings are a list: each line a place written as news writes it, one word, and its General American
reading in IPA, written by hand from knowledge of the name. A third column ``word`` marks a place whose
name is also a rare English word ("Slough"): its reading is said only for the capitalised spelling, as
every entry's is, so the word in lower case keeps its own.

Only single words: hibari reads text a word at a time, and the words of a many-word place ("Buenos
Aires") are read right apart or respelled in the lexicon (``voices/lexicon.toml``). British voices keep
their own dictionaries: the readings are American ("r" said after vowels).

Does not own: the respellings every engine gets (``speech.lexicon``, applied first, so a respelled place
never reaches this list), nor names that are not places (``name_phonemes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from briefing.audio.engines.name_phonemes import HIBARI_PHONEMES, VOWEL_PHONEMES
from briefing.system.fsutil import read_small_file
from briefing.voices import voices_dir

PLACES_FILE = "places.tsv"
MAX_PLACES_BYTES = 1024 * 1024
IPA_SYMBOLS = frozenset("pbtdkɡfvθðszʃʒhmnŋlrjwiɪeɛæɑɔoʊuʌəɚɝaˈˌ")
# General American IPA's diphthongs, r-coloured vowels and affricates as hibari (misaki's American set)
# writes them; every other symbol of the set is hibari's own.
_HIBARI = (("eɪ", "A"), ("aɪ", "I"), ("oʊ", "O"), ("aʊ", "W"), ("ɔɪ", "Y"), ("ɚ", "əɹ"), ("ɝ", "ɜɹ"),
           ("tʃ", "ʧ"), ("dʒ", "ʤ"), ("r", "ɹ"))
_NAME = re.compile(r"[^\W\d_]+")
_VOWELS = "".join(sorted(VOWEL_PHONEMES))
_STRESS_BEFORE_ONSET = re.compile(f"([ˈˌ])([^{_VOWELS}ˈˌ]+)")  # the mark and the consonants it stands before
_FLAP = re.compile(f"(?<=[{_VOWELS}ɹ])t(?=[{_VOWELS}])")  # between vowels, the next unstressed


@dataclass(frozen=True)
class Place:
    name: str  # as news writes it: "Kherson"
    ipa: str  # General American: "kɛrˈsɔn"
    also_a_word: bool = False

    @cached_property
    def phonemes(self) -> str:
        """As hibari is told to say it: "kɛɹsˈɔn"."""
        return hibari_reading(self.ipa)


def parse_places(text: str) -> list[Place]:
    """The gazetteer's lines; ValueError naming the first line that is not ``Name<TAB>IPA[<TAB>word]``
    with a one-word name and one primary stress in the allowed symbols."""
    places = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) not in (2, 3) or (len(columns) == 3 and columns[2] != "word"):
            raise ValueError(f"line {number}: not 'Name<TAB>IPA[<TAB>word]'")
        name, ipa = columns[0], columns[1]
        if not _NAME.fullmatch(name) or not name[0].isupper():
            raise ValueError(f"line {number}: {name!r} is not one capitalised word")
        place = Place(name, ipa, len(columns) == 3)
        if not set(ipa) <= IPA_SYMBOLS or ipa.count("ˈ") != 1 or not set(place.phonemes) <= HIBARI_PHONEMES:
            raise ValueError(f"line {number}: {ipa!r} is not IPA with one primary stress")
        places.append(place)
    return places


def hibari_reading(ipa: str) -> str:
    """General American IPA in hibari's phonemes, written as its dictionaries write them: the stress mark
    just before the stressed vowel (IPA puts it before the syllable), an American flapped "t" as "T"."""
    phonemes = ipa
    for sound, said in _HIBARI:
        phonemes = phonemes.replace(sound, said)
    phonemes = _STRESS_BEFORE_ONSET.sub(r"\2\1", phonemes)
    return _FLAP.sub("T", phonemes)


def place_readings(folder: Path | None = None) -> dict[str, str]:
    """Each place's name and the hibari phonemes it is said with, from ``folder`` (the voices folder by
    default), read once a process; {} when the file is missing. ValueError, naming the file, for one that
    is not a gazetteer."""
    return _readings(folder or voices_dir())


@lru_cache(maxsize=4)
def _readings(folder: Path) -> dict[str, str]:
    path = folder / PLACES_FILE
    try:
        text = read_small_file(path, MAX_PLACES_BYTES).decode("utf-8")
        return {place.name: place.phonemes for place in parse_places(text)}
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ValueError(f"{path}: {error.strerror or error}") from None
    except ValueError as error:  # UnicodeDecodeError among them
        raise ValueError(f"{path}: {str(error).splitlines()[0]}") from None


class PlacesFirst:
    """hibari's gold dictionary with the gazetteer before it, for the exact (capitalised) spelling only:
    "Slough" is the town, "slough" stays the word."""

    def __init__(self, places: dict[str, str], golds: Any) -> None:
        self._places = places
        self._golds = golds

    def get(self, word: str) -> Any:
        said = self._places.get(word)
        return said if said is not None else self._golds.get(word)

    def __contains__(self, word: str) -> bool:
        return word in self._places or word in self._golds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._golds, name)


def read_places_first(lexicon: Any, british: bool) -> None:
    """Have hibari's ``lexicon`` say the gazetteer's places its way; British voices are left alone."""
    places = place_readings()
    if places and not british and not isinstance(lexicon.golds, PlacesFirst):
        lexicon.golds = PlacesFirst(places, lexicon.golds)
