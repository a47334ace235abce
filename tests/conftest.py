"""The fixtures every test may ask for: the example article, real renders of it (each made once per test
run, however many workers), a short MP3 made by ffmpeg, a live and a dead process, a small real file
system; and, for every test, a working folder outside the repository and no BRIEFING_* settings of the
caller. Plain helpers are in helpers.py.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import EXAMPLE, EXAMPLE_MAX_WORDS, SILENT_MP3_SECONDS, Published, Render, run_cli

from briefing.library.sidefiles import side_path

SESSION_FOLDER = Path(tempfile.mkdtemp(prefix="briefing-test-session-"))
# The working folder of every test: `./output`, briefing's default library, lies under it, never in the repository.
SESSION_CWD = SESSION_FOLDER / "cwd"
# The cache folder of the whole run, made by the first pytest process (xdist's controller) and inherited
# by its workers: hibari's tables and optimized model are built once per run, not once per worker (the
# product builds them for racing processes safely). Not BRIEFING_*: those are removed.
SHARED_CACHE = "_BRIEFING_TESTS_CACHE_HOME"
_made_the_cache = False


def pytest_configure(config) -> None:
    """Keep what briefing caches for the user (hibari's shared pronunciation tables, its optimized
    model) out of their ~/.cache, the caller's BRIEFING_* settings out of every test, and the default
    library (./output) out of the repository: each test process works in a session folder deleted at
    the end (it moves there once the tests are collected: see ``nothing_is_written_into_the_default_library``)."""
    global _made_the_cache
    if SHARED_CACHE not in os.environ:
        os.environ[SHARED_CACHE] = tempfile.mkdtemp(prefix="briefing-test-cache-")
        _made_the_cache = True
    os.environ["XDG_CACHE_HOME"] = os.environ[SHARED_CACHE]
    for name in [name for name in os.environ if name.startswith("BRIEFING_")]:
        del os.environ[name]
    SESSION_CWD.mkdir(parents=True, exist_ok=True)


def pytest_unconfigure(config) -> None:
    os.environ.pop("XDG_CACHE_HOME", None)
    if _made_the_cache:
        shutil.rmtree(os.environ.pop(SHARED_CACHE), ignore_errors=True)
    shutil.rmtree(SESSION_FOLDER, ignore_errors=True)


def _once_per_run(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``name`` of the whole test run, filled by ``build`` once and read by every xdist worker
    (each worker is a process with session fixtures of its own: without this, each made it again)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the others wait; released when the file closes, or its process ends
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed attempt left
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def silent_mp3(tmp_path_factory) -> Path:
    """A ``SILENT_MP3_SECONDS`` 440 Hz tone as a 64 kbit/s MP3 titled "Cycle lanes"; copy it before changing it."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("needs ffmpeg")
    path = tmp_path_factory.mktemp("audio") / "tone.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi",
         "-i", f"sine=frequency=440:duration={SILENT_MP3_SECONDS:g}", "-ac", "1", "-ar", "44100", "-b:a", "64k",
         "-metadata", "title=Cycle lanes", str(path)],
        check=True,
    )
    return path


@pytest.fixture
def mp3(silent_mp3: Path, tmp_path: Path) -> Path:
    """A fresh copy of ``silent_mp3`` for a test to change."""
    copy = tmp_path / "episode.mp3"
    shutil.copy(silent_mp3, copy)
    return copy


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


@pytest.fixture(scope="session")
def rendered_example(example_article: Path, tmp_path_factory) -> Render:
    """`briefing make --no-publish` on the example, run once per test run."""
    if shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None:
        pytest.skip("rendering needs ffmpeg and espeak-ng")
    budget = ["--max-words", str(EXAMPLE_MAX_WORDS)]

    def render(folder: Path) -> None:
        (folder / "home").mkdir()
        (folder / "out").mkdir()
        made = run_cli(["make", example_article, "--no-publish", "-o", folder / "out" / "kharkiv.mp3", *budget],
                       home=folder / "home")
        assert made.returncode == 0, made.stderr
        scripted = run_cli(["script", example_article, "--json", *budget], home=folder / "home")
        assert scripted.returncode == 0, scripted.stderr
        (folder / "made.json").write_text(json.dumps({"stdout": made.stdout, "stderr": made.stderr,
                                                      "script": json.loads(scripted.stdout)}), encoding="utf-8")

    folder = _once_per_run(tmp_path_factory, "rendered-example", render)
    made = json.loads((folder / "made.json").read_text(encoding="utf-8"))
    mp3 = folder / "out" / "kharkiv.mp3"
    timing = json.loads(mp3.with_name(mp3.name + ".json").read_text(encoding="utf-8"))
    return Render(mp3, mp3.parent, made["stdout"], made["stderr"], timing, made["script"])


@pytest.fixture(scope="session")
def published_m4a(example_article: Path, tmp_path_factory) -> Published:
    """The example made and published with the classic voice into a library whose channel asks for
    M4A, once per test run."""
    if shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None:
        pytest.skip("rendering needs ffmpeg and espeak-ng")

    def publish(library: Path) -> None:
        (library / "briefing.toml").write_text('[channel]\ntitle = "Briefing"\naudio = "m4a"\n', encoding="utf-8")
        made = run_cli(["make", example_article, "--voice", "classic", "--max-words", str(EXAMPLE_MAX_WORDS),
                        "--library", library, "-q"], home=library)
        assert made.returncode == 0, made.stderr

    library = _once_per_run(tmp_path_factory, "m4a-library", publish)
    [audio] = sorted((library / "episodes").glob("*.m4a"))
    timing = json.loads(side_path(audio, "timing").read_text(encoding="utf-8"))
    return Published(library, audio, timing)


# --- decoding audio ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def nothing_is_written_into_the_default_library():
    """Tests write only into their own temporary folders: a command run without ``--library`` (or with
    no BRIEFING_HOME of the test's) would write into the default library, ./output of the session's
    working folder, which must stay as it was."""
    default_library = SESSION_CWD / "output"

    def listing() -> list[str]:
        return sorted(str(p.relative_to(default_library)) for p in default_library.rglob("*"))

    started_in = Path.cwd()
    os.chdir(SESSION_CWD)
    before = listing()
    yield
    os.chdir(started_in)
    assert listing() == before, f"a test wrote into the default library {default_library}"


@pytest.fixture
def live_pid():
    """The pid of a process that runs for the whole test (a writer that is still at work)."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"],
                               stdout=subprocess.PIPE, text=True)
    assert sleeper.stdout is not None and sleeper.stdout.readline() == "up\n"
    yield sleeper.pid
    sleeper.kill()
    sleeper.communicate()


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs (we are root in CI); skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)




@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's library and feed address never leak into a test (others BRIEFING_* are removed at
    the start of the session)."""
    for name in ("BRIEFING_HOME", "BRIEFING_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
