"""The speech cache: synthesised segments kept in ``<library>/cache/speech/``, so a re-run, a
``daily --update`` or a re-render after a small edit speaks only what changed.

Content-addressed: a clip's name is the SHA-256 of the engine, its voice settings, the piece length
and the spoken text, so two runs that would say the same thing the same way share the file. Safe
under concurrent runs and kill -9: a clip is written under a temporary name and renamed into place,
a reader that finds a clip half-gone or damaged treats it as absent, and eviction tolerates clips
deleted under it. Capped at ``[channel] cache_mb`` (default 500; 0 turns the cache off), the least
recently used clips going first (a hit refreshes the clip's time).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.engines.base import Speech, VoiceSettings
from briefing.fsutil import temporary_name

if TYPE_CHECKING:
    from briefing.config import Config

CACHE_DIR = Path("cache") / "speech"
DEFAULT_CACHE_MB = 500
FORMAT_VERSION = 1  # part of every key: a change to what a clip holds starts a fresh cache
STALE_TEMPORARY_S = 3600  # a clip still being written is renamed within seconds
_MAGIC = b"BRSP"
_HEADER = struct.Struct("<4sII")  # magic, sample rate, PCM bytes


class SpeechCache:
    def __init__(self, folder: Path, limit_bytes: int) -> None:
        self.folder = folder
        self.limit_bytes = limit_bytes
        self.hits = 0
        self.stored = 0

    def key(self, engine: str, settings: VoiceSettings, text: str, piece_chars: int) -> str:
        described = json.dumps([FORMAT_VERSION, engine, asdict(settings), _model_identity(settings), piece_chars, text],
                               ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(described.encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pcm"

    def contains(self, key: str) -> bool:
        return self._path(key).is_file()

    def get(self, key: str) -> Speech | None:
        path = self._path(key)
        try:
            with path.open("rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if len(data) < _HEADER.size:
            return None
        magic, sample_rate, length = _HEADER.unpack_from(data)
        if magic != _MAGIC or length != len(data) - _HEADER.size or sample_rate <= 0:
            return None
        try:
            os.utime(path)  # least recently used goes first
        except OSError:
            pass
        self.hits += 1
        return Speech(data[_HEADER.size:], sample_rate)

    def put(self, key: str, speech: Speech) -> None:
        """Store a clip; a full or read-only disk only means it is not cached."""
        path = self._path(key)
        temporary = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = temporary_name(path)
            with temporary.open("wb") as handle:
                handle.write(_HEADER.pack(_MAGIC, speech.sample_rate, len(speech.pcm)))
                handle.write(speech.pcm)
            os.replace(temporary, path)
            self.stored += 1
        except OSError:
            if temporary is not None:
                temporary.unlink(missing_ok=True)

    def evict(self) -> int:
        """Delete the least recently used clips until the cache fits its cap; returns bytes freed."""
        for path in self.folder.glob("*/*.tmp"):  # left by a run killed while writing
            try:
                if time.time() - path.stat().st_mtime > STALE_TEMPORARY_S:
                    path.unlink()
            except OSError:
                pass
        clips = []
        for path in self.folder.glob("*/*.pcm"):
            try:
                status = path.stat()
            except OSError:  # another run evicted it first
                continue
            clips.append((status.st_mtime, status.st_size, path))
        total = sum(size for _, size, _ in clips)
        freed = 0
        for _, size, path in sorted(clips):
            if total - freed <= self.limit_bytes:
                break
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                continue
            freed += size
        return freed


def _model_identity(settings: VoiceSettings) -> list[object]:
    """A model given as a file path: its size and time, so a replaced model is not mistaken for the old."""
    if not settings.model:
        return []
    try:
        status = Path(settings.model).stat()
    except OSError:
        return []
    return [status.st_size, status.st_mtime_ns]


def open_cache(library_dir: Path, config: Config) -> SpeechCache | None:
    """The library's speech cache as its ``briefing.toml`` (``config``) sizes it; None when ``cache_mb`` is 0."""
    megabytes = config.raw.get("channel", {}).get("cache_mb", DEFAULT_CACHE_MB)
    if megabytes <= 0:
        return None
    return SpeechCache(Path(library_dir) / CACHE_DIR, int(megabytes * 1024 * 1024))
