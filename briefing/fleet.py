"""Many channels' daily briefings at once, on Dask distributed: ``briefing fleet DIR``.

A channel is a sub-folder of DIR holding a ``briefing.toml``: a library of its own. Each channel is
one Dask task that runs ``daily.run_daily`` on it (the code path of ``briefing daily``), waiting for
the channel's lock, which holds across machines (``locking``). The unit of work is the channel: with
more channels than worker processes it keeps every core busy, and a task needs nothing but the
installed package and the shared folder (the measurement is in the README's "Scaling out").

A worker killed in the middle of a channel: the scheduler gives the task to another worker, which
breaks the dead holder's lock and runs the day again; the daily briefing's one-episode-per-date
rule makes that, and a channel submitted twice, end with one episode. Tasks of one channel and date
share a Dask key, so two fleets on one cluster make each channel once.

Each worker process keeps its speech engine's process from one channel to the next (a standing
``SpeechPool`` for the voice last used), so the engine starts once a worker, not once a channel.

This module owns finding channels, the cluster and gathering outcomes; making the briefing is
``daily``, the lock ``locking``, uploading to object storage ``objectstore`` (called by ``daily``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.config import CONFIG_NAME
from briefing.errors import BriefingError, UsageError
from briefing.fsutil import temporary_folder
from briefing.pipeline import RenderOptions

if TYPE_CHECKING:
    from distributed import Client

    from briefing.daily import DailyOptions

    from briefing.engines import VoiceSettings
    from briefing.speak import SpeechPool

EXIT_ALL_PUBLISHED = 0
EXIT_NONE_PUBLISHED = 1
EXIT_SOME_FAILED = 3
INSTALL_HINT = "pip install 'briefing[cluster]'"


@dataclass(frozen=True)
class FleetOptions:
    """What every channel's daily briefing is made with (the profile is resolved once, here)."""

    date: dt.date
    render: RenderOptions
    minutes: float | None = None  # None: each channel's [channel] minutes, else daily's default
    update: bool = False
    voice: str | None = None  # the --voice asked (its profile is in render); None: each channel's own voice


@dataclass(frozen=True)
class ChannelOutcome:
    name: str
    published: bool
    summary: str  # one line: the episode made, or why none was
    seconds: float
    worker: str  # host:pid of the process that made it
    failed_sources: int = 0

    def line(self) -> str:
        status = "published" if self.published else "FAILED"
        return f"{self.name}: {status}  {self.summary}  ({self.seconds:.1f} s on {self.worker})"


@dataclass(frozen=True)
class FleetResult:
    outcomes: list[ChannelOutcome]
    seconds: float
    workers: int

    @property
    def published(self) -> int:
        return sum(outcome.published for outcome in self.outcomes)

    @property
    def exit_code(self) -> int:
        if self.published == len(self.outcomes):
            return EXIT_ALL_PUBLISHED
        return EXIT_SOME_FAILED if self.published else EXIT_NONE_PUBLISHED

    def summary(self) -> str:
        failed = len(self.outcomes) - self.published
        channels = f"{len(self.outcomes)} channel" + ("" if len(self.outcomes) == 1 else "s")
        return (f"{channels}: {self.published} published, {failed} failed, "
                f"in {self.seconds:.1f} s on {self.workers} worker(s)")


def find_channels(fleet_dir: Path) -> list[Path]:
    """Every sub-folder of ``fleet_dir`` with a ``briefing.toml``, by name; absolute, for every worker."""
    fleet_dir = Path(fleet_dir).absolute()
    if not fleet_dir.is_dir():
        raise UsageError(f"{fleet_dir}: not a folder")
    channels = sorted(path for path in fleet_dir.iterdir()
                      if not path.name.startswith(".") and (path / CONFIG_NAME).is_file())
    if not channels:
        raise UsageError(f"{fleet_dir}: no channels (sub-folders holding a {CONFIG_NAME})")
    return channels


def make_channel(library_dir: str, options: FleetOptions) -> ChannelOutcome:
    """The Dask task: one channel's daily briefing, published (and uploaded), as one outcome line."""
    from briefing import daily

    started = time.perf_counter()
    library = Path(library_dir)
    skipped: list[str] = []

    def outcome(published: bool, summary: str) -> ChannelOutcome:
        return ChannelOutcome(library.name, published, summary, time.perf_counter() - started,
                              f"{socket.gethostname()}:{os.getpid()}", len(skipped))

    def report(line: str) -> None:
        if line.startswith("Skipped"):
            skipped.append(line)

    _allow_child_processes()
    try:
        daily_options = _daily_options(library, options)
        with _glibc_heap_defaults():
            result = daily.run_daily(library, daily_options, report=report, standing_pool=_standing_pool)
    except BriefingError as error:
        return outcome(False, error.message)
    except Exception as error:  # a bug met by one channel is that channel's line, not the fleet's end
        return outcome(False, f"{type(error).__name__}: {error}")
    summary = result.summary()
    if skipped:
        summary += f"; {len(skipped)} source(s) skipped"
    if result.uploaded is not None:  # run_daily uploaded it; an upload that failed is its error above
        summary += f"; {result.uploaded.uploaded} file(s) uploaded"
    return outcome(True, summary)


def _daily_options(library: Path, options: FleetOptions) -> DailyOptions:
    """The fleet's options, with the channel's own voice and length where the command chose none."""
    from briefing import daily
    from briefing.config import load_config
    from briefing.voices import load_profile

    channel = load_config(library).channel
    render = options.render
    if options.voice is None and channel.voice:
        render = replace(render, profile=load_profile(channel.voice))
    return daily.DailyOptions(date=options.date, render=render,
                              minutes=options.minutes or channel.minutes or daily.DEFAULT_MINUTES,
                              update=options.update, workers=1, wait=True)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_GLIBC_MMAP_THRESHOLD = 128 * 1024  # its default: larger blocks are mapped afresh each time


