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

The report tells what happened even when the cluster cannot: a worker first proves it sees the
channel's folder (else another worker gets it), a channel past its deadline is stopped with its lock
revoked (nothing more it does is recorded), and a channel whose outcome was lost with the scheduler
is submitted again if the client reconnects, else read from its own database and feed. While a
channel's sources are fetched its task leaves its worker's slot to another channel (``_WorkerSlot``).

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
import queue
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.channel import Channel
from briefing.config import CONFIG_NAME, MAX_CONFIG_BYTES
from briefing.library.store import DB_NAME
from briefing.errors import EXIT_PARTLY_DONE, BriefingError, UsageError
from briefing.system.fsutil import temporary_folder
from briefing.pipeline import RenderOptions

if TYPE_CHECKING:
    from distributed import Client

    from briefing.daily.run import DailyOptions

    from briefing.audio.engines import VoiceSettings
    from briefing.audio.speak import SpeechPool

EXIT_ALL_PUBLISHED = 0
EXIT_NONE_PUBLISHED = 1
INSTALL_HINT = "pip install 'briefing[cluster]'"
CHANNEL_TIMEOUT_S = 600.0  # a channel not made by then is stopped (nothing more it does is recorded)
LOCK_REPORT_GRACE_S = 2.0
RUN_DEADLINE_S = 6 * 3600.0  # the whole run's default: channels not made by then are reported as such

PUBLISHED, QUIET, FAILED, UNSEEN = "published", "quiet", "FAILED", "unseen"


@dataclass(frozen=True)
class FleetOptions:
    """What every channel's daily briefing is made with (the profile is resolved once, here)."""

    date: dt.date
    render: RenderOptions
    minutes: float | None = None  # None: each channel's [channel] minutes, else daily's default
    update: bool = False
    voice: str | None = None  # the --voice asked (its profile is in render); None: each channel's own voice
    channel_timeout: float = CHANNEL_TIMEOUT_S


@dataclass(frozen=True)
class ChannelOutcome:
    name: str
    status: str  # PUBLISHED, QUIET (nothing new: not a failure), FAILED; UNSEEN only between worker and client
    summary: str  # one line: the episode made, or why none was
    seconds: float
    worker: str  # host:pid of the process that made it
    failed_sources: tuple[str, ...] = ()  # "source: why", one for each source that could not be read
    address: str = ""  # the Dask worker's address, to send the channel elsewhere when it cannot see it
    known: bool = True  # False: lost with the scheduler and not found published (it may be, later)

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED

    def line(self) -> str:
        failed = f"; sources failed: {'; '.join(self.failed_sources)}" if self.failed_sources else ""
        return f"{self.name}: {self.status}  {self.summary}{failed}  ({self.seconds:.1f} s on {self.worker})"

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.name, "outcome": self.status.lower(), "seconds": round(self.seconds, 3),
                "worker": self.worker, "sources_failed": list(self.failed_sources), "summary": self.summary}


