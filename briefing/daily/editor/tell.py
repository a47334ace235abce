"""One telling of a story from all the articles that cover it.

The lede comes from the article that states the story's core facts best: the one holding most of
the names and figures that other sources also report (the facts independent coverage agrees on),
the newest of those nearly as complete (so a figure that changed during the day is told as it now
stands); of its sentences, the first and those the other articles corroborate most. Sentences from
the other articles follow only when they bring a new name or figure and do not share most of their
words with a sentence already said; when time is left, their sentences that mostly say what was
not said (a quote, a scene) follow too. No sentence says the same thing twice. A story that more
than one source covered says who reported it.

Where two sources give different values for one figure ("at least 12 dead", "14 dead"; see
``editor.figures``), the telling does not say both as if both were true: the newest source's figure
is said. A sentence whose figure a newer source gives otherwise makes way for that source's
sentence; a sentence whose figure differs from one already said is left out when that one is newer;
when the older figure was said first and must stay (the story's opening), both are credited
("According to the Herald, …", "According to a later report by Westhaven Wire, …"). Without the
sources' names and times to tell which is newer, the figure said first stands alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from briefing.daily.editor.figures import Figure, disagree, figures
from briefing.daily.editor.stories import features, text_features
from briefing.model import Article
from briefing.text import mentions, pronouns
from briefing.text.script import Spoken
from briefing.text.selection import EARLY_PRONOUN
from briefing.text.speech.shouting import acronyms_in
from briefing.text.speech.text import display_text, normalize

# "LONDON (Reuters) - ", "KESSINGTON, March 5 (RPW) - ": where and who, which a bulletin does not read out
DATELINE = re.compile(r"^[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+){0,3}(?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?\s+"
                      r"\([^()]{2,40}\)\s*[-–—]+\s*(?=\S)")
PRONOUN_SPEAKER = re.compile(r"[,?!][\"”’']?\s+(he|she|they)\s+(said|says|added|told|replied|explained)\b", re.IGNORECASE)
QUOTE_MARKS = "\"“‘'"
SPEAKING = re.compile(r"\b(said|says|told|added|asked|according)\b", re.IGNORECASE)
CREDIT = "Reported by"
ACCORDING_TO = "According to"
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


@dataclass(frozen=True)
class Source:
    """Who published one of a story's articles, and when: what settles a figure they disagree on."""

    name: str | None = None  # the outlet's own name ("The Herald"); None for a file or folder
    published: float | None = None  # a timestamp


def corroborated(lede: Sequence[str], others: Sequence[Sequence[str]], words: int) -> list[str]:
    """The lede article's sentences for its story's telling, within ``words``, in its order: its first,
    then those whose names, figures and words the other articles report most (what independent
    coverage agrees on is the story's core), each only with the sentences it leans on."""
    if not lede:
        return []
    reported: set[str] = set()
    for article in others:
        for sentence in article:
            reported |= set(text_features(_written(sentence)))
    scores = [_corroboration(sentence, reported) for sentence in lede]
    chosen = {0}
    used = len(lede[0].split())
    for index in sorted(range(1, len(lede)), key=lambda i: (-scores[i], i)):
        needed = [index]  # with the sentences it leans on, back to one said or standing alone
        while needed[0] - 1 not in chosen and _leans_on_previous(_written(lede[needed[0]])):
            needed.insert(0, needed[0] - 1)
        count = sum(len(lede[i].split()) for i in needed if i not in chosen)
        if scores[index] > 0 and used + count <= words:
            chosen.update(needed)
            used += count
    return [lede[index] for index in sorted(chosen)]


def _corroboration(sentence: str, reported: set[str]) -> float:
    """How much of what ``sentence`` says the other articles report: names and figures count twice."""
    found = {f for f in text_features(_written(sentence)) if f[0] in "#w" or (f[0] == "n" and " " not in f)}
    if not found:
        return 0.0
    agreed = sum(2 if f[0] in "n#" else 1 for f in found if f in reported)
    return agreed / len(found) ** 0.5


