"""MP3 encoding on every core: the episode is cut at silences into pieces, each piece encoded by its
own ffmpeg (LAME), and the pieces' frames joined into one MP3 with one Xing/LAME header.

Owns the encoder settings, the pieces and the joining. The assembler lays the episode out on the
format's grid (``mp3.PIECE_GRID``, ``audio.Assembler``): pieces start at sections, inside silence at
least two frames away from any sound, and each is a whole number of MP3 frames of the 44.1 kHz output,
so a piece's first frames (which LAME starts from silence) and the previous piece's last frames (which
LAME ends with silence) are what one pass over the whole episode would have produced there: nothing to
hear at a join. A piece longer than an equal share of the cores' work is cut again at a pause. The
joined file's header carries the single pass's encoder delay and the true end padding, so a gapless
decoder returns exactly the episode's samples.

Never twice: a piece's name in the cache is the SHA-256 of the encoder's settings and the exact
levelled audio it encodes, so a piece that sounds exactly as one encoded before (an unchanged story of
a ``daily --update``, a re-render) is taken from the cache instead of being encoded again.
Not owned here: what the audio is (``audio`` prepares the PCM) and the ID3 tags.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Union

from briefing.audio.assemble import SAMPLE_RATE_OUT
from briefing.errors import BriefingError
from briefing.audio.formats.base import Pcm
from briefing.audio.formats.ffmpeg import ffmpeg_path, run_ffmpeg
from briefing.audio.formats.mp3_frames import CUT_MARGIN_FRAMES, FRAME_SAMPLES, MIN_PIECE_S
from briefing.system.fsutil import temporary_folder

BITRATE = "96k"
# LAME's -q 7: about twice as fast as -q 5; at 96 kbit/s mono speech we could not hear a difference.
LAME_QUALITY = 7
ENCODER_DELAY = 576  # LAME's; the decoder's own 529 is implied by the format
CUT_MARGIN_SAMPLES = CUT_MARGIN_FRAMES * FRAME_SAMPLES  # silence needed either side of a cut (output samples)
PIECE_VERSION = 1  # part of every cached piece's key: a change to how pieces are made starts afresh
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  # MPEG-1 layer III, kbit/s
_SAMPLE_RATES = (44100, 48000, 32000)
_COPY_BYTES = 1 << 20
_HEADER = struct.Struct(">I")
Buffer = Union[bytes, mmap.mmap]
MAX_PIECES_PER_ENCODER = 16  # each holds a LAME encoder and a resampler while its ffmpeg runs


@dataclass(frozen=True)
class Chunk:
    source_start: int  # in source samples
    source_end: int
    output_samples: int | None  # exact length at 44.1 kHz; None for the last chunk (its natural length)


def plan_chunks(source_samples: int, sample_rate: int, cuts: list[tuple[int, int]],
                silences: list[tuple[int, int]], jobs: int) -> list[Chunk]:
    """The pieces laid out at ``cuts`` ((first source sample, output frames before it)), the longest cut
    in two at a pause in ``silences`` (start, length in source samples) while it is clearly more than an
    equal share of ``jobs`` cores' work (a quarter more: halves are never exactly equal, and a third
    chunk for two cores costs more than it saves)."""
    chunks = [Chunk(start, end, (after - before) * FRAME_SAMPLES)
              for (start, before), (end, after) in zip(cuts, cuts[1:])]
    chunks.append(Chunk(cuts[-1][0], source_samples, None))
    share = 1.25 * source_samples / max(1, jobs)
    while True:
        longest = max(chunks, key=lambda chunk: chunk.source_end - chunk.source_start)
        if longest.source_end - longest.source_start <= share:
            return chunks
        halves = _halves(longest, sample_rate, silences)
        if halves is None:
            return chunks
        at = chunks.index(longest)
        chunks[at:at + 1] = halves


def _halves(chunk: Chunk, sample_rate: int, silences: list[tuple[int, int]]) -> list[Chunk] | None:
    """``chunk`` cut in two at the frame boundary inside a pause nearest its middle, both halves at least
    ``MIN_PIECE_S`` long; None when there is no such place."""
    ratio = SAMPLE_RATE_OUT / sample_rate
    length_out = (chunk.source_end - chunk.source_start) * ratio
    shortest = MIN_PIECE_S * SAMPLE_RATE_OUT
    candidates = []
    for start, length in silences:
        first = (start - chunk.source_start) * ratio + CUT_MARGIN_SAMPLES
        last = (start + length - chunk.source_start) * ratio - CUT_MARGIN_SAMPLES
        frame = -(-int(first) // FRAME_SAMPLES) * FRAME_SAMPLES
        if frame <= last and shortest <= frame <= length_out - shortest:
            candidates.append(frame)
    if not candidates:
        return None
    frame = min(candidates, key=lambda at: abs(at - length_out / 2))
    middle = chunk.source_start + round(frame / ratio)
    rest = None if chunk.output_samples is None else chunk.output_samples - frame
    return [Chunk(chunk.source_start, middle, frame), Chunk(middle, chunk.source_end, rest)]


def encode_mp3(pcm: Pcm, chunks: list[Chunk], path: Path, jobs: int = 1) -> None:
    """Encode the chunks on up to ``jobs`` cores, taking from ``pcm.store`` those encoded before, then
    join their frames into ``path`` (which is overwritten).

    ffmpeg takes 60 ms of CPU to start (it loads 200 libraries), as long as it takes to encode 25 s of
    speech; so one ffmpeg encodes several chunks, each with its own encoder (an output of its own), as
    separate runs would, byte for byte."""
    parts = [path.with_name(f"{path.name}.part{index}") for index in range(len(chunks))]
    store = pcm.store if pcm.identity is not None else None
    keys = [_piece_key(pcm, chunk) if store is not None else "" for chunk in chunks]
    try:
        missing = [i for i in range(len(chunks)) if store is None or not store.take(keys[i], parts[i])]
        groups = _groups(missing, chunks, jobs)
        if groups:
            ffmpeg = ffmpeg_path()
            with ThreadPoolExecutor(len(groups)) as pool:
                for _ in pool.map(lambda group: _encode(ffmpeg, pcm, [(chunks[i], parts[i]) for i in group]), groups):
                    pass
        if store is not None:
            for index in missing:
                store.keep(keys[index], parts[index])
        join_frames(parts, chunks, path)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)


def _piece_key(pcm: Pcm, chunk: Chunk) -> str:
    assert pcm.identity is not None
    settings = [PIECE_VERSION, pcm.sample_rate, _encoder_arguments(chunk, pcm.filters)]
    return hashlib.sha256(json.dumps([settings, pcm.identity(chunk.source_start, chunk.source_end)]).encode()).hexdigest()


def _groups(indices: list[int], chunks: list[Chunk], jobs: int) -> list[list[int]]:
    """The chunks to encode in ``jobs`` groups of similar length (longest first, each to the lightest)."""
    count = max(1, min(len(indices), max(jobs, -(-len(indices) // MAX_PIECES_PER_ENCODER))))
    groups: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for index in sorted(indices, key=lambda i: chunks[i].source_start - chunks[i].source_end):
        lightest = min(range(count), key=lambda g: (len(groups[g]) >= MAX_PIECES_PER_ENCODER, loads[g]))
        groups[lightest].append(index)
        loads[lightest] += chunks[index].source_end - chunks[index].source_start
    return [group for group in groups if group]



def _encoder_arguments(chunk: Chunk, filters: str) -> list[str]:
    """The output options of one chunk's encoding."""
    chain = f"aresample={SAMPLE_RATE_OUT}" + (f",{filters}" if filters else "")
    if chunk.output_samples is not None:  # exact length: the resampler may give a sample more or less
        chain += f",apad,atrim=end_sample={chunk.output_samples}"
    return ["-af", chain, "-ar", str(SAMPLE_RATE_OUT), "-ac", "1", "-c:a", "libmp3lame", "-b:a", BITRATE,
            "-compression_level", str(LAME_QUALITY), "-id3v2_version", "0", "-f", "mp3"]


