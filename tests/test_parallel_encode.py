"""Encoding on several cores: chunks cut at silences decode to exactly the single-pass length, with no
click at any join, and the joined file's header makes a gapless decoder return every sample. Pieces
laid out on the MP3 grid are found again in the cache when their section moves, and a file joined
from cached pieces is the file a fresh encoding makes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import requires_espeak, requires_ffmpeg

from briefing.audio import assemble as audio
from briefing.audio import formats
from briefing.audio.cache import EncodedPieces
from briefing.audio.engines import VoiceSettings, load_engine
from briefing.audio.engines.base import Speech
from briefing.audio.formats import mp3
from briefing.audio.formats import mp3_encoder as encode
from briefing.model import Segment

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
    formats.encode(episode, single, gain, formats.output_format("mp3"), jobs=1)
    formats.encode(episode, parallel, gain, formats.output_format("mp3"), jobs=4)
    chunks = encode.plan_chunks(episode.samples, episode.sample_rate, episode.cuts, episode.silences, 4)
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
    assert len(encode.plan_chunks(22050 * 10, 22050, [(0, 0)], [(22050, 22050 * 3)], 4)) == 1


# ---- pieces laid out on the grid and taken from the cache -------------------------------------------


def _story_episode(intro_sentences: int, speech: Speech) -> tuple[audio.EpisodeAudio, list[Segment]]:
    """An intro of ``intro_sentences`` sentences, then three sections of about 25 s, each a section start."""
    assembler = audio.Assembler(speech.sample_rate, grid=mp3.PIECE_GRID)
    segments = []
    for _ in range(intro_sentences):
        segments.append(Segment("Intro.", None, 400))
        assembler.add_speech(segments[-1], speech)
    for _ in range(3):
        assembler.start_section()
        for pause in (300, 300, 1200):
            segments.append(Segment("Story.", None, pause))
            assembler.add_speech(segments[-1], speech)
    return assembler.finish(), segments


@pytest.fixture(scope="module")
def sentence() -> Speech:
    return load_engine("espeak", VoiceSettings(voice="en-gb", rate=165)).synthesize(TEXT[: len(TEXT) // 2])


def test_a_section_that_moved_is_taken_from_the_cache_and_the_file_is_as_if_encoded_afresh(sentence, tmp_path):
    store = EncodedPieces(tmp_path / "cache" / "encoded")
    first, _ = _story_episode(1, sentence)
    gain = audio.normalising_gain(first)
    formats.encode(first, tmp_path / "first.mp3", gain, formats.output_format("mp3"), 2, store)
    assert len(first.cuts) == 3  # the intro and the first story share a piece: under 20 s before the cut
    assert store.hits == 0 and store.stored == 3

    # A longer intro moves every story later, by a length that is neither whole units nor whole frames.
    second, segments = _story_episode(2, sentence)
    assert audio.normalising_gain(second, keep=gain) == gain  # near the aim: the earlier gain stays
    reused = tmp_path / "reused.mp3"
    formats.encode(second, reused, gain, formats.output_format("mp3"), 2, store)
    assert store.hits == 2  # the second and third stories
    afresh = tmp_path / "afresh.mp3"
    formats.encode(second, afresh, gain, formats.output_format("mp3"), 2)
    assert reused.read_bytes() == afresh.read_bytes()

    # The timings said where each sentence is heard in the file, whole-frame pieces included.
    samples = decoded(reused)
    assert abs(len(samples) - second.duration_s * audio.SAMPLE_RATE_OUT) <= 2
    for segment in segments:
        start = round(segment.start * audio.SAMPLE_RATE_OUT)
        assert np.abs(samples[start - 2205:start - 882]).max() < 200, segment.start  # silence 50-20 ms before
        assert np.abs(samples[start:start + 4410]).max() > 1000, segment.start  # speech within 100 ms


def test_a_gain_far_from_the_aim_is_not_kept(sentence):
    episode, _ = _story_episode(1, sentence)
    gain = audio.normalising_gain(episode)
    assert audio.normalising_gain(episode, keep=gain + 0.2) == gain + 0.2
    assert abs(audio.normalising_gain(episode, keep=gain + 2.0) - gain) < 0.1
