"""The scraped-paragraph format: a Python list literal of paragraph strings, parsed without evaluating code.

The input is read token by token and only string literals, commas and one pair of brackets are
accepted; each item's strings are then evaluated on their own. ``ast.literal_eval`` of the whole
input would build a syntax tree first, about 250 bytes per item: hundreds of megabytes for a list of
a million short strings, before a single item could be checked.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator

from briefing.errors import InputError
from briefing.model import RawArticle
from briefing.readers.base import MAX_PARAGRAPHS, Reader, too_many_paragraphs

SKIPPED = frozenset({tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT,
                     tokenize.ENDMARKER})
QUOTES = ("'", '"')
TRIPLE_QUOTES = ("'''", '"""')
CLOSING = {"[": "]", "(": ")"}
SIMPLE_VALUE = frozenset({tokenize.NAME, tokenize.NUMBER})  # None, True, 3, 2.5: named in the error


class _NotAList(Exception):
    pass


def looks_like_list(text: str) -> bool:
    return text.lstrip()[:1] == "["


def read_list_literal(text: str, source: str) -> RawArticle:
    try:
        paragraphs = _paragraphs(_tokens(text), source)
    except (_NotAList, tokenize.TokenError, SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        raise InputError(
            f"{source}: not a list of paragraph strings (only plain string literals are accepted, no code)"
        ) from None
    if not any(item.strip() for item in paragraphs):
        raise InputError(f"{source}: the list holds no paragraph text")
    return RawArticle(title=None, paragraphs=paragraphs, source=source, format="list")


def _tokens(text: str) -> Iterator[tokenize.TokenInfo]:
    for token in tokenize.generate_tokens(io.StringIO(text.strip()).readline):
        if token.type not in SKIPPED:
            yield token


def _paragraphs(tokens: Iterator[tokenize.TokenInfo], source: str) -> list[str]:
    opening = next(tokens, None)
    if opening is None:
        raise _NotAList
    if opening.string not in CLOSING:
        found = {"{": "dict", "STRING": "str"}.get(opening.string if opening.type == tokenize.OP else
                                                      tokenize.tok_name[opening.type])
        if found:
            raise InputError(f"{source}: expected a list of paragraph strings, found a {found}")
        raise _NotAList
    closing = CLOSING[opening.string]
    paragraphs: list[str] = []
    item: list[str] = []
    for token in tokens:
        if token.type == tokenize.STRING:
            item.append(token.string)
        elif token.type == tokenize.OP and token.string in (",", closing):
            if item:
                if len(paragraphs) == MAX_PARAGRAPHS:
                    raise InputError(too_many_paragraphs(source))
                paragraphs.append(_string(item, len(paragraphs), source))
                item = []
            elif token.string == ",":
                raise _NotAList  # an empty item: "[,]"
            if token.string == closing:
                if next(tokens, None) is not None:
                    raise _NotAList
                return paragraphs
        elif token.type in SIMPLE_VALUE and not item:
            _refuse_simple_value(token, next(tokens, None), len(paragraphs), source)
        else:
            raise _NotAList
    raise _NotAList  # no closing bracket


def _string(literals: list[str], index: int, source: str) -> str:
    if len(literals) == 1 and _is_plain(literals[0]):
        return literals[0][1:-1]
    value = ast.literal_eval(" ".join(literals))  # string literals only: no code can run
    if not isinstance(value, str):
        raise InputError(f"{source}: item {index} is a {type(value).__name__}, not a paragraph string")
    return value


def _is_plain(literal: str) -> bool:
    """A quoted string without prefix, escapes or triple quotes is its own value between the quotes."""
    return literal[0] in QUOTES and "\\" not in literal and literal[:3] not in TRIPLE_QUOTES


def _refuse_simple_value(token: tokenize.TokenInfo, after: tokenize.TokenInfo | None, index: int,
                         source: str) -> None:
    """``None`` or ``3`` as an item: name its type; anything longer (a call, a name) is code."""
    if after is None or after.type != tokenize.OP or after.string not in (",", "]", ")"):
        raise _NotAList
    value = ast.literal_eval(token.string)
    raise InputError(f"{source}: item {index} is a {type(value).__name__}, not a paragraph string")


READER = Reader(  # after JSON: a JSON array is a list literal too, but only JSON reads its escapes right
    name="list",
    sniff=looks_like_list,
    read=lambda text, source, options: read_list_literal(text, source),
)