def _encode(ffmpeg: str, pcm: Pcm, pieces: list[tuple[Chunk, Path]]) -> None:
    """One ffmpeg encoding every chunk of ``pieces`` into its part. A lone chunk streams in through a
    pipe as it is levelled; several are first levelled into files, because ffmpeg reads its inputs in
    step, a little of each in turn, and from pipes it kept waiting on their writers."""
    command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    with temporary_folder("pcm") if len(pieces) > 1 else nullcontext(Path()) as scratch:
        for number, (chunk, _) in enumerate(pieces):
            source = "pipe:0"
            if len(pieces) > 1:
                source = str(scratch / f"{number}.pcm")
                with open(source, "wb") as handle:
                    for block in pcm.read(chunk.source_start, chunk.source_end):
                        handle.write(block)
            command += ["-f", "s16le", "-ar", str(pcm.sample_rate), "-ac", "1", "-i", source]
        for number, (chunk, part) in enumerate(pieces):
            command += ["-map", f"{number}:a", *_encoder_arguments(chunk, pcm.filters), str(part)]
        streamed = pcm.read(pieces[0][0].source_start, pieces[0][0].source_end) if len(pieces) == 1 else ()
        run_ffmpeg(command, streamed, "MP3 encoding failed")


# ---- joining frames --------------------------------------------------------------------------------


