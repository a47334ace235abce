"""Sentence splitting, shared by selection and the script (pysbd, cached).

Its own stage below both: ``select`` chooses sentences and ``script`` speaks them, and neither
reaches into the other to split.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

POSSIBLE_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*\s")  # no boundary: skip pysbd


@cache
def _segmenter():
    import pysbd  # ~25 ms: loaded only when a sentence is first split

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping 'Mr.', 'U.S.', '3.5' and 'e.g.' inside them."""
    return list(_split_cached(text))


# Cached because the summariser and the script split the same paragraphs; pysbd is the slow part.
@lru_cache(maxsize=4096)
def _split_cached(text: str) -> tuple[str, ...]:
    stripped = text.strip()
    if not POSSIBLE_BOUNDARY.search(stripped):
        return (stripped,) if stripped else ()
    return tuple(sentence.strip() for sentence in _segmenter().segment(text) if sentence.strip())
