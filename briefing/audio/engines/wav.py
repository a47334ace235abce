"""Reading the WAV bytes engines produce (espeak-ng's --stdout header carries a bogus length)."""

from __future__ import annotations

import struct

from briefing.audio.engines.base import Speech


def parse_wav(data: bytes, engine: str) -> Speech:
    """Find the fmt and data chunks of a 16-bit mono WAV; trust the bytes present, not the header's size."""
    from briefing.errors import EngineError

    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EngineError(f"{engine}: the engine returned no WAV audio")
    position, sample_rate, channels, bits = 12, 0, 0, 0
    while position + 8 <= len(data):
        chunk_id, size = data[position : position + 4], struct.unpack("<I", data[position + 4 : position + 8])[0]
        body_start = position + 8
        if chunk_id == b"fmt ":
            _, channels, sample_rate, _, _, bits = struct.unpack("<HHIIHH", data[body_start : body_start + 16])
        elif chunk_id == b"data":
            pcm = data[body_start : body_start + size] if size < len(data) else data[body_start:]
            if channels != 1 or bits != 16:
                raise EngineError(f"{engine}: expected 16-bit mono audio, got {bits}-bit with {channels} channels")
            return Speech(pcm=pcm[: len(pcm) // 2 * 2], sample_rate=sample_rate)
        position = body_start + size + (size & 1)
    raise EngineError(f"{engine}: the engine's WAV audio has no data")
