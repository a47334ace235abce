"""The media type of each published file: what the server sends and object storage is told, one rule."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from briefing.audio.formats import media_types
from briefing.library.layout import FEED_NAME

MEDIA_TYPES = {
    **media_types(),  # the audio formats'
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xsl": "application/xslt+xml",
}
# As application/xml a browser applies the feed's stylesheet (application/rss+xml it shows as text);
# podcast apps read either.
SPECIAL_TYPES = {FEED_NAME: "application/xml; charset=utf-8"}
# Matched on the end of the name before the suffix alone: the Podcasting 2.0 chapters type.
NAME_ENDINGS = {".chapters.json": "application/json+chapters"}


def media_type(path: Path) -> str:
    ending = next((kind for end, kind in NAME_ENDINGS.items() if path.name.lower().endswith(end)), None)
    known = SPECIAL_TYPES.get(path.name) or ending or MEDIA_TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
