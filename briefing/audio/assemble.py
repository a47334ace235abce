"""Assembly: speech segments and pauses into one episode, loudness-normalised and levelled for encoding.

Owns the exact timing of every segment (measured in samples as the audio is assembled), silence
trimming, the optional section chime, the layout of pieces an encoder that joins pieces asks for
(``PieceGrid``), loudness normalisation to the podcast norm, the peak limiter and the levelled PCM
handed to the encoder. Encoding and tags are the output format's (``formats``);
chapters, transcript and cover art are drawn up by ``chapters`` and ``cover``.

Memory does not grow with the episode: assembled audio goes to a temporary file as it is made, and
what is kept per 100 ms of audio is its loudness, and per 2.5 ms its peak and mean square. Loudness
is measured in-process as ITU-R BS.1770 does (K-weighted energy in 400 ms blocks, gated), the
K-weighting and the de-esser applied as their frequency responses to each 100 ms block's spectrum:
no second pass, no meter process. The limiter's gain is worked out from the 2.5 ms peaks alone, so
trying a gain reads no audio: the audio is read once, to be encoded.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np
from pydub import AudioSegment
from pydub.generators import Sine

from briefing.audio.engines.base import Speech
from briefing.model import PieceGrid, Segment

TARGET_LUFS = -16.0
# hibari's "s" carries sharp energy at 8-11 kHz (sample-to-sample jumps above 0.6 of full scale, heard
# as hiss): a shelf above 9 kHz takes them from about 145 a minute to none and leaves alone everything
# below 8 kHz, where speech is understood. Loudness is measured with its response applied.
DE_ESSER = "highshelf=f=9000:g=-12"
DE_ESSER_SHELF = (9000.0, -12.0, 0.5)  # the same filter: frequency, gain dB, Q (ffmpeg's default width)
LIMIT_DBFS = -2.0  # sample-peak ceiling: leaves room for resampling and the encoder so the true peak stays under -1 dBTP
SAMPLE_RATE_OUT = 44100  # of every published file
# Reads levelled PCM: (first sample, end sample) -> signed 16-bit mono bytes, ready to encode.
PcmReader = Callable[[int, int], Iterator[bytes]]
# (first sample, end sample) -> a digest that two stretches share only if they read the same PCM.
PcmIdentity = Callable[[int, int], str]
LEAD_IN_MS = 250
SILENCE_THRESHOLD_DBFS = -50.0
TRIM_MARGIN_MS = 15
TRIM_CHUNK_MS = 5
_TRIM_WINDOW_CHUNKS = 64
MAX_GAIN_DB = 30.0
GAIN_STEPS = 6  # trial gains cost no audio reading, only arithmetic on the 2.5 ms peaks
GAIN_TOLERANCE_DB = 0.1
KEEP_GAIN_LU = 0.25  # an earlier gain is kept while it misses the aim by no more than this
SILENCE_LUFS = -70.0  # EBU R128's absolute gate: what the meter reports for silence
BLOCK_S = 0.1  # loudness and peaks are kept per 100 ms; a gating block is four of them
LIMITER_RAMP_S = 0.005  # the limiter's gain falls before a peak and recovers after it over this long
LIMITER_HOLD_S = 0.02  # and stays down this long after the peak
READ_SAMPLES = 1 << 16


# ---- the assembled episode ------------------------------------------------------------------------


@dataclass
class EpisodeAudio:
    """The assembled episode: PCM in a temporary file, its loudness, peaks per block and silences."""

    sample_rate: int
    samples: int
    block_energies: np.ndarray  # K-weighted, de-essed mean square per 100 ms block
    unit_peaks: np.ndarray  # largest absolute sample (0-1) per unit (``peak_unit``), every sample covered
    unit_powers: np.ndarray  # mean square per unit of the whole blocks
    silences: list[tuple[int, int]] = field(default_factory=list)  # (first sample, length) of planned pauses
    spool: IO[bytes] | None = None
    pcm: bytes | None = None  # instead of a spool, for short audio held in memory
    # Where pieces start (``PieceGrid``): (first sample, output frames before it); the first is (0, 0).
    cuts: list[tuple[int, int]] = field(default_factory=lambda: [(0, 0)])
    # What whole-frame pieces add to the duration (output samples): each piece is rounded to whole frames.
    rounding_out: float = 0.0

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate + self.rounding_out / SAMPLE_RATE_OUT

    @property
    def block(self) -> int:
        return block_length(self.sample_rate)

    @property
    def unit(self) -> int:
        return peak_unit(self.block)

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


class Assembler:
    """Writes trimmed speech and pauses as raw PCM to a temporary file, recording where each segment
    starts and ends, and measures loudness and peaks on the way."""

    def __init__(self, sample_rate: int, *, chime: bool = False, grid: PieceGrid | None = None) -> None:
        self.sample_rate = sample_rate
        self._spool = tempfile.TemporaryFile()
        self._samples = 0
        self._silences: list[tuple[int, int]] = []
        self._chime = _chime(sample_rate) if chime else None
        self._meter = LoudnessMeter(sample_rate)
        self._grid = grid
        self._cuts = [(0, 0)]
        self._rounding_out = 0.0
        self._sound_end = 0
        self.add_silence(LEAD_IN_MS)

    @property
    def position_s(self) -> float:
        """Where the next sample will be heard in the encoded episode (whole-frame pieces included)."""
        return self._samples / self.sample_rate + self._rounding_out / SAMPLE_RATE_OUT

    def add_silence(self, milliseconds: int) -> None:
        self._add_silent_samples(milliseconds * self.sample_rate // 1000)

    def _add_silent_samples(self, length: int) -> None:
        if length > 0:
            if self._silences and sum(self._silences[-1]) == self._samples:
                self._silences[-1] = (self._silences[-1][0], self._silences[-1][1] + length)
            else:
                self._silences.append((self._samples, length))
            self._append(np.zeros(length, "<i2"))

    def start_section(self) -> None:
        """A section begins: cut a piece here if the grid asks (before the chime and the first words)."""
        if self._grid is not None:
            self._cut_piece(self._grid)
        if self._chime is not None:
            self._append(self._chime)
            self._sound_end = self._samples
            self.add_silence(200)

    def _cut_piece(self, grid: PieceGrid) -> None:
        ratio = SAMPLE_RATE_OUT / self.sample_rate
        margin = math.ceil(grid.margin_frames * grid.frame_samples / ratio)
        unit = peak_unit(block_length(self.sample_rate))
        start, frames_before = self._cuts[-1]
        # The section's first sound comes ``margin`` after the cut; the cut is on a whole unit from the
        # piece's start, so silence is added here (less than a unit) rather than taken.
        cut = start + -(-(self._samples - margin - start) // unit) * unit
        if cut - self._sound_end < margin or cut - start < grid.min_piece_s * self.sample_rate:
            return
        self._add_silent_samples(cut + margin - self._samples)
        # The encoder pads the piece's closing silence to whole frames (less than one): it is heard.
        frames = math.ceil((cut - start) * ratio / grid.frame_samples)
        self._rounding_out += frames * grid.frame_samples - (cut - start) * ratio
        self._cuts.append((cut, frames_before + frames))

    def add_speech(self, segment: Segment, speech: Speech) -> None:
        clip = trim_silence(_as_samples(speech, self.sample_rate), self.sample_rate)
        segment.start = self.position_s
        self._append(clip)
        self._sound_end = self._samples
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
                            self._meter.powers(), self._silences, spool=self._spool, cuts=self._cuts,
                            rounding_out=self._rounding_out)


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
    """How many whole chunks at the start are quieter (RMS) than ``threshold``. Looked at a window at a
    time: an engine's silence is a fraction of a second, its clip many seconds (this was half of the
    time spent assembling)."""
    whole = len(samples) // chunk
    for first in range(0, whole, _TRIM_WINDOW_CHUNKS):
        last = min(whole, first + _TRIM_WINDOW_CHUNKS)
        squares = samples[first * chunk:last * chunk].astype(np.float64).reshape(last - first, chunk) ** 2
        loud = np.flatnonzero(squares.mean(axis=1) >= threshold * threshold)
        if len(loud):
            return first + int(loud[0])
    return whole + (1 if len(samples) % chunk else 0)


def _chime(sample_rate: int) -> np.ndarray:
    """Two soft notes, a rising fifth, with fades so they do not click."""
    first = Sine(660, sample_rate=sample_rate).to_audio_segment(duration=140, volume=-18)
    second = Sine(990, sample_rate=sample_rate).to_audio_segment(duration=220, volume=-20)
    notes = (first.fade_in(10).fade_out(40) + second.fade_in(10).fade_out(120)).set_channels(1)
    return np.frombuffer(notes.set_sample_width(2).raw_data, "<i2")


# ---- loudness -------------------------------------------------------------------------------------


def block_length(sample_rate: int) -> int:
    return max(1, round(sample_rate * BLOCK_S))


def peak_unit(block: int) -> int:
    """The stretch of samples whose peak the limiter works from: the longest that divides a loudness block
    into at least 40 (2.5 ms at most)."""
    return max(length for length in range(1, max(1, block // 40) + 1) if block % length == 0)


class LoudnessMeter:
    """BS.1770 loudness of the audio as it will sound after the de-esser, fed in pieces: the K-weighted
    energy of every 100 ms block, and the peak and mean square of every ``peak_unit``."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._block = block_length(sample_rate)
        self._unit = peak_unit(self._block)
        self._weights = _block_weights(sample_rate, self._block)
        self._pending = np.zeros(0, np.float32)
        self._energies: list[np.ndarray] = []
        self._peaks: list[np.ndarray] = []
        self._powers: list[np.ndarray] = []

    def feed(self, samples: np.ndarray) -> None:
        pending = np.concatenate([self._pending, samples.astype(np.float32) / 32768.0])
        whole = len(pending) // self._block
        if whole:
            blocks = pending[: whole * self._block].reshape(whole, self._block)
            self._energies.append(weighted_energies(blocks, self._weights))
            units = blocks.reshape(-1, self._unit)
            self._peaks.append(np.abs(units).max(axis=1))
            self._powers.append(np.einsum("ij,ij->i", units, units) / self._unit)
        self._pending = pending[whole * self._block:]

    def peaks(self) -> np.ndarray:
        """Every sample's unit, the last partial one included: the limiter must see every peak."""
        tail = []
        if len(self._pending):
            padded = np.concatenate([self._pending, np.zeros((-len(self._pending)) % self._unit, np.float32)])
            tail = [np.abs(padded.reshape(-1, self._unit)).max(axis=1)]
        return np.concatenate(self._peaks + tail) if self._peaks or tail else np.zeros(0, np.float32)

    def powers(self) -> np.ndarray:
        return np.concatenate(self._powers) if self._powers else np.zeros(0, np.float32)

    def energies(self) -> np.ndarray:
        """Whole blocks only: a last partial block is below the gate's resolution anyway."""
        return np.concatenate(self._energies) if self._energies else np.zeros(0)


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


