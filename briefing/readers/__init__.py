"""Readers: one module per input format, and ``read_source`` which finds the input and detects its format.

A reader returns a RawArticle: a title (when the input has one) and the input's paragraphs in order,
each still carrying whatever HTML the input had. Cleaning is the next stage's job.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from briefing.errors import InputError, UsageError
from briefing.model import RawArticle

FORMATS = ("list", "text", "html", "json")
MAX_INPUT_BYTES = 20 * 1024 * 1024
HTML_TAG = re.compile(r"<(html|head|body|article|p|div|h1|title|meta)[\s>]")


def detect_format(text: str) -> str:
    """Guess the format from the content: JSON, a Python list literal, HTML, else plain text."""
    head = text.lstrip()[:1]
    if head == "{":
        return "json"
    if head == "[":
        from briefing.readers.json_reader import is_json

        return "json" if is_json(text) else "list"
    if looks_like_html(text):
        return "html"
    if looks_like_python_code(text):
        return "list"  # the list reader refuses it with a clear message; it is never run
    return "text"


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML page or fragment, judged from its first few kilobytes."""
    head = text[:4096].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in head:
        return True
    return bool(HTML_TAG.search(head))


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


def parse(text: str, source: str, format: str | None = None) -> RawArticle:
    """Parse already-loaded text in the given (or detected) format."""
    if not text.strip():
        raise InputError(f"{source}: the input is empty")
    format = format or detect_format(text)
    if format == "list":
        from briefing.readers.listliteral import read_list_literal

        return read_list_literal(text, source)
    if format == "json":
        from briefing.readers.json_reader import read_json

        return read_json(text, source)
    if format == "html":
        from briefing.readers.html import read_html

        return read_html(text, source)
    if format == "text":
        from briefing.readers.text import read_text

        return read_text(text, source)
    raise UsageError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")


def read_source(source: str, format: str | None = None) -> RawArticle:
    """Read an article from a file path, ``-`` (standard input) or an http(s) URL."""
    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    if source.startswith(("http://", "https://")):
        from briefing.readers.url import fetch_url

        text, detected = fetch_url(source)
        return parse(text, source, format or detected)
    if source == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        return parse(decode_input(data, "<stdin>"), "<stdin>", format)
    return parse(read_file_text(Path(source)), source, format)


def read_file_text(path: Path) -> str:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an article file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    return decode_input(data, str(path))


def decode_input(data: bytes, source: str) -> str:
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{source}: larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB, not an article")
    if b"\x00" in data[:8192]:
        raise InputError(f"{source}: looks like a binary file, not an article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(f"{source}: not UTF-8 text, not an article") from None
    if not text.strip():
        raise InputError(f"{source}: the input is empty")
    return text
