"""The scraped-paragraph format: a Python list literal of paragraph strings, parsed without evaluating code."""

from __future__ import annotations

import ast

from briefing.errors import InputError
from briefing.model import RawArticle


def read_list_literal(text: str, source: str) -> RawArticle:
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise InputError(
            f"{source}: not a list of paragraph strings (only plain string literals are accepted, no code)"
        ) from None
    if not isinstance(value, (list, tuple)):
        raise InputError(f"{source}: expected a list of paragraph strings, found a {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise InputError(f"{source}: item {index} is a {type(item).__name__}, not a paragraph string")
    if not any(item.strip() for item in value):
        raise InputError(f"{source}: the list holds no paragraph text")
    return RawArticle(title=None, paragraphs=list(value), source=source, format="list")
