"""Reconcile two readings of one web page into its article body.

briefing's own reading (readers/html.py) and trafilatura's fail in different ways: ours can take a
rail of teasers or a page-wide block for the article, or miss a body held in an unusual container;
trafilatura keeps captions and widgets ours drops. Where they agree, a block is kept; where they
disagree, the evidence decides: how much each returned, where a block sits relative to the agreed
ones, its shape (prose, teaser, link-heavy fragment), and the page's JSON-LD ``articleBody`` when it
declares one. Every threshold here was chosen by cross-validation grouped by site
(``benchmarks/extraction_quality.py``), not fitted to the pages it is measured on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

_TOKEN = re.compile(r"\w+")
_SHINGLE = 3
# A block of prose has a sentence in it: it ends as one does, or a stop and a space stand inside it.
PROSE_END = re.compile(r"[.!?:;\"”’)]\s*$|[.!?]\s")
_ELLIPSIS_END = re.compile(r"(\.\.\.|…)\s*$")

Policy = Literal["all", "interior", "interior-prose", "extend-prose", "prose", "none"]


@dataclass(frozen=True)
class OwnBlock:
    """One paragraph of briefing's own reading, with the structure the decision needs."""

    text: str
    link_density: float
    is_heading: bool


@dataclass(frozen=True)
class CombineSettings:
    # Our reading shorter than this share of the other's: ours missed the body.
    missed: float = 0.3
    # The other reading shorter than this share of ours: it missed the body, ours stands alone.
    little: float = 0.1
    # Share of a block's word triples found in the other reading for the two to agree on it.
    support: float = 0.5
    # Which of our blocks the other reading lacks are kept (see ``_keep_unsupported``).
    unsupported: Policy = "extend-prose"
    # Whether the other reading's blocks that ours lacks are added where they sit among agreed ones.
    add_interior: bool = False


DEFAULT = CombineSettings()


def combine(
    own: Sequence[OwnBlock], other: Sequence[str], declared: str, settings: CombineSettings = DEFAULT
) -> list[str]:
    """The article's paragraphs, in page order."""
    own_texts = [block.text for block in own]
    if _declares_more(declared, own_texts, other):
        return [line.strip() for line in declared.splitlines() if line.strip()]
    own_length, other_length = _length(own_texts), _length(other)
    if own_length < settings.missed * other_length:
        return list(other)
    if other_length <= settings.little * own_length:
        return own_texts
    witness = _shingles(" ".join(other))
    if len(declared) >= 0.5 * max(own_length, other_length):
        witness |= _shingles(declared)
    supported = [_share_in(block.text, witness) >= settings.support for block in own]
    if not any(supported):  # two different readings of the page: keep the one made of prose
        return own_texts if _prose_share(own_texts) >= _prose_share(other) else list(other)
    kept = _keep_unsupported(own, supported, settings.unsupported)
    if settings.add_interior:
        kept = _add_interior(own, kept, other, settings.support)
    return _texts(own, kept)


def _declares_more(declared: str, own: Sequence[str], other: Sequence[str]) -> bool:
    """Pages that render the story with JavaScript may carry it only in their JSON-LD metadata."""
    return bool(declared) and max(_length(own), _length(other)) < len(declared) / 3


def _keep_unsupported(own: Sequence[OwnBlock], supported: list[bool], policy: Policy) -> list[int | str]:
    """Indexes of our blocks to keep: every agreed one, and the unagreed ones the policy allows.

    "interior" keeps an unagreed block that sits between agreed ones (the other reading often drops
    a quote box or a list inside the body); blocks before the first or after the last agreed one
    are the furniture around the body. "extend-prose" also keeps the unbroken runs of prose that
    continue the agreed span (the other reading stopped early); "prose" keeps unagreed
    sentence-bearing paragraphs anywhere.
    """
    first = supported.index(True)
    last = len(supported) - 1 - supported[::-1].index(True)
    if policy == "extend-prose":
        while first > 0 and _is_prose(own[first - 1]):
            first -= 1
        while last < len(own) - 1 and _is_prose(own[last + 1]):
            last += 1
    kept: list[int | str] = []
    for index, block in enumerate(own):
        interior = first <= index <= last
        if supported[index] or policy == "all":
            kept.append(index)
        elif policy in ("interior", "extend-prose") and interior:
            kept.append(index)
        elif policy in ("interior-prose", "prose") and (interior or policy == "prose") and _is_prose(block):
            kept.append(index)
    return kept


def _add_interior(own: Sequence[OwnBlock], kept: list[int | str], other: Sequence[str], support: float) -> list[int | str]:
    """Insert the other reading's paragraphs that ours lacks, between two agreed ones, in place."""
    own_shingles = [_shingles(block.text) for block in own]
    anchors: list[int | None] = []  # for each other paragraph, the own block holding it
    for text in other:
        shingles = _shingles(text)
        best = max(range(len(own)), key=lambda i: len(shingles & own_shingles[i]), default=None)
        holds = best is not None and shingles and len(shingles & own_shingles[best]) >= support * len(shingles)
        anchors.append(best if holds else None)
    placed = [position for position, anchor in enumerate(anchors) if anchor is not None]
    if not placed:
        return kept
    inserts: dict[int, list[str]] = {}
    previous_anchor = None
    for position in range(placed[0], placed[-1] + 1):
        anchor = anchors[position]
        if anchor is not None:
            previous_anchor = anchor
        elif previous_anchor is not None:
            inserts.setdefault(previous_anchor, []).append(other[position])
    result: list[int | str] = []
    for item in kept:
        result.append(item)
        if isinstance(item, int):
            result.extend(inserts.get(item, []))
    return result


def _texts(own: Sequence[OwnBlock], kept: list[int | str]) -> list[str]:
    return [own[item].text if isinstance(item, int) else item for item in kept]


def _is_prose(block: OwnBlock) -> bool:
    return (
        not block.is_heading
        and len(block.text) >= 80
        and block.link_density < 0.35
        and bool(PROSE_END.search(block.text))
        and not _ELLIPSIS_END.search(block.text)
    )


def _prose_share(texts: Sequence[str]) -> float:
    prose = sum(len(text) for text in texts if _is_prose(OwnBlock(text, 0.0, False)))
    return prose / max(1, _length(texts))


def _length(texts: Sequence[str]) -> int:
    return sum(len(text) for text in texts)


def _shingles(text: str) -> set[str]:
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < _SHINGLE:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1)}


def _share_in(text: str, witness: set[str]) -> float:
    shingles = _shingles(text)
    return len(shingles & witness) / len(shingles) if shingles else 0.0