def telling(title: str, lede: Sequence[str], others: Sequence[Sequence[str]], words: int,
            sources: Sequence[Source] = ()) -> list[str]:
    """The sentences of one telling within ``words``: the lede article's, then the others' new facts.

    ``lede`` is the lede article's sentences as chosen for ``words`` (in its order); ``others`` the
    other articles' sentences, most complete article first; ``sources`` who published the lede
    article, then each other article. Sentences are compared by their written form (``display``)
    when they carry one."""
    said = _Said(title, sources, [lede, *others])
    kept: list[int] = []  # entries of ``said``: the lede article's part
    added: list[int] = []  # the others'
    used = 0
    next_of_lede = 0
    for index, sentence in enumerate(lede):
        count = len(sentence.split())
        if kept and used + count > LEDE_SHARE * words:
            break
        if index and _stranded(lede, index, said):
            continue
        entries = said.settle(0, index, words - used, opening=index == 0)
        kept += entries
        used += said.words(entries)
        next_of_lede = index + 1
    follows: tuple[int, int] | None = None  # (article, sentence) added last: the next one may lean on it

    def take_from_others(worth: Callable[[str, bool], bool]) -> None:
        nonlocal used, follows
        for number, article in enumerate(others, 1):
            for index, sentence in enumerate(article):
                if said.has_said(number, index) or used + len(sentence.split()) > words or \
                        not worth(sentence, follows == (number, index - 1)):
                    continue
                entries = said.settle(number, index, words - used)
                added.extend(entries)
                used += said.words(entries)
                if said.has_said(number, index):
                    follows = (number, index)

    take_from_others(said.brings_news)
    for index in range(next_of_lede, len(lede)):  # the rest of the lede article, while it says something new
        count = len(lede[index].split())
        if used + count > words:
            break
        if not said.has_said(0, index) and not said.repeats(lede[index]) and not _stranded(lede, index, said):
            entries = said.settle(0, index, words - used)
            kept += entries
            used += said.words(entries)
    take_from_others(said.adds_detail)  # time left: the others' details (a quote, a scene)
    return [said.sentence(entry) for entry in kept + added]


def update(told: Sequence[str], arrived: Sequence[Sequence[str]], words: int,
           names: Sequence[str | None] = ()) -> list[str]:
    """Sentences of articles that arrived after a story was told which bring news to what it said
    (within ``words``): added after the told text, which stays word for word. A figure the told
    text gave otherwise is credited to the later report of its outlet (``names``, one an article)."""
    said = _Said("")
    for sentence in told:
        said.add(sentence, 0)
    lines: list[str] = []
    used = 0
    for number, article in enumerate(arrived):
        name = names[number] if number < len(names) else None
        for sentence in article:
            if used + len(sentence.split()) > words or not said.brings_news(sentence, False):
                continue
            mine = figures(_written(sentence))
            if name and any(disagree(a, b) for entry in said.entries for a in mine for b in entry.figures):
                sentence = according_to(sentence, name, later=True)
            if used + len(sentence.split()) <= words:
                lines.append(sentence)
                used += len(sentence.split())
                said.add(sentence, number + 1)
    return lines


def headline(title: str, articles: Sequence[Sequence[str]]) -> str:
    """A story's ``title`` as said: a person it names by surname alone (a headline's habit) named in
    full as its ``articles`` (each one's sentences) name them, with no role: the title is not the
    story, whose first mention introduces them again."""
    forms = _full_forms(articles)
    return mentions.introduce(title, replace(forms, roles={}), set())


def _full_forms(articles: Sequence[Sequence[str]]) -> mentions.FullForms:
    return mentions.full_forms("\n".join(_written(sentence) for article in articles for sentence in article))