@contextlib.contextmanager
def _glibc_heap_defaults() -> Iterator[None]:
    """Make a channel as if Dask had not set ``MALLOC_TRIM_THRESHOLD_=65536`` for its workers.

    Dask's nanny sets it so workers hand freed memory back to the system at once. For briefing it meant
    every array larger than 128 KB mapped and zeroed afresh: the engine's process (which inherited it)
    spoke 40% slower, and this worker's part of a channel took 1.46 s of CPU instead of 0.96 s (system
    time 0.21 -> 0.69 s). So the engine's process starts without it, and while the channel is made this
    process lets its heap keep large blocks, as glibc does by itself; afterwards Dask's setting is put
    back and the memory handed back (``malloc_trim``), as it wanted.
    """
    from briefing.speak import glibc

    asked = os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    libc = glibc()
    if asked is None or libc is None:
        yield
        return
    libc.mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)  # glibc's own upper bound for the threshold it adapts
    libc.mallopt(_M_TRIM_THRESHOLD, 64 * 2**20)
    try:
        yield
    finally:
        os.environ["MALLOC_TRIM_THRESHOLD_"] = asked
        libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_MMAP_THRESHOLD)
        if asked.isdigit():
            libc.mallopt(_M_TRIM_THRESHOLD, int(asked))
        libc.malloc_trim(0)


_standing: SpeechPool | None = None  # this worker process's speech workers, kept from channel to channel
_standing_lock = threading.Lock()


def _standing_pool(engine_name: str, settings: VoiceSettings, workers: int | None) -> SpeechPool:
    """This worker process's standing speech workers for the voice asked; another voice replaces them
    (one engine kept at a time, so a worker's memory does not grow with the voices of a fleet)."""
    global _standing
    from briefing.speak import SpeechPool

    with _standing_lock:
        if _standing is None or not _standing.suits(engine_name, settings):
            if _standing is not None:
                _standing.shutdown()
            _standing = SpeechPool(engine_name, settings, workers, standing=True)
        return _standing


def _allow_child_processes() -> None:
    """Let this worker start the speech engine's process, even when Dask's nanny made it daemonic.

    multiprocessing forbids daemonic processes children so that none is orphaned when its parent is
    terminated; the engine's process ends by itself when its pipe to us closes, so that cannot happen.
    """
    multiprocessing.current_process().daemon = False


def task_key(library_dir: Path, options: FleetOptions) -> str:
    """The same channel, date and settings give the same key, so a cluster runs them once at a time."""
    digest = hashlib.sha256(f"{library_dir}\0{options!r}".encode()).hexdigest()[:16]
    return f"briefing-daily-{library_dir.name}-{options.date.isoformat()}-{digest}"


def run_fleet(client: Client, channels: list[Path], options: FleetOptions,
              on_outcome: Callable[[ChannelOutcome], None] = lambda outcome: None) -> FleetResult:
    """Submit every channel, report each outcome as it finishes, and gather them in channel order."""
    from distributed import as_completed

    started = time.perf_counter()
    futures = {client.submit(make_channel, str(path), options, key=task_key(path, options), pure=False): path
               for path in channels}
    outcomes: dict[Path, ChannelOutcome] = {}
    for future in as_completed(futures):
        path = futures.pop(future)
        try:
            outcomes[path] = future.result()
        except Exception as error:  # KilledWorker: the scheduler gave up after several dead workers
            outcomes[path] = ChannelOutcome(path.name, False, f"the cluster could not run it: {error}", 0.0, "-")
        # Once we have it, let the result go: a wanted result lost with a dead worker is made again,
        # and that run would still be going (harmlessly, but holding the lock) after we exit.
        future.release()
        on_outcome(outcomes[path])
    workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
    return FleetResult([outcomes[path] for path in channels], time.perf_counter() - started, workers)


# A cluster started here has no dashboard, so what only feeds one runs rarely or not at all. Dask's
# statistical profiler samples a worker's threads 100 times a second (4% of the CPU time of 12
# channels); the event-loop tick, the memory monitor and the system monitor woke this process 50, 10
# and 2 times a second (2% of a core). Every limit they enforce still holds, a second later at most.
CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}


@contextlib.contextmanager
def cluster_client(scheduler: str | None, workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, else of a LocalCluster of ``workers`` processes here."""
    try:
        import dask.config
        from distributed import Client, LocalCluster
    except ImportError:
        raise BriefingError(f"briefing fleet needs Dask distributed: {INSTALL_HINT}") from None
    if scheduler:
        try:
            client = Client(scheduler)  # waits distributed.comm.timeouts.connect (30 s unless configured)
        except (OSError, TimeoutError, ValueError) as error:
            raise BriefingError(f"{scheduler}: cannot reach the Dask scheduler ({error})") from None
        with client:
            yield client
        return
    # One thread per process: synthesis and encoding are CPU-bound, and the GIL would serialise threads.
    settings: dict[str, Any] = dict(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                    dashboard_address=None, silence_logs=logging.ERROR)
    # Its scratch space (and lock files) would stay in $TMPDIR: ours is deleted after the run.
    with temporary_folder("fleet") as scratch, dask.config.set({"temporary-directory": str(scratch),
                                                                **CLUSTER_CONFIG}):
        with warnings.catch_warnings():
            # Its health and metrics server (on 127.0.0.1) takes another port when another cluster has 8787.
            warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
            cluster = LocalCluster(**settings)
        with cluster, Client(cluster) as client:
            yield client
