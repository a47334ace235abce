"""Nothing left behind: the system's temporary directory and the user's home after a run, work
folders and library temporaries of runs killed with SIGKILL (removed when the next run starts), and
a DNS lookup that never answers (the run still ends on time and cannot pile up threads).

Real runs of the CLI as processes with their own TMPDIR and HOME; the hanging resolver is the
operating system's ``getaddrinfo`` replaced by a sleeping function, the one thing simulated.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpcore
import pytest
from helpers import (
    assert_feed_valid,
    briefing_command,
    cli_env,
    dead_pid,
    paused_briefing,
    requires_espeak,
    requires_ffmpeg,
    write_article,
)

from briefing.system import fsutil
from briefing.readers import netguard

ARTICLE = ("Council approves tram extension\n\n"
           "Councillors voted on Tuesday to approve the tram extension, which will cost four million pounds.\n\n"
           "Residents at a public meeting were divided about the timing of the work.\n")


def library_temporaries(library: Path) -> list[str]:
    """Our writers' temporary files in the library (the lock module's private files aside)."""
    return [path.name for folder in (library, library / "episodes") if folder.is_dir() for path in folder.iterdir()
            if path.name.endswith(".tmp") and not path.name.startswith(".briefing.lock")]


def isolated_env(tmp_path: Path, library: Path) -> tuple[dict[str, str], Path, Path]:
    """An environment whose TMPDIR and HOME are empty folders of their own, outside a login session
    (no runtime folder: as under cron)."""
    scratch, home = tmp_path / "tmpdir", tmp_path / "home"
    scratch.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    env = cli_env(library, TMPDIR=str(scratch), HOME=str(home))
    for session in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH"):
        env.pop(session, None)
    return env, scratch, home


def everything_in(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


# ---- the default engine leaves nothing in $TMPDIR or $HOME --------------------------------------

@requires_espeak
@requires_ffmpeg
@pytest.mark.parametrize("voice", [None, "classic", "british"])
def test_make_leaves_nothing_in_tmpdir_or_home(tmp_path, voice):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    library = tmp_path / "lib"
    env, scratch, home = isolated_env(tmp_path, library)
    done = subprocess.run([*briefing_command(), "make", str(article), "-q", *(["--voice", voice] if voice else [])],
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert_feed_valid(library)
    # The default voice (onnxruntime's telemetry) wrote $TMPDIR/.ses and ~/.cache/Microsoft/...;
    # classic and british (libpulse under espeak-ng) $TMPDIR/pulse-*/ and a link to it in ~/.config/pulse.
    assert everything_in(scratch) == []
    assert everything_in(home) == []


@requires_espeak
@requires_ffmpeg
def test_fleet_leaves_nothing_in_tmpdir_or_home(tmp_path):
    pytest.importorskip("distributed")
    channel = tmp_path / "fleet" / "town"
    (channel / "inbox").mkdir(parents=True)
    (channel / "briefing.toml").write_text('[sources]\ninbox = "inbox"\n')
    write_article(channel / "inbox", 1)
    env, scratch, home = isolated_env(tmp_path, channel)
    done = subprocess.run([*briefing_command(), "fleet", str(tmp_path / "fleet"), "--workers", "1", "--voice",
                           "classic", "-q"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert_feed_valid(channel)
    assert everything_in(scratch) == []  # Dask kept its dask-scratch-space/ with two lock files there
    assert everything_in(home) == []


# ---- work folders of killed runs -----------------------------------------------------------------

def test_only_work_folders_of_processes_that_are_gone_are_removed(tmp_path, live_pid):
    host = fsutil.host_tag()
    folders = {
        "dead": f"briefing-render.{dead_pid()}-{host}.abcd1234",
        "live": f"briefing-engine.{live_pid}-{host}.abcd1234",
        "mine": f"briefing-render.{os.getpid()}-{host}.abcd1234",
        "other host, fresh": f"briefing-render.{dead_pid()}-00000000.abcd1234",
        "other host, old": f"briefing-render.{dead_pid()}-00000000.efgh5678",
        "untagged, fresh": "briefing-k3j4h5g6",
        "untagged, old": "briefing-pyttsx3-q1w2e3r4",
        "not ours, old": "briefing-notes",
    }
    for name in folders.values():
        (tmp_path / name / "deep").mkdir(parents=True)
        (tmp_path / name / "deep" / "clip.wav").write_bytes(b"RIFF")
    for key in ("other host, old", "untagged, old", "not ours, old"):
        os.utime(tmp_path / folders[key], (1_000_000, 1_000_000))
    target = tmp_path / "kept"
    target.mkdir()
    (tmp_path / f"briefing-render.{dead_pid()}-{host}.link1234").symlink_to(target)  # never followed
    removed = {path.name for path in fsutil.remove_stale_temporary_folders(tmp_path)}
    assert removed == {folders["dead"], folders["other host, old"], folders["untagged, old"]}
    assert {path.name for path in tmp_path.iterdir()} >= {folders[key] for key in
                                                          ("live", "mine", "other host, fresh", "untagged, fresh",
                                                           "not ours, old")}
    assert target.is_dir()


def test_a_work_folder_is_named_for_its_process_and_deleted_after_use(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with pytest.raises(RuntimeError):
        with fsutil.temporary_folder("render") as work:
            assert work.parent == tmp_path
            assert work.name.startswith(f"briefing-render.{os.getpid()}-{fsutil.host_tag()}.")
            (work / "episode.mp3").write_bytes(b"ID3")
            raise RuntimeError("failed")
    assert list(tmp_path.iterdir()) == []


def killed_while_working(args: list[str], env: dict[str, str], scratch: Path) -> list[str]:
    """Run `briefing ARGS` until its speech worker has spoken a first clip (its work folders are in
    ``scratch``), then SIGKILL all of it; return what it left in ``scratch``."""
    process = paused_briefing("briefing.audio.cache:RenderCache.put", *args, after=True, env=env)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    return everything_in(scratch)


@requires_espeak
@requires_ffmpeg
@pytest.mark.slow
@pytest.mark.parametrize("command_name", ["make", "daily"])
def test_what_a_killed_run_left_is_removed_when_the_next_run_starts(tmp_path, command_name):
    library = tmp_path / "lib"
    env, scratch, _ = isolated_env(tmp_path, library)
    inbox = library / "inbox"
    inbox.mkdir(parents=True)
    (library / "briefing.toml").write_text('[sources]\ninbox = "inbox"\n')
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    if command_name == "make":
        args = ["make", str(article), "--voice", "classic", "-q"]
    else:
        for number in range(2):
            write_article(inbox, number)
        args = ["daily", "--library", str(library), "--voice", "classic", "-q", "--date", "2026-11-02"]
    left = killed_while_working(args, env, scratch)
    assert left, "the kill left no work folder: nothing was tested"
    assert all(name.startswith("briefing-") for name in left), left
    # A library temporary of a writer that is gone, as a kill during publishing leaves one.
    (library / "episodes").mkdir(exist_ok=True)
    stale = library / "episodes" / f".x.mp3.{dead_pid()}-{fsutil.host_tag()}.abcd1234.tmp"
    stale.write_bytes(b"half")

    done = subprocess.run([*briefing_command(), *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert everything_in(scratch) == []
    assert library_temporaries(library) == []
    assert_feed_valid(library)
    print(f"\n{command_name} killed with SIGKILL left {len(left)} entries in $TMPDIR "
          f"({', '.join(name for name in left if '/' not in name)}); the next run left none")


@requires_ffmpeg
def test_a_run_that_fails_early_still_removes_what_killed_runs_left(tmp_path):
    library = tmp_path / "lib"
    env, scratch, _ = isolated_env(tmp_path, library)
    (library / "episodes").mkdir(parents=True)
    (library / "briefing.toml").write_text('[sources]\ninbox = "inbox"\n')
    (library / "inbox").mkdir()
    work = scratch / f"briefing-render.{dead_pid()}-{fsutil.host_tag()}.abcd1234"
    work.mkdir()
    (work / "episode.mp3").write_bytes(b"ID3" * 1000)

    def plant() -> list[Path]:
        files = [library / f".feed.xml.{dead_pid()}-{fsutil.host_tag()}.abcd1234.tmp",
                 library / "episodes" / f".x.mp3.{dead_pid()}-{fsutil.host_tag()}.abcd1234.tmp"]
        for path in files:
            path.write_bytes(b"half")
        return files

    planted = plant()
    empty = tmp_path / "empty.txt"
    empty.write_text("...\n")
    made = subprocess.run([*briefing_command(), "make", str(empty), "-q"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert made.returncode == 1 and "no article text" in made.stderr, made.stderr
    assert not any(path.exists() for path in planted) and not work.exists()

    planted = plant()
    quiet_day = subprocess.run([*briefing_command(), "daily", "--library", str(library), "-q"], env=env,
                               capture_output=True, text=True, timeout=60)
    assert quiet_day.returncode == 0 and quiet_day.stdout == "", quiet_day.stderr  # nothing new: a quiet day
    assert not any(path.exists() for path in planted)


# ---- a resolver that never answers -----------------------------------------------------------------

def test_lookups_that_never_answer_are_abandoned_at_the_deadline_and_bounded(monkeypatch):
    answer = threading.Event()

    def hanging(host, *args, **kwargs):
        answer.wait(30)
        raise OSError("no answer")

    monkeypatch.setattr("socket.getaddrinfo", hanging)
    try:
        started = time.monotonic()
        for number in range(3 * netguard.MAX_PENDING_LOOKUPS):
            with pytest.raises(httpcore.ConnectTimeout):
                netguard.resolve(f"host{number}.example", 80, 0.05)
        elapsed = time.monotonic() - started
        pending = [thread for thread in threading.enumerate() if thread.name.startswith("resolve ")]
        assert len(pending) <= netguard.MAX_PENDING_LOOKUPS
        assert all(thread.daemon for thread in pending)  # the process does not wait for them at exit
        assert elapsed < 3 * netguard.MAX_PENDING_LOOKUPS * 0.05 + 1.0
    finally:
        answer.set()
    for thread in pending:
        thread.join(5)
    # Once the resolver answers again, lookups work again.
    monkeypatch.undo()
    assert netguard.resolve("localhost", 80, 5.0)


HANGING_RESOLVER = """
import socket, sys, time
socket.getaddrinfo = lambda *args, **kwargs: time.sleep(600)
from briefing.cli import main
main(sys.argv[1:])
"""


def test_a_daily_run_whose_resolver_hangs_ends_at_its_deadlines(tmp_path):
    library = tmp_path / "lib"
    library.mkdir()
    (library / "briefing.toml").write_text(
        '[sources]\nfeeds = ["http://news.example/feed.xml", "http://other.example/rss"]\n'
        'urls = ["http://third.example/story"]\ntimeout_s = 1\ntotal_timeout_s = 2.5\n')
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", HANGING_RESOLVER, "daily", "--library", str(library), "-q"],
                          env=cli_env(library), capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    # Its own timeout_s or, on a machine slow enough to use up the total first, total_timeout_s.
    assert "news.example" in done.stderr and ("timed out" in done.stderr or "total_timeout_s" in done.stderr)
    # The resolver would hang for 600 s: ending within 40 s (start-up and the engine's loading
    # included, on a busy machine too) shows the deadlines, not the resolver, ended the run.
    assert elapsed < 40, f"took {elapsed:.1f} s with sources bounded to 2.5 s"
    print(f"\ndaily with a resolver that never answers: exit {done.returncode} after {elapsed:.1f} s")


@requires_espeak
@requires_ffmpeg
@pytest.mark.slow
@pytest.mark.parametrize("command_name", ["make", "daily"])
def test_speech_workers_end_when_their_parent_is_killed(tmp_path, command_name):
    """Only the parent is killed (as the OOM killer or a kill -9 of one pid does): its speech workers,
    forked or spawned, must find it gone and end, not wait forever holding an engine's memory."""
    import psutil

    library = tmp_path / "lib"
    env, scratch, _ = isolated_env(tmp_path, library)
    (library / "inbox").mkdir(parents=True)
    (library / "briefing.toml").write_text('[sources]\ninbox = "inbox"\n')
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE + "".join(f"\nThe council met for the {n}th time this year about it.\n"
                                         for n in range(4, 120)))
    for number in range(6):
        write_article(library / "inbox", number)
    command = {"make": [*briefing_command(), "make", str(article), "--voice", "classic", "-q"],
               "daily": [*briefing_command(), "daily", "--library", str(library), "-q", "--date", "2026-11-02"]}
    process = subprocess.Popen(command[command_name], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # A worker's folder is made just before the worker starts: the parent is killed as soon as a
        # worker runs (espeak may speak the whole script in well under a second).
        deadline = time.monotonic() + 120
        workers: list = []
        while not workers:
            assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
            if any(path.name.startswith("briefing-engine.") for path in scratch.iterdir()):
                workers = psutil.Process(process.pid).children(recursive=True)
            else:
                time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert workers
    _, alive = psutil.wait_procs(workers, timeout=60)  # "never forever": a loaded machine may take a while
    for straggler in alive:
        straggler.kill()
    assert not alive, f"{len(alive)} of {len(workers)} workers outlived their parent"
