"""MP3 encoding on every core: the episode is cut at silences into chunks, each chunk encoded by its
own ffmpeg (LAME), and the chunks' frames joined into one MP3 with one Xing/LAME header.

Owns the encoder settings, the choice of cut points and the joining. Cuts fall on MP3 frame
boundaries of the 44.1 kHz output (multiples of 1152 samples) inside silence at least two frames
away from any sound, so a chunk's first frames (which LAME starts from silence) and the previous
chunk's last frames (which LAME ends with silence) are what one pass over the whole episode would
have produced there: nothing to hear at a join. The joined file's header carries the single pass's
encoder delay and the true end padding, so a gapless decoder returns exactly the episode's samples.
Not owned here: what the audio is (``audio`` prepares the PCM) and the ID3 tags.
"""

from __future__ import annotations

import os
import struct
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from briefing.audio import SAMPLE_RATE_OUT, PcmReader
from briefing.errors import BriefingError

BITRATE = "96k"
# LAME's -q 7: about twice as fast as -q 5; at 96 kbit/s mono speech we could not hear a difference.
LAME_QUALITY = 7
FRAME_SAMPLES = 1152
ENCODER_DELAY = 576  # LAME's; the decoder's own 529 is implied by the format
CUT_MARGIN_SAMPLES = 2 * FRAME_SAMPLES  # silence needed either side of a cut (output samples)
MIN_CHUNK_S = 20.0  # shorter chunks are not worth an extra ffmpeg
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  # MPEG-1 layer III, kbit/s
_SAMPLE_RATES = (44100, 48000, 32000)
_COPY_BYTES = 1 << 20

@dataclass(frozen=True)
class Chunk:
    source_start: int  # in source samples
    source_end: int
    output_samples: int | None  # exact length at 44.1 kHz; None for the last chunk (its natural length)


def plan_chunks(source_samples: int, sample_rate: int, silences: list[tuple[int, int]],
                jobs: int) -> list[Chunk]:
    """Up to ``jobs`` chunks of similar length, cut at frame boundaries inside ``silences``
    (start, length in source samples)."""
    total_out = source_samples * SAMPLE_RATE_OUT / sample_rate
    wanted = min(jobs, int(total_out / SAMPLE_RATE_OUT / MIN_CHUNK_S))
    candidates = _cut_candidates(silences, sample_rate)
    cuts: list[int] = []
    for part in range(1, max(1, wanted)):
        target = total_out * part / wanted
        best = min((c for c in candidates if not cuts or c > cuts[-1]), key=lambda c: abs(c - target), default=None)
        if best is not None and abs(best - target) < total_out / wanted / 2:
            cuts.append(best)
    chunks, start_out = [], 0
    for cut in cuts + [None]:
        start = round(start_out * sample_rate / SAMPLE_RATE_OUT)
        if cut is None:
            chunks.append(Chunk(start, source_samples, None))
        else:
            chunks.append(Chunk(start, round(cut * sample_rate / SAMPLE_RATE_OUT), cut - start_out))
            start_out = cut
    return chunks


