"""Assembly: speech segments and pauses into one episode, loudness-normalised and exported as MP3.

Owns the exact timing of every segment (measured in samples as the audio is assembled), silence
trimming, the optional section chime, loudness normalisation to the podcast norm and the MP3 export
with its ID3 text tags. Chapters, transcript and cover art are written by ``chapters`` and ``cover``.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from pydub import AudioSegment
from pydub.generators import Sine
from pydub.silence import detect_leading_silence

from briefing.engines.base import Speech
from briefing.errors import BriefingError
from briefing.model import Segment

TARGET_LUFS = -16.0
# MP3 encoding at our settings measured 0.3-0.4 LU quieter than its input; aim that much higher.
PRE_ENCODE_TARGET_LUFS = TARGET_LUFS + 0.35
LIMIT_DBFS = -2.0  # sample-peak limit: leaves room for the encoder so the true peak stays under -1 dBTP
SAMPLE_RATE_OUT = 44100
BITRATE = "96k"
# LAME's -q 7: about twice as fast as -q 5; at 96 kbit/s mono speech we could not hear a difference.
LAME_QUALITY = 7
LEAD_IN_MS = 250
SILENCE_THRESHOLD_DBFS = -50.0
TRIM_MARGIN_MS = 15
MAX_GAIN_DB = 20.0
# espeak-ng and the neural voices come out near -20 LUFS: these gains bracket what they usually need.
TRIAL_GAINS_DB = (4.0, 8.0)
SILENCE_LUFS = -70.0  # EBU R128's absolute gate: what the meter reports for silence


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


class Assembler:
    """Collects trimmed speech and pauses as raw PCM, recording where each segment starts and ends."""

    def __init__(self, sample_rate: int, *, chime: bool = False) -> None:
        self.sample_rate = sample_rate
        self._chunks: list[bytes] = []
        self._samples = 0
        self._chime = _chime(sample_rate) if chime else None
        # Loudness after the limiter at a few trial gains, measured while the speech is still being made.
        self._meters = {gain: LoudnessMeter(sample_rate, limiter_chain(gain)) for gain in TRIAL_GAINS_DB}
        self.add_silence(LEAD_IN_MS)

    @property
    def position_s(self) -> float:
        return self._samples / self.sample_rate

    def add_silence(self, milliseconds: int) -> None:
        if milliseconds > 0:
            silence = AudioSegment.silent(duration=milliseconds, frame_rate=self.sample_rate)
            self._append(silence.raw_data)

    def add_section_chime(self) -> None:
        if self._chime is not None:
            self._append(self._chime.raw_data)
            self.add_silence(200)

    def add_speech(self, segment: Segment, speech: Speech) -> None:
        clip = trim_silence(_as_segment(speech, self.sample_rate))
        segment.start = self.position_s
        self._append(clip.raw_data)
        segment.end = self.position_s
        self.add_silence(segment.pause_after_ms)

    def _append(self, pcm: bytes) -> None:
        self._chunks.append(pcm)
        self._samples += len(pcm) // 2
        for meter in self._meters.values():
            meter.feed(pcm)

    def finish(self) -> tuple[AudioSegment, dict[float, float]]:
        """The whole episode, and its integrated loudness (LUFS) after the limiter at each trial gain."""
        audio = AudioSegment(data=b"".join(self._chunks), sample_width=2, frame_rate=self.sample_rate, channels=1)
        self._chunks = []
        return audio, {gain: meter.result() for gain, meter in self._meters.items()}


def _as_segment(speech: Speech, sample_rate: int) -> AudioSegment:
    clip = AudioSegment(data=speech.pcm, sample_width=2, frame_rate=speech.sample_rate, channels=1)
    return clip if speech.sample_rate == sample_rate else clip.set_frame_rate(sample_rate)


def trim_silence(clip: AudioSegment) -> AudioSegment:
    """Cut the engine's own leading and trailing silence so only our planned pauses remain."""
    lead = detect_leading_silence(clip, silence_threshold=SILENCE_THRESHOLD_DBFS, chunk_size=5)
    tail = detect_leading_silence(clip.reverse(), silence_threshold=SILENCE_THRESHOLD_DBFS, chunk_size=5)
    start = max(0, lead - TRIM_MARGIN_MS)
    end = min(len(clip), len(clip) - tail + TRIM_MARGIN_MS)
    return clip[start:end] if end > start else clip


def _chime(sample_rate: int) -> AudioSegment:
    """Two soft notes, a rising fifth, with fades so they do not click."""
    first = Sine(660, sample_rate=sample_rate).to_audio_segment(duration=140, volume=-18)
    second = Sine(990, sample_rate=sample_rate).to_audio_segment(duration=220, volume=-20)
    return (first.fade_in(10).fade_out(40) + second.fade_in(10).fade_out(120)).set_channels(1)


