"""Assembly: speech segments and pauses into one episode, loudness-normalised and exported as MP3.

Owns the exact timing of every segment (measured in samples as the audio is assembled), silence
trimming, the optional section chime, loudness normalisation to the podcast norm, the peak limiter
and the ID3 text tags. The encoding itself is ``encode``'s; chapters, transcript and cover art are
written by ``chapters`` and ``cover``.

Memory does not grow with the episode: assembled audio goes to a temporary file as it is made, and
what is kept per 100 ms of audio is its loudness and its peak. Loudness is measured in-process as
ITU-R BS.1770 does (K-weighted energy in 400 ms blocks, gated), the K-weighting and the de-esser
applied as their frequency responses to each 100 ms block's spectrum: no second pass, no meter
process. The limiter works only where the gain would push a peak over the ceiling.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
from pydub import AudioSegment
from pydub.generators import Sine

from briefing import encode
from briefing.engines.base import Speech
from briefing.errors import BriefingError
from briefing.model import Segment
from briefing.textsafety import strip_controls_inline

TARGET_LUFS = -16.0
# MP3 encoding at our settings measured 0.3-0.4 LU quieter than its input; aim that much higher.
PRE_ENCODE_TARGET_LUFS = TARGET_LUFS + 0.35
# hibari's "s" carries sharp energy at 8-11 kHz (sample-to-sample jumps above 0.6 of full scale, heard
# as hiss): a shelf above 9 kHz takes them from about 145 a minute to none and leaves alone everything
# below 8 kHz, where speech is understood. Loudness is measured with its response applied.
DE_ESSER = "highshelf=f=9000:g=-12"
DE_ESSER_SHELF = (9000.0, -12.0, 0.5)  # the same filter: frequency, gain dB, Q (ffmpeg's default width)
LIMIT_DBFS = -2.0  # sample-peak ceiling: leaves room for resampling and the encoder so the true peak stays under -1 dBTP
SAMPLE_RATE_OUT = encode.SAMPLE_RATE_OUT
BITRATE = encode.BITRATE
LAME_QUALITY = encode.LAME_QUALITY
LEAD_IN_MS = 250
SILENCE_THRESHOLD_DBFS = -50.0
TRIM_MARGIN_MS = 15
TRIM_CHUNK_MS = 5
MAX_GAIN_DB = 30.0
GAIN_STEPS = 3
GAIN_TOLERANCE_DB = 0.1
SILENCE_LUFS = -70.0  # EBU R128's absolute gate: what the meter reports for silence
BLOCK_S = 0.1  # loudness and peaks are kept per 100 ms; a gating block is four of them
LIMITER_RAMP_S = 0.005  # the limiter's gain falls before a peak and recovers after it over this long
LIMITER_HOLD_S = 0.02  # and stays down this long after the peak
READ_SAMPLES = 1 << 16


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str = "briefing"
    album: str = "briefing"
    date: str = ""
    comment: str = ""


def ffmpeg_path() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise BriefingError("ffmpeg is not installed (Debian/Ubuntu: apt-get install ffmpeg)")
    return path


# ---- the assembled episode ------------------------------------------------------------------------


@dataclass
class EpisodeAudio:
    """The assembled episode: PCM in a temporary file, its loudness, peaks per block and silences."""

    sample_rate: int
    samples: int
    block_energies: np.ndarray  # K-weighted, de-essed mean square per 100 ms block
    block_peaks: np.ndarray  # largest absolute sample (0-1) per 100 ms block
    silences: list[tuple[int, int]] = field(default_factory=list)  # (first sample, length) of planned pauses
    spool: IO[bytes] | None = None
    pcm: bytes | None = None  # instead of a spool, for short audio held in memory

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate

    @property
    def block(self) -> int:
        return block_length(self.sample_rate)

    @property
    def loudness_lufs(self) -> float:
        return integrated_loudness(self.block_energies)

    def raw(self, start: int, end: int) -> np.ndarray:
        if self.pcm is not None:
            return np.frombuffer(self.pcm, "<i2", end - start, start * 2)
        assert self.spool is not None
        data = os.pread(self.spool.fileno(), (end - start) * 2, start * 2)
        return np.frombuffer(data, "<i2")

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


def from_segment(clip: AudioSegment) -> EpisodeAudio:
    """An AudioSegment (mono, 16-bit) as an episode, measured the same way as an assembled one."""
    clip = clip.set_channels(1).set_sample_width(2)
    meter = LoudnessMeter(clip.frame_rate)
    meter.feed(np.frombuffer(clip.raw_data, "<i2"))
    return EpisodeAudio(clip.frame_rate, len(clip.raw_data) // 2, meter.energies(), meter.peaks(),
                        pcm=clip.raw_data)


class Assembler:
    """Writes trimmed speech and pauses as raw PCM to a temporary file, recording where each segment
    starts and ends, and measures loudness and peaks on the way."""

    def __init__(self, sample_rate: int, *, chime: bool = False) -> None:
        self.sample_rate = sample_rate
        self._spool = tempfile.TemporaryFile()
        self._samples = 0
        self._silences: list[tuple[int, int]] = []
        self._chime = _chime(sample_rate) if chime else None
        self._meter = LoudnessMeter(sample_rate)
        self.add_silence(LEAD_IN_MS)

    @property
    def position_s(self) -> float:
        return self._samples / self.sample_rate

    def add_silence(self, milliseconds: int) -> None:
        if milliseconds > 0:
            length = milliseconds * self.sample_rate // 1000
            if self._silences and sum(self._silences[-1]) == self._samples:
                self._silences[-1] = (self._silences[-1][0], self._silences[-1][1] + length)
            else:
                self._silences.append((self._samples, length))
            self._append(np.zeros(length, "<i2"))

    def add_section_chime(self) -> None:
        if self._chime is not None:
            self._append(self._chime)
            self.add_silence(200)

    def add_speech(self, segment: Segment, speech: Speech) -> None:
        clip = trim_silence(_as_samples(speech, self.sample_rate), self.sample_rate)
        segment.start = self.position_s
        self._append(clip)
        segment.end = self.position_s
        self.add_silence(segment.pause_after_ms)

    def _append(self, samples: np.ndarray) -> None:
        self._spool.write(samples.astype("<i2", copy=False).tobytes())
        self._samples += len(samples)
        self._meter.feed(samples)

    def finish(self) -> EpisodeAudio:
        """The whole episode, still on disk, with its integrated loudness (LUFS) before any gain."""
        self._spool.flush()
        return EpisodeAudio(self.sample_rate, self._samples, self._meter.energies(), self._meter.peaks(),
                            self._silences, spool=self._spool)


def _as_samples(speech: Speech, sample_rate: int) -> np.ndarray:
    if speech.sample_rate == sample_rate:
        return np.frombuffer(speech.pcm, "<i2")
    clip = AudioSegment(data=speech.pcm, sample_width=2, frame_rate=speech.sample_rate, channels=1)
    return np.frombuffer(clip.set_frame_rate(sample_rate).raw_data, "<i2")


def trim_silence(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cut the engine's own leading and trailing silence so only our planned pauses remain."""
    chunk = max(1, sample_rate * TRIM_CHUNK_MS // 1000)
    threshold = 32768 * 10 ** (SILENCE_THRESHOLD_DBFS / 20)
    lead = _silent_chunks(samples, chunk, threshold) * chunk
    tail = _silent_chunks(samples[::-1], chunk, threshold) * chunk
    margin = sample_rate * TRIM_MARGIN_MS // 1000
    start = max(0, lead - margin)
    end = min(len(samples), len(samples) - tail + margin)
    return samples[start:end] if end > start else samples


def _silent_chunks(samples: np.ndarray, chunk: int, threshold: float) -> int:
    """How many whole chunks at the start are quieter (RMS) than ``threshold``."""
    whole = len(samples) // chunk
    squares = samples[: whole * chunk].astype(np.float64).reshape(whole, chunk) ** 2
    loud = np.flatnonzero(squares.mean(axis=1) >= threshold * threshold)
    return int(loud[0]) if len(loud) else whole + (1 if len(samples) % chunk else 0)


def _chime(sample_rate: int) -> np.ndarray:
    """Two soft notes, a rising fifth, with fades so they do not click."""
    first = Sine(660, sample_rate=sample_rate).to_audio_segment(duration=140, volume=-18)
    second = Sine(990, sample_rate=sample_rate).to_audio_segment(duration=220, volume=-20)
    notes = (first.fade_in(10).fade_out(40) + second.fade_in(10).fade_out(120)).set_channels(1)
    return np.frombuffer(notes.set_sample_width(2).raw_data, "<i2")


# ---- loudness -------------------------------------------------------------------------------------


def block_length(sample_rate: int) -> int:
    return max(1, round(sample_rate * BLOCK_S))


class LoudnessMeter:
    """BS.1770 loudness of the audio as it will sound after the de-esser, fed in pieces: the K-weighted
    energy and the peak of every 100 ms block."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._block = block_length(sample_rate)
        self._weights = _block_weights(sample_rate, self._block)
        self._pending = np.zeros(0, np.float32)
        self._energies: list[np.ndarray] = []
        self._peaks: list[np.ndarray] = []

    def feed(self, samples: np.ndarray) -> None:
        pending = np.concatenate([self._pending, samples.astype(np.float32) / 32768.0])
        whole = len(pending) // self._block
        if whole:
            blocks = pending[: whole * self._block].reshape(whole, self._block)
            self._energies.append(weighted_energies(blocks, self._weights))
            self._peaks.append(np.abs(blocks).max(axis=1))
        self._pending = pending[whole * self._block:]

    def peaks(self) -> np.ndarray:
        tail = [np.array([np.abs(self._pending).max()])] if len(self._pending) else []
        return np.concatenate(self._peaks + tail) if self._peaks or tail else np.zeros(0)

    def energies(self) -> np.ndarray:
        """Whole blocks only: a last partial block is below the gate's resolution anyway."""
        return np.concatenate(self._energies) if self._energies else np.zeros(0)

    def integrated(self) -> float:
        return integrated_loudness(self.energies())


def weighted_energies(blocks: np.ndarray, weights: np.ndarray) -> np.ndarray:
    spectrum = np.fft.rfft(blocks, axis=1)
    return (spectrum.real ** 2 + spectrum.imag ** 2) @ weights


def integrated_loudness(energies: np.ndarray) -> float:
    """Gated loudness in LUFS (-inf for silence): 400 ms blocks every 100 ms, absolute and relative gates."""
    if len(energies) < 4:
        return float("-inf")
    blocks = np.convolve(energies, np.ones(4) / 4, mode="valid")
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(blocks)
    gated = blocks[loudness > SILENCE_LUFS]
    if not len(gated):
        return float("-inf")
    relative = -0.691 + 10 * math.log10(gated.mean()) - 10.0
    kept = gated[loudness[loudness > SILENCE_LUFS] > relative]
    return -0.691 + 10 * math.log10(kept.mean())


def _block_weights(sample_rate: int, length: int) -> np.ndarray:
    """Per rfft bin: |K-weighting|² × |de-esser|², scaled so the dot product with |X|² is the mean square."""
    frequencies = np.fft.rfftfreq(length, 1.0 / sample_rate)
    response = (_shelf_power(frequencies, sample_rate, 1681.974450955533, 3.999843853973347, 0.7071752369554196)
                * _high_pass_power(frequencies, sample_rate, 38.13547087602444, 0.5003270373238773)
                * _shelf_power(frequencies, SAMPLE_RATE_OUT, *DE_ESSER_SHELF))
    twice = np.full(len(frequencies), 2.0)
    twice[0] = 1.0
    if length % 2 == 0:
        twice[-1] = 1.0
    return response * twice / (length * length)


def _biquad_power(frequencies: np.ndarray, rate: float, b: tuple[float, ...], a: tuple[float, ...]) -> np.ndarray:
    z = np.exp(-1j * 2 * np.pi * frequencies / rate)
    return np.abs((b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)) ** 2


def _shelf_power(frequencies: np.ndarray, rate: float, centre: float, gain_db: float, q: float) -> np.ndarray:
    """The power response of the RBJ high shelf (the K-weighting's first stage, ffmpeg's ``highshelf``)."""
    a_gain, w0 = 10 ** (gain_db / 40), 2 * math.pi * centre / rate
    alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
    root = 2 * math.sqrt(a_gain) * alpha
    b = (a_gain * ((a_gain + 1) + (a_gain - 1) * cos + root), -2 * a_gain * ((a_gain - 1) + (a_gain + 1) * cos),
         a_gain * ((a_gain + 1) + (a_gain - 1) * cos - root))
    a = ((a_gain + 1) - (a_gain - 1) * cos + root, 2 * ((a_gain - 1) - (a_gain + 1) * cos),
         (a_gain + 1) - (a_gain - 1) * cos - root)
    return _biquad_power(frequencies, rate, b, a)


def _high_pass_power(frequencies: np.ndarray, rate: float, centre: float, q: float) -> np.ndarray:
    w0 = 2 * math.pi * centre / rate
    alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
    return _biquad_power(frequencies, rate, ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2),
                         (1 + alpha, -2 * cos, 1 - alpha))


