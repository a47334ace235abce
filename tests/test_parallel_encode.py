"""Encoding on several cores: chunks cut at silences decode to exactly the single-pass length, with no
click at any join, and the joined file's header makes a gapless decoder return every sample."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import requires_espeak, requires_ffmpeg

from briefing import audio, formats
from briefing.formats import mp3_encoder as encode
from briefing.engines import VoiceSettings, load_engine

pytestmark = [requires_espeak, requires_ffmpeg]
TEXT = ("Ukraine says it has regained control over three thousand square kilometres of territory "
        "in a potential breakthrough in the six-month war. The figures cannot be verified. ") * 2


@pytest.fixture(scope="module")
def episode() -> audio.EpisodeAudio:
    """About 90 s: speech separated by the 1.5 s pauses between sections."""
    spoken = load_engine("espeak", VoiceSettings(voice="en-gb", rate=165)).synthesize(TEXT)
    assembler = audio.Assembler(spoken.sample_rate)
    speech = np.frombuffer(spoken.pcm, "<i2")
    for _ in range(8):
        assembler._append(audio.trim_silence(speech, spoken.sample_rate))
        assembler.add_silence(1500)
    return assembler.finish()


def decoded(path: Path) -> np.ndarray:
    result = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                            capture_output=True, check=True)
    return np.frombuffer(result.stdout, "<i2").astype(np.int32)


def test_chunks_join_without_a_click_and_at_the_single_pass_length(episode, tmp_path: Path) -> None:
    gain = audio.normalising_gain(episode)
    single, parallel = tmp_path / "single.mp3", tmp_path / "parallel.mp3"
    formats.export(episode, single, formats.Tags(title="t"), gain, jobs=1)
    formats.export(episode, parallel, formats.Tags(title="t"), gain, jobs=4)
    chunks = encode.plan_chunks(episode.samples, episode.sample_rate, episode.silences, 4)
    assert len(chunks) >= 3
    one, joined = decoded(single), decoded(parallel)
    expected = round(episode.samples * audio.SAMPLE_RATE_OUT / episode.sample_rate)
    assert abs(len(one) - expected) <= 2
    assert abs(len(joined) - len(one)) / audio.SAMPLE_RATE_OUT <= 0.030
    speech_jumps = np.abs(np.diff(one)).max()
    position = 0
    for chunk in chunks[:-1]:
        position += chunk.output_samples
        around = joined[position - 2 * encode.FRAME_SAMPLES : position + 2 * encode.FRAME_SAMPLES]
        assert np.abs(np.diff(around)).max() <= 16, position  # silence stays silence across the join
        assert speech_jumps > 1000  # (the check above would catch a click: speech itself jumps this much)
    # Away from the joins the two encodings say the same thing.
    assert np.corrcoef(one, joined[: len(one)])[0, 1] > 0.99


def test_short_audio_is_one_chunk() -> None:
    assert len(encode.plan_chunks(22050 * 10, 22050, [(22050, 22050 * 3)], 4)) == 1
