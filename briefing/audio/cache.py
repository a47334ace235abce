"""The library's cache, ``<library>/cache/`` (or ``[channel] cache_dir``): synthesised segments (``speech/``) and encoded pieces of
episodes (``encoded/``), so a re-run, a ``daily --update`` or a re-render after a small edit speaks
and encodes only what changed.

Content-addressed: a clip's name is the SHA-256 of the engine, its voice settings, the piece length
and the spoken text; an encoded piece's, of the encoder's settings and the exact audio it encoded.
Two runs that would say (or encode) the same thing the same way share the file. Safe under
concurrent runs and kill -9: a file is written under a temporary name and renamed into place, a
reader that finds a clip half-gone or damaged treats it as absent, and eviction tolerates files
deleted under it. Both kinds together are capped at ``[channel] cache_mb`` (default 500; 0 turns the
cache off), the least recently used files going first (a hit refreshes the file's time).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from briefing.audio.engines.base import Speech
from briefing.model import VoiceSettings
from briefing.system.fsutil import temporary_name

CACHE_DIR = Path("cache")
SPEECH, ENCODED = "speech", "encoded"  # the kinds, each a folder of the cache
DEFAULT_CACHE_MB = 500
FORMAT_VERSION = 5  # part of every key: a change to what a clip holds starts a fresh cache
STALE_TEMPORARY_S = 3600  # a clip still being written is renamed within seconds
_MAGIC = b"BRS2"
_HEADER = struct.Struct("<4sIII")  # magic, sample rate, PCM bytes, CRC-32 of the PCM
# Rates any engine speaks at; a header outside them is damage (1 Hz would make an hour of every second).
SAMPLE_RATES = range(4_000, 192_001)


class RenderCache:
    """The cache of ``folder``: speech clips (``get``, ``put``) and, through ``encoded``, encoded pieces."""

    def __init__(self, folder: Path, limit_bytes: int) -> None:
        self.folder = folder
        self.limit_bytes = limit_bytes
        self.hits = 0
        self.stored = 0
        self.encoded = EncodedPieces(folder / ENCODED)

    def key(self, engine: str, settings: VoiceSettings, text: str, piece_chars: int) -> str:
        described = json.dumps([FORMAT_VERSION, engine, asdict(settings), _model_identity(settings), piece_chars, text],
                               ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(described.encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / SPEECH / key[:2] / f"{key}.pcm"

    def contains(self, key: str) -> bool:
        return self._path(key).is_file()

    def get(self, key: str) -> Speech | None:
        path = self._path(key)
        try:
            with path.open("rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if not _whole_clip(data):
            _drop(path)  # damaged (a full disk, a bad sector, an edit): spoken again and stored afresh
            return None
        _touch(path)
        self.hits += 1
        return Speech(data[_HEADER.size:], _HEADER.unpack_from(data)[1])

    def put(self, key: str, speech: Speech) -> None:
        """Store a clip; a full or read-only disk only means it is not cached."""
        def write(temporary: Path) -> None:
            with temporary.open("wb") as handle:
                handle.write(_HEADER.pack(_MAGIC, speech.sample_rate, len(speech.pcm), zlib.crc32(speech.pcm)))
                handle.write(speech.pcm)

        self.stored += _write_into_place(self._path(key), write)

    def evict(self) -> int:
        """Delete the least recently used files of both kinds until the cache fits its cap; returns bytes freed."""
        for path in self.folder.glob("*/*/*.tmp"):  # left by a run killed while writing
            try:
                if time.time() - path.stat().st_mtime > STALE_TEMPORARY_S:
                    path.unlink()
            except OSError:
                pass
        clips = []
        for path in [*self.folder.glob(f"{SPEECH}/*/*.pcm"), *self.folder.glob(f"{ENCODED}/*/*{ENCODED_SUFFIX}")]:
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


ENCODED_SUFFIX = ".frames"


class EncodedPieces:
    """Encoded pieces of episodes by key (the format's encoder chooses the key and what a piece holds)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.stored = 0

    def _folder(self, key: str) -> Path:
        return self.folder / key[:2]

    def take(self, key: str, target: Path) -> bool:
        """Link (else copy) the piece ``key`` to ``target``; False when it is not here, just evicted, or
        damaged (its length or checksum not the ones its name records: then it is dropped)."""
        path = next(self._folder(key).glob(f"{key}.*{ENCODED_SUFFIX}"), None)
        if path is None:
            return False
        try:
            os.link(path, target)
        except FileNotFoundError:
            return False
        except OSError:  # another filesystem, or one without hard links
            try:
                shutil.copyfile(path, target)
            except OSError:
                target.unlink(missing_ok=True)
                return False
        if _piece_name(key, target) != path.name:
            target.unlink(missing_ok=True)
            _drop(path)
            return False
        _touch(path)
        self.hits += 1
        return True

    def keep(self, key: str, piece: Path) -> None:
        """Keep a copy of the finished ``piece`` under ``key``; a full or read-only disk only means it is not kept."""
        def write(temporary: Path) -> None:
            try:
                os.link(piece, temporary)
            except OSError:
                shutil.copyfile(piece, temporary)

        try:
            name = _piece_name(key, piece)
        except OSError:
            return
        self.stored += _write_into_place(self._folder(key) / name, write)


def _piece_name(key: str, piece: Path) -> str:
    """The name a piece is kept under: its key, length and CRC-32, checked again when it is taken."""
    checksum, length = 0, 0
    with piece.open("rb") as handle:
        while block := handle.read(1 << 20):
            checksum, length = zlib.crc32(block, checksum), length + len(block)
    return f"{key}.{length}-{checksum:08x}{ENCODED_SUFFIX}"


def _whole_clip(data: bytes) -> bool:
    if len(data) < _HEADER.size:
        return False
    magic, sample_rate, length, checksum = _HEADER.unpack_from(data)
    return (magic == _MAGIC and length == len(data) - _HEADER.size and sample_rate in SAMPLE_RATES
            and zlib.crc32(memoryview(data)[_HEADER.size:]) == checksum)


def _drop(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _write_into_place(path: Path, write: Callable[[Path], None]) -> bool:
    """``write`` a temporary file beside ``path``, then rename it into place; False if the disk refused."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_name(path)
        write(temporary)
        os.replace(temporary, path)
        return True
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        return False


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # least recently used goes first
    except OSError:
        pass


def _model_identity(settings: VoiceSettings) -> list[object]:
    """A model given as a file path: its size and time, so a replaced model is not mistaken for the old."""
    if not settings.model:
        return []
    try:
        status = Path(settings.model).stat()
    except OSError:
        return []
    return [status.st_size, status.st_mtime_ns]


def open_cache(library_dir: Path, cache_mb: float | None = None, cache_dir: str | None = None) -> RenderCache | None:
    """The library's render cache (speech clips and encoded pieces) as ``[channel] cache_mb`` sizes it
    and ``cache_dir`` places it (relative to the library: the channels of a fleet may share one, so a
    sentence they all say is synthesised once); None when ``cache_mb`` is 0."""
    megabytes = DEFAULT_CACHE_MB if cache_mb is None else cache_mb
    if megabytes <= 0:
        return None
    folder = Path(library_dir) / (Path(cache_dir).expanduser() if cache_dir is not None else CACHE_DIR)
    return RenderCache(folder, int(megabytes * 1024 * 1024))
