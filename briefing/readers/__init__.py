"""Readers: one module per input format, registered in ``READERS``, and the input boundary they share.

A reader returns a RawArticle: a title (when the input has one) and the input's paragraphs in order,
each still carrying whatever HTML the input had. Cleaning is the next stage's job.

A new format is one module declaring a ``Reader`` (see ``readers/base.py``) and one entry in
``READERS``, whose order is the detection order: the first reader whose ``sniff`` claims a text
reads it, and the last, plain text, claims everything. ``register`` adds one at run time.

This is also the input boundary, where hostile input is stopped: only regular files are opened (a
FIFO or a device never is), input is bounded in size before it is parsed, bytes are decoded by their
byte-order mark or as UTF-8 and refused when they are not text, and control characters and terminal
escape sequences are removed from every title and paragraph.
"""

from __future__ import annotations

from html import unescape as unescape_html
import os
import re
import stat
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from briefing.errors import InputError
from briefing.model import RawArticle
from briefing.readers.base import (
    MAX_HTML_CHARS,
    MAX_INPUT_BYTES,
    MAX_PARAGRAPHS,
    MAX_TEXT_CHARS,
    URL_MAX_BYTES,
    URL_TIMEOUT_S,
    Reader,
    ReadOptions,
    too_many_paragraphs,
)
from briefing.readers.decoding import decode_input
from briefing.readers.html import looks_like_html
from briefing.readers.registry import READERS, detect, detect_format, format_names, reader_named, register, unregister
from briefing.system.textsafety import headline, strip_controls

URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
ARTICLE_WORD = re.compile(r"[^\W_]")  # a letter or a digit, in any script
ANY_TAG = re.compile(r"<[^<>]*>")

__all__ = ["MAX_HTML_CHARS", "MAX_INPUT_BYTES", "MAX_PARAGRAPHS", "MAX_TEXT_CHARS", "READERS", "ReadOptions", "Reader",
           "URL_MAX_BYTES", "URL_TIMEOUT_S",
           "decode_input", "detect_format", "format_names", "looks_like_html", "parse", "read_source",
           "reader_named", "register", "require_article_text", "too_many_paragraphs", "unregister"]


def looks_like_python_code(text: str) -> bool:
    """A whole input that parses as a Python call, attribute or subscript expression is code, not prose."""
    import ast

    stripped = text.strip()
    if len(stripped) > 100_000 or "\n\n" in stripped:
        return False
    try:
        tree = ast.parse(stripped, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return isinstance(tree.body, (ast.Call, ast.Attribute, ast.Subscript, ast.Lambda))


def parse(text: str, source: str, options: ReadOptions | str | None = None) -> RawArticle:
    """Parse already-loaded text in the given (or detected) format; bounded, and free of control characters.

    ``options`` may be just a format name: ``parse(text, source, "html")``.
    """
    options = _options(options)
    text = strip_controls(text)
    if not text.strip():
        raise InputError(f"{source}: the input is empty")
    reader = _reader_for(text, source, options)
    raw = reader.read(text, source, options)
    title = headline(raw.title)  # bounded here, whatever the reader found
    paragraphs = [strip_controls(paragraph) for paragraph in raw.paragraphs]
    if sum(map(len, paragraphs)) > MAX_TEXT_CHARS:
        raise InputError(f"{source}: {_too_long(sum(map(len, paragraphs)), MAX_TEXT_CHARS, 'article text')}")
    if len(paragraphs) > MAX_PARAGRAPHS:
        raise InputError(too_many_paragraphs(source, len(paragraphs)))
    require_article_text(paragraphs, source)
    return RawArticle(title=title or None, paragraphs=paragraphs, source=raw.source, format=raw.format)


def _options(options: ReadOptions | str | None) -> ReadOptions:
    if isinstance(options, ReadOptions):
        return options
    return ReadOptions(format=options)


def _reader_for(text: str, source: str, options: ReadOptions) -> Reader:
    """The reader named or detected, once the text is known to be short enough for it to parse."""
    if options.format is not None:
        reader = reader_named(options.format)
    else:
        reader = detect(text)
        if reader is READERS[-1] and looks_like_python_code(text):  # never narrated, and never run
            raise InputError(f"{source}: looks like Python code, not an article (code is never run)")
    if len(text) > reader.max_chars:
        raise InputError(f"{source}: {_too_long(len(text), reader.max_chars, f'{reader.name} input')}")
    return reader


def _too_long(length: int, limit: int, what: str) -> str:
    return (f"too long for an article ({length / 1e6:.1f} million characters; the limit is "
            f"{limit / 1e6:.3g} million for {what})")


def read_source(source: str, options: ReadOptions | str | None = None) -> RawArticle:
    """Read an article from a file path, ``-`` (standard input) or an http(s) URL."""
    options = _options(options)
    if options.format is not None:
        reader_named(options.format)
    for reader in READERS:
        reader.check(options)
    scheme = URL_SCHEME.match(source)
    if scheme:
        if scheme.group(1).lower() not in ("http", "https"):
            raise InputError(f"{source}: unsupported URL scheme {scheme.group(1)!r} (only http and https)")
        from briefing.readers.url import fetch_url

        text, detected = fetch_url(source, allow_private=options.allow_private_urls)
        return parse(text, source, replace(options, format=options.format or detected))
    if source == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        return parse(decode_input(data, "<stdin>"), "<stdin>", options)
    data, _ = read_regular_file(Path(source))
    return parse(decode_input(data, source), source, options)


def read_regular_file(path: Path, limit: int = MAX_INPUT_BYTES) -> tuple[bytes, os.stat_result]:
    """Up to ``limit + 1`` bytes of a regular file and its status; anything else is refused unopened.

    A FIFO would block the open itself and a device can be endless, so the type is checked before
    opening, and again on the opened descriptor in case the path was swapped in between.
    """
    try:
        status = os.stat(path)
        _require_regular(path, status)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    with open(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        _require_regular(path, status)
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror}") from None
    if len(data) <= limit and len(data) != status.st_size:  # /proc, /sys: made up by the kernel as it is read
        raise InputError(f"{path}: is a file the system generates (it gave {len(data)} bytes, its size says "
                         f"{status.st_size}), or one still being written: not an article file")
    return data, status


def _require_regular(path: Path, status: os.stat_result) -> None:
    mode = status.st_mode
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, not an article file")
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a character device" if stat.S_ISCHR(mode)
            else "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file")
    raise InputError(f"{path}: is {kind}, not a regular file; only regular files are read")


def require_article_text(texts: Iterable[str], source: str) -> None:
    """At least one word with a letter or digit: emoji, punctuation or nothing is not an article."""
    if not any(ARTICLE_WORD.search(unescape_html(ANY_TAG.sub(" ", text))) for text in texts):
        raise InputError(f"{source}: no article text (no word with letters or digits)")
