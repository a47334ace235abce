"""The public JSON contracts keep every key they had: `briefing script --json`, `briefing extract --json`
and the timing file written beside each episode may gain fields, never lose or rename one.

The expected keys are those printed by the release before issue 14 (commit 5367e21), run on the same
inputs; every object at each level must still carry them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import FIXTURES, requires_espeak, requires_ffmpeg, run_cli
from briefing.library.sidefiles import side_path

ARTICLE = FIXTURES / "storm-ciaran.txt"

SCRIPT_KEYS = {
    "$": {"title", "sections"},
    "$.sections[]": {"kind", "heading", "segments"},
    "$.sections[].segments[]": {"text", "source", "pause_after_ms"},
}
EXTRACT_KEYS = {
    "$": {"title", "paragraphs"},
    "$.paragraphs[]": {"text", "source", "section", "heading"},
}
TIMING_KEYS = {
    "$": {"title", "sections", "duration", "voice"},
    "$.sections[]": {"kind", "heading", "segments", "start", "end"},
    "$.sections[].segments[]": {"text", "source", "pause_after_ms", "start", "end"},
}


def objects_by_path(document: object, path: str = "$") -> dict[str, list[dict]]:
    """Every JSON object in ``document`` grouped by where it sits: ``$``, ``$.sections[]``, ..."""
    found: dict[str, list[dict]] = {}
    if isinstance(document, dict):
        found.setdefault(path, []).append(document)
        for key, value in document.items():
            for inner, objects in objects_by_path(value, f"{path}.{key}").items():
                found.setdefault(inner, []).extend(objects)
    elif isinstance(document, list):
        for item in document:
            for inner, objects in objects_by_path(item, f"{path}[]").items():
                found.setdefault(inner, []).extend(objects)
    return found


def assert_keeps_keys(document: object, expected: dict[str, set[str]]) -> None:
    found = objects_by_path(document)
    for path, keys in expected.items():
        assert found.get(path), f"no object at {path}"
        for number, obj in enumerate(found[path]):
            assert keys <= obj.keys(), f"{path} #{number} lost {sorted(keys - obj.keys())}"


def test_objects_by_path_reaches_every_level() -> None:
    found = objects_by_path({"a": 1, "s": [{"b": 2, "t": [{"c": 3}, {"d": 4}]}]})

    assert {path: [sorted(obj) for obj in objects] for path, objects in found.items()} == {
        "$": [["a", "s"]], "$.s[]": [["b", "t"]], "$.s[].t[]": [["c"], ["d"]]}


@pytest.mark.parametrize("budget", [[], ["--max-words", "60"]])
def test_script_json_keeps_its_keys(tmp_path: Path, budget: list[str]) -> None:
    result = run_cli(["script", ARTICLE, "--json", *budget], home=tmp_path / "home", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert_keeps_keys(json.loads(result.stdout), SCRIPT_KEYS)


@pytest.mark.parametrize("budget", [[], ["--max-words", "60"]])
def test_extract_json_keeps_its_keys(tmp_path: Path, budget: list[str]) -> None:
    result = run_cli(["extract", ARTICLE, "--json", *budget], home=tmp_path / "home", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert_keeps_keys(json.loads(result.stdout), EXTRACT_KEYS)


@requires_ffmpeg
@requires_espeak
def test_timing_file_beside_an_unpublished_episode_keeps_its_keys(tmp_path: Path) -> None:
    audio = tmp_path / "out" / "x.mp3"

    result = run_cli(["make", ARTICLE, "--voice", "classic", "--max-words", "60", "--no-publish", "-o", audio],
                     home=tmp_path / "home", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert_keeps_keys(json.loads(side_path(audio, "timing").read_text(encoding="utf-8")), TIMING_KEYS)


@requires_ffmpeg
@requires_espeak
def test_timing_file_beside_a_published_episode_keeps_its_keys(tmp_path: Path) -> None:
    library = tmp_path / "library"

    result = run_cli(["make", ARTICLE, "--voice", "classic", "--max-words", "60", "--library", library, "-q"],
                     home=tmp_path / "home", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    [timing] = [path for path in (library / "episodes").glob("*.json") if not path.name.endswith(".chapters.json")]
    assert_keeps_keys(json.loads(timing.read_text(encoding="utf-8")), TIMING_KEYS)
