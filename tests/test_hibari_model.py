"""hibari's model optimized once for this machine and kept in briefing's cache folder
(briefing/audio/engines/hibari.py, ``optimized_model``): it must speak exactly the same samples, be made once,
and never stop a voice from loading (a damaged copy, something else under its name, no cache folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

hibari = pytest.importorskip("hibari")
from hibari.voices import voice_path  # noqa: E402

from briefing.audio.engines import VoiceSettings, load_engine  # noqa: E402
from briefing.audio.engines.hibari import optimized_model  # noqa: E402

SENTENCE = "The council said the harbour bridge will close for three weeks of repairs from Monday."


@pytest.fixture
def cache_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "briefing"


def test_the_optimized_model_speaks_the_same_samples_and_is_made_once(cache_home):
    original = load_engine("hibari", VoiceSettings())  # made here, then loaded from the copy
    [copy] = cache_home.glob("hibari-model-*.onnx")
    made = copy.stat().st_mtime_ns
    assert optimized_model(voice_path("heart")) == str(copy)
    assert copy.stat().st_mtime_ns == made

    from hibari import Hibari

    own = Hibari(voice="heart", model=None)
    assert original.synthesize(SENTENCE).pcm == _pcm(own, SENTENCE)


def _pcm(tts, text: str) -> bytes:
    import numpy

    audio = numpy.clip(numpy.concatenate(list(tts.stream(text, speed=1.0, seed=0))), -1.0, 1.0)
    return (audio * 32767).astype("<i2").tobytes()


def test_a_damaged_copy_is_replaced_and_the_voice_still_loads(cache_home):
    load_engine("hibari", VoiceSettings())
    [copy] = cache_home.glob("hibari-model-*.onnx")
    copy.write_bytes(b"not a model")
    engine = load_engine("hibari", VoiceSettings())  # the voice's own file speaks; the copy is removed
    assert len(engine.synthesize("Hello.").pcm) > 0
    assert not copy.exists()
    load_engine("hibari", VoiceSettings())
    assert copy.stat().st_size > 1_000_000  # made again


def test_a_fifo_under_the_copy_s_name_does_not_block_loading(cache_home):
    load_engine("hibari", VoiceSettings())
    [copy] = cache_home.glob("hibari-model-*.onnx")
    copy.unlink()
    os.mkfifo(copy)
    assert optimized_model(voice_path("heart")) is None
    assert len(load_engine("hibari", VoiceSettings()).synthesize("Hello.").pcm) > 0


def test_an_unwritable_cache_folder_means_the_voice_s_own_file(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert optimized_model(voice_path("heart")) is None
    assert len(load_engine("hibari", VoiceSettings()).synthesize("Hello.").pcm) > 0
