"""What every output format must give a listener, checked once per format on the example as the
player decodes it: a silence between sections at least the voice's section pause long, speech
audible inside every segment, and the podcast loudness norm with true-peak headroom."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import (
    REPO,
    decode_pcm,
    ebur128_summary,
    quiet_between_sections_ms,
    requires_espeak,
    requires_ffmpeg,
    window_dbfs,
)

pytestmark = [pytest.mark.slow, requires_ffmpeg, requires_espeak]

SILENCE_DBFS = -45.0
WINDOW_MS = 10
TOLERANCE_MS = 50


@dataclass(frozen=True)
class Decoded:
    audio: Path
    timing: dict
    section_ms: int  # the section pause of the voice that spoke it
    levels: list[float]  # dBFS of each 10 ms window


# Each format's episode comes from the session's fixture that makes it: the MP3 with the default
# voice (`make -o`), the M4A with the classic voice published into a library whose channel asks for it.
EPISODES = {"mp3": ("rendered_example", "default"), "m4a": ("published_m4a", "classic")}


@pytest.fixture(scope="module", params=sorted(EPISODES))
def decoded(request) -> Decoded:
    fixture, voice = EPISODES[request.param]
    made = request.getfixturevalue(fixture)
    audio = made.mp3 if request.param == "mp3" else made.audio
    assert audio.suffix == f".{request.param}"
    section_ms = tomllib.loads((REPO / f"voices/{voice}.toml").read_text())["pauses"]["section_ms"]
    return Decoded(audio, made.timing, section_ms, window_dbfs(decode_pcm(audio), window_ms=WINDOW_MS))


def test_every_section_boundary_is_a_silence_at_least_the_section_pause_long(decoded: Decoded) -> None:
    sections = decoded.timing["sections"]
    assert len(sections) >= 4
    for before, after, quiet in quiet_between_sections_ms(decoded.levels, sections, SILENCE_DBFS, WINDOW_MS):
        assert quiet >= decoded.section_ms - TOLERANCE_MS, (before, after, quiet)


def test_speech_is_audible_inside_every_segment(decoded: Decoded) -> None:
    for section in decoded.timing["sections"]:
        for segment in section["segments"]:
            inside = decoded.levels[math.ceil(segment["start"] * 100) : math.floor(segment["end"] * 100)]
            assert len([level for level in inside if level > -35.0]) >= len(inside) / 3, segment["text"][:40]


def test_loudness_is_podcast_norm_and_true_peak_has_headroom(decoded: Decoded) -> None:
    integrated, true_peak = ebur128_summary(decoded.audio)
    assert abs(integrated - -16.0) <= 1.0, integrated
    assert true_peak <= -1.0, true_peak
