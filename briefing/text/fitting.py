"""Fitting a script to a length: the one loop behind ``make --minutes``, ``extract --minutes`` and the
daily briefing.

A script is built for a budget of words a minute; the estimate of how long it plays (at the voice's
pace, pauses included) tells how far the budget missed, and the next attempt corrects the budget by
that error. Sentences come whole, so the best attempt rarely lands exactly: its pauses are then
stretched (within ``script.PAUSE_STRETCH``, the long ones shrinking first) to land on the length.
What a budget means (words for one article, a share of the day for each story) is the caller's
``build``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from briefing.model import Script
from briefing.text.script import (
    estimated_seconds,
    pause_stretch,
    speech_seconds,
    stretch_pauses,
    stretched_pause_seconds,
)
from briefing.text.selection import WORDS_PER_MINUTE
from briefing.voices import VoiceProfile

ATTEMPTS = 8
TOLERANCE = 0.02  # of the asked length: close enough to stop fitting

Built = TypeVar("Built")


@dataclass(frozen=True)
class Fitted(Generic[Built]):
    built: Built  # what ``build`` returned for the chosen budget (its script's pauses stretched)
    script: Script
    budget: float  # the words a minute the chosen attempt was built for
    pause_stretch: float  # by how much its pauses were stretched


def fit_length(build: Callable[[float], tuple[Built, Script]], pace: float, seconds: float,
               first_budget: float | None = None, attempts: int = ATTEMPTS) -> Fitted[Built]:
    """The attempt of ``build`` (given words a minute) whose script plays nearest ``seconds`` at ``pace``
    words a minute, its pauses stretched to land on it. The first attempt budgets ``first_budget``
    (default: the pace itself)."""
    budget = first_budget or pace
    best: tuple[float, float, Built, Script] | None = None
    tried: set[float] = set()
    for _ in range(attempts):
        built, script = build(budget)
        miss = length_miss(script, pace, seconds)
        if best is None or miss < best[0]:
            best = (miss, budget, built, script)
        estimate = estimated_seconds(script, pace)
        if miss < TOLERANCE * seconds or estimate <= 0 or budget in tried:
            break
        tried.add(budget)
        budget = round(budget * seconds / estimate, 3)
    assert best is not None
    _, budget, built, script = best
    stretch = pause_stretch(script, pace, seconds)
    stretch_pauses(script, stretch)
    return Fitted(built, script, budget, stretch)


def speaking_pace(profile: VoiceProfile) -> float:
    """Words a minute the profile speaks, pauses left out: measured (``words_per_minute``), else its rate."""
    return float(profile.words_per_minute or profile.settings.rate or WORDS_PER_MINUTE)


def length_miss(script: Script, pace: float, seconds: float) -> float:
    """How far from ``seconds`` the script plays once its pauses are stretched as far as they may be."""
    stretched = stretched_pause_seconds(script, pause_stretch(script, pace, seconds))
    return abs(speech_seconds(script, pace) + stretched - seconds)
