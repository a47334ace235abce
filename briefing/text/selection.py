"""The summariser: choose the lede and the key sentences within a word budget, in the article's order.

The unit of choice is the sentence (split with pysbd through ``sentences.split_sentences``), but the
output stays paragraphs: a chosen paragraph carries its input ``source`` and only its chosen sentences,
so a paragraph may end at a sentence boundary but is never cut inside a sentence.

- Lede: the lede paragraph is kept first, as far as the budget allows (its first sentence even over
  the budget, up to ``OVERLONG_LEDE`` budgets).
- Centrality: a TextRank random walk over the sentences, edges weighted by shared content words
  normalised by the log of the sentences' lengths (Mihalcea and Tarau, 2004).
- Redundancy: near-duplicates of a chosen sentence are skipped, and so is a sentence whose content
  words a chosen one nearly all holds (the same fact, said less fully); similar ones are penalised
  (MMR-style).
- Coherence: a sentence that leans on an earlier one ("It also said…", "This included…",
  "Mr Marchenko said…", "…, he added.") is only ever kept together with that one, and a paragraph
  that opens by leaning on the previous paragraph keeps its opening sentence whenever it is used.
- Budget: words of the chosen text, headings included, never exceed ``max_words``; the greedy pass
  keeps adding the best sentence that still fits, so short budgets get filled too.
- Window: only the article's first sentences are candidates — as many as hold ``WINDOW_BUDGETS``
  times the budget's words, never fewer than ``MIN_CANDIDATES`` nor more than ``MAX_CANDIDATES``
  sentences. News says what matters first: on the BBC evaluation set a window of 1, 2 and 3 budgets
  gives ROUGE-2 0.569, 0.663 and 0.670, the same as no window from 3 on (every chosen sentence lies
  within the first 3.02 budgets of words). The graph, the redundancy penalty and the greedy pass
  cost the square of the candidates, so the window keeps the cost bounded however long the input:
  later paragraphs are not even split into sentences, and a paragraph longer than
  ``MAX_SPLIT_CHARS`` is split only as far as the window needs.

This stage does not clean or rewrite text; it only chooses.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from briefing.text.connectives import (
    BACKWARD_CONNECTIVES,
    BACKWARD_REFERENCES,
    CONNECTIVES_NEEDING_COMMA,
    PRONOUN_COMPARATIVES,
    PRONOUN_FOLLOWERS,
    REFERENT_COMPARATIVES,
)
from briefing.text.listening import for_listening
from briefing.model import Article, Paragraph
from briefing.text.similarity import cosine, terms, tfidf
from briefing.text.sentences import split_ahead as split_sentences_ahead
from briefing.text.sentences import SENTENCE_END, balanced_quotes, split_sentences

DEFAULT_MAX_WORDS = 250
WORDS_PER_MINUTE = 160
NEAR_DUPLICATE = 0.6
# A sentence whose content words are nearly all in a chosen one says the same thing again.
CONTAINED_SHARE = 0.8
CONTAINED_MIN_TERMS = 4
REDUNDANCY_WEIGHT = 0.5
DAMPING = 0.85
ITERATIONS = 30
CONVERGED = 1e-6
# News puts the most important first: a sentence's score is 80% centrality, 20% position.
POSITION_WEIGHT = 0.2
POSITION_DECAY = 0.08

# The window (see the module docstring); chosen on the BBC evaluation set, benchmarks/content_quality.py.
WINDOW_BUDGETS = 4
MIN_CANDIDATES = 100
MAX_CANDIDATES = 300
MAX_SPLIT_CHARS = 20_000
# The lede's first sentence is kept even when it is over the budget, up to this many budgets.
OVERLONG_LEDE = 2


def _any_of(phrases: frozenset[str]) -> str:
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))


# A sentence opening with a backward connective, a referring word or a comparative (the lists and
# their source are in connectives.py) leans on what came before.
LEANING_OPENERS = re.compile(
    r"^[\"'“‘]?(?:"
    rf"(?:{_any_of(BACKWARD_CONNECTIVES - CONNECTIVES_NEEDING_COMMA)})\b(?!-)"
    rf"|(?:{_any_of(CONNECTIVES_NEEDING_COMMA & BACKWARD_CONNECTIVES)}),"
    rf"|(?:{_any_of(BACKWARD_REFERENCES | REFERENT_COMPARATIVES)})\b"
    rf"|(?:{_any_of(PRONOUN_COMPARATIVES)})\s+(?:{_any_of(PRONOUN_FOLLOWERS)})\b"
    r")",
    re.IGNORECASE,
)
ALSO_EARLY = re.compile(r"^(?:\S+\s+){0,4}also\b", re.IGNORECASE)
TIME_WORDS = r"(?:week|weekend|year|month|morning|afternoon|evening|summer|winter|spring|autumn|season|time|days)"
DEMONSTRATIVE_EARLY = re.compile(
    rf"^(?:\S+\s+){{0,7}}(?:these|those|such)\b(?!\s+{TIME_WORDS})|^(?:\S+\s+){{0,7}}this\b(?!\s+{TIME_WORDS})",
    re.IGNORECASE,
)
PRONOUN_ATTRIBUTION = re.compile(
    r"\b(he|she|they|it) (added|said|says|continued|told|warned|explained|insisted)\b[^.]{0,40}[.!?\"”]*$",
    re.IGNORECASE,
)
# Inside a paragraph, a sentence with a pronoun among its first words continues the one before it
# ("But the country still faces huge challenges. Around a fifth of it remains under occupation").
# "…cleaning up the war-torn city": a place named only in an earlier sentence.
DEFINITE_PLACE = re.compile(
    r"^(?:\S+\s+){0,10}the\s+(?:[\w-]+\s+){0,2}(?:city|town|village|port|capital)\b(?!\s+of\s+(?-i:[A-Z]))",
    re.IGNORECASE,
)
OPENING_PERSON = re.compile(r"^[\"'“‘]?(?:he|she|his|her)\b", re.IGNORECASE)
EARLY_PRONOUN = re.compile(r"^(?:\S+\s+){0,4}[\"'“‘]?(it|its|they|them|their|he|him|his|she|her|both)\b", re.IGNORECASE)
TITLED_SURNAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Lord|Lady)\.?\s+([A-Z][\w'’-]+)")
FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")


@dataclass(frozen=True)
class Budget:
    """How much to say: ``max_words`` None means the whole cleaned article."""

    max_words: int | None = DEFAULT_MAX_WORDS

    @classmethod
    def from_options(cls, max_words: int | None, minutes: float | None, everything: bool) -> Budget:
        if everything:
            return cls(None)
        if minutes is not None:
            return cls(max(20, int(minutes * WORDS_PER_MINUTE)))
        return cls(max_words if max_words is not None else DEFAULT_MAX_WORDS)


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: int  # position among the body paragraphs
    first: bool  # opens its paragraph

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def select(article: Article, budget: Budget) -> list[Paragraph]:
    """The paragraphs to narrate, in article order, headings included where their section is."""
    article = for_listening(article)
    if budget.max_words is None:
        return list(article.paragraphs)
    body = [p for p in article.paragraphs if not p.is_heading]
    if not body:
        return []
    sentences, whole = candidates(body, budget.max_words)
    if not sentences:
        return []
    chosen = _choose(sentences, body, budget.max_words, _heading_words(article.paragraphs))
    return _with_headings(article.paragraphs, _paragraphs_of(chosen, sentences, body, whole))


def candidates(body: list[Paragraph], max_words: int) -> tuple[list[Sentence], set[int]]:
    """The window's sentences, and the body paragraphs all of whose sentences are in it."""
    window_words = WINDOW_BUDGETS * max_words
    sentences: list[Sentence] = []
    whole: set[int] = set()
    words = 0
    for position, paragraph in enumerate(body):
        texts, complete = _leading_sentences(paragraph.text, MAX_CANDIDATES - len(sentences))
        for index, text in enumerate(texts):
            sentence = Sentence(text, position, index == 0)
            if sentence.word_count > OVERLONG_LEDE * max_words:  # a runaway that could never be spoken
                complete = False
                continue
            sentences.append(sentence)
            words += sentence.word_count
        if complete:
            whole.add(position)
        if len(sentences) >= MAX_CANDIDATES or (len(sentences) >= MIN_CANDIDATES and words >= window_words):
            break
    return sentences, whole


