"""The gazetteer of place readings (voices/places.tsv, briefing/audio/engines/place_readings.py): a place is
said as English-language news says it, not as hibari's dictionary has the word ("Slough") or its guess reads
the spelling ("Kherson" as "KUR-sun"); the word in lower case and British voices keep their own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from briefing.audio.engines.name_phonemes import HIBARI_PHONEMES
from briefing.audio.engines.place_readings import (PLACES_FILE, PlacesFirst, hibari_reading, parse_places,
                                                   place_readings, read_places_first)
from briefing.voices import voices_dir

# Places the default voice was heard to misread (benchmarks/name_pronunciation.py --places, held-out-2).
MISREAD = {"Kherson": "kɛɹsˈɔn", "Slough": "slˈW", "Uvalde": "juvˈældi"}


@pytest.mark.parametrize("line", [
    "Buenos Aires\tˈbweɪnəs ˈaɪrɪs",  # two words
    "Port-au-Prince\tˌpɔrtoʊˈprɪns",  # not letters alone
    "kherson\tkɛrˈsɔn",  # not capitalised
    "Kherson\tkɛrsɔn",  # no stress
    "Kherson\tkɛrˈsˈɔn",  # two primary stresses
    "Kherson\tkʰɛrˈsɔn",  # a symbol outside the set
    "Kherson",  # no reading
    "Slough\tˈslaʊ\tnoun",  # a third column that is not "word"
])
def test_a_line_that_is_not_a_place_and_its_reading_is_refused_with_its_number(line: str) -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_places(f"# a comment\n{line}\n")


def test_ipa_becomes_hibari_phonemes_written_as_its_dictionaries_write_them() -> None:
    assert hibari_reading("kɛrˈsɔn") == "kɛɹsˈɔn"  # the stress mark moves to the vowel
    assert hibari_reading("ˈkitoʊ") == "kˈiTO"  # hibari's own "Quito": a flapped "t", "oʊ" as "O"
    assert hibari_reading("ˈslaʊ") == "slˈW"
    assert hibari_reading("ˌmɪkəˈlaɪɪv") == "mˌɪkəlˈIɪv"
    assert hibari_reading("ˈtusɑn") == "tˈusɑn"  # no flap before a consonant's vowel stressed or after one


def test_the_shipped_gazetteer_reads_and_holds_the_places_heard_misread() -> None:
    places = parse_places((voices_dir() / PLACES_FILE).read_text(encoding="utf-8"))
    names = [place.name for place in places]
    assert len(names) == len(set(names)) >= 500
    readings = place_readings()
    assert all(set(said) <= HIBARI_PHONEMES for said in readings.values())
    for name, said in MISREAD.items():
        assert readings[name] == said


def test_places_come_first_for_the_capitalised_spelling_only() -> None:
    golds = {"slough": "slˈu", "London": "lˈʌndən"}
    first = PlacesFirst({"Slough": "slˈW"}, golds)
    assert first.get("Slough") == "slˈW" and first.get("slough") == "slˈu" and first.get("London") == "lˈʌndən"
    assert "Slough" in first and "London" in first and "Kherson" not in first
    assert first.copy() == golds  # the rest is hibari's dictionary's own


def test_a_missing_gazetteer_reads_as_none(tmp_path: Path) -> None:
    assert place_readings(tmp_path) == {}


class _Lexicon:
    def __init__(self) -> None:
        self.golds = {"slough": "slˈu"}


def test_british_voices_keep_their_own_dictionaries() -> None:
    british, american = _Lexicon(), _Lexicon()
    read_places_first(british, british=True)
    read_places_first(american, british=False)
    read_places_first(american, british=False)  # installed once
    assert british.golds == {"slough": "slˈu"}
    assert isinstance(american.golds, PlacesFirst) and not isinstance(american.golds._golds, PlacesFirst)


def test_the_default_voice_says_the_places_as_the_gazetteer_and_the_words_as_before() -> None:
    pytest.importorskip("hibari")
    from briefing.audio.engines import VoiceSettings, load_engine

    g2p = load_engine("hibari", VoiceSettings(voice="heart"))._tts.g2p  # type: ignore[attr-defined]
    said = g2p("Reporters in Kherson and Slough saw the slough. Kherson's mayor spoke in Uvalde.")
    said = said if isinstance(said, str) else said[0]
    assert "kɛɹsˈɔn ænd slˈW" in said and "ðə slˈu" in said
    assert "kɛɹsˈɔnz mˈA" in said and "juvˈældi" in said


def test_a_place_that_is_also_a_word_hibari_says_otherwise_is_marked_so() -> None:
    """The gazetteer's reading replaces the word's only where the word is capitalised, which at a sentence's
    start is the word too: such places are few, each marked "word" on purpose."""
    pytest.importorskip("hibari")
    from briefing.audio.engines.hibari_tables import shared_g2p

    lexicon = shared_g2p(False).lexicon
    places = parse_places((voices_dir() / PLACES_FILE).read_text(encoding="utf-8"))
    unmarked = [place.name for place in places if not place.also_a_word
                and lexicon.golds.d.get(place.name.lower()) not in (None, hibari_reading(place.ipa))
                and lexicon.golds.d.get(place.name) is None]
    assert unmarked == []


def test_the_gazetteer_lists_only_what_hibaris_dictionary_lacks_or_says_otherwise() -> None:
    """A place hibari's dictionary holds is listed only where it is said otherwise (a stress moved, or a
    sound; unstressed vowels and accents' blurs aside): where it is said the same, it is left alone."""
    pytest.importorskip("hibari")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    bench = pytest.importorskip("name_pronunciation")
    from briefing.audio.engines.hibari_tables import shared_g2p

    golds = shared_g2p(False).lexicon.golds.d
    held = {name: golds.get(name) for name in place_readings() if golds.get(name) is not None}
    assert held  # the dictionary's wrong stresses ("Amman", "Donegal") are among the listed
    same = [name for name, said in held.items()
            if bench.reading_distance(said if isinstance(said, str) else said["DEFAULT"], place_readings()[name]) == 0]
    assert same == []


@pytest.mark.parametrize("content", [b"Kherson\tkersan\n", b"\xff\xfe not text", None])
def test_a_gazetteer_that_is_not_one_is_a_one_line_error_naming_it(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / PLACES_FILE
    if content is None:
        os.mkfifo(path)  # a FIFO is refused before it is read, never waited on
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=f"^{path}: [^\\n]+$"):
        place_readings(tmp_path)


def test_the_default_voice_with_a_damaged_gazetteer_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("hibari")
    from briefing.audio.engines import VoiceSettings, load_engine
    from briefing.errors import EngineError

    for path in voices_dir().glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / PLACES_FILE).write_text("Kherson\tkɛrsɔn\n", encoding="utf-8")
    monkeypatch.setenv("BRIEFING_VOICES", str(tmp_path))
    with pytest.raises(EngineError, match="places.tsv: line 1"):
        load_engine("hibari", VoiceSettings(voice="heart"))