def introduced(sentences: Sequence[str], articles: Sequence[Sequence[str]], told: Sequence[str] = ()) -> list[str]:
    """A story's ``sentences`` as a newsreader says them: each person, organisation and bill its
    ``articles`` (each one's sentences) name in full is named in full at its first mention in the
    story, and short after (``mentions``); a sentence opening on "She" or quoting "he", said without
    the sentence before it in its article, names the one person that sentence names, or is left out
    when that sentence names no one or several (a "she" nobody was named for is a stranger).
    ``told``: what the story said before (an update's told text), whose mentions count as made."""
    forms = _full_forms(articles)
    acronyms = acronyms_in(" ".join(_written(sentence) for article in articles for sentence in article))
    said: set[str] = set()
    for sentence in told:
        mentions.introduce(_written(sentence), forms, said)
    place: dict[str, tuple[int, int]] = {}
    for number, article in enumerate(articles):
        for index, sentence in enumerate(article):
            place.setdefault(_written(sentence), (number, index))
    result: list[str] = []
    previous = None  # the written form of the sentence said before, as its article has it
    for sentence in sentences:
        written = _written(sentence)
        rewritten: str | None = written
        where = place.get(written)
        if where and where[1] > 0 and pronouns.opens_on_pronoun(written):
            before = _written(articles[where[0]][where[1] - 1])
            if previous != before:
                rewritten = pronouns.name_pronoun(written, before, forms, said)
        if rewritten is None:
            continue
        previous = written
        rewritten = mentions.introduce(rewritten, forms, said)
        result.append(sentence if rewritten == written else _respoken(sentence, rewritten, acronyms))
    return result


def _respoken(sentence: str, written: str, acronyms: frozenset[str] = frozenset()) -> str:
    """``written`` in the form ``sentence`` had: with what is said beside it when it had that.
    ``acronyms``: the story's own ('the KLA'), kept as acronyms inside shouted text as ``make`` keeps them."""
    if getattr(sentence, "display", None) is None:
        return written
    return Spoken(normalize(written, acronyms=acronyms).strip(), display_text(written))


def attribution(names: Sequence[str]) -> str | None:
    """'Reported by the Herald and the Westhaven Wire.' for two or more sources; None for one."""
    unique = list(dict.fromkeys(name for name in names if name))
    if len(unique) < 2:
        return None
    spoken = [_in_a_sentence(name) for name in unique]
    return f"{CREDIT} {', '.join(spoken[:-1])} and {spoken[-1]}."


def _in_a_sentence(name: str) -> str:
    """'The Herald' as said within a sentence: 'the Herald'."""
    return name[0].lower() + name[1:] if name.startswith("The ") else name


def according_to(sentence: str, name: str, later: bool = False) -> str:
    """``sentence`` credited to the outlet ``name``: 'According to the Herald, at least 12 …'."""
    credit = f"a later report by {_in_a_sentence(name)}" if later else _in_a_sentence(name)
    prefix = f"{ACCORDING_TO} {credit}, "
    display = getattr(sentence, "display", None)
    if display is None:
        return prefix + _opening_lowered(sentence)
    return Spoken(prefix + _opening_lowered(str(sentence)), prefix + _opening_lowered(display))


def _opening_lowered(sentence: str) -> str:
    """The sentence to follow a comma: its capital dropped unless it opens a name ('Gerald Amsel …')."""
    words = sentence.split(maxsplit=2)
    if not words or words[0].isupper() or (len(words) > 1 and words[1][:1].isupper()):
        return sentence
    return sentence[0].lower() + sentence[1:]


def _written(sentence: str) -> str:
    return getattr(sentence, "display", sentence)


def _stranded(lede: Sequence[str], index: int, said: _Said) -> bool:
    """The lede article's sentence ``index`` leans on the one before it, which was not said (left out
    as a repeat, for its figure or for room): said alone, its "she" or its quote would be a stranger's.
    (``corroborated`` keeps a leaning sentence with the one before it, so that is its antecedent.)"""
    return not said.has_said(0, index - 1) and _leans_on_previous(_written(lede[index]))


def _leans_on_previous(written: str) -> bool:
    """It opens on a pronoun, quotes someone only a pronoun names ('..., she said.'), or is a quotation
    that names no speaker (the sentence before it does)."""
    return bool(EARLY_PRONOUN.match(written) or PRONOUN_SPEAKER.search(written) or
                (written[:1] in QUOTE_MARKS and not SPEAKING.search(written)))


@dataclass
class _Entry:
    sentence: str
    source: int  # index into the story's sources: 0 the lede article
    figures: list[Figure]


