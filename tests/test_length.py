"""`--minutes` is honoured: the decoded episode lasts the asked length within ±8%, for each voice.

The example article (long enough for every length asked) is made through the one make path at three
lengths with the default neural voice (hibari) and the british espeak voice, and `daily` once; the
MP3s are decoded by ffmpeg, not measured from our own timing file.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from helpers import EXAMPLE, FIXTURES, decode_pcm, pcm_duration, requires_espeak, requires_ffmpeg

import briefing
from briefing.channel import Channel
from briefing.daily.run import DailyOptions, run_daily
from briefing.pipeline import RenderOptions
from briefing.voices import load_profile

TOLERANCE = 0.08

pytestmark = [pytest.mark.slow, requires_espeak, requires_ffmpeg]


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    if not EXAMPLE.is_file():
        pytest.skip(f"the example article is not here: {EXAMPLE}")
    return tmp_path_factory.mktemp("length")  # one speech cache for the module's renders


@pytest.mark.parametrize("voice", ["default", "british"])
@pytest.mark.parametrize("minutes", [0.5, 1.0, 2.0])
def test_decoded_episode_lasts_the_asked_minutes(library: Path, voice: str, minutes: float) -> None:
    output = library / f"{voice}-{minutes}.mp3"
    briefing.make_episode(str(EXAMPLE), briefing.MakeOptions(minutes=minutes, voice=voice, library=library,
                                                             output=output, publish=False))
    seconds = pcm_duration(decode_pcm(output))
    assert seconds == pytest.approx(minutes * 60, rel=TOLERANCE), f"{seconds:.1f} s for {minutes} min"


def test_daily_briefing_lasts_the_asked_minutes(tmp_path: Path) -> None:
    if not EXAMPLE.is_file():
        pytest.skip(f"the example article is not here: {EXAMPLE}")
    library = tmp_path / "library"
    inbox = library / "inbox"
    inbox.mkdir(parents=True)
    for article in (EXAMPLE, FIXTURES / "daily" / "harbour-bridge-closure.txt", FIXTURES / "daily" / "rail-fares-freeze.json"):
        shutil.copy(article, inbox)
    (library / "briefing.toml").write_text('[sources]\ninbox = "inbox"\n', encoding="utf-8")
    minutes = 2.0
    result = run_daily(Channel.resolve(library), DailyOptions(date=dt.date(2026, 11, 25), minutes=minutes,
                                             render=RenderOptions(profile=load_profile("british"))))
    assert len(result.stories) == 3
    seconds = pcm_duration(decode_pcm(library / result.episode.audio_path))
    assert seconds == pytest.approx(minutes * 60, rel=TOLERANCE), f"{seconds:.1f} s for {minutes} min"