def _leading_sentences(text: str, wanted: int) -> tuple[list[str], bool]:
    """Up to ``wanted`` of a paragraph's first sentences, and whether they are all of it.

    pysbd sees at most about ``MAX_SPLIT_CHARS`` characters, cut after a likely sentence end; the
    sentence at such a cut may be unfinished and is left out, unless it is the only one.
    """
    head = _split_head(text)
    if head is None:  # the first sentence alone is longer: no splitter needed to find it
        match = SENTENCE_END.search(text)
        return [text[: match.end() if match else len(text)].strip()], match is None
    texts = sentences_of(head)
    if head is not text and len(texts) > 1:
        texts = texts[:-1]
    complete = head is text and len(texts) <= wanted
    return texts[:wanted], complete


def _split_head(text: str) -> str | None:
    """What of a paragraph pysbd is given: all of it, or its first ``MAX_SPLIT_CHARS`` or so cut after a
    likely sentence end; None when its first sentence alone is longer."""
    if len(text) <= MAX_SPLIT_CHARS:
        return text
    ends = [m.end() for m in SENTENCE_END.finditer(text, 0, MAX_SPLIT_CHARS)]
    return text[: ends[-1]] if ends else None


def split_ahead(articles: list[Article], processes: int) -> None:
    """Split on ``processes`` cores the paragraphs ``select`` will split for ``articles``: at most
    those of every article's window at its widest (its first ``MAX_CANDIDATES`` sentences or so)."""
    heads = []
    for article in articles:
        sentences = 0
        for paragraph in article.paragraphs:
            if sentences >= MAX_CANDIDATES:
                break
            head = None if paragraph.is_heading else _split_head(paragraph.text)
            if head is not None:
                heads.append(head)
                sentences += len(SENTENCE_END.findall(head)) + 1
    split_sentences_ahead(heads, processes)


