"""Shared fixtures: the example article, the real CLI, one real render of the example, decoded audio.

Nothing here stands in for our own code: the CLI runs as a real process, audio is spoken by the real
engine and encoded by ffmpeg, and it is decoded again by ffmpeg to check what a listener would hear.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

with warnings.catch_warnings():  # audioop: standard library up to 3.12, audioop-lts (a pydub need) after
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import audioop
    except ImportError:  # pragma: no cover
        audioop = None

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = Path(__file__).resolve().parents[2] / "shared/examples/kharkiv-counter-offensive.txt"
VENV_BRIEFING = REPO / ".venv/bin/briefing"
# The budget the acceptance criteria name for the rendered example (the CLI's default).
EXAMPLE_MAX_WORDS = 250
DECODE_RATE = 44100

requires_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None, reason="needs ffmpeg and ffprobe"
)
requires_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def briefing_command() -> list[str]:
    """The installed console script when there is one, else the package run as a module."""
    if VENV_BRIEFING.exists():
        return [str(VENV_BRIEFING)]
    return [sys.executable, "-m", "briefing"]


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any BRIEFING_* settings, with the library in ``home``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIEFING_")}
    env["BRIEFING_HOME"] = str(home)
    env.update(extra)
    return env


def run_cli(args: list[str], *, home: Path, input: bytes | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``briefing ARGS`` as a real process; stdout and stderr are captured as text."""
    result = subprocess.run(
        briefing_command() + [str(arg) for arg in args],
        input=input,
        capture_output=True,
        env=env if env is not None else cli_env(home),
        cwd=cwd or home,
        timeout=timeout,
        check=False,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")
    )


@pytest.fixture(scope="session")
def example_article() -> Path:
    if not EXAMPLE.is_file():
        pytest.skip(f"the example article is not here: {EXAMPLE}")
    return EXAMPLE


@pytest.fixture(scope="session")
def example_paragraphs(example_article: Path) -> list[str]:
    import ast

    return ast.literal_eval(example_article.read_text(encoding="utf-8"))


# --- one real render of the example, shared by every audio test ------------------------------------


@dataclass(frozen=True)
class Render:
    mp3: Path
    folder: Path
    stdout: str
    stderr: str
    timing: dict  # the .json written beside the MP3
    script_json: dict  # `briefing script --json` at the same budget

    def side(self, suffix: str) -> Path:
        return self.mp3.with_name(self.mp3.stem + suffix)

    def segments(self) -> list[dict]:
        return [segment for section in self.timing["sections"] for segment in section["segments"]]


@pytest.fixture(scope="session")
def rendered_example(example_article: Path, tmp_path_factory) -> Render:
    """`briefing make --no-publish` on the example, run once per test session."""
    if shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None:
        pytest.skip("rendering needs ffmpeg and espeak-ng")
    home = tmp_path_factory.mktemp("render-home")
    folder = tmp_path_factory.mktemp("render-out")
    mp3 = folder / "kharkiv.mp3"
    budget = ["--max-words", str(EXAMPLE_MAX_WORDS)]
    made = run_cli(["make", example_article, "--no-publish", "-o", mp3, *budget], home=home)
    assert made.returncode == 0, made.stderr
    scripted = run_cli(["script", example_article, "--json", *budget], home=home)
    assert scripted.returncode == 0, scripted.stderr
    timing = json.loads(mp3.with_name(mp3.stem + ".json").read_text(encoding="utf-8"))
    return Render(mp3, folder, made.stdout, made.stderr, timing, json.loads(scripted.stdout))


# --- decoding audio ----------------------------------------------------------------------------------


def decode_pcm(path: Path, rate: int = DECODE_RATE) -> bytes:
    """Decode any audio file to signed 16-bit mono PCM at ``rate`` with ffmpeg (headers not trusted)."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-f", "s16le", "-acodec", "pcm_s16le",
         "-ac", "1", "-ar", str(rate), "-"],
        capture_output=True, check=True,
    )
    return result.stdout


def pcm_duration(pcm: bytes, rate: int = DECODE_RATE) -> float:
    return len(pcm) / 2 / rate


def window_dbfs(pcm: bytes, rate: int = DECODE_RATE, window_ms: int = 10) -> list[float]:
    """RMS level of each ``window_ms`` window in dBFS (-inf for digital silence)."""
    step = rate * window_ms // 1000 * 2
    levels = []
    for offset in range(0, len(pcm) - step + 1, step):
        rms = _rms(pcm[offset : offset + step])
        levels.append(20 * math.log10(rms / 32768) if rms > 0 else float("-inf"))
    return levels


def _rms(fragment: bytes) -> float:
    if audioop is not None:
        return audioop.rms(fragment, 2)
    from array import array

    samples = array("h", fragment)
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def longest_quiet_run_ms(levels: list[float], first: int, last: int, threshold_dbfs: float,
                         window_ms: int = 10) -> int:
    """The longest run of windows below ``threshold_dbfs`` among windows ``first`` to ``last``."""
    best = run = 0
    for level in levels[max(0, first) : max(0, last)]:
        run = run + 1 if level < threshold_dbfs else 0
        best = max(best, run)
    return best * window_ms


def ffprobe_json(path: Path, *entries: str) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", *entries, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def files_in(folder: Path) -> list[str]:
    """Every entry in ``folder``, hidden temporary files included."""
    return sorted(entry.name for entry in folder.iterdir()) if folder.exists() else []
