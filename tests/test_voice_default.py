"""The neural voice speaks by default; without it the classic pyttsx3 voice speaks, announced in one line."""

from __future__ import annotations

import importlib.util
import json
import os
from array import array
from pathlib import Path

import pytest
from helpers import cli_env, decode_pcm, requires_espeak, requires_ffmpeg, run_cli

from briefing.audio.engines import VoiceSettings
from briefing.errors import BriefingError, UsageError
import briefing
from briefing.voices import FALLBACK_PROFILE, VoiceProfile, load_profile, profile_names
from briefing.library.sidefiles import side_path

requires_hibari = pytest.mark.skipif(importlib.util.find_spec("hibari") is None, reason="needs hibari-tts")
pytestmark = [requires_espeak, requires_ffmpeg]

ARTICLE = "Council approves cycle lanes\n\nThe council approved the new cycle lanes on Station Road on Tuesday.\n"


@pytest.fixture
def without_hibari(tmp_path: Path) -> dict[str, str]:
    """An environment in which ``import hibari`` fails, as on a machine where hibari-tts is not installed."""
    hidden = tmp_path / "hide-hibari" / "hibari"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text('raise ImportError("hibari-tts is not installed here")\n')
    env = cli_env(tmp_path / "home")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hidden.parent), env.get("PYTHONPATH")]))
    return env


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "cycle lanes.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@requires_hibari
def test_make_without_a_voice_speaks_with_hibari_and_the_timing_file_names_it(rendered_example) -> None:
    assert rendered_example.timing["voice"] == "default"
    assert rendered_example.timing["engine"] == "hibari"
    assert rendered_example.timing["engine_voice"] == "heart"
    assert "instead of" not in rendered_example.stderr


@requires_hibari
def test_hibari_sibilants_are_tamed_no_sample_to_sample_jumps_above_0_6_of_full_scale(rendered_example) -> None:
    # Before the de-essing shelf the example had about 250 such jumps (145 a minute).
    samples = array("h", decode_pcm(rendered_example.mp3))
    jumps = sum(1 for a, b in zip(samples, samples[1:]) if abs(b - a) > 0.6 * 32768)
    minutes = len(samples) / 44100 / 60
    assert jumps / minutes < 10, f"{jumps} jumps in {minutes:.1f} minutes"


@requires_hibari
def test_feed_item_names_the_engine_and_voice_that_spoke(article: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    made = run_cli(["make", article, "-q"], home=home)
    assert made.returncode == 0, made.stderr
    feed = (home / "feed.xml").read_text(encoding="utf-8")
    assert '<podcast:person role="narrator" group="cast">hibari heart</podcast:person>' in feed


def test_without_hibari_make_speaks_with_the_classic_voice_and_says_so_in_one_line(
        article: Path, tmp_path: Path, without_hibari: dict[str, str]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    mp3 = tmp_path / "out.mp3"
    made = run_cli(["make", article, "-q", "-o", mp3], home=home, env=without_hibari)
    assert made.returncode == 0, made.stderr
    lines = made.stderr.strip().splitlines()
    assert len(lines) == 1, made.stderr
    assert "classic voice (pyttsx3 en-gb) instead of default (hibari heart)" in lines[0]
    assert "hibari-tts" in lines[0]  # why
    timing = json.loads(side_path(mp3, "timing").read_text(encoding="utf-8"))
    assert (timing["voice"], timing["engine"], timing["engine_voice"]) == ("classic", "pyttsx3", "en-gb")
    assert mp3.stat().st_size > 10_000
    assert ">pyttsx3 en-gb</podcast:person>" in (home / "feed.xml").read_text(encoding="utf-8")


def test_an_engine_asked_for_by_name_is_not_swapped_for_the_classic_voice(
        article: Path, tmp_path: Path, without_hibari: dict[str, str]) -> None:
    made = run_cli(["make", article, "-q", "--engine", "hibari", "--no-publish", "-o", tmp_path / "x.mp3"],
                   home=tmp_path, env=without_hibari)
    assert made.returncode == 1
    assert made.stderr.strip().splitlines() == ["Error: the hibari engine needs hibari-tts: pip install hibari-tts"]
    assert not (tmp_path / "x.mp3").exists()


@requires_hibari
def test_a_neural_model_that_fails_to_load_falls_back_with_one_notice(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx model")
    asked = VoiceProfile(name="default", engine="hibari", settings=VoiceSettings(voice="heart", model=str(broken)))
    made = _make(tmp_path, asked)
    timing = json.loads(side_path(made.audio, "timing").read_text(encoding="utf-8"))
    assert (timing["voice"], timing["engine"]) == (FALLBACK_PROFILE, "pyttsx3")
    notices = capsys.readouterr().err.strip().splitlines()
    assert len(notices) == 1 and "not a usable hibari model" in notices[0] and str(broken) in notices[0]


def _make(tmp_path: Path, profile: VoiceProfile) -> briefing.MadeEpisode:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    return briefing.make_episode(str(article), briefing.MakeOptions(voice=profile, library=tmp_path / "library",
                                                                    output=tmp_path / "x.mp3", publish=False))


@requires_hibari
def test_a_voice_chosen_by_name_is_never_swapped(tmp_path: Path) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx model")
    asked = VoiceProfile(name="mine", engine="hibari", settings=VoiceSettings(voice="heart", model=str(broken)))
    with pytest.raises(BriefingError, match="not a usable hibari model"):
        _make(tmp_path, asked)
    assert not (tmp_path / "x.mp3").exists()


def test_the_classic_profile_names_pyttsx3_and_every_old_profile_keeps_its_name() -> None:
    classic = load_profile("classic")
    assert (classic.engine, classic.settings.voice) == ("pyttsx3", "en-gb")
    assert load_profile("default").engine == "hibari"
    for name in ("american", "british", "hibari", "piper-joe"):
        assert load_profile(name).name == name


def test_when_the_classic_voice_itself_cannot_load_its_error_is_reported(tmp_path: Path) -> None:
    broken = VoiceProfile(name=FALLBACK_PROFILE, engine="espeak", settings=VoiceSettings(voice="klingon-xx"))
    with pytest.raises(BriefingError, match="klingon-xx"):
        _make(tmp_path, broken)


def test_the_lexicon_is_not_a_voice_profile() -> None:
    assert "lexicon" not in profile_names()
    with pytest.raises(UsageError):
        load_profile("lexicon")