def sentences_of(text: str) -> list[str]:
    """A paragraph's sentences (pysbd via sentences.py, which caches: the script asks again)."""
    return split_sentences(text) or [text.strip()]


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


# --- coherence -------------------------------------------------------------------------------------


def dependencies(sentences: list[Sentence]) -> dict[int, set[int]]:
    """Map a sentence's position to the positions of the earlier sentences it leans on."""
    needs: dict[int, set[int]] = {}
    introduced: dict[str, int] = {}
    last_of_paragraph: dict[int, int] = {}
    opener_leans: set[int] = set()  # paragraphs whose first sentence leans on an earlier paragraph
    for position, sentence in enumerate(sentences):
        own: set[int] = set()
        for surname in TITLED_SURNAME.findall(sentence.text):
            if surname in introduced:
                own.add(introduced[surname])
        # "He questioned why … Mr Clarke had said": the titled name's introduction does not say who "he" is.
        if position > 0 and _leans_on_previous(sentence.text) and (not own or OPENING_PERSON.match(sentence.text)):
            if sentence.first:
                if sentence.paragraph - 1 in last_of_paragraph:
                    own.add(last_of_paragraph[sentence.paragraph - 1])
            else:
                own.add(position - 1)
        elif not own and not sentence.first and EARLY_PRONOUN.match(sentence.text):
            own.add(position - 1)
        if sentence.first and own:
            opener_leans.add(sentence.paragraph)
        elif not sentence.first and sentence.paragraph in opener_leans:
            own.add(_first_of(sentences, position))
        if own:
            needs[position] = own
        for surname in _names_in(sentence.text):
            introduced.setdefault(surname, position)
        last_of_paragraph[sentence.paragraph] = position
    return needs


def _first_of(sentences: list[Sentence], position: int) -> int:
    while not sentences[position].first:
        position -= 1
    return position


