"""The readers' registry: every input format's reader, in detection order, and how a format is found.

A new input format is one module with a ``READER`` and one line here (or ``register`` at run time).
"""

from __future__ import annotations

from briefing.errors import UsageError
from briefing.readers import html as html_reader
from briefing.readers import json_reader, listliteral
from briefing.readers import text as text_reader
from briefing.readers.base import Reader

# The detection order. JSON before the list literal (a JSON array is one too, but only JSON reads
# its escapes right); plain text last, as it claims everything.
READERS: list[Reader] = [json_reader.READER, listliteral.READER, html_reader.READER, text_reader.READER]


def format_names() -> tuple[str, ...]:
    """The registered formats, in detection order: the choices of ``--format``."""
    return tuple(reader.name for reader in READERS)


def register(reader: Reader, *, before: str | None = None) -> None:
    """Add a format; detection asks it before the reader named ``before`` (default: the last, plain text)."""
    if reader.name in format_names():
        raise ValueError(f"a reader named {reader.name!r} is already registered")
    READERS.insert(len(READERS) - 1 if before is None else READERS.index(reader_named(before)), reader)


def unregister(name: str) -> None:
    READERS.remove(reader_named(name))


def reader_named(name: str) -> Reader:
    for reader in READERS:
        if reader.name == name:
            return reader
    raise UsageError(f"unknown format {name!r}; choose one of: {', '.join(format_names())}")


def detect_format(text: str) -> str:
    """The format of ``text``, judged from its content: the first registered reader that claims it."""
    return detect(text).name


def detect(text: str) -> Reader:
    return next((reader for reader in READERS if reader.sniff(text[: reader.max_chars])), READERS[-1])