def normalising_gain(episode: EpisodeAudio) -> float:
    """The gain that brings the episode, limited where its peaks pass the ceiling, to the target.

    Loudness is linear in gain until the limiter lowers peaks, so the limited blocks are measured
    again at each trial gain (secant steps; only the blocks around a peak are recomputed).
    """
    loudness = episode.loudness_lufs
    if not math.isfinite(loudness) or loudness <= SILENCE_LUFS:
        return 0.0
    gains = [max(-MAX_GAIN_DB, min(MAX_GAIN_DB, PRE_ENCODE_TARGET_LUFS - loudness))]
    errors = [limited_loudness(episode, gains[0]) - PRE_ENCODE_TARGET_LUFS]
    for _ in range(GAIN_STEPS):
        if abs(errors[-1]) < GAIN_TOLERANCE_DB:
            break
        slope = 1.0
        if len(gains) > 1 and gains[-1] != gains[-2]:
            slope = max(0.1, (errors[-1] - errors[-2]) / (gains[-1] - gains[-2]))
        gains.append(max(-MAX_GAIN_DB, min(MAX_GAIN_DB, gains[-1] - errors[-1] / slope)))
        errors.append(limited_loudness(episode, gains[-1]) - PRE_ENCODE_TARGET_LUFS)
    return gains[min(range(len(gains)), key=lambda index: abs(errors[index]))]


