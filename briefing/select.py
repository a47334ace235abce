"""The summariser: choose the lede and the key paragraphs within a word budget, in the article's order.

Paragraphs are ranked by centrality (a LexRank-style random walk over TF-IDF cosine similarity),
closeness to the headline and lede, and a gentle position prior; picked greedily with a redundancy
penalty (near-duplicates are skipped); and a paragraph that leans on an earlier one ("It also said…",
"Mr Marchenko said…", "…, he added.") is only ever kept together with that one.
This stage does not clean or rewrite text; it only chooses.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from briefing.model import Article, Paragraph

DEFAULT_MAX_WORDS = 250
WORDS_PER_MINUTE = 160
NEAR_DUPLICATE = 0.6
REDUNDANCY_WEIGHT = 0.5
DAMPING = 0.85

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

LEANING_OPENERS = re.compile(
    r"^[\"'“‘]?(it|its|it's|this|these|that|those|they|their|them|he|his|him|she|her|such|also|and|but|or|so|"
    r"however|yet|still|instead|nevertheless|nonetheless|moreover|furthermore|additionally|in addition|"
    r"both|the two|then|there|here|as a result|despite this|even so|otherwise|likewise|similarly|"
    r"by contrast|in contrast|in response|in turn|the move|the decision|the comments|the remarks|"
    r"the statement|the announcement|the report|the figures|the news|the latter|the former)\b",
    re.IGNORECASE,
)
ALSO_EARLY = re.compile(r"^(?:\S+\s+){0,4}also\b", re.IGNORECASE)
TIME_WORDS = r"(?:week|weekend|year|month|morning|afternoon|evening|summer|winter|spring|autumn|season|time|days)"
DEMONSTRATIVE_EARLY = re.compile(
    rf"^(?:\S+\s+){{0,7}}(?:these|those|such)\b(?!\s+{TIME_WORDS})|^(?:\S+\s+){{0,7}}this\b(?!\s+{TIME_WORDS})",
    re.IGNORECASE,
)
PRONOUN_ATTRIBUTION = re.compile(r"\b(he|she|they|it) (added|said|says|continued|told|warned|explained|insisted)\b[^.]{0,40}[.!?\"”]*$",
                                 re.IGNORECASE)
TITLED_SURNAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Lord|Lady)\.?\s+([A-Z][\w'’-]+)")


@dataclass(frozen=True)
class Budget:
    """How much to say: ``max_words`` None means the whole cleaned article."""

    max_words: int | None = DEFAULT_MAX_WORDS

    @classmethod
    def from_options(cls, max_words: int | None, minutes: float | None, everything: bool) -> "Budget":
        if everything:
            return cls(None)
        if minutes is not None:
            return cls(max(20, int(minutes * WORDS_PER_MINUTE)))
        return cls(max_words if max_words is not None else DEFAULT_MAX_WORDS)


def select(article: Article, budget: Budget) -> list[Paragraph]:
    """The paragraphs to narrate, in article order, headings included where their section is."""
    if budget.max_words is None:
        return list(article.paragraphs)
    body = [p for p in article.paragraphs if not p.is_heading]
    chosen = _choose(body, article.title, budget.max_words, _heading_words(article.paragraphs))
    return _with_headings(article.paragraphs, chosen)


def _heading_words(paragraphs: list[Paragraph]) -> list[tuple[int, int]]:
    """For each body paragraph, (id of the heading above it or -1, that heading's word count)."""
    headings = []
    current = (-1, 0)
    for paragraph in paragraphs:
        if paragraph.is_heading:
            current = (paragraph.source, paragraph.word_count)
        else:
            headings.append(current)
    return headings


def dependencies(body: list[Paragraph]) -> dict[int, int]:
    """Map a paragraph's position to the position of the paragraph it leans on."""
    leans: dict[int, int] = {}
    introduced: dict[str, int] = {}
    for position, paragraph in enumerate(body):
        text = paragraph.text
        if position > 0:
            named = TITLED_SURNAME.match(text) or TITLED_SURNAME.search(text[:60])
            surname = named.group(1) if named else None
            if surname and surname in introduced and introduced[surname] < position:
                leans[position] = introduced[surname]
            elif _leans_on_previous(text):
                leans[position] = position - 1
        for surname in _names_in(text):
            introduced.setdefault(surname, position)
    return leans


def _leans_on_previous(text: str) -> bool:
    return bool(
        LEANING_OPENERS.match(text)
        or ALSO_EARLY.match(text)
        or DEMONSTRATIVE_EARLY.match(text)
        or _pronoun_attribution_only(text)
    )


def _pronoun_attribution_only(text: str) -> bool:
    last_sentence = re.split(r"(?<=[.!?])\s+", text.strip())[-1]
    return bool(PRONOUN_ATTRIBUTION.search(last_sentence))


def _names_in(text: str) -> set[str]:
    """Surnames introduced in full: 'Valerii Marchenko', 'Mr Marchenko', 'Dmitry Peskov'."""
    names = set(re.findall(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b", text))
    names.update(TITLED_SURNAME.findall(text))
    return names


def _choose(
    body: list[Paragraph], title: str, max_words: int, headings: list[tuple[int, int]]
) -> list[Paragraph]:
    """Greedy selection by score, with a redundancy penalty; headings count towards the budget."""
    if not body:
        return []
    lede_position = next((i for i, p in enumerate(body) if p.section == "lede"), 0)
    vectors = _tfidf([p.text for p in body] + [title])
    title_vector = vectors.pop()
    scores = _scores(body, vectors, title_vector, lede_position)
    leans = dependencies(body)
    selected: set[int] = {lede_position}
    spoken_headings = {headings[lede_position][0]}
    words = body[lede_position].word_count + headings[lede_position][1]
    while True:
        best, best_gain, best_closure = None, 0.0, ()
        for position in range(len(body)):
            if position in selected:
                continue
            closure = _closure(position, leans, selected)
            cost = sum(body[i].word_count for i in closure) + _new_heading_cost(closure, headings, spoken_headings)
            if words + cost > max_words:
                continue
            redundancy = max((_cosine(vectors[position], vectors[s]) for s in selected), default=0.0)
            if redundancy > NEAR_DUPLICATE:
                continue
            gain = sum(scores[i] for i in closure) / len(closure) - REDUNDANCY_WEIGHT * redundancy * scores[position]
            if gain > best_gain:
                best, best_gain, best_closure = position, gain, closure
        if best is None:
            break
        words += sum(body[i].word_count for i in best_closure)
        words += _new_heading_cost(best_closure, headings, spoken_headings)
        selected.update(best_closure)
        spoken_headings.update(headings[i][0] for i in best_closure)
    return [body[i] for i in sorted(selected)]


def _new_heading_cost(closure: tuple[int, ...], headings: list[tuple[int, int]], spoken: set[int]) -> int:
    new = {headings[i] for i in closure if headings[i][0] not in spoken}
    return sum(count for _, count in new)


def _closure(position: int, leans: dict[int, int], selected: set[int]) -> tuple[int, ...]:
    chain = [position]
    while chain[-1] in leans and leans[chain[-1]] not in selected and leans[chain[-1]] not in chain:
        chain.append(leans[chain[-1]])
    return tuple(chain)


def _scores(body: list[Paragraph], vectors: list[dict[str, float]], title: dict[str, float], lede: int) -> list[float]:
    centrality = _lexrank(vectors)
    top = max(centrality) or 1.0
    scores = []
    for position, vector in enumerate(vectors):
        relevance = max(_cosine(vector, title), _cosine(vector, vectors[lede]))
        position_prior = 1.0 / (1.0 + 0.08 * position)
        scores.append(0.45 * centrality[position] / top + 0.35 * relevance + 0.2 * position_prior)
    return scores


def _lexrank(vectors: list[dict[str, float]]) -> list[float]:
    n = len(vectors)
    weights = [[_cosine(vectors[i], vectors[j]) if i != j else 0.0 for j in range(n)] for i in range(n)]
    totals = [sum(row) or 1.0 for row in weights]
    rank = [1.0 / n] * n
    for _ in range(30):
        rank = [
            (1 - DAMPING) / n + DAMPING * sum(rank[j] * weights[j][i] / totals[j] for j in range(n))
            for i in range(n)
        ]
    return rank


def _terms(text: str) -> list[str]:
    return [_stem(word) for word in WORD.findall(text.lower()) if word not in STOPWORDS and len(word) > 1]


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _tfidf(texts: list[str]) -> list[dict[str, float]]:
    counts = [Counter(_terms(text)) for text in texts]
    document_frequency = Counter(term for count in counts for term in count)
    n = len(texts)
    vectors = []
    for count in counts:
        vector = {term: (1 + math.log(tf)) * math.log(1 + n / document_frequency[term]) for term, tf in count.items()}
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors.append({term: value / norm for term, value in vector.items()})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(term, 0.0) for term, value in a.items())


def _with_headings(paragraphs: list[Paragraph], chosen: list[Paragraph]) -> list[Paragraph]:
    """Keep a heading (or the analysis byline) only when a paragraph under it was chosen."""
    chosen_sources = {p.source for p in chosen}
    result: list[Paragraph] = []
    pending_heading: Paragraph | None = None
    for paragraph in paragraphs:
        if paragraph.is_heading:
            pending_heading = paragraph
        elif paragraph.source in chosen_sources:
            if pending_heading is not None:
                result.append(pending_heading)
                pending_heading = None
            result.append(paragraph)
    return result
