"""What every reader shares: the ``Reader`` each format module declares, the options of one read, the limits.

A format is one module that declares ``READER = Reader(...)`` and one entry in ``readers.READERS``;
the boundary in ``readers/__init__.py`` (file types, size, decoding, control characters, code) stays
shared and is never repeated in a reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from briefing.model import RawArticle

MAX_TEXT_CHARS = 2_000_000  # a text, list or JSON input, and the text any reader finds in its input
MAX_HTML_CHARS = 10 * 1024 * 1024  # an HTML page, markup included
MAX_PARAGRAPHS = 20_000  # a long article has hundreds; tens of thousands is a data dump, not news
MAX_INPUT_BYTES = 10 * 1024 * 1024  # read from a file or standard input; a web page has its own max_bytes
URL_TIMEOUT_S = 15.0  # a web page: every connect and read (``readers.url``)
URL_MAX_BYTES = 10 * 1024 * 1024  # a web page's body


@dataclass(frozen=True)
class ReadOptions:
    """How to read one input, from the command line, ``briefing.toml`` or a Python caller."""

    format: str | None = None  # a reader's name; None: detect from the content
    drop: tuple[str, ...] = ()  # CSS selectors of page elements removed before extraction
    allow_private_urls: bool = False  # fetch loopback, private and link-local addresses too


def _accepts_any(options: ReadOptions) -> None:
    return None


@dataclass(frozen=True)
class Reader:
    """One input format.

    ``sniff`` says whether a text is in this format, for detection; it is given at most
    ``max_chars`` characters, so whatever it parses is bounded like the reading itself. ``read``
    returns the title and the paragraphs as the input has them. ``check`` refuses options this
    reader cannot use (a bad CSS selector) before any input is read or fetched.
    """

    name: str
    sniff: Callable[[str], bool]
    read: Callable[[str, str, ReadOptions], RawArticle]
    max_chars: int = MAX_TEXT_CHARS  # the longest input it reads, markup included
    media_types: tuple[str, ...] = ()  # words of a Content-Type that name this format ("html")
    check: Callable[[ReadOptions], None] = _accepts_any


def too_many_paragraphs(source: str, count: int | None = None) -> str:
    found = f"{count:,}" if count is not None else f"more than {MAX_PARAGRAPHS:,}"
    return f"{source}: too many paragraphs for an article ({found}; the limit is {MAX_PARAGRAPHS:,})"
