"""Bytes to text: what a file, standard input or a web page holds, decoded, or an InputError when it
is not text at all."""

from __future__ import annotations

import re

from briefing.errors import InputError
from briefing.readers.base import MAX_INPUT_BYTES

BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE mark begins with the UTF-16-LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
BINARY_SNIFF_BYTES = 8192
# Bytes that are not UTF-8 are read as cp1252 only if that gives text: prose is mostly letters, digits
# and spaces (over 90 %), random or compressed bytes read as cp1252 under half.
MIN_LEGACY_WORD_SHARE = 0.7
WORD_OR_SPACE = re.compile(r"[^\W_]|\s")
# Text holds few control or undecodable characters; binary data read as text holds many.
MAX_NOT_TEXT_SHARE = 0.1
MIN_NOT_TEXT_CHARS = 16
NOT_TEXT_CHAR = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]")
META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_:.-]{1,40})""", re.IGNORECASE)


def decode_input(data: bytes, source: str, declared_charset: str | None = None) -> str:
    """Bytes as text: by byte-order mark, else UTF-8 (stray bytes replaced), else the declared or a legacy
    8-bit encoding; InputError when the bytes are not text at all."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{source}: larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB, not an article")
    text = _decode(data, source, declared_charset)
    length = len(text)
    bad = length - len(NOT_TEXT_CHAR.sub("", text))
    if bad >= MIN_NOT_TEXT_CHARS and bad > MAX_NOT_TEXT_SHARE * length:
        raise InputError(f"{source}: is not text ({bad / length:.0%} control or undecodable characters)")
    if not text.strip():
        raise InputError(f"{source}: the input is empty")
    return text.replace("\ufffd", "")  # a stray byte is dropped, not narrated


def _decode(data: bytes, source: str, declared_charset: str | None) -> str:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise InputError(f"{source}: is not text (it looks like a binary file, not an article)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_charset or _meta_charset(data)
    if declared and _codec(declared) not in (None, "utf-8"):
        return data.decode(_codec(declared) or "", errors="replace")
    as_utf8 = data.decode("utf-8", errors="replace")
    undecodable = as_utf8.count("\ufffd")
    multibyte = len(as_utf8) - len(as_utf8.encode("ascii", "ignore")) - undecodable
    if multibyte >= undecodable:  # UTF-8 with stray bytes: keep the UTF-8, replace the strays
        return as_utf8
    legacy = data.decode("cp1252", errors="replace")
    other = len(WORD_OR_SPACE.sub("", legacy))
    if other > (1 - MIN_LEGACY_WORD_SHARE) * len(legacy):
        raise InputError(f"{source}: is not text (neither UTF-8 nor a legacy 8-bit encoding)")
    return legacy


def _meta_charset(data: bytes) -> str | None:
    found = META_CHARSET.search(data[:4096])
    return found.group(1).decode("ascii") if found else None


def _codec(name: str) -> str | None:
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
