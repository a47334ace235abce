"""Which of the day's articles tell one story: grouped by what independent coverage shares.

Two outlets writing about one event rarely share a headline or a phrase, but they name the same
people, places and organisations, quote the same figures and use the same distinctive words.
Each article becomes a weighted bag of such features (named things and numbers weigh more than
words; every feature is weighed by how rare it is among the day's articles), and articles are
grouped by average-linkage clustering of their cosine similarities: a group joins another only when
they are close on average, so one shared court or street does not chain two court cases together.

The work is linear in the articles: only features shared by at most ``MAX_POSTINGS`` articles are
compared (a feature in more articles than that says nothing about one event), so each article meets
a bounded number of others, and each keeps at most ``MAX_NEIGHBOURS`` links.

The thresholds were chosen by leave-one-day-out cross-validation on the invented news days in
``tests/fixtures/newsdays`` (``benchmarks/daily_editor.py --grouping`` reruns it).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.model import Article
from briefing.text.similarity import STOPWORDS, stem

MAX_POSTINGS = 40
MAX_NEIGHBOURS = 12
MAX_GROUP = 64  # articles in one story; beyond it a group takes no more (keeps merging bounded)
DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class Grouping:
    """How similar two articles must be to tell one story."""

    average: float = 0.15  # two groups merge when this close on average (pairs with nothing in common count 0)
    same_source: float = 0.45  # two articles of one source: only as near-copies (a follow-up, an update)
    name_weight: float = 1.0
    number_weight: float = 1.0
    lede_weight: float = 3.0
    max_days_apart: float = 3.0


GROUPING = Grouping()


@dataclass(frozen=True)
class Item:
    """One article as the grouping sees it."""

    article: Article
    source: str  # which outlet: articles of one source are rarely two tellings of one event
    timestamp: float | None = None
    told: str | None = None  # the key of the told story it belongs to: two told stories never merge


FEATURE_TOKEN = re.compile(r"[£$€]?\d[\d,]*(?:\.\d+)?(?:\s?(?:m|bn|k|million|billion|per cent|%|pc))?\b|[A-Za-z][A-Za-z'’-]*")
_NUMBER = re.compile(r"[£$€]?(\d[\d,]*(?:\.\d+)?)\s?(m|bn|k|million|billion)?")
_SENTENCE_END = re.compile(r"[.!?:;\"“”]\s*$")
NOT_NAMES = frozenset("""the a an he she it they we i his her their its this that these those there here
    on in at by for from to of and but or if when while as after before with without mr mrs ms dr sir
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december today yesterday tonight read share photo caption
    reporting editing advertisement related sign""".split())


def features(article: Article, lede_weight: float = 3.0) -> dict[str, float]:
    """Named things (``n:``), figures (``#:``) and distinctive words (``w:``) of an article, with counts.

    The headline and the first paragraph count ``lede_weight`` times: news states its event there."""
    counted: dict[str, float] = defaultdict(float)
    body = [p.text for p in article.paragraphs if not p.is_heading]
    for position, text in enumerate([article.title] + body):
        found = text_features(text)
        weight = lede_weight if position < 2 else 1.0
        for feature, count in found.items():
            counted[feature] += count * weight
    return counted


def text_features(text: str) -> Counter[str]:
    """The features of one text (a sentence, a paragraph), with counts."""
    counted: Counter[str] = Counter()
    _add_features(text, counted)
    return counted


def _add_features(text: str, counted: Counter[str]) -> None:
    """Names are runs of capitalised words; a lone capitalised word opening a sentence ("Queues
    stretched…", "Police said…") is only a capital letter, not a name."""
    run: list[str] = []
    run_opens_sentence = False
    previous_end = True  # the text's first word starts a sentence
    for match in FEATURE_TOKEN.finditer(text):
        token = match.group(0)
        gap = text[max(0, match.start() - 2):match.start()]
        starts_sentence = previous_end or bool(_SENTENCE_END.search(gap))
        previous_end = False
        if token[0].isdigit() or token[0] in "£$€":
            _flush(run, run_opens_sentence, counted)
            run = []
            number = figure_key(token)
            if number:
                counted["#:" + number] += 1
            continue
        lower = token.lower().strip("'’-")
        is_name = token[0].isupper() and lower not in NOT_NAMES and not (starts_sentence and lower in STOPWORDS)
        if is_name and len(lower) > 1:
            if not run:
                run_opens_sentence = starts_sentence
            run.append(lower)
        else:
            _flush(run, run_opens_sentence, counted)
            run = []
        if lower not in STOPWORDS and lower not in NOT_NAMES and len(lower) > 3:
            counted["w:" + stem(lower)] += 1
    _flush(run, run_opens_sentence, counted)


def _flush(run: list[str], opens_sentence: bool, counted: Counter[str]) -> None:
    if len(run) == 1 and opens_sentence:
        return
    for word in run:
        counted["n:" + word] += 1
    for first, second in zip(run, run[1:]):
        counted["n:" + first + " " + second] += 1


def figure_key(token: str) -> str | None:
    """A figure as coverage of one event shares it: '£1.8m', '1.8 million' and '£1.8 million' meet."""
    match = _NUMBER.match(token)
    if not match:
        return None
    digits = match.group(1).replace(",", "").rstrip(".")
    try:
        value = float(digits)
    except ValueError:
        return None
    scale = {"m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}.get((match.group(2) or "").lower(), 1.0)
    value *= scale
    if value < 11 and scale == 1.0 and "." not in digits:
        return None  # small counts ("two", "3") are everywhere
    return f"{value:g}"


def _weight(feature: str, grouping: Grouping) -> float:
    kind = feature[0]
    return grouping.name_weight if kind == "n" else grouping.number_weight if kind == "#" else 1.0


def vectors(items: Sequence[Item], grouping: Grouping = GROUPING) -> list[dict[str, float]]:
    """Unit TF-IDF vectors of the items' features; features in more than ``MAX_POSTINGS`` items are dropped."""
    counts = [features(item.article, grouping.lede_weight) for item in items]
    frequency: Counter[str] = Counter(feature for count in counts for feature in count)
    total = len(items)
    result = []
    for count in counts:
        vector = {}
        for feature, tf in count.items():
            df = frequency[feature]
            if df > MAX_POSTINGS:
                continue
            vector[feature] = (1 + math.log(tf)) * math.log(1 + total / df) * _weight(feature, grouping)
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        result.append({feature: value / norm for feature, value in vector.items()})
    return result


def similarities(vecs: list[dict[str, float]]) -> dict[tuple[int, int], float]:
    """Cosine similarity of every pair sharing a feature, each item keeping its nearest ``MAX_NEIGHBOURS``."""
    postings: dict[str, list[int]] = defaultdict(list)
    for index, vector in enumerate(vecs):
        for feature in vector:
            postings[feature].append(index)
    kept: dict[tuple[int, int], float] = {}
    for index, vector in enumerate(vecs):
        dots: dict[int, float] = defaultdict(float)
        for feature, value in vector.items():
            for other in postings[feature]:
                if other != index:
                    dots[other] += value * vecs[other][feature]
        nearest = sorted(dots.items(), key=lambda pair: -pair[1])[:MAX_NEIGHBOURS]
        for other, similarity in nearest:
            kept[(min(index, other), max(index, other))] = similarity
    return kept


def group(items: Sequence[Item], grouping: Grouping = GROUPING) -> list[list[int]]:
    """The items' indices grouped into stories; each group in the items' order, groups by their first item.

    Average linkage: the two groups nearest on average (pairs with nothing in common count 0) merge
    first, while that average reaches ``grouping.average``."""
    pairs = {pair: similarity for pair, similarity in similarities(vectors(items, grouping)).items()
             if not _too_far_apart(items[pair[0]], items[pair[1]], grouping)}
    owner = list(range(len(items)))
    first_of_told: dict[str, int] = {}
    for index, item in enumerate(items):  # a told story's articles start as one group
        if item.told is not None:
            owner[index] = first_of_told.setdefault(item.told, index)
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(items)):
        members[owner[index]].append(index)
    links: dict[int, dict[int, float]] = defaultdict(dict)  # group -> group -> summed similarity
    for (a, b), similarity in pairs.items():
        first, second = owner[a], owner[b]
        if first != second:
            links[first][second] = links[first].get(second, 0.0) + similarity
            links[second][first] = links[first][second]
    heap = [(-total / (len(members[a]) * len(members[b])), a, b) for a in links for b, total in links[a].items() if a < b]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members or b not in links[a]:
            continue
        if abs(-negative - links[a][b] / (len(members[a]) * len(members[b]))) > 1e-12:
            continue  # stale: one of the two has grown since
        if -negative < grouping.average:
            break
        if not _may_merge(members[a], members[b], items, pairs, grouping):
            continue
        _merge(a, b, members, links, heap)
    return sorted((sorted(group_) for group_ in members.values()), key=lambda group_: group_[0])


def _merge(a: int, b: int, members: dict[int, list[int]], links: dict[int, dict[int, float]],
           heap: list[tuple[float, int, int]]) -> None:
    members[a].extend(members.pop(b))
    for other, total in links.pop(b).items():
        del links[other][b]
        if other != a:
            links[a][other] = links[a].get(other, 0.0) + total
            links[other][a] = links[a][other]
    for other, total in links[a].items():
        first, second = min(a, other), max(a, other)
        heapq.heappush(heap, (-total / (len(members[a]) * len(members[other])), first, second))


def _too_far_apart(a: Item, b: Item, grouping: Grouping) -> bool:
    if a.timestamp is None or b.timestamp is None:
        return False
    return abs(a.timestamp - b.timestamp) > grouping.max_days_apart * DAY_SECONDS


def _may_merge(first: list[int], second: list[int], items: Sequence[Item],
               pairs: dict[tuple[int, int], float], grouping: Grouping) -> bool:
    if len(first) + len(second) > MAX_GROUP:
        return False
    if any(items[i].told for i in first) and any(items[j].told for j in second):
        return False
    same_source = [pairs.get((min(i, j), max(i, j)), 0.0) for i in first for j in second
                   if items[i].source == items[j].source]
    return all(similarity >= grouping.same_source for similarity in same_source)