def normalising_gain(episode: EpisodeAudio, encoder_loss_lu: float = 0.0, ceiling_dbfs: float = LIMIT_DBFS,
                     keep: float | None = None) -> float:
    """The gain that brings the episode, limited where its peaks pass the ceiling, to the target.

    Loudness is linear in gain until the limiter lowers peaks, so the limited loudness is estimated
    again at each trial gain (secant steps) from the limiter's gain and the units' mean squares. The
    aim is raised by ``encoder_loss_lu``, the loudness the output format's encoder takes away.
    ``keep``, the gain of an earlier version of the episode, stays while it lands within
    ``KEEP_GAIN_LU`` of the aim: the parts that did not change then sound (and encode) as before.
    """
    target = TARGET_LUFS + encoder_loss_lu
    loudness = episode.loudness_lufs
    if not math.isfinite(loudness) or loudness <= SILENCE_LUFS:
        return 0.0
    if keep is not None and abs(limited_loudness(episode, keep, ceiling_dbfs) - target) <= KEEP_GAIN_LU:
        return keep
    gains = [max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target - loudness))]
    errors = [limited_loudness(episode, gains[0], ceiling_dbfs) - target]
    for _ in range(GAIN_STEPS):
        if abs(errors[-1]) < GAIN_TOLERANCE_DB:
            break
        slope = 1.0
        if len(gains) > 1 and gains[-1] != gains[-2]:
            slope = max(0.1, (errors[-1] - errors[-2]) / (gains[-1] - gains[-2]))
        gains.append(max(-MAX_GAIN_DB, min(MAX_GAIN_DB, gains[-1] - errors[-1] / slope)))
        errors.append(limited_loudness(episode, gains[-1], ceiling_dbfs) - target)
    return gains[min(range(len(gains)), key=lambda index: abs(errors[index]))]


