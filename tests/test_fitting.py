"""briefing.text.fitting: a script landed on an asked length by its pauses once its sentences are chosen.
Invented scripts; no audio."""

from __future__ import annotations

import copy

from briefing.model import Script, Section, Segment
from briefing.text.fitting import fit_length
from briefing.text.script import SHORTEST_PAUSE_MS, estimated_seconds, speech_seconds

PACE = 160.0
SECTION_MS, SENTENCE_MS = 1500, 250


def invented_script() -> Script:
    def segment(text: str, pause: int) -> Segment:
        return Segment(text, None, pause)

    return Script("Ferry", [
        Section("intro", None, [segment("Here is your briefing.", SECTION_MS)]),
        Section("lede", None, [segment("A ferry between Carrick and the mainland made its first crossing in a decade.", SECTION_MS)]),
        Section("story", None, [
            segment("The council paid for the boat with a loan from the regional transport fund.", SENTENCE_MS),
            segment("Fares will stay at three pounds for a year, the council said.", SECTION_MS),
        ]),
        Section("outro", None, [segment("That was your briefing.", 0)]),
    ])


def fitted(seconds: float) -> Script:
    script = invented_script()
    return fit_length(lambda budget: (None, copy.deepcopy(script)), PACE, seconds).script


def test_a_script_a_little_too_long_loses_its_seconds_between_sections_not_between_sentences() -> None:
    speech = speech_seconds(invented_script(), PACE)
    seconds = speech + 2.0  # the pauses (4.75 s) must shrink to 2 s: below the uniform floor of 0.6
    script = fitted(seconds)
    pauses = [segment.pause_after_ms for segment in script.segments()]
    assert abs(estimated_seconds(script, PACE) - seconds) < 0.05
    assert pauses[2] >= SHORTEST_PAUSE_MS  # the sentence break is still heard
    assert pauses[0] < 0.6 * SECTION_MS  # the section breaks gave the seconds


def test_a_script_too_short_has_every_pause_grown_alike() -> None:
    speech = speech_seconds(invented_script(), PACE)
    script = fitted(speech + 5.5)
    pauses = [segment.pause_after_ms for segment in script.segments()]
    assert abs(pauses[0] / SECTION_MS - pauses[2] / SENTENCE_MS) < 0.01 and pauses[2] > SENTENCE_MS
    assert abs(estimated_seconds(script, PACE) - (speech + 5.5)) < 0.05