class _Said:
    """What a telling has said so far: its sentences, their facts (names, figures) and words; and the
    story's articles (``articles[0]`` the lede's), to settle a figure its sources give differently."""

    def __init__(self, title: str, sources: Sequence[Source] = (), articles: Sequence[Sequence[str]] = ()) -> None:
        self.sources = list(sources)
        self.articles = articles
        self.figures_of = [[figures(_written(sentence)) for sentence in article] for article in articles]
        self.facts: set[str] = set()
        self.sentences: list[set[str]] = []
        self.entries: list[_Entry] = []
        self.taken: set[tuple[int, int]] = set()  # (article, sentence) said
        self.add(title, 0)  # entry 0: the title, said as the story's heading and never rewritten

    def add(self, sentence: str, source: int) -> int:
        """Remember ``sentence`` as said, from the story's ``source``; its entry."""
        written = _written(sentence)
        found = text_features(written)
        self.facts |= {f for f in found if f[0] == "#" or (f[0] == "n" and " " not in f)}
        self.sentences.append({f for f in found if f[0] == "w" or (f[0] == "n" and " " not in f)})
        self.entries.append(_Entry(sentence, source, figures(written)))
        return len(self.entries) - 1

    def sentence(self, entry: int) -> str:
        return self.entries[entry].sentence

    def words(self, entries: Sequence[int]) -> int:
        return sum(len(self.entries[entry].sentence.split()) for entry in entries)

    def has_said(self, article: int, index: int) -> bool:
        return (article, index) in self.taken

    def settle(self, article: int, index: int, room: int, opening: bool = False) -> list[int]:
        """Say sentence ``index`` of ``article`` within ``room`` words (the ``opening`` sentence in any
        case); its entries, none when it is not said. Where the sources give a figure differently, the
        newest source's is said: a sentence whose figure a newer source gives otherwise makes way for
        that source's sentence (the opening stays, credited, and the newer follows it, credited too); a
        sentence whose figure differs from one said is left out when that was newer, and credited with
        it when it was older (only when both sources have names and times)."""
        mine = self.figures_of[article][index]
        clashing = [entry for entry in self.entries
                    if entry.source != article and any(disagree(a, b) for a in mine for b in entry.figures)]
        if clashing:
            return self._credited(article, index, clashing, room)
        newer = self._newest_giving_otherwise(article, index)
        if newer is None:
            return self._say(article, index, self.articles[article][index], room, opening)
        if opening:
            first = self._say(article, index, self.articles[article][index], room, True)
            return first + self.settle(*newer, room - self.words(first))
        if self.has_said(*newer) or (newer[1] > 0 and not self.has_said(newer[0], newer[1] - 1) and
                                     _leans_on_previous(_written(self.articles[newer[0]][newer[1]]))):
            return []
        return self.settle(*newer, room)

    def _say(self, article: int, index: int, sentence: str, room: int, anyway: bool = False) -> list[int]:
        if not anyway and len(sentence.split()) > room:
            return []
        self.taken.add((article, index))
        return [self.add(sentence, article)]

    def _credited(self, article: int, index: int, clashing: list[_Entry], room: int) -> list[int]:
        name = self._name(article)
        if name is None or not all(self._older(entry.source, article) and self._name(entry.source)
                                   for entry in clashing):
            return []
        said = self._say(article, index, according_to(self.articles[article][index], name, later=True), room)
        for entry in clashing if said else []:
            if entry is not self.entries[0] and not _written(entry.sentence).startswith(ACCORDING_TO):
                entry.sentence = according_to(entry.sentence, self._name(entry.source) or "")
        return said

    def _newest_giving_otherwise(self, article: int, index: int) -> tuple[int, int] | None:
        """The sentence of the newest source newer than ``article`` that gives one of this sentence's
        figures another value."""
        mine = self.figures_of[article][index]
        found: tuple[int, int] | None = None
        for other, sentences in enumerate(self.figures_of):
            if other == article or not self._older(article, other) or (found and not self._older(found[0], other)):
                continue
            found = next(((other, at) for at, theirs in enumerate(sentences)
                          if any(disagree(a, b) for a in mine for b in theirs)), found)
        return found

    def _name(self, source: int) -> str | None:
        return self.sources[source].name if source < len(self.sources) else None

    def _older(self, first: int, second: int) -> bool:
        if max(first, second) >= len(self.sources):
            return False
        older, newer = self.sources[first].published, self.sources[second].published
        return older is not None and newer is not None and older < newer

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
