"""One telling of a story from all the articles that cover it.

The lede comes from the article that states the story's core facts best: the one holding most of
the names and figures that other sources also report (the facts independent coverage agrees on),
the newest of those nearly as complete (so a figure that changed during the day is told as it now
stands). Sentences from the other articles follow only when they bring a new name or figure and
do not share most of their words with a sentence already said; when time is left, their sentences
that mostly say what was not said (a quote, a scene) follow too. No sentence says the same thing
twice. A story that more than one source covered says who reported it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefing.daily.editor.stories import features, text_features
from briefing.model import Article
from briefing.text.selection import EARLY_PRONOUN

# "LONDON (Reuters) - ", "KESSINGTON, March 5 (RPW) - ": where and who, which a bulletin does not read out
DATELINE = re.compile(r"^[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+){0,3}(?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?\s+"
                      r"\([^()]{2,40}\)\s*[-–—]+\s*(?=\S)")
PRONOUN_SPEAKER = re.compile(r"[,?!][\"”’']?\s+(he|she|they)\s+(said|says|added|told|replied|explained)\b", re.IGNORECASE)
CREDIT = "Reported by"
SAME_SENTENCE = 0.6  # of the shorter sentence's words found in one already said: it says the same thing
NEARLY_AS_COMPLETE = 0.95  # of the most complete article's shared facts: a near tie, where the newer leads
LEDE_SHARE = 0.6  # of a story's words, at most, from the lede article before the others add their facts


def without_dateline(text: str) -> str:
    return DATELINE.sub("", text, count=1)


def lede_choice(articles: Sequence[Article], timestamps: Sequence[float | None]) -> int:
    """The index of the article whose telling leads the story: it holds most of the facts the other
    articles report (each fact counted once per other article reporting it)."""
    if len(articles) == 1:
        return 0
    facts = [{f for f in features(article) if f[0] in "n#"} for article in articles]
    shared = [sum(len(own & facts[j]) for j in range(len(facts)) if j != index) for index, own in enumerate(facts)]
    best = max(shared)
    close = [i for i in range(len(articles)) if shared[i] >= NEARLY_AS_COMPLETE * best]
    return max(close, key=lambda i: (timestamps[i] or 0.0, shared[i], -i))


def telling(title: str, lede: Sequence[str], others: Sequence[Sequence[str]], words: int) -> list[str]:
    """The sentences of one telling within ``words``: the lede article's, then the others' new facts.

    ``lede`` is the lede article's sentences as chosen for ``words`` (in its order); ``others`` the
    other articles' sentences, most complete article first. Sentences are compared by their written
    form (``display``) when they carry one."""
    said = _Said(title)
    kept: list[str] = []
    used = 0
    for sentence in lede:
        count = len(sentence.split())
        if kept and used + count > LEDE_SHARE * words:
            break
        kept.append(sentence)
        used += count
        said.add(sentence)
    added: list[str] = []
    follows: tuple[int, int] | None = None  # (article, sentence) added last: the next one may lean on it
    for number, article in enumerate(others):
        for index, sentence in enumerate(article):
            count = len(sentence.split())
            if used + count <= words and said.brings_news(sentence, follows == (number, index - 1)):
                added.append(sentence)
                used += count
                said.add(sentence)
                follows = (number, index)
    for sentence in lede[len(kept):]:  # the rest of the lede article, while it still says something new
        count = len(sentence.split())
        if used + count > words:
            break
        if not said.repeats(sentence):
            kept.append(sentence)
            used += count
            said.add(sentence)
    for number, article in enumerate(others):  # time left: the others' details (a quote, a scene)
        for index, sentence in enumerate(article):
            count = len(sentence.split())
            if sentence not in added and used + count <= words and \
                    said.adds_detail(sentence, follows == (number, index - 1)):
                added.append(sentence)
                used += count
                said.add(sentence)
                follows = (number, index)
    return kept + added


def update(told: Sequence[str], arrived: Sequence[Sequence[str]], words: int) -> list[str]:
    """Sentences of articles that arrived after a story was told which bring news to what it said
    (within ``words``): added after the told text, which stays word for word."""
    said = _Said("")
    for sentence in told:
        said.add(sentence)
    lines: list[str] = []
    used = 0
    for article in arrived:
        for sentence in article:
            count = len(sentence.split())
            if used + count <= words and said.brings_news(sentence, False):
                lines.append(sentence)
                used += count
                said.add(sentence)
    return lines


def attribution(names: Sequence[str]) -> str | None:
    """'Reported by the Herald and the Westhaven Wire.' for two or more sources; None for one."""
    unique = list(dict.fromkeys(name for name in names if name))
    if len(unique) < 2:
        return None
    spoken = [name[0].lower() + name[1:] if name.startswith("The ") else name for name in unique]
    return f"{CREDIT} {', '.join(spoken[:-1])} and {spoken[-1]}."


def _written(sentence: str) -> str:
    return getattr(sentence, "display", sentence)


def _leans_on_previous(written: str) -> bool:
    """It opens on a pronoun, or quotes someone only a pronoun names ('..., she said.')."""
    return bool(EARLY_PRONOUN.match(written) or PRONOUN_SPEAKER.search(written))


class _Said:
    """What a telling has said so far: its facts (names, figures) and each sentence's words."""

    def __init__(self, title: str) -> None:
        self.facts: set[str] = set()
        self.sentences: list[set[str]] = []
        self.add(title)

    def add(self, sentence: str) -> None:
        found = text_features(_written(sentence))
        self.facts |= {f for f in found if f[0] == "#" or (f[0] == "n" and " " not in f)}
        self.sentences.append({f for f in found if f[0] == "w" or (f[0] == "n" and " " not in f)})

    def repeats(self, sentence: str) -> bool:
        """It shares most of its words with one sentence already said."""
        words = {f for f in text_features(_written(sentence)) if f[0] == "w" or (f[0] == "n" and " " not in f)}
        return not words or any(len(words & said) >= SAME_SENTENCE * min(len(words), len(said))
                                for said in self.sentences if said)

    def adds_detail(self, sentence: str, after_its_previous: bool) -> bool:
        """Not a new fact, but a sentence that mostly says what was not said, and no figure again."""
        written = _written(sentence)
        if (_leans_on_previous(written) and not after_its_previous) or self.repeats(sentence):
            return False
        found = text_features(written)
        if any(f[0] == "#" and f in self.facts for f in found):
            return False  # a figure already told: most likely the same news in other words
        words = {f for f in found if f[0] == "w" or (f[0] == "n" and " " not in f)}
        said = set().union(*self.sentences)
        return len(words - said) >= max(2, SAME_SENTENCE * len(words))

    def brings_news(self, sentence: str, after_its_previous: bool) -> bool:
        """Another article's sentence is worth adding: a new name or figure, and not a repeat."""
        written = _written(sentence)
        if _leans_on_previous(written) and not after_its_previous:
            return False  # it needs the sentence before it, which this telling did not say
        found = text_features(written)
        facts = {f for f in found if f[0] == "#" or (f[0] == "n" and " " not in f)}
        return bool(facts - self.facts) and not self.repeats(sentence)
