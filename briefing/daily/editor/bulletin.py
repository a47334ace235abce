"""The shape of the day's bulletin: which stories are top stories, which are told in brief, and how
many words each gets within the time.

Top stories are the stories more than one source covers (at least ``MIN_TOP`` when the day has fewer,
taken in rank order), as many as can each have ``TOP_SHARES[0]`` of the time; each gets up to ``TOP_SHARES[1]``,
and together no more than ``TOP_SHARE`` of the time (unless that is less than their least). The rest
are told in brief, one or two sentences each, in rank order while time allows; what does
not fit is left for another day. Time left when every story has had its turn goes back to the top
stories, and then (a slow news day) to the first stories in brief, which become top stories.
"""

from __future__ import annotations

from dataclasses import dataclass

# A top story's least and most, as shares of the time: 45 and 90 seconds of an 8-minute bulletin.
TOP_SHARES = (45 / 480, 90 / 480)
TOP_SHARE = 0.7  # of the time, at most, for the top stories while stories in brief wait
MIN_TOP = 3
BRIEF_MAX_WORDS = 45
IN_BRIEF = "In brief."


@dataclass(frozen=True)
class Needs:
    """What one story (in rank order) asks of the bulletin, in words."""

    multi_source: bool
    top_words: int  # all its telling could say as a top story
    top_overhead: int  # its title in the round-up and before it, and who reported it
    brief_words: int  # its one or two sentences in brief


@dataclass(frozen=True)
class Slot:
    index: int  # the story's place in the list given
    brief: bool
    words: int  # for its body (not the overheads)


def shape(stories: list[Needs], available: int) -> list[Slot]:
    """The stories told, in the order given, each as a top story or in brief with its words."""
    least, most = (round(share * available) for share in TOP_SHARES)
    left = available
    top = _top_stories(stories, left, least)
    shares = {i: 0 for i in top}
    left -= sum(stories[i].top_overhead for i in top)
    wants = {i: min(most, stories[i].top_words) for i in top}
    room = max(int(TOP_SHARE * available), sum(min(least, stories[i].top_words) for i in top))
    for i, share in zip(top, fair_shares([wants[i] for i in top], max(0, min(left, room)))):
        shares[i] = share
    left -= sum(shares.values())
    briefs: dict[int, int] = {}
    for i, needs in enumerate(stories):
        if i in shares:
            continue
        cost = needs.brief_words + (0 if briefs else len(IN_BRIEF.split()))
        if needs.brief_words and cost <= left:
            briefs[i] = needs.brief_words
            left -= cost
    if left > 0 and top:  # every story has had its turn: the top stories may say more
        extra = fair_shares([stories[i].top_words - shares[i] for i in top], left)
        for i, more in zip(top, extra):
            shares[i] += more
            left -= more
    for i in sorted(briefs):  # a slow day, time still left: the first stories in brief get room
        more = min(stories[i].top_words - briefs[i], left - stories[i].top_overhead)
        if more > 0:
            shares[i] = briefs.pop(i) + more
            left -= more + stories[i].top_overhead
    slots = [Slot(i, False, words) for i, words in shares.items()]
    slots += [Slot(i, True, words) for i, words in briefs.items()]
    return sorted(slots, key=lambda slot: slot.index)


def _top_stories(stories: list[Needs], left: int, least: int) -> list[int]:
    top = [i for i in range(len(stories)) if stories[i].multi_source]
    if len(top) < MIN_TOP:
        top += [i for i in range(len(stories)) if i not in top][: MIN_TOP - len(top)]
        top.sort()
    while len(top) > 1 and sum(stories[i].top_overhead + min(least, stories[i].top_words) for i in top) > left:
        top.pop()  # the least important top story is told in brief instead
    return top


def fair_shares(wants: list[int], available: int) -> list[int]:
    """Max-min fair split of ``available`` words between stories wanting ``wants`` words (a story
    shorter than its equal share keeps all of it and the rest is split between the others)."""
    shares = [0] * len(wants)
    left, remaining = available, sorted(range(len(wants)), key=wants.__getitem__)
    while remaining:
        equal = left // len(remaining)
        index = remaining.pop(0)
        shares[index] = max(0, min(wants[index], equal))
        left -= shares[index]
    return shares
