"""Plain-text articles: an optional title line, then paragraphs separated by blank lines (or one per line)."""

from __future__ import annotations

import re

from briefing.model import RawArticle
from briefing.readers.base import Reader

TITLE_MAX_WORDS = 20
BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Headlines end without a full stop (a question mark is theirs too): "Have hackers recruited your PC?"
FULL_SENTENCE = re.compile(r"[^.]\.[\"'”’)]*$")


def read_text(text: str, source: str) -> RawArticle:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    title, body = split_title(text)
    if BLANK_LINE.search(body):
        blocks = BLANK_LINE.split(body)
        paragraphs = [" ".join(line.strip() for line in block.splitlines()) for block in blocks]
    else:
        paragraphs = body.splitlines()
    paragraphs = [paragraph.strip() for paragraph in paragraphs if paragraph.strip()]
    return RawArticle(title=title, paragraphs=paragraphs, source=source, format="text")


def split_title(text: str) -> tuple[str | None, str]:
    """A first line that is short, not a full sentence, and followed by a blank line is the title."""
    first, _, rest = text.partition("\n")
    if not rest.startswith("\n") and not re.match(r"[ \t]*\n", rest):
        return None, text
    first = first.strip()
    if len(first.split()) > TITLE_MAX_WORDS or not rest.strip() or FULL_SENTENCE.search(first):
        return None, text  # a one-sentence opening paragraph is the lede, not a headline
    return first, rest.strip("\n")


READER = Reader(  # claims whatever no other reader does, so it comes last in the detection order
    name="text",
    sniff=lambda text: True,
    read=lambda text, source, options: read_text(text, source),
)
