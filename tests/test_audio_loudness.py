"""Loudness normalisation: the in-process meter agrees with ffmpeg's EBU R128 meter, and the gain puts the
exported episode (limited only where its peaks pass the ceiling) on the target with headroom to spare."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from pydub import AudioSegment

from briefing.audio import assemble as audio
from briefing.audio import formats
from briefing.audio.engines import VoiceSettings, load_engine

TEXT = ("Ukraine says it has regained control over three thousand square kilometres of territory "
        "in a potential breakthrough in the six-month war. The figures cannot be verified.")


@pytest.fixture(scope="module")
def speech() -> AudioSegment:
    engine = load_engine("espeak", VoiceSettings(voice="en-gb", rate=165))
    spoken = engine.synthesize(TEXT)
    clip = AudioSegment(data=spoken.pcm, sample_width=2, frame_rate=spoken.sample_rate, channels=1)
    return clip * 4  # long enough for the gated integrated loudness to settle


def ffmpeg_loudness(path: Path, raw_rate: int | None = None, filters: str = "") -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) as ffmpeg's meter reads the file."""
    source = ["-f", "s16le", "-ar", str(raw_rate), "-ac", "1"] if raw_rate else []
    result = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", *source, "-i", str(path), "-af",
                             f"{filters}ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True)
    summary = result.stderr.rsplit("Summary:", 1)[1]
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf)", summary).group(1)
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)), float(peak)


def test_the_meter_reads_what_ffmpeg_reads_after_the_de_esser(speech: AudioSegment, tmp_path: Path) -> None:
    raw = tmp_path / "speech.raw"
    raw.write_bytes(speech.raw_data)
    expected, _ = ffmpeg_loudness(raw, speech.frame_rate, f"aresample={audio.SAMPLE_RATE_OUT},{audio.DE_ESSER},")
    assert abs(audio.from_segment(speech).loudness_lufs - expected) < 0.3


@pytest.mark.parametrize("format_name", formats.format_names())
@pytest.mark.parametrize("level_db", [-14.0, 0.0, 6.0], ids=["quiet voice", "espeak as is", "loud voice"])
def test_the_exported_episode_is_on_target_with_true_peak_headroom(speech: AudioSegment, level_db: float,
                                                                    format_name: str, tmp_path: Path) -> None:
    audio_format = formats.output_format(format_name)
    episode = audio.from_segment(speech.apply_gain(level_db))
    gain = audio.normalising_gain(episode, audio_format.encoder_loss_lu, audio_format.peak_ceiling_dbfs)
    path = tmp_path / f"out{audio_format.suffix}"
    formats.export(episode, path, formats.Tags(title="t"), gain, audio_format)
    integrated, true_peak = ffmpeg_loudness(path)
    assert abs(integrated - audio.TARGET_LUFS) <= 0.3, integrated
    assert true_peak <= -1.0


def test_the_limiter_touches_only_what_passes_the_ceiling() -> None:
    rng = np.random.default_rng(1)
    samples = (rng.standard_normal(48_000) * 0.1).astype(np.float32)
    samples[30_000] = 0.95
    limited = audio.limit(samples, 0.5, ramp=120, hold=480)
    assert np.abs(limited).max() <= 0.5 + 1e-6
    assert np.array_equal(limited[:29_000], samples[:29_000]) and np.array_equal(limited[32_000:], samples[32_000:])


def test_silence_gets_no_gain() -> None:
    assert audio.normalising_gain(audio.from_segment(AudioSegment.silent(duration=3000, frame_rate=22050))) == 0.0


def test_the_levelled_audio_stays_under_the_ceiling_and_is_as_loud_as_estimated(speech: AudioSegment) -> None:
    episode = audio.from_segment(speech.apply_gain(6.0))  # loud: the limiter works on most peaks
    gain = audio.normalising_gain(episode)
    levelled = np.frombuffer(b"".join(audio.levelled_pcm(episode, gain)[0](0, episode.samples)), "<i2")
    assert len(levelled) == episode.samples
    assert np.abs(levelled.astype(np.int32)).max() <= 10 ** (audio.LIMIT_DBFS / 20) * 32768 + 1
    meter = audio.LoudnessMeter(episode.sample_rate)
    meter.feed(levelled)
    assert abs(meter.integrated() - audio.limited_loudness(episode, gain)) < 0.1
