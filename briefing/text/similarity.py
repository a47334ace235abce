"""Bag-of-words similarity shared by the summariser and the daily briefing: terms, TF-IDF, cosine."""

from __future__ import annotations

import math
import re
from collections import Counter

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours out over own said same says she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours mr mrs ms dr told say would could may might must one two new year years""".split()
)
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
Vector = dict[str, float]


def terms(text: str) -> list[str]:
    """Content words, lower-cased and crudely stemmed, so 'talks' and 'talking' meet."""
    return [stem(word) for word in WORD.findall(text.lower()) if word not in STOPWORDS and len(word) > 1]


def stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def tfidf(documents: list[list[str]]) -> list[Vector]:
    """Unit-length TF-IDF vectors (log term frequency, log inverse document frequency)."""
    counts = [Counter(document) for document in documents]
    document_frequency = Counter(term for count in counts for term in count)
    n = len(documents)
    vectors = []
    for count in counts:
        vector = {term: (1 + math.log(tf)) * math.log(1 + n / document_frequency[term]) for term, tf in count.items()}
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors.append({term: value / norm for term, value in vector.items()})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(term, 0.0) for term, value in a.items())
