"""hibari's pronunciation tables as one memory-mapped file that every speech worker shares.

hibari's text-to-phonemes holds two lexicons and a part-of-speech tagger's weights as Python dicts:
about 100 MB a process, and 0.3 s of JSON parsing at every start, so each speech worker held its own
copy. Here those three tables are written once into a file of hash tables in the user's cache folder,
and each worker maps it read-only: the operating system keeps one copy in memory for all of them, and
a worker starts without parsing anything. Lookups return the values hibari's own dicts hold (strings,
and dicts in their original order), so the phonemes, and the audio, are the same.

The file is built the first time it is needed, under a temporary name renamed into place, so runs
that race to build it, or are killed while building, never see half a file. Its name carries a digest
of hibari's version and of its dictionary files, so an upgrade builds a fresh one. Values are stored
as JSON: a damaged or planted file can make a lookup fail, never run code. Where no cache folder can
be written, hibari's own in-memory dictionaries are used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import mmap
import os
import stat
import struct
import zlib
from pathlib import Path
from typing import Any

from briefing.system.fsutil import remove_stale_temporaries, temporary_name

FORMAT = b"briefing hibari tables 1\n"
_U32 = struct.Struct("<I")
_ENTRY = struct.Struct("<HI")  # key bytes, value bytes; then the key, then the value
_DECODED_KEEP = 4096  # recently read values kept decoded: the same few thousand words recur in news


class SharedTable:
    """A read-only str -> value mapping over one hash table in the mapped file (crc32, linear probing).

    A slot holds 1 + the entry's offset from the start of the entries, 0 for an empty slot."""

    def __init__(self, data: mmap.mmap, slots_at: int, slots: int, entries_at: int) -> None:
        self._data = data
        self._slots_at = slots_at
        self._mask = slots - 1
        self._entries_at = entries_at - 1
        self.get = functools.lru_cache(maxsize=_DECODED_KEEP)(self._find)

    def _find(self, key: str) -> Any:
        wanted = key.encode("utf-8", "surrogatepass")
        data, mask = self._data, self._mask
        slot = zlib.crc32(wanted) & mask
        for _ in range(mask + 1):
            (stored,) = _U32.unpack_from(data, self._slots_at + 4 * slot)
            if not stored:
                return None
            at = self._entries_at + stored
            key_size, value_size = _ENTRY.unpack_from(data, at)
            start = at + _ENTRY.size
            if key_size == len(wanted) and data[start:start + key_size] == wanted:
                return _decode(data[start + key_size:start + key_size + value_size])
            slot = (slot + 1) & mask
        return None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


def _encode(value: Any) -> bytes:
    if isinstance(value, str):
        return b"s" + value.encode("utf-8", "surrogatepass")
    return b"j" + json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _decode(raw: bytes) -> Any:
    text = raw[1:].decode("utf-8", "surrogatepass")
    return text if raw[:1] == b"s" else json.loads(text)