def limited_loudness(episode: EpisodeAudio, gain_db: float, ceiling_dbfs: float = LIMIT_DBFS) -> float:
    """Integrated loudness after the gain and the limiter, without reading the audio: a block the limiter
    lowers keeps the share of its K-weighted energy that its units' mean squares keep under the limiter's
    gain (the gain moves slowly against the block, so the weighting hardly sees it)."""
    scale = 10 ** (gain_db / 20)
    energies = episode.block_energies * (scale * scale)
    envelope = limiter_envelope(episode, scale, ceiling_dbfs)
    if envelope is not None and len(energies):
        per_block = episode.block // episode.unit
        powers = episode.unit_powers[: len(energies) * per_block].reshape(-1, per_block).astype(np.float64)
        squared = envelope[: len(energies) * per_block].reshape(-1, per_block).astype(np.float64) ** 2
        total = powers.sum(axis=1)
        kept = np.einsum("ij,ij->i", powers, squared)
        energies = energies * np.where(total > 0, kept / np.where(total > 0, total, 1.0), 1.0)
    return integrated_loudness(energies)


# ---- gain and limiter -----------------------------------------------------------------------------


def limiter_envelope(episode: EpisodeAudio, scale: float, ceiling_dbfs: float = LIMIT_DBFS) -> np.ndarray | None:
    """The limiter's gain per unit at the linear gain ``scale``; None when no peak passes the ceiling.

    Between the centres of two units the gain is interpolated; both carry the reduction of either's
    peak (a ramp of at least two units makes every unit's gain cover the units either side), so no
    sample passes the ceiling.
    """
    ceiling = 10 ** (ceiling_dbfs / 20)
    needed = np.minimum(1.0, ceiling / np.maximum(episode.unit_peaks * scale, 1e-12)).astype(np.float32)
    if not len(needed) or needed.min() >= 1.0:
        return None
    unit = episode.unit
    ramp = max(2, round(episode.sample_rate * LIMITER_RAMP_S / unit))
    hold = math.ceil(episode.sample_rate * LIMITER_HOLD_S / unit) + 1
    return _smoothed_minimum(needed, ramp, hold)