def _leans_on_previous(text: str) -> bool:
    return bool(
        LEANING_OPENERS.match(text)
        or ALSO_EARLY.match(text)
        or DEMONSTRATIVE_EARLY.match(text)
        or DEFINITE_PLACE.match(text)
        or PRONOUN_ATTRIBUTION.search(text)
    )


def _names_in(text: str) -> set[str]:
    """Surnames introduced in full: 'Valerii Marchenko', 'Mr Marchenko', 'Dmitry Peskov'."""
    return set(FULL_NAME.findall(text)) | set(TITLED_SURNAME.findall(text))


def _closure(position: int, needs: dict[int, set[int]], selected: set[int]) -> set[int]:
    closure, stack = set(), [position]
    while stack:
        current = stack.pop()
        if current in closure or current in selected:
            continue
        closure.add(current)
        stack.extend(needs.get(current, ()))
    return closure


# --- choosing --------------------------------------------------------------------------------------


def _choose(sentences: list[Sentence], body: list[Paragraph], max_words: int,
            headings: list[tuple[int, int]]) -> set[int]:
    """Greedy selection by score with a redundancy penalty; headings count towards the budget."""
    term_lists = [terms(s.text) for s in sentences]
    vectors = tfidf(term_lists)
    scores = _scores(term_lists)
    needs = dependencies(sentences)
    lede = next((i for i, p in enumerate(body) if p.section == "lede"), 0)
    selected: set[int] = set()
    spoken_headings: set[tuple[int, int]] = set()
    redundancy = [0.0] * len(sentences)  # each sentence's highest similarity to a chosen one
    term_sets = [set() if is_list_of_names(s.text) else set(t) for s, t in zip(sentences, term_lists)]
    words = 0

    def take(positions: set[int], cost: int) -> None:
        nonlocal words
        words += cost
        selected.update(positions)
        spoken_headings.update(headings[sentences[i].paragraph] for i in positions)
        if _drop_said_less(selected, positions, term_sets, needs, lede, sentences):
            spoken_headings.intersection_update(headings[sentences[i].paragraph] for i in selected)
            words = sum(sentences[i].word_count for i in selected) + sum(count for _, count in spoken_headings)
        for other in range(len(sentences)):
            if other not in selected:
                redundancy[other] = max(redundancy[other], *(cosine(vectors[other], vectors[i]) for i in positions))
                if any(_says_less(term_sets[other], term_sets[i]) for i in positions):
                    redundancy[other] = 1.0  # the same fact, said more fully by a chosen sentence

    for position in (i for i, s in enumerate(sentences) if s.paragraph == lede):
        cost = sentences[position].word_count + (0 if spoken_headings else headings[lede][1])
        if words + cost > max_words and (selected or cost > OVERLONG_LEDE * max_words):
            break  # a lede longer than the budget keeps its leading sentence, unless that is a runaway
        take({position}, cost)
    while True:
        best, best_gain, best_closure, best_cost = None, 0.0, set(), 0
        for position in range(len(sentences)):
            if position in selected or redundancy[position] > NEAR_DUPLICATE:
                continue
            closure = _closure(position, needs, selected)
            new_headings = {headings[sentences[i].paragraph] for i in closure} - spoken_headings
            cost = sum(sentences[i].word_count for i in closure) + sum(count for _, count in new_headings)
            if words + cost > max_words:
                continue
            gain = sum(scores[i] for i in closure) / len(closure)
            gain -= REDUNDANCY_WEIGHT * redundancy[position] * scores[position]
            if gain > best_gain:
                best, best_gain, best_closure, best_cost = position, gain, closure, cost
        if best is None:
            return selected
        take(best_closure, best_cost)


def _drop_said_less(selected: set[int], new: set[int], term_sets: list[set[str]],
                    needs: dict[int, set[int]], lede: int, sentences: list[Sentence]) -> bool:
    """Unselect the chosen sentences that a newly chosen one says more fully, so the script keeps
    the fuller; never the lede's, nor one that a chosen sentence leans on. Whether any went."""
    leaned_on = {needed for position in selected for needed in needs.get(position, ())}
    said_less = {
        position for position in selected - new - leaned_on
        if sentences[position].paragraph != lede
        and any(_says_less(term_sets[position], term_sets[fuller]) for fuller in new)
    }
    selected.difference_update(said_less)
    return bool(said_less)