class LoudnessMeter:
    """ffmpeg's EBU R128 meter, fed as the audio is assembled so measuring costs no extra pass."""

    def __init__(self, sample_rate: int, filters: str = "") -> None:
        # framelog=verbose keeps the per-frame lines out of the log: formatting them cost a third of the time.
        meter = "ebur128=framelog=verbose"
        chain = f"{filters},{meter}" if filters else meter
        # The meter logs every 100 ms of audio; a file (not a pipe) takes that without blocking ffmpeg.
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [ffmpeg_path(), "-hide_banner", "-nostats", "-f", "s16le", "-ar", str(sample_rate), "-ac", "1",
             "-i", "pipe:0", "-af", chain, "-f", "null", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log,
        )

    def feed(self, pcm: bytes) -> None:
        self._process.stdin.write(pcm)

    def result(self) -> float:
        self._process.communicate()
        self._log.seek(max(0, self._log.seek(0, 2) - 4096))
        summary = self._log.read().decode(errors="replace")
        self._log.close()
        return parse_integrated_loudness(summary)


def parse_integrated_loudness(ffmpeg_output: str) -> float:
    summary = ffmpeg_output.rsplit("Summary:", 1)[-1]
    match = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    if match is None or match.group(1) == "-inf":
        return float("-inf")
    return float(match.group(1))


def limiter_chain(gain_db: float) -> str:
    limit = 10 ** (LIMIT_DBFS / 20)
    return f"volume={gain_db:.2f}dB,alimiter=limit={limit:.4f}:level=0:attack=2:release=60"


def normalising_gain(audio: AudioSegment, trials: dict[float, float]) -> float:
    """The gain that brings the limited episode to the target.

    Limiting lowers loudness, so loudness is not linear in gain; but between trial gains a few dB
    apart it is close to linear. Interpolate between the two trials that bracket the target; when
    none do (an unusually loud or quiet voice), measure again at the extrapolated gain and beside it.
    """
    points = sorted((gain, lufs) for gain, lufs in trials.items() if math.isfinite(lufs) and lufs > SILENCE_LUFS)
    if len(points) < 2:
        return 0.0
    for (low_gain, low), (high_gain, high) in pairwise(points):
        if low <= PRE_ENCODE_TARGET_LUFS <= high and high - low > 0.05:
            return low_gain + (PRE_ENCODE_TARGET_LUFS - low) * (high_gain - low_gain) / (high - low)
    guess = _extrapolate(points)
    return _interpolate(*_measure_limited(audio, (guess, min(MAX_GAIN_DB, guess + 2.0)))) or guess


def _extrapolate(points: list[tuple[float, float]]) -> float:
    (gain_a, lufs_a), (gain_b, lufs_b) = points[:2] if PRE_ENCODE_TARGET_LUFS < points[0][1] else points[-2:]
    slope = (lufs_b - lufs_a) / (gain_b - gain_a) if lufs_b != lufs_a else 1.0
    return max(-MAX_GAIN_DB, min(MAX_GAIN_DB, gain_b + (PRE_ENCODE_TARGET_LUFS - lufs_b) / slope))


def _measure_limited(audio: AudioSegment, gains: tuple[float, float]) -> list[tuple[float, float]]:
    """Loudness after the limiter at two gains, one ffmpeg meter per core."""
    meters = [LoudnessMeter(audio.frame_rate, limiter_chain(gain)) for gain in gains]
    threads = [threading.Thread(target=meter.feed, args=(audio.raw_data,)) for meter in meters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [(gain, meter.result()) for gain, meter in zip(gains, meters)]


def _interpolate(first: tuple[float, float], second: tuple[float, float]) -> float | None:
    (gain_a, lufs_a), (gain_b, lufs_b) = first, second
    if not (math.isfinite(lufs_a) and math.isfinite(lufs_b)) or abs(lufs_b - lufs_a) < 0.05:
        return None
    return min(MAX_GAIN_DB, gain_a + (PRE_ENCODE_TARGET_LUFS - lufs_a) * (gain_b - gain_a) / (lufs_b - lufs_a))


def export_mp3(audio: AudioSegment, path: Path, tags: Tags, gain_db: float) -> None:
    """Encode mono MP3 at 44.1 kHz with the normalising gain and a peak limiter, then rename into place."""
    ffmpeg_path()
    parameters = [
        "-af", f"aresample={SAMPLE_RATE_OUT}," + limiter_chain(gain_db),
        "-ar", str(SAMPLE_RATE_OUT), "-ac", "1", "-compression_level", str(LAME_QUALITY),
    ]
    id3_tags = {"title": tags.title, "artist": tags.artist, "album": tags.album, "genre": "Podcast"}
    if tags.date:
        id3_tags["date"] = tags.date
    if tags.comment:
        id3_tags["comment"] = tags.comment
    try:
        audio.export(str(path), format="mp3", bitrate=BITRATE, parameters=parameters, tags=id3_tags,
                     id3v2_version="3")
    except Exception as error:  # pydub raises CouldntEncodeError with ffmpeg's whole log
        raise BriefingError(f"{path}: MP3 encoding failed: {str(error).splitlines()[0]}") from None