@dataclass(frozen=True)
class FleetResult:
    outcomes: list[ChannelOutcome]
    seconds: float
    workers: int

    @property
    def published(self) -> int:
        return sum(outcome.published for outcome in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(outcome.status == FAILED for outcome in self.outcomes)

    @property
    def exit_code(self) -> int:
        if not self.failed and not any(outcome.failed_sources for outcome in self.outcomes):
            return EXIT_ALL_PUBLISHED  # every channel published, or quiet (nothing new today)
        if self.published or not all(outcome.known for outcome in self.outcomes):
            return EXIT_PARTLY_DONE  # "none published" only when the failures are known
        return EXIT_NONE_PUBLISHED

    def summary(self) -> str:
        quiet = len(self.outcomes) - self.published - self.failed
        channels = f"{len(self.outcomes)} channel" + ("" if len(self.outcomes) == 1 else "s")
        return (f"{channels}: {self.published} published, {quiet} quiet, {self.failed} failed, "
                f"in {self.seconds:.1f} s on {self.workers} worker(s)")

    def to_json(self, date: dt.date) -> dict[str, Any]:
        return {"date": date.isoformat(), "seconds": round(self.seconds, 3), "workers": self.workers,
                "published": self.published, "quiet": len(self.outcomes) - self.published - self.failed,
                "failed": self.failed, "exit_code": self.exit_code,
                "channels": [outcome.to_json() for outcome in self.outcomes]}


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


@dataclass(frozen=True)
class ChannelView:
    """What the client sees of a channel, for a worker to prove it sees the same folder."""

    path: str
    config_digest: str  # sha256 of its briefing.toml
    has_database: bool

    @classmethod
    def of(cls, path: Path) -> ChannelView:
        return cls(str(path), _digest_of(path / CONFIG_NAME), (path / DB_NAME).is_file())

    def seen_here(self) -> bool:
        """This process sees the channel: its settings, byte for byte, and its database if it has one."""
        path = Path(self.path)
        return _digest_of(path / CONFIG_NAME) == self.config_digest and (path / DB_NAME).is_file() >= self.has_database


def _digest_of(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return hashlib.sha256(handle.read(MAX_CONFIG_BYTES)).hexdigest()
    except OSError:
        return ""



def make_channel(library_dir: str | ChannelView, options: FleetOptions) -> ChannelOutcome:
    """The Dask task: one channel's daily briefing, published (and uploaded), as one outcome line.

    Given a ``ChannelView``, the worker first proves it sees that channel (else UNSEEN, and nothing is
    created here). The channel is made in a thread of its own: past ``options.channel_timeout`` the
    lock it holds is revoked in this process, so nothing more it does is recorded, and the outcome is
    read from the channel.
    """
    started = time.perf_counter()
    view = library_dir if isinstance(library_dir, ChannelView) else None
    library = Path(view.path if view else str(library_dir))
    worker, address = _this_worker()
    if view is not None and not view.seen_here():
        return ChannelOutcome(library.name, UNSEEN, f"worker {worker} cannot see {library}", 0.0, worker,
                              address=address)
    with _cluster_lock(library, options.channel_timeout) as turn:
        if not turn:
            return ChannelOutcome(library.name, FAILED, f"another task of this cluster made it for over "
                                  f"{options.channel_timeout:g} s", time.perf_counter() - started, worker)
        box: list[ChannelOutcome] = []
        slot = _WorkerSlot()

        def make_here() -> None:
            try:
                box.append(_make_channel_here(library, options, started, slot))
            finally:
                slot.finished()

        run = threading.Thread(target=make_here, name=f"briefing-channel-{library.name}", daemon=True)
        run.start()
        # The grace lets a run that waited the whole timeout for the lock say so itself.
        slot.serve_until(run, started + options.channel_timeout + LOCK_REPORT_GRACE_S)
        if box:
            return box[0]
    from briefing.library.locking import revoke

    revoke(library)
    _drop_standing_pool()  # the stopped run may be stuck in it; the next channel starts afresh
    done = published_outcome(library, options.date, time.time() - (time.perf_counter() - started))
    return done or ChannelOutcome(library.name, FAILED, f"stopped at its {options.channel_timeout:g} s deadline, "
                                  "nothing published", time.perf_counter() - started, worker)


class _WorkerSlot:
    """While a channel's sources are fetched, its task gives its Dask worker's thread slot to another
    task (``secede``) and takes one again before synthesis (``rejoin``): slow sources cost wall time,
    not a synthesis worker. Dask allows that only from the task's own thread, so the channel's thread
    asks it (``fetch_stage``) and the task's thread does it (``serve_until``)."""

    def __init__(self) -> None:
        self._asks: queue.Queue[tuple[str, threading.Event]] = queue.Queue()

    @contextlib.contextmanager
    def fetch_stage(self) -> Iterator[None]:
        self._ask("secede")
        try:
            yield
        finally:
            self._ask("rejoin")

    def _ask(self, what: str) -> None:
        done = threading.Event()
        self._asks.put((what, done))
        done.wait()

    def finished(self) -> None:
        """The channel's thread ends: the task's thread stops serving now, not at its next poll (which
        held the worker's slot for up to ``POLL_S`` after every channel)."""
        self._asks.put(("finished", threading.Event()))

    def serve_until(self, run: threading.Thread, deadline: float) -> None:
        """Do what the channel's thread asks until it ends or ``deadline`` (perf_counter) passes; the
        time spent waiting for a slot again (other channels synthesising) does not count against it."""
        try:
            from distributed import rejoin, secede
            from distributed.worker import thread_state
        except ImportError:
            secede = rejoin = None  # type: ignore[assignment]
        in_task = secede is not None and getattr(thread_state, "key", None) is not None
        seceded = False
        while run.is_alive() and time.perf_counter() < deadline:
            try:
                what, done = self._asks.get(timeout=min(POLL_S, max(0.0, deadline - time.perf_counter())))
            except queue.Empty:
                continue
            if what == "finished":
                break
            if what == "secede" and in_task and _fetching_apart.acquire(blocking=False):
                secede()
                seceded = True
            elif what == "rejoin" and seceded:
                waiting = time.perf_counter()
                rejoin()
                _fetching_apart.release()
                seceded = False
                deadline += time.perf_counter() - waiting
            done.set()
        run.join(max(0.0, deadline - time.perf_counter()))
        if seceded:
            _fetching_apart.release()


# Channels of one worker process fetching apart from its slots (or waiting for one again) at most:
# each holds its articles and its library open, so their number stays bounded however long the queue.
FETCHING_APART = 4
_fetching_apart = threading.BoundedSemaphore(FETCHING_APART)


def _make_channel_here(library: Path, options: FleetOptions, started: float,
                       slot: _WorkerSlot) -> ChannelOutcome:
    from briefing.daily import run as daily
    from briefing.errors import NothingToBrief

    skipped: list[str] = []
    worker, _ = _this_worker()

    def outcome(status: str, summary: str) -> ChannelOutcome:
        return ChannelOutcome(library.name, status, summary, time.perf_counter() - started, worker, tuple(skipped))

    def report(line: str) -> None:
        if line.startswith("Skipped: "):
            skipped.append(line.removeprefix("Skipped: "))

    _allow_child_processes()
    try:
        with Channel.resolve(library) as channel, _glibc_heap_defaults():
            result = daily.run_daily(channel, _daily_options(channel, options), report=report,
                                     standing_pool=_standing_pool, fetch_stage=slot.fetch_stage)
    except NothingToBrief as error:
        return outcome(FAILED if skipped else QUIET, error.message)
    except BriefingError as error:
        return outcome(FAILED, error.message)
    except Exception as error:  # a bug met by one channel is that channel's line, not the fleet's end
        return outcome(FAILED, f"{type(error).__name__}: {error}")
    summary = result.summary()
    if result.uploaded is not None:  # run_daily uploaded it; an upload that failed is its error above
        summary += f"; {result.uploaded.uploaded} file(s) uploaded"
    return outcome(PUBLISHED, summary)


def published_outcome(library: Path, date: dt.date, since: float) -> ChannelOutcome | None:
    """The channel's own word, when the cluster cannot give it: its episode of ``date`` recorded at or
    after ``since`` (seconds since the epoch) and listed in its feed on disk; else None."""
    from briefing.library.layout import FEED_NAME
    from briefing.library.identity import legacy_guid
    from briefing.library.store import Library

    if not (library / DB_NAME).is_file():
        return None
    try:
        with Library.open(library, create=False) as opened:
            day = date.isoformat()
            recorded = [opened.get(guid) for guid in [legacy_guid(f"daily:{day}"), *opened.day_guids(day)]]
        episode = next((episode for episode in reversed(recorded) if episode is not None), None)
        feed = (library / FEED_NAME).read_bytes()
    except (BriefingError, OSError):
        return None
    if episode is None or dt.datetime.fromisoformat(episode.published).timestamp() < int(since):
        return None
    if episode.guid.encode() not in feed or not (library / episode.audio_path).is_file():
        return None
    minutes, seconds = divmod(round(episode.duration_s), 60)
    return ChannelOutcome(library.name, PUBLISHED, f"{episode.title}: {minutes}:{seconds:02d} (read from the channel)",
                          0.0, "-")


def _this_worker() -> tuple[str, str]:
    """host:pid of this process, and its Dask worker's address (empty outside a worker)."""
    try:
        from distributed import get_worker

        address = get_worker().address
    except (ImportError, ValueError):
        address = ""
    return f"{socket.gethostname()}:{os.getpid()}", address


@contextlib.contextmanager
def _cluster_lock(library: Path, timeout: float) -> Iterator[bool]:
    """Dask's own lock for the channel, inside a worker: one cluster never makes a channel twice at once
    (the file lock, taken later, makes two clusters take turns)."""
    try:
        from distributed import Lock, get_worker

        get_worker()
    except (ImportError, ValueError):
        yield True
        return
    lock = Lock(f"briefing-channel-{library}")
    try:
        held = bool(lock.acquire(timeout=timeout))
    except Exception:  # the scheduler is gone: the file lock still keeps one writer
        held = None
    try:
        yield held is not False
    finally:
        if held:
            with contextlib.suppress(Exception):
                lock.release()


def _daily_options(resolved: Channel, options: FleetOptions) -> DailyOptions:
    """The fleet's options, with the channel's own voice and length where the command chose none."""
    from briefing.daily import run as daily
    from briefing.voices import load_profile

    channel = resolved.settings.channel
    render = options.render
    if options.voice is None and channel.voice:
        render = replace(render, profile=load_profile(channel.voice))
    return daily.DailyOptions(date=options.date, render=render,
                              minutes=options.minutes or channel.minutes or daily.DEFAULT_MINUTES,
                              update=options.update, workers=1, wait=options.channel_timeout)


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
    from briefing.audio.speak import glibc

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


def _drop_standing_pool() -> None:
    global _standing
    with _standing_lock:
        if _standing is not None:
            with contextlib.suppress(Exception):
                _standing.shutdown()
        _standing = None


def _standing_pool(engine_name: str, settings: VoiceSettings, workers: int | None) -> SpeechPool:
    """This worker process's standing speech workers for the voice asked; another voice replaces them
    (one engine kept at a time, so a worker's memory does not grow with the voices of a fleet)."""
    global _standing
    from briefing.audio.speak import SpeechPool

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
              on_outcome: Callable[[ChannelOutcome], None] = lambda outcome: None,
              deadline_s: float = RUN_DEADLINE_S) -> FleetResult:
    """Submit every channel, report each outcome as it finishes, and gather them in channel order.

    What the cluster cannot tell is read from the channel itself (``published_outcome``): a channel
    lost with the scheduler is submitted once more if the client reconnects, else read once its lock
    is free; one not made by ``deadline_s`` is read at once. A channel a worker cannot see is sent to
    the workers that have not tried it.
    """
    run = _FleetRun(client, options, on_outcome, time.monotonic() + deadline_s)
    lost = run.gather(channels)
    if lost and run.reconnected():
        lost = run.gather(lost, attempt=1)
    for path in lost:
        run.settle(path, run.read_after_loss(path))
    workers = run.worker_count()
    return FleetResult([run.outcomes[path] for path in channels], time.perf_counter() - run.started, workers)


POLL_S = 1.0  # how often the client looks at the run's deadline while it waits for channels
RECONNECT_S = 30.0  # how long a client waits for a lost scheduler to come back before reading the channels


class _FleetRun:
    def __init__(self, client: Client, options: FleetOptions, on_outcome: Callable[[ChannelOutcome], None],
                 deadline: float) -> None:
        self.client, self.options, self.on_outcome, self.deadline = client, options, on_outcome, deadline
        self.started, self.started_wall = time.perf_counter(), time.time()
        self.outcomes: dict[Path, ChannelOutcome] = {}
        self.tried: dict[Path, set[str]] = {}

    def gather(self, channels: list[Path], attempt: int = 0) -> list[Path]:
        """Run ``channels``; return those whose outcome the cluster lost with its scheduler."""
        from concurrent.futures import CancelledError

        from distributed import wait

        pending = {self._submit(path, attempt): path for path in channels}
        lost: list[Path] = []
        while pending:
            try:
                done = wait(list(pending), timeout=max(0.0, min(POLL_S, self.deadline - time.monotonic())),
                            return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            except CancelledError:  # the scheduler was lost: every future it held is cancelled
                done = {future for future in pending if future.status == "cancelled"}
            for future in done:
                path = pending.pop(future)
                try:
                    retry = self._outcome_of(path, future, attempt)
                except (CancelledError, OSError):  # lost with the scheduler
                    lost.append(path)
                    continue
                if retry is not None:
                    pending[retry] = path
            if pending and time.monotonic() >= self.deadline:
                for future, path in pending.items():
                    future.cancel()
                    self.settle(path, published_outcome(path, self.options.date, self.started_wall) or
                                ChannelOutcome(path.name, FAILED, "not made by the run's deadline (a worker may still "
                                               "publish it)", 0.0, "-", known=False))
                pending.clear()
        return lost

    def _submit(self, path: Path, attempt: int, workers: list[str] | None = None) -> Any:
        key = task_key(path, self.options) + (f"-{attempt}-{len(self.tried.get(path, ()))}" if attempt or workers
                                              else "")
        placement: dict[str, Any] = {"workers": workers, "allow_other_workers": False} if workers else {}
        return self.client.submit(make_channel, ChannelView.of(path), self.options, key=key, pure=False, **placement)

    def _outcome_of(self, path: Path, future: Any, attempt: int) -> Any:
        """Record a finished channel; return the future of its retry when its worker could not see it.

        Raises ``CancelledError``, or ``OSError`` (a closed connection), when the scheduler was lost before
        the outcome reached us, also after the channel was made: it is not a failure of the channel."""
        from concurrent.futures import CancelledError

        if future.status == "cancelled":
            raise CancelledError(future.key)
        try:
            outcome = future.result()
        except (CancelledError, OSError):
            raise
        except Exception as error:  # KilledWorker: the scheduler gave up after several dead workers
            outcome = ChannelOutcome(path.name, FAILED, f"the cluster could not run it: {error}", 0.0, "-")
        # Once we have it, let the result go: a wanted result lost with a dead worker is made again,
        # and that run would still be going (harmlessly, but holding the lock) after we exit.
        future.release()
        if outcome.status == UNSEEN:
            tried = self.tried.setdefault(path, set())
            tried.add(outcome.address)
            others = sorted(set(self.client.scheduler_info(n_workers=-1).get("workers", {})) - tried)
            if others:
                return self._submit(path, attempt, others)
            outcome = replace(outcome, status=FAILED)
        self.settle(path, outcome)
        return None

    def settle(self, path: Path, outcome: ChannelOutcome) -> None:
        self.outcomes[path] = outcome
        self.on_outcome(outcome)

    def reconnected(self) -> bool:
        """Whether the client is connected to a scheduler again (restarted by its supervisor)."""
        until = min(self.deadline, time.monotonic() + RECONNECT_S)
        while time.monotonic() < until:
            if self.client.status == "running":
                return True
            if self.client.status in ("closed", "closing"):
                return False
            time.sleep(0.2)
        return False

    def read_after_loss(self, path: Path) -> ChannelOutcome:
        """Once no run holds the channel (a worker may still be making it), what it published."""
        from briefing.library.locking import library_lock

        wait = max(0.0, min(self.options.channel_timeout, self.deadline - time.monotonic()))
        try:
            with library_lock(path, wait=wait):
                done = published_outcome(path, self.options.date, self.started_wall)
        except BriefingError:
            done = None  # still held by a run we cannot hear from
        return done or ChannelOutcome(path.name, FAILED, "the scheduler was lost; not known to be published",
                                      0.0, "-", known=False)

    def worker_count(self) -> int:
        try:
            return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        except Exception:  # the scheduler is gone
            return 0


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


def _check_scheduler_address(scheduler: str) -> None:
    """A malformed address is a usage error (exit 2), not a cluster that cannot be reached."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        protocol, location = parse_address(scheduler)
        if protocol in ("tcp", "tls", "ws", "wss"):
            _, port = parse_host_port(location)
            if not 0 < port < 65536:
                raise ValueError(f"port {port} is out of range")
    except (ValueError, TypeError) as error:
        raise UsageError(f"--scheduler {scheduler}: not a scheduler address like tcp://HOST:8786 ({error})") from None


@contextlib.contextmanager
def cluster_client(scheduler: str | None, workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, else of a LocalCluster of ``workers`` processes here."""
    try:
        import dask.config
        from distributed import Client, LocalCluster
    except ImportError:
        raise BriefingError(f"briefing fleet needs Dask distributed: {INSTALL_HINT}") from None
    if scheduler:
        _check_scheduler_address(scheduler)
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