def _cut_candidates(silences: list[tuple[int, int]], sample_rate: int) -> list[int]:
    """Output-sample frame boundaries that lie in a silence with the margin on both sides."""
    found = []
    for start, length in silences:
        first = (start * SAMPLE_RATE_OUT / sample_rate) + CUT_MARGIN_SAMPLES
        last = ((start + length) * SAMPLE_RATE_OUT / sample_rate) - CUT_MARGIN_SAMPLES
        frame = -(-int(first) // FRAME_SAMPLES)
        if frame * FRAME_SAMPLES <= last:
            found.append(frame * FRAME_SAMPLES)
    return found


def encode_mp3(read: PcmReader, sample_rate: int, chunks: list[Chunk], path: Path, filters: str = "") -> None:
    """Encode the chunks side by side, then join their frames into ``path`` (which is overwritten)."""
    ffmpeg = _ffmpeg()
    parts = [path.with_name(f"{path.name}.part{index}") for index in range(len(chunks))]
    try:
        runs = [_EncodeRun(ffmpeg, read, sample_rate, chunk, part, filters) for chunk, part in zip(chunks, parts)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        for run in runs:
            if run.error:
                raise run.error
        join_frames(parts, chunks, path)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)


def _ffmpeg() -> str:
    from briefing.audio import ffmpeg_path

    return ffmpeg_path()


class _EncodeRun(threading.Thread):
    """One ffmpeg encoding one chunk, fed from this thread."""

    def __init__(self, ffmpeg: str, read: PcmReader, sample_rate: int, chunk: Chunk, part: Path,
                 filters: str) -> None:
        super().__init__(daemon=True)
        chain = f"aresample={SAMPLE_RATE_OUT}" + (f",{filters}" if filters else "")
        if chunk.output_samples is not None:  # exact length: the resampler may give a sample more or less
            chain += f",apad,atrim=end_sample={chunk.output_samples}"
        self._command = [
            ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0", "-af", chain,
            "-ar", str(SAMPLE_RATE_OUT), "-ac", "1", "-c:a", "libmp3lame", "-b:a", BITRATE,
            "-compression_level", str(LAME_QUALITY), "-id3v2_version", "0",
            "-f", "mp3", str(part),
        ]
        self._read, self._chunk = read, chunk
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            process = subprocess.Popen(self._command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
            assert process.stdin is not None and process.stderr is not None
            try:
                for block in self._read(self._chunk.source_start, self._chunk.source_end):
                    process.stdin.write(block)
                process.stdin.close()
            except BrokenPipeError:
                pass  # ffmpeg stopped early: its exit status and message say why
            problem = process.stderr.read().decode(errors="replace").strip()
            if process.wait() != 0:
                raise BriefingError(f"MP3 encoding failed: {(problem.splitlines() or ['ffmpeg failed'])[-1]}")
        except BaseException as error:  # re-raised by the caller after join()
            self.error = error


# ---- joining frames --------------------------------------------------------------------------------


def _frames(read: Callable[[int, int], bytes], size: int) -> Iterator[tuple[int, int]]:
    """(offset, length) of every MPEG-1 layer III frame in ``size`` bytes (read by ``read(offset, count)``),
    which must start with one."""
    position = 0
    while position + 4 <= size:
        header = struct.unpack(">I", read(position, 4))[0]
        if header >> 21 != 0x7FF or (header >> 17) & 0xF != 0xD:  # sync, MPEG-1, layer III
            raise BriefingError("MP3 encoding failed: the encoder wrote something that is not an MP3 frame")
        bitrate = _BITRATES[(header >> 12) & 0xF] * 1000
        sample_rate = _SAMPLE_RATES[(header >> 10) & 0x3]
        length = 144 * bitrate // sample_rate + ((header >> 9) & 1)
        yield position, length
        position += length


def join_frames(parts: list[Path], chunks: list[Chunk], path: Path) -> None:
    """Concatenate each chunk's frames that cover its own samples; fix the first chunk's header.

    The chunks are read a frame header at a time and copied in pieces: an hour's MP3 is never in memory."""
    spans: list[tuple[Path, int, int]] = []  # the bytes of each part that are kept
    audio_frames = 0
    total_out = 0
    header_frame = b""
    for index, (part, chunk) in enumerate(zip(parts, chunks)):
        output_samples = chunk.output_samples
        wanted = None if output_samples is None else output_samples // FRAME_SAMPLES
        with part.open("rb") as handle:
            descriptor = handle.fileno()
            frames = _frames(lambda at, size: os.pread(descriptor, size, at), os.fstat(descriptor).st_size)
            offset, length = next(frames, (0, 0))  # every chunk starts with its header frame
            first = os.pread(descriptor, length, offset)
            take, start, end = 0, 0, 0
            for position, size in frames:
                if wanted is not None and take == wanted:
                    break
                if take == 0:
                    start = position
                end = position + size
                take += 1
        if index == 0:
            header_frame = first
        if output_samples is None:
            delay, padding = _delay_padding(first)
            total_out += take * FRAME_SAMPLES - delay - padding
        elif take < output_samples // FRAME_SAMPLES:
            raise BriefingError("MP3 encoding failed: a chunk came back shorter than it went in")
        else:
            total_out += output_samples
        if take:
            spans.append((part, start, end))
        audio_frames += take
    body_bytes = sum(end - start for _, start, end in spans)
    padding = audio_frames * FRAME_SAMPLES - ENCODER_DELAY - total_out
    with path.open("wb") as handle:
        handle.write(_patched_header(header_frame, audio_frames, len(header_frame) + body_bytes, padding))
        for part, start, end in spans:
            with part.open("rb") as source:
                source.seek(start)
                while start < end:
                    block = source.read(min(end - start, _COPY_BYTES))
                    if not block:
                        raise BriefingError("MP3 encoding failed: a chunk changed while it was joined")
                    handle.write(block)
                    start += len(block)


def _lame_tag_offset(frame: bytes) -> int:
    for tag in (b"Info", b"Xing"):
        found = frame.find(tag, 4, 64)
        if found >= 0:
            flags = struct.unpack(">I", frame[found + 4:found + 8])[0]
            return found + 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4) + 4 * bool(flags & 8)
    raise BriefingError("MP3 encoding failed: the encoder wrote no Xing header")


def _delay_padding(frame: bytes) -> tuple[int, int]:
    tag = _lame_tag_offset(frame)
    value = int.from_bytes(frame[tag + 21:tag + 24], "big")
    return value >> 12, value & 0xFFF


def _patched_header(frame: bytes, audio_frames: int, total_bytes: int, padding: int) -> bytes:
    """The Xing/LAME header frame with the joined file's frame count, size, seek table and padding."""
    if not 0 <= padding < 4096:
        raise BriefingError(f"MP3 encoding failed: the joined chunks end with {padding} samples of padding")
    patched = bytearray(frame)
    xing = max(frame.find(b"Info", 4, 64), frame.find(b"Xing", 4, 64))
    patched[xing + 4:xing + 8] = struct.pack(">I", 0xF)  # frames, bytes, seek table, quality
    patched[xing + 8:xing + 16] = struct.pack(">II", audio_frames, total_bytes)
    patched[xing + 16:xing + 116] = bytes(min(255, percent * 256 // 100) for percent in range(100))  # constant bitrate
    tag = xing + 120
    delay = _delay_padding(frame)[0]
    patched[tag + 21:tag + 24] = ((delay << 12) | padding).to_bytes(3, "big")
    patched[tag + 28:tag + 32] = struct.pack(">I", total_bytes)  # music length
    # The tag's own CRC, computed as ffmpeg's writer does: over 190 bytes with the CRC field zeroed.
    patched[tag + 34:tag + 36] = b"\0\0"
    patched[tag + 34:tag + 36] = struct.pack(">H", _crc16(bytes(patched[:190])))
    return bytes(patched)


def _crc16(data: bytes) -> int:
    """CRC-16/ARC, the LAME tag's checksum."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc
