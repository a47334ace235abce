"""What the tests share that is not a fixture: the example article, the real CLI run as a process,
decoding audio with ffmpeg, libraries whose sources feed `briefing daily`, and checks of a feed.

Nothing here stands in for our own code: the CLI runs as a real process, audio is spoken by the real
engine and encoded by ffmpeg, and it is decoded again by ffmpeg to check what a listener would hear.
The fixtures built on these live in conftest.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import pytest
from click.testing import CliRunner, Result
from mutagen.id3 import ID3


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
SILENT_MP3_SECONDS = 12.0

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


@dataclass(frozen=True)
class Published:
    """An episode published into a library: its audio and the timing file beside it."""

    library: Path
    audio: Path
    timing: dict

    def side(self, suffix: str) -> Path:
        return self.audio.with_name(self.audio.name + suffix)

    def sections(self) -> list[dict]:
        return self.timing["sections"]


@dataclass(frozen=True)
class Render:
    mp3: Path
    folder: Path
    stdout: str
    stderr: str
    timing: dict  # the .json written beside the MP3
    script_json: dict  # `briefing script --json` at the same budget

    def side(self, suffix: str) -> Path:
        return self.mp3.with_name(self.mp3.name + suffix)

    def segments(self) -> list[dict]:
        return [segment for section in self.timing["sections"] for segment in section["segments"]]


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


# --- libraries whose sources feed `briefing daily` ---------------------------------------------------

DAILY_FIXTURES = FIXTURES / "daily"
DAILY_TOPICS = ["the tram extension", "the new swimming pool", "the winter gritting plan", "the harbour dredging",
                "the library roof", "the cycle lanes on the high street", "the night bus trial", "the town hall clock"]


def write_config(library: Path, sources: str) -> None:
    """``briefing.toml`` in ``library`` with ``sources`` as the body of its [sources] table."""
    library.mkdir(parents=True, exist_ok=True)
    (library / "briefing.toml").write_text(f"[sources]\n{sources}\n", encoding="utf-8")


def inbox_library(tmp_path: Path) -> Path:
    """A library whose inbox holds the example, two fixture articles and a broken file, newest first:
    harbour bridge, rail fares, Kharkiv (the broken file is newest of all)."""
    if not EXAMPLE.is_file():
        pytest.skip(f"{EXAMPLE} is not here")
    library = tmp_path / "library"
    inbox = library / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy(EXAMPLE, inbox / EXAMPLE.name)
    shutil.copy(DAILY_FIXTURES / "harbour-bridge-closure.txt", inbox)
    shutil.copy(DAILY_FIXTURES / "rail-fares-freeze.json", inbox)
    (inbox / "export.json").write_text('{"title": "Half an export", "paragraphs": ["', encoding="utf-8")
    for hours, name in enumerate(["export.json", "harbour-bridge-closure.txt", "rail-fares-freeze.json", EXAMPLE.name]):
        stamp = dt.datetime(2026, 11, 25, 6).timestamp() - hours * 3600
        os.utime(inbox / name, (stamp, stamp))
    write_config(library, 'inbox = "inbox"')
    return library


def write_article(inbox: Path, number: int) -> None:
    """A short council story numbered ``number`` (topics repeat every eight) as ``story-NN.txt``."""
    topic = DAILY_TOPICS[number % len(DAILY_TOPICS)]
    (inbox / f"story-{number:02d}.txt").write_text(
        f"Council approves {topic}, plan number {number}\n\n"
        f"Councillors voted on Tuesday to approve {topic}, which will cost {number + 2} million pounds "
        f"and take {number % 5 + 1} years to finish.\n\n"
        f"Residents at a public meeting in week {number} were divided about the timing of the work.\n",
        encoding="utf-8")


def run_in_process(args: list, *, home: Path | None = None, input: bytes | None = None) -> subprocess.CompletedProcess:
    """``briefing ARGS`` through CliRunner, as ``run_cli`` gives it back; an unexpected exception is raised
    again (a process would have printed it as a traceback). ``home``: its BRIEFING_HOME."""
    from briefing.cli import main

    env = {"BRIEFING_HOME": str(home)} if home is not None else None
    result = CliRunner().invoke(main, [str(arg) for arg in args], input=input, env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def daily(library: Path, *args: str) -> Result:
    """`briefing daily --library LIBRARY -q ARGS` in-process; an unexpected exception is raised again."""
    from briefing.cli import main

    result = CliRunner().invoke(main, ["daily", "--library", str(library), "-q", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def briefing_process(library: Path, *args: str) -> subprocess.Popen:
    """`briefing daily --library LIBRARY -q ARGS` as a separate process, without the caller's BRIEFING_*."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIEFING_")}
    return subprocess.Popen([sys.executable, "-m", "briefing", "daily", "--library", str(library), "-q", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


# The CLI in a process that stops for good at the first call of one function (whose arguments name
# ``naming``, when given), before it or once it has returned: a kill test then kills it in a phase it
# names, not at a moment that may fall anywhere.
_PAUSED_CLI = """
import importlib, os, sys, time
target, when, naming = sys.argv[1:4]
module, _, attribute = target.partition(":")
owner = importlib.import_module(module)
*parents, name = attribute.split(".")
for parent in parents:
    owner = getattr(owner, parent)
real = getattr(owner, name)  # AttributeError: the pause point moved, and the test must follow it

def pause():
    print("paused at", target, flush=True)
    time.sleep(600)  # the test kills it long before: this only ends one a failed test left behind
    os._exit(70)

def paused(*args, **kwargs):
    if naming not in " ".join(map(str, args)):
        return real(*args, **kwargs)
    if when == "before":
        pause()
    real(*args, **kwargs)
    pause()

setattr(owner, name, paused)
from briefing.cli import main
main(sys.argv[4:])
"""


def paused_briefing(at: str, *args: str, after: bool = False, naming: str = "",
                    env: dict[str, str] | None = None) -> subprocess.Popen:
    """`briefing ARGS` as a process stopped at the first call of ``at`` ("package.module:Class.function")
    whose arguments, as text, contain ``naming``: before the call or, with ``after``, once it has returned.
    Returned once it has stopped there (the test fails if the run ends without reaching it), in a session
    of its own (``os.killpg`` kills it with its workers). Without the caller's BRIEFING_* unless ``env``
    is given. Give the command -q: its stderr is only read once it has ended."""
    env = env if env is not None else {key: value for key, value in os.environ.items()
                                       if not key.startswith("BRIEFING_")}
    process = subprocess.Popen([sys.executable, "-c", _PAUSED_CLI, at, "after" if after else "before", naming, *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("paused at "):
            return process
    process.wait()
    pytest.fail(f"the run ended (exit {process.returncode}) before {at}: {process.stderr.read()}")


def kill(process: subprocess.Popen) -> None:
    """SIGKILL ``process``, wait for it and close its pipes."""
    process.kill()
    process.communicate()


def mp3_chapters(path: Path) -> list[str]:
    frames = sorted(ID3(path).getall("CHAP"), key=lambda frame: frame.start_time)
    return [frame.sub_frames["TIT2"].text[0] for frame in frames]


def daily_episodes(library: Path) -> list:
    from briefing.library.store import Library

    with Library.open(library, create=False) as opened:
        return [episode for episode in opened.episodes() if episode.kind == "daily"]


def assert_feed_valid(library: Path) -> int:
    """The feed parses and every enclosure is on disk with the size the feed states; return the item count."""
    parsed = feedparser.parse((library / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    for entry in parsed.entries:
        for enclosure in entry.enclosures:
            path = library / urlparse(enclosure["href"]).path.lstrip("/")
            assert path.is_file(), f"missing enclosure {path}"
            assert path.stat().st_size == int(enclosure["length"])
    return len(parsed.entries)


def ebur128_summary(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) as ffmpeg's EBU R128 meter measures the file."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
         "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )
    summary = result.stderr.rsplit("Summary:", 1)[1]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


def dead_pid() -> int:
    """The pid of a process that has exited (for telling stale work of dead writers from live ones)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def quiet_between_sections_ms(levels: list[float], sections: list[dict], silence_dbfs: float,
                              window_ms: int) -> list[tuple[str, str, float]]:
    """For each pair of neighbouring sections of a timing file: their kinds and the longest run (ms) below
    ``silence_dbfs`` between the end of one and the start of the next, from ``window_dbfs`` levels."""
    gaps = []
    for previous, following in zip(sections, sections[1:]):
        gap_from = previous["segments"][-1]["end"]
        gap_to = following["segments"][0]["start"]
        quiet = longest_quiet_run_ms(levels, math.ceil(gap_from * 1000 / window_ms),
                                     math.floor(gap_to * 1000 / window_ms), silence_dbfs, window_ms)
        gaps.append((previous["kind"], following["kind"], quiet))
    return gaps


# --- a small real file system, to fill ------------------------------------------------------------

def fill_leaving(folder: Path, free_bytes: int) -> None:
    filler = folder / "filler"
    filler.unlink(missing_ok=True)
    stats = os.statvfs(folder)
    size = stats.f_bavail * stats.f_frsize - free_bytes
    with filler.open("wb") as handle:
        handle.truncate(0)
        handle.write(b"\0" * max(0, size))
