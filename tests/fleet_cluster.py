"""A real Dask cluster on 127.0.0.1 for the fleet's tests, whose workers can be stopped at a stage.

``Cluster``: a `dask scheduler` and `dask worker` processes (loopback only, no nanny, scratch space in
the test's folder), configured as the fleet configures the cluster it starts itself (``CLUSTER_CONFIG``:
no profiler, slower ticks), so that their time goes to briefing, not to feeds for a dashboard.

A worker started with ``stop_at=STAGE`` loads this file as its Dask preload (``dask_setup``): the first
channel it makes halts at that stage for good, after writing a note naming the channel and the
worker's pid. A test waits for the note (a readiness signal, not a guessed moment) and kills the
worker there. The stages are the moments a channel's run leaves a different state behind:

- ``speaking``: its lock held, its script made, its speech about to start; nothing in the library yet;
- ``placing``: its audio and side files placed in ``episodes/``, the episode not recorded;
- ``recorded``: the episode recorded in the database, the feed not yet naming it;
- ``reporting``: published (the feed names it) and its lock given back, the outcome not yet returned
  to the scheduler, which runs the channel again (the day's episode is then replaced).

Where in its speech or its encoding a kill falls leaves the same state (a lock and a work folder of a
dead process), so these four are the moments worth a kill each.

This module is imported by the workers too: it needs only the standard library and briefing.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STOP_AT = "FLEET_TEST_STOP_AT"  # the stage, in a worker's environment
STOP_NOTES = "FLEET_TEST_STOP_NOTES"  # the folder where it writes ``STAGE.json`` when there
STAGES = ("speaking", "placing", "recorded", "reporting")


def dask_environment() -> dict[str, str]:
    """The fleet's own cluster settings as Dask's environment variables, for `dask` processes."""
    from briefing.daily.fleet import CLUSTER_CONFIG

    return {"DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value)
            for key, value in CLUSTER_CONFIG.items()}


class Cluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1; workers can be killed and replaced."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.scratch = folder / "scratch"  # the workers' Dask scratch space and TMPDIR
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.env = {**env, **dask_environment(), "TMPDIR": str(self.scratch)}
        self.workers: list[subprocess.Popen] = []
        scheduler_file = folder / "scheduler.json"
        self.scheduler = self.start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                     "--scheduler-file", str(scheduler_file)], "scheduler")
        self.address = self._address_in(scheduler_file)
        assert self.address.startswith("tcp://127.0.0.1:")

    def _address_in(self, scheduler_file: Path) -> str:
        """The scheduler's address, once it listens and has written its file (not in one step: the
        file can be there and empty)."""
        deadline = time.monotonic() + 60
        while True:
            try:
                return json.loads(scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                assert time.monotonic() < deadline and self.scheduler.poll() is None, "the scheduler did not start"
                time.sleep(0.05)

    def add_worker(self, stop_at: str | None = None, wrap: Callable[[list[str]], list[str]] = list) -> subprocess.Popen:
        """A worker of one thread; with ``stop_at``, one whose first channel halts at that stage.

        No nanny: the killed process is the one running the channel, and nothing restarts it for us.
        ``wrap`` turns the command into another (a worker in a namespace of its own).
        """
        arguments = ["worker", self.address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
                     "--no-dashboard", "--local-directory", str(self.scratch)]
        env = self.env
        if stop_at is not None:
            module, name, _ = _stage_target(stop_at)
            assert hasattr(module, name), f"stage {stop_at}: {module.__name__}.{name} is gone; where does it halt now?"
            arguments += ["--preload", str(Path(__file__).resolve())]
            env = {**env, STOP_AT: stop_at, STOP_NOTES: str(self.stop_notes)}
        worker = self.start(arguments, f"worker-{len(self.workers)}", env, wrap)
        self.workers.append(worker)
        return worker

    @property
    def stop_notes(self) -> Path:
        return self.folder / "stops"

    def stopped_at(self, stage: str) -> dict[str, Any] | None:
        """The note of the worker halted at ``stage`` (its pid and channel), once it is there."""
        try:
            return json.loads((self.stop_notes / f"{stage}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(count, timeout=60)

    def live_workers(self) -> list[subprocess.Popen]:
        return [worker for worker in self.workers if worker.poll() is None]

    def start(self, arguments: list[str], log_name: str, env: dict[str, str] | None = None,
              wrap: Callable[[list[str]], list[str]] = list) -> subprocess.Popen:
        dask = Path(sys.executable).parent / "dask"
        with (self.folder / f"{log_name}.log").open("wb") as log:
            return subprocess.Popen(wrap([str(dask), *arguments]), stdout=log, stderr=subprocess.STDOUT,
                                    env=env or self.env, cwd=self.folder)

    def close(self) -> None:
        # The workers first: one told to stop as its scheduler goes can spin, retrying its heartbeat.
        for group in (self.workers, [self.scheduler]):
            for process in group:
                if process.poll() is None:
                    process.terminate()
            for process in group:
                try:
                    process.wait(timeout=5)  # a throwaway cluster: what has not closed by then is killed
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def fleet_here(args: list, home: Path) -> subprocess.CompletedProcess:
    """`briefing fleet ARGS` in this process, as ``helpers.run_cli`` runs it as one (exit code, stdout,
    stderr; BRIEFING_HOME=``home``): sending channels to a running cluster, a run here
    spares a process importing Dask and briefing again, which costs more than the channels it sends."""
    from click.testing import CliRunner

    from briefing.cli import main

    arguments = ["fleet", *map(str, args)]
    result = CliRunner().invoke(main, arguments, env={"BRIEFING_HOME": str(home)})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(arguments, result.exit_code, result.stdout, result.stderr)


# ---- in a worker started with stop_at: the Dask preload ------------------------------------------

def dask_setup(worker: Any) -> None:
    stage = os.environ[STOP_AT]
    notes = Path(os.environ[STOP_NOTES])
    stopped = threading.Lock()

    def halt() -> None:
        if not stopped.acquire(blocking=False):
            return  # this worker halts once; a second channel it makes goes on
        notes.mkdir(parents=True, exist_ok=True)
        note = {"pid": os.getpid(), "channel": threading.current_thread().name.removeprefix("briefing-channel-")}
        temporary = notes / f".{stage}.json.part"
        temporary.write_text(json.dumps(note), encoding="utf-8")
        temporary.rename(notes / f"{stage}.json")
        threading.Event().wait()  # until the test kills this process

    module, name, after = _stage_target(stage)
    original = getattr(module, name)

    @functools.wraps(original)
    def halting(*args: Any, **kwargs: Any) -> Any:
        if not after:
            halt()
        result = original(*args, **kwargs)
        if after:
            halt()
        return result

    setattr(module, name, halting)


def _stage_target(stage: str) -> tuple[Any, str, bool]:
    """The module attribute a stage halts at (each is looked up when called), and whether it halts
    after that returns rather than before it is called."""
    from briefing.audio import speak
    from briefing.daily import fleet
    from briefing.library import publish

    return {"speaking": (speak, "speak_all", False),  # called by pipeline.render for the script's segments
            "placing": (publish, "publish", False),  # called by pipeline.publish_rendered once the files are placed
            "recorded": (publish, "regenerate", False),  # called by publish.publish once the episode is recorded
            "reporting": (fleet, "_make_channel_here", True)}[stage]