def write_tables(path: Path, tables: dict[str, dict[str, Any]], extra: dict[str, Any]) -> None:
    """Write ``tables`` (and ``extra``, small JSON read whole) to ``path``, renamed into place when complete."""
    slot_arrays, entries, layout = bytearray(), bytearray(), {}
    for name, table in tables.items():
        slots = 1 << max(4, (2 * len(table) - 1).bit_length())  # at most half full: short probes
        stored = [0] * slots
        for key, value in table.items():
            raw_key, raw_value = key.encode("utf-8", "surrogatepass"), _encode(value)
            slot = zlib.crc32(raw_key) & (slots - 1)
            while stored[slot]:
                slot = (slot + 1) & (slots - 1)
            stored[slot] = len(entries) + 1
            entries += _ENTRY.pack(len(raw_key), len(raw_value)) + raw_key + raw_value
        layout[name] = [len(slot_arrays), slots]
        slot_arrays += struct.pack(f"<{slots}I", *stored)
    checksum = zlib.crc32(entries, zlib.crc32(slot_arrays))
    header = json.dumps({"tables": layout, "entries": len(slot_arrays), "size": len(slot_arrays) + len(entries),
                         "crc32": checksum, "extra": extra}, ensure_ascii=False).encode("utf-8")
    temporary = temporary_name(path)
    try:
        with open(temporary, "wb") as handle:
            handle.write(FORMAT + _U32.pack(len(header)) + header)
            handle.write(slot_arrays)
            handle.write(entries)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_tables(path: Path) -> tuple[dict[str, SharedTable], dict[str, Any]]:
    """Map the file at ``path``; ValueError if it is not a complete tables file."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO planted there must not block us
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ValueError(f"{path}: not a regular file")
        data = mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ)  # ValueError when empty
    finally:
        os.close(descriptor)
    try:
        if data[:len(FORMAT)] != FORMAT:
            raise ValueError(f"{path}: not a tables file")
        (header_size,) = _U32.unpack_from(data, len(FORMAT))
        payload_at = len(FORMAT) + _U32.size + header_size
        header = json.loads(data[len(FORMAT) + _U32.size:payload_at])
        # A whole-file checksum (about 10 ms): a damaged table would otherwise fail, or answer wrongly, mid-episode.
        if len(data) != payload_at + header["size"] or zlib.crc32(memoryview(data)[payload_at:]) != header["crc32"]:
            raise ValueError(f"{path}: damaged")
        entries_at = payload_at + header["entries"]
        tables = {name: SharedTable(data, payload_at + at, slots, entries_at)
                  for name, (at, slots) in header["tables"].items()}
    except (ValueError, KeyError, TypeError, struct.error):
        data.close()
        raise ValueError(f"{path}: not a complete tables file") from None
    return tables, header["extra"]


def cache_folder() -> Path:
    """briefing's folder in the user's cache: $XDG_CACHE_HOME/briefing, else ~/.cache/briefing."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "briefing"


_SOURCES = ("lexicon_{accent}_gold.json.gz", "lexicon_{accent}_silver.json.gz", "tagger.json.gz")


def shared_g2p(british: bool) -> Any:
    """hibari's text-to-phonemes reading the shared tables, built into the cache folder if missing.

    Raises OSError (no cache folder to write), ValueError (a damaged file it could not replace) or
    ImportError/AttributeError (a hibari whose insides differ); the caller then lets hibari load its own."""
    from hibari.g2p import G2P, Lexicon, Tagger, Tokenizer, _load_json

    tables, extra = _open_or_build("gb" if british else "us")
    g2p = G2P.__new__(G2P)
    # What G2P.__init__ sets in hibari 0.2, with the three large dicts read from the shared file.
    g2p.lexicon = Lexicon(tables["gold"], tables["silver"], british)
    g2p.tokenizer = Tokenizer(_load_json("tokenizer_exceptions.json"))
    g2p.tagger = Tagger({**extra["tagger"], "weights": tables["weights"]})
    g2p._oov, g2p.unk, g2p.british = None, "", british
    return g2p


def tables_path(accent: str) -> Path:
    import hibari
    from hibari.g2p import ASSETS

    digest = hashlib.sha256(FORMAT + hibari.__version__.encode())
    for name in _SOURCES:
        status = os.stat(os.path.join(ASSETS, name.format(accent=accent)))
        digest.update(f"{name} {status.st_size} {status.st_mtime_ns}\n".encode())
    return cache_folder() / f"hibari-{accent}-{digest.hexdigest()[:16]}.tables"


def _open_or_build(accent: str) -> tuple[dict[str, SharedTable], dict[str, Any]]:
    path = tables_path(accent)
    remove_stale_temporaries(path.parent)  # a build killed half-way (a worker's SIGKILL) left its file
    try:
        return read_tables(path)
    except (FileNotFoundError, ValueError):
        pass
    from hibari.g2p import _load_json

    gold, silver, tagger = (_load_json(name.format(accent=accent)) for name in _SOURCES)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tables(path, {"gold": gold, "silver": silver, "weights": tagger.pop("weights")}, {"tagger": tagger})
    for older in path.parent.glob(f"hibari-{accent}-*.tables"):  # left by another hibari version
        if older != path:
            older.unlink(missing_ok=True)
    return read_tables(path)
