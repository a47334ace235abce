"""Text that is safe to show and to store: no control characters, no terminal escapes.

Readers clean every title and paragraph with ``strip_controls`` at the input boundary; writers
(feed, page, subtitles, terminal) may call it again so each one is safe on its own.
"""

import re

# ANSI/ECMA-48 escape sequences first, so their parameters go with the ESC that starts them:
# CSI (ESC [ or 0x9B ... final byte), OSC / DCS / PM / APC / SOS strings (ended by BEL or ST),
# and two-character escapes (ESC followed by one byte in 0x20-0x7E).
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# C0 controls except tab and newline, DEL, C1 controls, and lone surrogates (unencodable).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Characters that act as line or paragraph breaks in Unicode but are not "\n".
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Every character that any of the three patterns above starts a match with: most texts hold none,
# and one search is much cheaper than three substitutions (the feed cleans every text of every item).
_ANY_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """Remove control characters and terminal escape sequences; keep newlines and tabs.

    Carriage returns and other line separators become ``\\n`` so that line structure survives.
    """
    if _ANY_UNSAFE.search(text) is None:
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _LINE_BREAKS.sub("\n", text)
    return _CONTROL.sub("", text)


def strip_controls_inline(text: str) -> str:
    """Like ``strip_controls`` for one-line values (titles, tags): line breaks become spaces."""
    return strip_controls(text).replace("\n", " ").replace("\t", " ")


# A headline is a line, not an article: news headlines run to about twenty words. Anything longer that
# arrives as a title (a feed's <title>, a page's, a JSON field) is cut at a word before this, so no
# title can outweigh the length asked of an episode or the memory of a run.
MAX_HEADLINE_CHARS = 200
_HEADLINE_TAG = re.compile(r"</?[A-Za-z][^<>]*>")  # markup a feed left in a title; "3 < 4" is not a tag
_HEADLINE_SPACES = re.compile(r"\s+")


def headline(text: str | None, limit: int = MAX_HEADLINE_CHARS) -> str:
    """``text`` as a title may be shown and said: one line without controls or tags, at most ``limit``
    characters, cut at the last space before it (or at the limit when one word runs past it)."""
    if not text:
        return ""
    text = _HEADLINE_SPACES.sub(" ", _HEADLINE_TAG.sub(" ", strip_controls_inline(text))).strip()
    if len(text) <= limit:
        return text
    space = text.rfind(" ", limit // 2, limit + 1)
    return text[:space if space > 0 else limit].rstrip(" ,;:-\u2013\u2014")
