"""Names hibari's dictionaries lack, said by espeak-ng's rules for their language (briefing/audio/engines/name_phonemes.py).

espeak-ng's IPA must come out in the phonemes hibari speaks, the language read off the spelling, the same
name the same way every time, the shipped lexicon's respellings left as they were checked, and words that
are not names left to hibari's own guess. One end-to-end check renders an episode with and without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from briefing.audio.engines.name_phonemes import (HIBARI_PHONEMES, SWITCH, NamePhonemes, espeak_phonemes, is_name,
                                                  name_phonemes, origin, respelled_words, to_hibari)

ESPEAK = espeak_phonemes()
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")
ROOT = Path(__file__).resolve().parents[1]


def own_guess(word: str) -> str:
    return f"<{word}>"


@pytest.mark.parametrize(("ipa", "said"), [
    ("kɔvˈaltʃɨk", "kɔvˈɑlʧɪk"),          # Polish "cz" and "y" as English says them
    ("dʒʊzˈɛpːe", "ʤʊzˈɛpA"),             # long and doubled consonants once; a final "e" is "ay"
    ("xoˈakin", "hOˈɑkin"),                # the "ch" of "loch" before a vowel is an "h"
    ("vˈɔjtɕɛx", "vˈYʧɛk"),               # ... and a "k" at the end
    ("waɲɟˈiru", "wɑnʤˈiɹu"),             # "nj" as in "Benjamin"; a trilled "r" is English "r"
    ("ʒɔakˈɛ̃", "ʒɔɑkˈɛn"),               # a nasal vowel keeps an "n"
    ("(en)dʒˈoʊkwɪn(fr)", "ʤˈOkwɪn"),     # a voice's hand-over to English is dropped
    ("ɕjɑu5mˈi5ŋ", "ʃjWmˈiŋ"),            # tone numbers go
])
def test_espeak_ipa_becomes_the_english_phonemes_hibari_speaks(ipa: str, said: str) -> None:
    assert to_hibari(ipa) == said


def test_only_phonemes_hibari_speaks_come_out_of_any_ipa() -> None:
    every_ipa_letter = "".join(chr(code) for code in range(0x250, 0x2B0)) + "aeiouyøœɶçʰʲˑ‿ˈˌː̃0123456789()"
    assert set(to_hibari(every_ipa_letter)) <= HIBARI_PHONEMES


@pytest.mark.parametrize(("name", "voice"), [
    ("Kowalczyk", "pl"), ("Szczepanski", "pl"), ("Wojciech", "pl"), ("Wanjiru", "sw"), ("Ngozi", "sw"),
    ("Oluwaseun", "sw"), ("Adeyemi", "sw"), ("Hiroshi", "sw"),
    ("Ashworth", None), ("Blakemore", None), ("Giuseppe", None), ("Yilmaz", None),
])
def test_a_names_language_is_read_off_its_spelling(name: str, voice: str | None) -> None:
    assert origin(name) == voice


@pytest.mark.parametrize(("word", "name"), [
    ("Kowalczyk", True), ("Öztürk", True), ("NATO", False), ("kowalczyk", False), ("McDonald", False),
    ("X", False), ("Jean-Paul", False), ("K" + "o" * 60, False),
])
def test_only_capitalised_words_of_letters_are_names(word: str, name: bool) -> None:
    assert is_name(word) is name


@needs_espeak
def test_a_name_is_said_the_same_way_every_time_also_from_many_threads() -> None:
    assert ESPEAK is not None
    names = NamePhonemes(own_guess, ESPEAK)
    first = names("Kowalczyk")
    assert first == "kɔvˈɑlʧɪk"
    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(names, ["Kowalczyk"] * 16)) == {first}
    assert names("Kowalczyk's") == first + "s"


def test_a_name_of_no_language_keeps_hibaris_guess_read_alone_also_in_its_possessive() -> None:
    names = NamePhonemes(own_guess, lambda word, voice: pytest.fail("no language: espeak-ng is not asked"))
    assert names("Blakemore") == "<Blakemore>"
    assert names("Blakemore's") == "<Blakemore>z"
    assert names("Castellucci’s") == "<Castellucci>z"


@needs_espeak
def test_words_that_are_not_names_and_the_lexicons_respellings_keep_hibaris_guess() -> None:
    assert ESPEAK is not None
    keep = respelled_words()
    assert {"hoezay", "shivawn"} <= keep  # voices/lexicon.toml: "San Jose" = "San Hoezay", "Siobhan" = "Shivawn"
    names = NamePhonemes(own_guess, ESPEAK, keep)
    assert names("Hoezay") == "<Hoezay>"
    assert names("UNRWA") == "<UNRWA>"
    assert names("krumpfle") == "<krumpfle>"
    assert names("Wojciech") == "vˈYʧɛk"


def test_the_switch_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWITCH, "off")
    assert name_phonemes(own_guess) is own_guess


def test_a_word_espeak_spells_out_or_cannot_read_keeps_hibaris_guess() -> None:
    assert NamePhonemes(own_guess, lambda word, voice: "")("Kowalczyk") == "<Kowalczyk>"
    assert NamePhonemes(own_guess, lambda word, voice: "kˈeɪ ˈəʊ")("Kowalczyk") == "<Kowalczyk>"


@needs_espeak
def test_espeak_reads_in_the_voice_asked_and_nothing_for_a_voice_it_lacks() -> None:
    assert ESPEAK is not None
    assert ESPEAK("Kowalczyk", "pl") == "kɔvˈaltʃɨk"
    assert ESPEAK("Kowalczyk", "no-such-voice") == ""


@needs_espeak
def test_words_in_hibaris_dictionaries_are_not_touched() -> None:
    pytest.importorskip("hibari")
    from briefing.audio.engines import VoiceSettings, load_engine
    from briefing.audio.engines.hibari_tables import shared_g2p

    engine = load_engine("hibari", VoiceSettings(voice="heart"))
    g2p = engine._tts.g2p  # type: ignore[attr-defined]
    assert isinstance(g2p._oov, NamePhonemes)
    known = "The mayor of London met Sadiq Khan in Paris on Tuesday."
    assert g2p(known) == shared_g2p(False)(known)
    assert "kɔvˈɑlʧɪk" in g2p("Kowalczyk said so.")


@pytest.mark.slow
@needs_espeak
def test_an_episode_says_unknown_names_by_espeaks_rules(tmp_path: Path) -> None:
    """The same article made with the source on and off: `briefing make` speaks the name differently."""
    pytest.importorskip("hibari")
    article = tmp_path / "article.txt"
    article.write_text("Ferry bookings doubled\n\nWojciech Kowalczyk said ferry bookings had doubled this year.\n")
    audio = {}
    for switch in ("on", "off"):
        output = tmp_path / f"{switch}.mp3"
        env = {**os.environ, "PYTHONPATH": str(ROOT), SWITCH: switch}
        subprocess.run([sys.executable, "-m", "briefing", "make", str(article), "--all", "--no-publish",
                        "--library", str(tmp_path / f"library-{switch}"), "-o", str(output)],
                       check=True, capture_output=True, env=env, timeout=300)
        audio[switch] = output.read_bytes()
    assert audio["on"] != audio["off"]


@needs_espeak
def test_reading_names_leaves_the_classic_voice_working_in_the_same_process():
    """espeak-ng's library keeps one state per process, which pyttsx3's driver shares: names are read by
    the espeak-ng program, so the classic voice still speaks after (it hung when both used the library)."""
    import subprocess
    import sys

    script = ("from briefing.audio.engines import VoiceSettings, load_engine\n"
              "from briefing.audio.engines.name_phonemes import espeak_phonemes\n"
              "for round in range(2):\n"
              "    assert espeak_phonemes()('Kowalczyk', 'pl')\n"
              "    engine = load_engine('pyttsx3', VoiceSettings(voice='en-gb'))\n"
              "    assert engine.synthesize('Good morning.').duration_s > 0.3\n"
              "    engine.close()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
