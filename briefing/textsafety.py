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


def strip_controls(text: str) -> str:
    """Remove control characters and terminal escape sequences; keep newlines and tabs.

    Carriage returns and other line separators become ``\\n`` so that line structure survives.
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _LINE_BREAKS.sub("\n", text)
    return _CONTROL.sub("", text)


def strip_controls_inline(text: str) -> str:
    """Like ``strip_controls`` for one-line values (titles, tags): line breaks become spaces."""
    return strip_controls(text).replace("\n", " ").replace("\t", " ")