def _frames(data: Buffer) -> Iterator[tuple[int, int]]:
    """(offset, length) of every MPEG-1 layer III frame in ``data``, which must start with one."""
    position, size = 0, len(data)
    while position + 4 <= size:
        header = _HEADER.unpack_from(data, position)[0]
        if header >> 21 != 0x7FF or (header >> 17) & 0xF != 0xD:  # sync, MPEG-1, layer III
            raise BriefingError("MP3 encoding failed: the encoder wrote something that is not an MP3 frame")
        bitrate = _BITRATES[(header >> 12) & 0xF] * 1000
        sample_rate = _SAMPLE_RATES[(header >> 10) & 0x3]
        length = 144 * bitrate // sample_rate + ((header >> 9) & 1)
        yield position, length
        position += length


def join_frames(parts: list[Path], chunks: list[Chunk], path: Path) -> None:
    """Concatenate each chunk's frames that cover its own samples; fix the first chunk's header.

    The chunks are mapped, not read, to find their frames, and copied in pieces: an hour's MP3 is never
    in memory."""
    spans: list[tuple[Path, int, int]] = []  # the bytes of each part that are kept
    audio_frames = 0
    total_out = 0
    header_frame = b""
    for index, (part, chunk) in enumerate(zip(parts, chunks)):
        output_samples = chunk.output_samples
        wanted = None if output_samples is None else output_samples // FRAME_SAMPLES
        with part.open("rb") as handle, _mapped(handle) as data:
            frames = _frames(data)
            offset, length = next(frames, (0, 0))  # every chunk starts with its header frame
            first = bytes(data[offset:offset + length])
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
    with path.open("wb") as joined:
        joined.write(_patched_header(header_frame, audio_frames, len(header_frame) + body_bytes, padding))
        for part, start, end in spans:
            with part.open("rb") as source:
                source.seek(start)
                while start < end:
                    block = source.read(min(end - start, _COPY_BYTES))
                    if not block:
                        raise BriefingError("MP3 encoding failed: a chunk changed while it was joined")
                    joined.write(block)
                    start += len(block)


@contextmanager
def _mapped(handle: BinaryIO) -> Iterator[Buffer]:
    """The file's bytes, mapped read-only (an empty file has nothing to map)."""
    if os.fstat(handle.fileno()).st_size == 0:
        yield b""
        return
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        yield data


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