def is_list_of_names(text: str) -> bool:
    """A list of names (a team sheet), not a sentence that tells something: mostly capitalised words
    between commas. Two lists tell different things even when they share most names."""
    words = text.split()
    capitalised = sum(word[:1].isupper() for word in words)
    return text.count(",") >= 2 and capitalised * 2 > len(words)


def _says_less(candidate: set[str], chosen: set[str]) -> bool:
    """Nearly every content word of ``candidate`` is in ``chosen``, which says more: it would repeat
    it, less fully. Lists of names have no content words here (see ``is_list_of_names``)."""
    return (CONTAINED_MIN_TERMS <= len(candidate) <= CONTAINED_SHARE * len(chosen)
            and len(candidate & chosen) >= CONTAINED_SHARE * len(candidate))


def _scores(words: list[list[str]]) -> list[float]:
    """Centrality, normalised to the best sentence, blended with a gentle preference for early sentences."""
    centrality = _textrank([set(t) for t in words])
    top = max(centrality) or 1.0
    return [(1 - POSITION_WEIGHT) * value / top + POSITION_WEIGHT / (1 + POSITION_DECAY * position)
            for position, value in enumerate(centrality)]


def _textrank(term_sets: list[set[str]]) -> list[float]:
    """PageRank over sentences; an edge is the shared words over the sum of the log lengths."""
    n = len(term_sets)
    if n == 1:
        return [1.0]
    edges: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            shared = len(term_sets[i] & term_sets[j])
            if shared:
                weight = shared / (math.log(len(term_sets[i]) + 1) + math.log(len(term_sets[j]) + 1))
                edges[i].append((j, weight))
                edges[j].append((i, weight))
    totals = [sum(w for _, w in row) or 1.0 for row in edges]
    rank = [1.0 / n] * n
    for _ in range(ITERATIONS):
        share = [rank[j] / totals[j] for j in range(n)]
        updated = [(1 - DAMPING) / n + DAMPING * sum(share[j] * w for j, w in edges[i]) for i in range(n)]
        converged = max(abs(a - b) for a, b in zip(updated, rank)) < CONVERGED
        rank = updated
        if converged:
            break
    return rank


# --- output ----------------------------------------------------------------------------------------


def _paragraphs_of(chosen: set[int], sentences: list[Sentence], body: list[Paragraph],
                   whole: set[int]) -> list[Paragraph]:
    """Each paragraph with a chosen sentence, holding only its chosen sentences (all of them: unchanged)."""
    kept: dict[int, list[int]] = {}
    for position in sorted(chosen):
        kept.setdefault(sentences[position].paragraph, []).append(position)
    totals: dict[int, int] = {}
    for sentence in sentences:
        totals[sentence.paragraph] = totals.get(sentence.paragraph, 0) + 1
    result = []
    for paragraph, positions in sorted(kept.items()):
        if paragraph in whole and len(positions) == totals[paragraph]:
            result.append(body[paragraph])
        else:
            # Each kept sentence with its quotes paired: a quote whose other half is left out would
            # run on into the next kept sentence when the script splits the paragraph again.
            text = " ".join(balanced_quotes(sentences[i].text) for i in positions)
            result.append(replace(body[paragraph], text=text))
    return result


def _with_headings(paragraphs: list[Paragraph], chosen: list[Paragraph]) -> list[Paragraph]:
    """Keep a heading (or the analysis byline) only when a paragraph under it was chosen."""
    chosen_by_source = {p.source: p for p in chosen}
    result: list[Paragraph] = []
    pending_heading: Paragraph | None = None
    for paragraph in paragraphs:
        if paragraph.is_heading:
            pending_heading = paragraph
        elif paragraph.source in chosen_by_source:
            if pending_heading is not None:
                result.append(pending_heading)
                pending_heading = None
            result.append(chosen_by_source[paragraph.source])
    return result