def levelled_pcm(episode: EpisodeAudio, gain_db: float, ceiling_dbfs: float = LIMIT_DBFS) -> tuple[PcmReader, PcmIdentity]:
    """A reader of the episode's PCM with the gain applied, limited where a peak would pass the ceiling,
    and the identity of what it reads: the same for two stretches (of any episodes) that read the same."""
    scale = 10 ** (gain_db / 20)
    envelope = limiter_envelope(episode, scale, ceiling_dbfs)
    unit = episode.unit

    def limiting(start: int, end: int) -> tuple[int, int, np.ndarray] | None:
        """The limiter's gains the samples of [start, end) are interpolated between, if any is below 1."""
        if envelope is None:
            return None
        low, high = max(0, start // unit - 1), min(len(envelope), -(-end // unit) + 1)
        gains = envelope[low:high]
        return (low, high, gains) if len(gains) and gains.min() < 1.0 else None

    def identity(start: int, end: int) -> str:
        # What the levelled samples are made of: the raw samples, the gain, and the limiter's gains
        # over the units they are interpolated between, placed as they are against the stretch.
        digest = hashlib.sha256(f"{start % unit} {end - start} {unit} {scale!r}".encode())
        for first in range(start, end, READ_SAMPLES):
            digest.update(episode.raw(first, min(end, first + READ_SAMPLES)).tobytes())
        limited = limiting(start, end)
        if limited is not None:
            low, high, gains = limited
            digest.update(f"{low - start // unit} {high - start // unit}".encode() + gains.tobytes())
        return digest.hexdigest()

    def read(start: int, end: int) -> Iterator[bytes]:
        for first in range(start, end, READ_SAMPLES):
            last = min(end, first + READ_SAMPLES)
            samples = episode.raw(first, last).astype(np.float32) * (scale / 32768.0)
            limited = limiting(first, last)
            if limited is not None:
                low, high, gains = limited
                centres = (np.arange(low, high) + 0.5) * unit - 0.5
                samples *= np.interp(np.arange(first, last), centres, gains).astype(np.float32)
            yield np.clip(np.rint(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()

    return read, identity


def _smoothed_minimum(needed: np.ndarray, ramp: int, hold: int) -> np.ndarray:
    """The least of ``needed`` from ``ramp`` ahead to ``hold + ramp`` behind, averaged over ``ramp``:
    every value of the averaging window already carries the peak's own reduction."""
    padded = np.concatenate([np.ones(hold + 2 * ramp, np.float32), needed, np.ones(2 * ramp, np.float32)])
    held = _sliding_min(padded, hold + 2 * ramp + 1)  # held[k] covers needed[k - hold - 2 ramp, k]
    cumulative = np.concatenate([[0.0], np.cumsum(held, dtype=np.float64)])
    first = ramp // 2  # value i averages held[i + first, i + first + ramp), each covering value i
    smooth = (cumulative[first + ramp : first + ramp + len(needed)] - cumulative[first : first + len(needed)]) / ramp
    return smooth.astype(np.float32)


def _sliding_min(values: np.ndarray, width: int) -> np.ndarray:
    """min(values[i : i + width]) for every i (van Herk/Gil-Werman: linear in the length)."""
    count = len(values) - width + 1
    # Columns are the blocks: accumulating down the rows runs over every block at once.
    blocks = np.concatenate([values, np.full((-len(values)) % width, np.inf, values.dtype)]).reshape(-1, width).T
    from_left = np.minimum.accumulate(blocks, axis=0).T.ravel()
    from_right = np.minimum.accumulate(blocks[::-1], axis=0)[::-1].T.ravel()
    return np.minimum(from_right[:count], from_left[width - 1 : width - 1 + count])
