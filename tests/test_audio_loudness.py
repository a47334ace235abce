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
from briefing.audio.engines.base import Speech
from briefing.model import Segment

TEXT = ("Ukraine says it has regained control over three thousand square kilometres of territory "
        "in a potential breakthrough in the six-month war. The figures cannot be verified.")


@pytest.fixture(scope="module")
def speech() -> AudioSegment:
    engine = load_engine("espeak", VoiceSettings(voice="en-gb", rate=165))
    spoken = engine.synthesize(TEXT)
    clip = AudioSegment(data=spoken.pcm, sample_width=2, frame_rate=spoken.sample_rate, channels=1)
    return clip * 4  # long enough for the gated integrated loudness to settle


def assembled(clip: AudioSegment) -> audio.EpisodeAudio:
    """The clip as the pipeline assembles a spoken sentence: after the lead-in, its own silence trimmed."""
    assembler = audio.Assembler(clip.frame_rate)
    assembler.add_speech(Segment("", None, 0), Speech(clip.raw_data, clip.frame_rate))
    return assembler.finish()


def ffmpeg_loudness(path: Path, raw_rate: int | None = None, filters: str = "") -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) as ffmpeg's meter reads the file."""
    source = ["-f", "s16le", "-ar", str(raw_rate), "-ac", "1"] if raw_rate else []
    result = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", *source, "-i", str(path), "-af",
                             f"{filters}ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True)
    summary = result.stderr.rsplit("Summary:", 1)[1]
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf)", summary).group(1)
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)), float(peak)


def test_the_meter_reads_what_ffmpeg_reads_after_the_de_esser(speech: AudioSegment, tmp_path: Path) -> None:
    episode = assembled(speech)
    raw = tmp_path / "speech.raw"
    raw.write_bytes(episode.raw(0, episode.samples).tobytes())
    expected, _ = ffmpeg_loudness(raw, episode.sample_rate, f"aresample={audio.SAMPLE_RATE_OUT},{audio.DE_ESSER},")
    assert abs(episode.loudness_lufs - expected) < 0.3


@pytest.mark.parametrize("format_name", formats.format_names())
@pytest.mark.parametrize("level_db", [-14.0, 0.0, 6.0], ids=["quiet voice", "espeak as is", "loud voice"])
def test_the_exported_episode_is_on_target_with_true_peak_headroom(speech: AudioSegment, level_db: float,
                                                                    format_name: str, tmp_path: Path) -> None:
    audio_format = formats.output_format(format_name)
    episode = assembled(speech.apply_gain(level_db))
    gain = audio.normalising_gain(episode, audio_format.encoder_loss_lu, audio_format.peak_ceiling_dbfs)
    path = tmp_path / f"out{audio_format.suffix}"
    formats.encode(episode, path, gain, audio_format)
    integrated, true_peak = ffmpeg_loudness(path)
    assert abs(integrated - audio.TARGET_LUFS) <= 0.3, integrated
    assert true_peak <= -1.0


def test_the_limiter_touches_only_what_passes_the_ceiling() -> None:
    rng = np.random.default_rng(1)
    noise = np.rint(rng.standard_normal(48_000) * 0.1 * 32767).astype("<i2")  # peaks below half scale
    noise[30_000] = round(0.95 * 32767)
    episode = assembled(AudioSegment(data=noise.tobytes(), sample_width=2, frame_rate=48_000, channels=1))
    ceiling = 0.5
    levelled = np.frombuffer(b"".join(audio.levelled_pcm(episode, 0.0, 20 * np.log10(ceiling))[0](0, episode.samples)),
                             "<i2")
    raw = episode.raw(0, episode.samples)
    peak = int(np.argmax(np.abs(raw.astype(np.int32))))
    assert np.abs(levelled.astype(np.int32)).max() <= ceiling * 32768 + 1
    assert np.array_equal(levelled[:peak - 1_000], raw[:peak - 1_000])
    assert np.array_equal(levelled[peak + 2_000:], raw[peak + 2_000:])


def test_silence_gets_no_gain() -> None:
    assembler = audio.Assembler(22050)
    assembler.add_silence(3000)
    assert audio.normalising_gain(assembler.finish()) == 0.0


def test_the_levelled_audio_stays_under_the_ceiling_and_is_as_loud_as_estimated(speech: AudioSegment) -> None:
    episode = assembled(speech.apply_gain(6.0))  # loud: the limiter works on most peaks
    gain = audio.normalising_gain(episode)
    levelled = np.frombuffer(b"".join(audio.levelled_pcm(episode, gain)[0](0, episode.samples)), "<i2")
    assert len(levelled) == episode.samples
    assert np.abs(levelled.astype(np.int32)).max() <= 10 ** (audio.LIMIT_DBFS / 20) * 32768 + 1
    meter = audio.LoudnessMeter(episode.sample_rate)
    meter.feed(levelled)
    assert abs(audio.integrated_loudness(meter.energies()) - audio.limited_loudness(episode, gain)) < 0.1