def limited_loudness(episode: EpisodeAudio, gain_db: float) -> float:
    """Integrated loudness after the gain and the limiter, recomputing only the blocks the limiter touches."""
    scale = 10 ** (gain_db / 20)
    energies = episode.block_energies * scale * scale
    runs = _runs(touched(episode.block_peaks[: len(energies)] * scale > 10 ** (LIMIT_DBFS / 20)))
    if runs:
        block = episode.block
        weights = _block_weights(episode.sample_rate, block)
        read = levelled_pcm(episode, gain_db)
        for first, end in runs:
            samples = np.frombuffer(b"".join(read(first * block, end * block)), "<i2").astype(np.float32) / 32768.0
            energies[first:end] = weighted_energies(samples.reshape(end - first, block), weights)
    return integrated_loudness(energies)


# ---- gain and limiter -----------------------------------------------------------------------------


def levelled_pcm(episode: EpisodeAudio, gain_db: float) -> encode.PcmReader:
    """A reader of the episode's PCM with the gain applied, limited where a peak would pass the ceiling."""
    scale = 10 ** (gain_db / 20)
    ceiling = 10 ** (LIMIT_DBFS / 20)
    block = episode.block
    ramp = max(1, round(episode.sample_rate * LIMITER_RAMP_S))
    hold = round(episode.sample_rate * LIMITER_HOLD_S)
    context = hold + 3 * ramp
    touched_blocks = touched(episode.block_peaks * scale > ceiling)

    def read(start: int, end: int) -> Iterator[bytes]:
        for first in range(start, end, READ_SAMPLES):
            last = min(end, first + READ_SAMPLES)
            samples = episode.raw(first, last).astype(np.float32) * (scale / 32768.0)
            for run_start, run_end in _runs(touched_blocks[first // block : -(-last // block)], first // block):
                lo, hi = max(first, run_start * block), min(last, run_end * block)
                wide_lo, wide_hi = max(0, lo - context), min(episode.samples, hi + context)
                wide = episode.raw(wide_lo, wide_hi).astype(np.float32) * (scale / 32768.0)
                samples[lo - first : hi - first] = limit(wide, ceiling, ramp, hold)[lo - wide_lo : hi - wide_lo]
            yield np.clip(np.rint(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()

    return read


def touched(over: np.ndarray) -> np.ndarray:
    """The blocks the limiter changes: those with a peak over the ceiling and their neighbours."""
    if not len(over):
        return over
    return over | np.concatenate([[False], over[:-1]]) | np.concatenate([over[1:], [False]])


def _runs(flags: np.ndarray, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of every run of True in ``flags``, shifted by ``offset``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return [(int(a) + offset, int(b) + offset) for a, b in zip(edges[::2], edges[1::2])]


def limit(samples: np.ndarray, ceiling: float, ramp: int, hold: int) -> np.ndarray:
    """Lower the gain around every sample above ``ceiling``: it falls over ``ramp`` samples before the
    peak, holds for ``hold`` after it and rises over ``ramp``; elsewhere the audio is untouched."""
    needed = np.minimum(1.0, ceiling / np.maximum(np.abs(samples), 1e-12)).astype(np.float32)
    if needed.min() >= 1.0:
        return samples
    # The least gain needed from ``ramp`` ahead to ``hold + ramp`` behind, averaged over ``ramp``:
    # every sample of the averaging window already carries the peak's own reduction.
    padded = np.concatenate([np.ones(hold + 2 * ramp, np.float32), needed, np.ones(2 * ramp, np.float32)])
    held = _sliding_min(padded, hold + 2 * ramp + 1)  # held[k] covers needed[k - hold - 2 ramp, k]
    cumulative = np.concatenate([[0.0], np.cumsum(held, dtype=np.float64)])
    first = ramp // 2  # sample i averages held[i + first, i + first + ramp), each covering sample i
    smooth = (cumulative[first + ramp : first + ramp + len(samples)] - cumulative[first : first + len(samples)]) / ramp
    return samples * smooth.astype(np.float32)


def _sliding_min(values: np.ndarray, width: int) -> np.ndarray:
    """min(values[i : i + width]) for every i (van Herk/Gil-Werman: linear in the length)."""
    count = len(values) - width + 1
    # Columns are the blocks: accumulating down the rows runs over every block at once.
    blocks = np.concatenate([values, np.full((-len(values)) % width, np.inf, values.dtype)]).reshape(-1, width).T
    from_left = np.minimum.accumulate(blocks, axis=0).T.ravel()
    from_right = np.minimum.accumulate(blocks[::-1], axis=0)[::-1].T.ravel()
    return np.minimum(from_right[:count], from_left[width - 1 : width - 1 + count])


# ---- export ---------------------------------------------------------------------------------------


def export_mp3(audio: EpisodeAudio | AudioSegment, path: Path, tags: Tags, gain_db: float,
               jobs: int | None = None) -> None:
    """Encode mono MP3 at 44.1 kHz with the gain, the limiter and the de-esser on up to ``jobs`` cores
    (default: all), then write the ID3 text tags."""
    episode = from_segment(audio) if isinstance(audio, AudioSegment) else audio
    chunks = encode.plan_chunks(episode.samples, episode.sample_rate, episode.silences, jobs or encode.cpu_count())
    encode.encode_mp3(levelled_pcm(episode, gain_db), episode.sample_rate, chunks, path, DE_ESSER)
    write_tags(path, tags)


def write_tags(path: Path, tags: Tags) -> None:
    """ID3v2.3 text frames; a control character would reach every player's display, so none is kept."""
    from mutagen.id3 import COMM, ID3, TALB, TCON, TDRC, TIT2, TPE1

    id3 = ID3()
    id3.add(TIT2(encoding=3, text=strip_controls_inline(tags.title)))
    id3.add(TPE1(encoding=3, text=strip_controls_inline(tags.artist)))
    id3.add(TALB(encoding=3, text=strip_controls_inline(tags.album)))
    id3.add(TCON(encoding=3, text="Podcast"))
    if tags.date:
        id3.add(TDRC(encoding=3, text=strip_controls_inline(tags.date)))
    if tags.comment:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=strip_controls_inline(tags.comment)))
    id3.save(path, v2_version=3)
