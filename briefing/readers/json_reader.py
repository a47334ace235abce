"""JSON articles: a list of paragraph strings, or an object with ``title`` and ``paragraphs``."""

from __future__ import annotations

import json

from briefing.errors import InputError
from briefing.model import RawArticle
from briefing.readers.base import Reader

BODY_KEYS = ("paragraphs", "body", "text", "content", "articleBody")


def looks_like_json(text: str) -> bool:
    """An object, or an array that parses as JSON (a Python list literal does not: single quotes)."""
    head = text.lstrip()[:1]
    return head == "{" or (head == "[" and is_json(text))


def is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def read_json(text: str, source: str) -> RawArticle:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise InputError(f"{source}: not valid JSON: {error}") from None
    except RecursionError:
        raise InputError(f"{source}: JSON nested too deeply to be an article") from None
    title = None
    if isinstance(value, dict):
        title = value.get("title") or value.get("headline")
        if title is not None and not isinstance(title, str):
            raise InputError(f"{source}: 'title' must be a string")
        value = next((value[key] for key in BODY_KEYS if key in value), None)
        if value is None:
            raise InputError(f"{source}: JSON object has no 'paragraphs' list")
    if isinstance(value, str):
        value = value.split("\n\n")
    if not isinstance(value, list):
        raise InputError(f"{source}: expected a list of paragraph strings")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise InputError(f"{source}: paragraph {index} is a {type(item).__name__}, not a string")
    if not any(item.strip() for item in value):
        raise InputError(f"{source}: the JSON holds no paragraph text")
    return RawArticle(title=title.strip() if title else None, paragraphs=value, source=source, format="json")


READER = Reader(
    name="json",
    sniff=looks_like_json,
    read=lambda text, source, options: read_json(text, source),
    media_types=("json",),
)
