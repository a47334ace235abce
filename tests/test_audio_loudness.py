"""Loudness normalisation finds the gain that puts the limited episode at the target, for quiet and loud voices."""

from __future__ import annotations

import pytest
from pydub import AudioSegment

from briefing import audio
from briefing.engines import VoiceSettings, load_engine

TEXT = ("Ukraine says it has regained control over three thousand square kilometres of territory "
        "in a potential breakthrough in the six-month war. The figures cannot be verified.")


@pytest.fixture(scope="module")
def speech() -> AudioSegment:
    engine = load_engine("espeak", VoiceSettings(voice="en-gb", rate=165))
    spoken = engine.synthesize(TEXT)
    clip = AudioSegment(data=spoken.pcm, sample_width=2, frame_rate=spoken.sample_rate, channels=1)
    return clip * 4  # long enough for the gated integrated loudness to settle


def limited_loudness(clip: AudioSegment, gain: float) -> float:
    meter = audio.LoudnessMeter(clip.frame_rate, audio.limiter_chain(gain))
    meter.feed(clip.raw_data)
    return meter.result()


@pytest.mark.parametrize("level_db", [-14.0, 0.0, 6.0], ids=["quiet voice", "espeak as is", "loud voice"])
def test_gain_lands_the_limited_audio_on_the_target(speech: AudioSegment, level_db: float) -> None:
    clip = speech.apply_gain(level_db)
    trials = {gain: limited_loudness(clip, gain) for gain in audio.TRIAL_GAINS_DB}
    gain = audio.normalising_gain(clip, trials)
    assert abs(limited_loudness(clip, gain) - audio.PRE_ENCODE_TARGET_LUFS) < 0.5


def test_silence_gets_no_gain() -> None:
    silence = AudioSegment.silent(duration=3000, frame_rate=22050)
    trials = {gain: limited_loudness(silence, gain) for gain in audio.TRIAL_GAINS_DB}
    assert audio.normalising_gain(silence, trials) == 0.0


def test_parse_integrated_loudness_reads_the_summary_not_the_running_values() -> None:
    log = ("[Parsed_ebur128_0] t: 1.0 I: -30.0 LUFS\n[Parsed_ebur128_0] Summary:\n\n"
           "  Integrated loudness:\n    I:         -19.7 LUFS\n")
    assert audio.parse_integrated_loudness(log) == -19.7
