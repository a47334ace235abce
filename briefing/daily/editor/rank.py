"""How important each of the day's stories is, with the signals a tool has, and why in one line.

The strongest signal is how many sources cover a story (each counted at its weight, 1 unless
``[sources] weights`` pins it); then where the sources put it (the top of a feed or folder counts
most), how recent it is, and the order the sources are written in ``[sources]`` as a weak prior.
The lesser signals together weigh less than one source, so a story two sources cover always comes
before one that a single source covers, whatever its place in that source's feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

POSITION_WEIGHT = 0.3
RECENCY_WEIGHT = 0.15
PRIOR_WEIGHT = 0.05


@dataclass(frozen=True)
class Coverage:
    """One article of a story as its source published it."""

    outlet: str  # the source as written in [sources] (a feed's URL, an inbox folder)
    name: str | None  # what the outlet calls itself (a feed's title)
    position: int  # 0: the top of its feed or folder
    timestamp: float | None
    source_rank: int  # the order of its source in [sources], 0 first
    weight: float = 1.0
    link: str | None = None  # where a listener can read it


@dataclass(frozen=True)
class Signals:
    sources: int  # distinct sources covering the story
    weighted: float  # the same, each at its weight
    position: float  # 1: the top of every feed covering it, towards 0 further down
    recency: float  # 1: the newest of the day, 0: the oldest (or undated)
    prior: float  # 1: the first source in [sources]
    newest: float | None

    @property
    def score(self) -> float:
        return (self.weighted + POSITION_WEIGHT * self.position + RECENCY_WEIGHT * self.recency
                + PRIOR_WEIGHT * self.prior)

    def explain(self, names: Sequence[str]) -> str:
        """One line for the editor's view: why the story is where it is."""
        who = f" ({', '.join(names)})" if names else ""
        counted = f"{self.sources} source{'s' if self.sources != 1 else ''}{who}"
        if abs(self.weighted - self.sources) > 1e-9:
            counted += f", weighted {self.weighted:g}"
        when = ""
        if self.newest is not None:
            when = f"; newest {dt.datetime.fromtimestamp(self.newest, dt.timezone.utc):%H:%M} UTC"
        return (f"{counted}; feed position {self.position:.2f} (1 = top); recency {self.recency:.2f}"
                f"{when}; source order {self.prior:.2f}; score {self.score:.2f}")


def signals(stories: Sequence[Sequence[Coverage]], source_count: int) -> list[Signals]:
    """The ranking signals of each story (a story: the coverage of each of its articles)."""
    times = [c.timestamp for story in stories for c in story if c.timestamp is not None]
    oldest, newest = (min(times), max(times)) if times else (0.0, 0.0)
    span = (newest - oldest) or 1.0
    result = []
    for story in stories:
        by_outlet: dict[str, Coverage] = {}
        for coverage in story:  # an outlet counts once, at its most prominent article
            known = by_outlet.get(coverage.outlet)
            if known is None or coverage.position < known.position:
                by_outlet[coverage.outlet] = coverage
        stamps = [c.timestamp for c in story if c.timestamp is not None]
        latest = max(stamps) if stamps else None
        best_rank = min(c.source_rank for c in story)
        result.append(Signals(
            sources=len(by_outlet),
            weighted=sum(c.weight for c in by_outlet.values()),
            position=sum(1.0 / (1 + c.position) for c in by_outlet.values()) / len(by_outlet),
            recency=0.0 if latest is None else (latest - oldest) / span,
            prior=1.0 - best_rank / max(1, source_count),
            newest=latest,
        ))
    return result


def ranked(scores: Sequence[Signals]) -> list[int]:
    """Indices of the stories, most important first (ties keep their order)."""
    return sorted(range(len(scores)), key=lambda index: -scores[index].score)
