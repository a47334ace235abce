"""Speech engines: pyttsx3 and espeak-ng speak a real sentence, keep quiet on stdout, and reject unknown voices."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import (
    FIXTURES,
    _rms,
    decode_pcm,
    files_in,
    pcm_duration,
    requires_espeak,
    requires_ffmpeg,
    run_cli,
)

from briefing.cli import main
from briefing.audio.engines import VoiceSettings, load_engine
from briefing.errors import BriefingError, UsageError

pytestmark = requires_espeak

SENTENCE = "The council approved the new cycle lanes on Station Road after a long debate on Tuesday."
ENGINES = ["pyttsx3", "espeak"]


@pytest.mark.parametrize("name", ENGINES)
def test_engine_speaks_a_sentence_as_audible_22050_hz_audio_of_plausible_length(name: str) -> None:
    engine = load_engine(name, VoiceSettings(voice="en-gb", rate=165))
    try:
        speech = engine.synthesize(SENTENCE)
    finally:
        engine.close()
    assert speech.sample_rate == 22050
    # 16 words at 165 words a minute is about 6 s; espeak-ng adds a little silence at either end.
    assert 3.0 <= speech.duration_s <= 12.0, speech.duration_s
    assert _rms(speech.pcm) > 500  # about -36 dBFS: speech, not silence or noise


@pytest.mark.parametrize("name", ENGINES)
def test_engine_loaded_once_speaks_many_segments(name: str) -> None:
    engine = load_engine(name, VoiceSettings(voice="en-gb"))
    try:
        short, long = engine.synthesize("Good morning."), engine.synthesize(SENTENCE)
    finally:
        engine.close()
    assert 0.3 <= short.duration_s < long.duration_s


SPEAK_ONCE = """
import sys, time
from briefing.audio.engines import VoiceSettings, load_engine
engine = load_engine("pyttsx3", VoiceSettings(voice="en-gb", rate=int(sys.argv[1])))
time.sleep(0.2)  # as a speech worker waits for its first text: the race was likeliest then
print(len(engine.synthesize(sys.argv[2]).pcm))
"""


def test_pyttsx3_speaks_at_the_asked_rate_in_every_fresh_process() -> None:
    """espeak-ng applied the rate on its own thread and lost it in about one process in six (all of its
    segments then came at 200 words a minute): twelve fresh processes must give identical clips."""
    def start(rate: int) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", SPEAK_ONCE, str(rate), SENTENCE], stdout=subprocess.PIPE,
                                text=True)

    slow = [start(120) for _ in range(12)]
    fast = start(240)
    lengths = [int(process.communicate()[0]) for process in slow]
    assert len(set(lengths)) == 1, lengths
    assert int(fast.communicate()[0]) < 0.7 * lengths[0]  # the rate does change the length


def test_pyttsx3_sets_a_lost_rate_again() -> None:
    """The rate espeak-ng lost is read back and set again before any text is spoken."""
    from pyttsx3.drivers import _espeak

    from briefing.audio.engines import pyttsx3_internals

    engine = load_engine("pyttsx3", VoiceSettings(voice="en-gb", rate=165))
    try:
        right = len(engine.synthesize(SENTENCE).pcm)
        _espeak.SetParameter(_espeak.RATE, 200, 0)  # what the race left behind
        _espeak.Synchronize()
        assert pyttsx3_internals.espeak_rate() == 200
        engine._insist_on_rate(165)
        assert pyttsx3_internals.espeak_rate() == 165
        assert abs(len(engine.synthesize(SENTENCE).pcm) - right) < 0.02 * right  # at 200: 18% shorter
    finally:
        engine.close()


def test_pyttsx3_unknown_voice_is_a_usage_error_naming_the_voice() -> None:
    with pytest.raises(UsageError, match="no voice 'klingon-xx'"):
        load_engine("pyttsx3", VoiceSettings(voice="klingon-xx"))


def test_espeak_unknown_voice_is_an_error_naming_the_voice() -> None:
    with pytest.raises(BriefingError, match="klingon-xx"):
        engine = load_engine("espeak", VoiceSettings(voice="klingon-xx"))
        engine.synthesize("Good morning.")


def test_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown engine 'festival'"):
        load_engine("festival", VoiceSettings())


@requires_ffmpeg
@pytest.mark.slow
@pytest.mark.parametrize("name", ENGINES)
def test_make_stdout_has_only_the_summary_line_never_audio_saved_to(name: str, tmp_path: Path) -> None:
    mp3 = tmp_path / "bins.mp3"
    result = CliRunner().invoke(
        main, ["make", str(FIXTURES / "bin-collections.txt"), "--engine", name, "--max-words", "40", "--no-publish",
               "-o", str(mp3)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Audio saved to" not in result.output
    assert re.fullmatch(rf"{re.escape(str(mp3))}  \(\d+:\d\d, \d+ sentences\)\n", result.stdout)
    assert pcm_duration(decode_pcm(mp3)) > 3.0


@pytest.mark.parametrize("engine", ENGINES)
def test_make_with_an_unknown_voice_fails_cleanly_and_writes_nothing(engine: str, tmp_path: Path) -> None:
    profile = tmp_path / "klingon.toml"
    profile.write_text(f'engine = "{engine}"\nvoice = "klingon-xx"\n', encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(["make", FIXTURES / "bin-collections.txt", "--voice", profile, "--no-publish",
                      "-o", out / "bins.mp3"], home=tmp_path)
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("Error: ")
    assert files_in(out) == []


def test_make_with_an_unknown_pyttsx3_voice_names_it(tmp_path: Path) -> None:
    profile = tmp_path / "klingon.toml"
    profile.write_text('engine = "pyttsx3"\nvoice = "klingon-xx"\n', encoding="utf-8")
    result = run_cli(["make", FIXTURES / "bin-collections.txt", "--voice", profile, "--no-publish",
                      "-o", tmp_path / "bins.mp3"], home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "Error: pyttsx3: no voice 'klingon-xx' (see 'briefing voices')"


def test_voices_lists_the_profiles_and_english_espeak_voices(tmp_path: Path) -> None:
    result = run_cli(["voices", "--engine", "espeak"], home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Profiles" not in result.stdout
    assert re.search(r"^espeak voices \(\d+ of \d+\):", result.stdout, re.MULTILINE)
    assert re.search(r"^\s+en-gb\s", result.stdout, re.MULTILINE)


def test_a_driver_that_hangs_applying_the_settings_is_an_engine_error_not_a_wait(monkeypatch) -> None:
    import threading
    import time

    from briefing.audio.engines import pyttsx3_engine
    from briefing.errors import EngineError

    released = threading.Event()

    class HangingDriver:  # what espeak-ng's synthesis thread did once on a busy machine: never return
        def connect(self, *args, **keywords) -> None: ...
        def setProperty(self, *args) -> None: ...  # noqa: N802 (pyttsx3's name)
        def isBusy(self) -> bool:  # noqa: N802 (pyttsx3's name)
            return True
        def runAndWait(self) -> None:  # noqa: N802 (pyttsx3's name)
            released.wait(60)

    monkeypatch.setattr(pyttsx3_engine, "BASE_TIMEOUT_S", 0.5)
    started = time.monotonic()
    try:
        with pytest.raises(EngineError, match="did not apply the voice's settings"):
            pyttsx3_engine.Pyttsx3Engine(HangingDriver(), VoiceSettings())
    finally:
        released.set()
    assert time.monotonic() - started < 30
