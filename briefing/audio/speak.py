"""Speaking: turn every segment's text into audio with the chosen engine, in order.

Two guards stand between a segment and any engine:
- Length: a segment longer than ``MAX_PIECE_CHARS`` is spoken in pieces cut at a clause mark
  (, ; : — …), else at a space, else (one endless word) hard, and the pieces' audio is joined, so a
  segment stays one clip for timing and transcripts. espeak-ng in-process (pyttsx3) segfaults on
  30,000 characters without a space; 500 keeps every real sentence whole.
- Crashes: the engine runs in a child process (loaded once per run), so an engine that
  kills its process (a segfault in a C library) becomes a ``SegmentError`` naming the engine and
  the segment instead of killing briefing. With ``workers`` > 1 several such processes share the work,
  each text going to whichever has room; an engine that can speak on threads (hibari) gets threads of
  one process instead, one copy of the engine in memory (``_layout``). An engine that cannot load says
  so from its worker (``EngineUnavailable``), so the caller can choose another voice without loading
  an engine itself.
Texts are sent ahead of the audio read back, so assembling overlaps with speaking. Clips already in
the speech cache (``cache``) are not spoken again, and no engine starts when every clip is there.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.util
import os
import queue
import re
import shutil
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from briefing.audio import engines
from briefing.audio.cache import RenderCache
from briefing.system.cores import free_cores
from briefing.audio.engines import Engine, Speech, VoiceSettings, load_engine
from briefing.errors import BriefingError, EngineError, UsageError
from briefing.system.fsutil import make_temporary_folder

MAX_PIECE_CHARS = 500
_QUEUE_DEPTH = 2  # one text being spoken, the next waiting: the rest go to whichever worker frees first
_QUEUE_BYTES = 32_768  # texts sent ahead stay below a pipe's buffer, so neither side blocks the other
_STOP_TIMEOUT_S = 5.0
# A standing pool stops workers left idle this long: on a shared cluster they would hold an engine's
# memory for nothing after a fleet has finished. It starts others when they are next wanted.
STANDING_IDLE_S = 120.0
CLAUSE_MARK = re.compile(r"[,;:—–…)](?=\s)")
_AHEAD = 256  # texts out at once: bounds the clips held while an earlier one is still being spoken
# Threads speaking in one process, for engines that can. hibari holds Python's lock about 6% of the
# time (2 threads were 1.88x as fast as 1 on 2 cores), so 4 threads still give about 3.4x; beyond
# that, more processes.
_THREADS_PER_PROCESS = 4


class SegmentError(EngineError):
    """The engine failed on one segment (it could not speak it, or its process died): ``text`` says which."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.text = text

    def __reduce__(self):  # picklable across the worker process boundary
        return (type(self), (self.message, self.text))


def speak_all(texts: list[str], engine_name: str, settings: VoiceSettings, workers: int | None = 1, *,
              piece_chars: int = MAX_PIECE_CHARS, cache: RenderCache | None = None,
              pool: SpeechPool | None = None) -> Iterator[Speech]:
    """Yield one Speech per text, in the same order. Engine errors surface from the iterator: an engine
    that cannot load as ``EngineUnavailable`` (before any clip), a failed segment as ``SegmentError``.

    Clips found in ``cache`` are not spoken again; the others are spoken by up to ``workers`` processes
    or threads (None: one per core that other programs leave free), each process loading the engine
    once, and stored in the cache. Workers already started in ``pool`` for this engine and settings are used instead.
    """
    workers = workers or free_cores()
    keys = [cache.key(engine_name, settings, text, piece_chars) for text in texts] if cache else []
    # Cached clips are read when their turn comes: an hour of them would not fit the memory budget.
    in_cache = [cache.contains(key) for key in keys] if cache else [False] * len(texts)
    missing = [index for index, found in enumerate(in_cache) if not found]
    started = pool.take(engine_name, settings, piece_chars) if pool and missing else None
    spoken = _speak_in_pool([texts[index] for index in missing], engine_name, settings,
                            max(1, min(workers, len(missing))), piece_chars, started,
                            pool if started else None) if missing else iter(())
    for index, found in enumerate(in_cache):
        speech = cache.get(keys[index]) if cache and found else None
        if speech is None:
            if found:  # evicted by another run since it was looked for: spoken after all
                [speech] = _speak_in_pool([texts[index]], engine_name, settings, 1, piece_chars)
            else:
                speech = next(spoken)
            if cache:
                cache.put(keys[index], speech)
        yield speech


def pieces(text: str, limit: int = MAX_PIECE_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at a clause mark, else a space, else hard."""
    result = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        result.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest or not result:
        result.append(rest)
    return [piece for piece in result if piece] or [text]


def _cut_point(text: str, limit: int) -> int:
    marks = [match.end() for match in CLAUSE_MARK.finditer(text, 0, limit)]
    if marks and marks[-1] >= limit // 3:  # not a sliver before the first comma
        return marks[-1]
    space = text.rfind(" ", 0, limit + 1)
    return space if space > 0 else limit


def speak_pieces(engine: Engine, text: str, piece_chars: int = MAX_PIECE_CHARS) -> Speech:
    """One clip for ``text``, spoken piece by piece when it is long."""
    clips = [engine.synthesize(piece) for piece in pieces(text, piece_chars)]
    if len(clips) == 1:
        return clips[0]
    return Speech(b"".join(clip.pcm for clip in clips), clips[0].sample_rate)


# ---- engine processes -----------------------------------------------------------------------------


class EngineUnavailable(EngineError):
    """The engine did not load in its worker (not installed, bad model): nothing was spoken."""


class SpeechPool:
    """Speech workers started before their texts are known, so that the engine loads while the caller
    still works: ``daily`` starts them before it gathers the articles and plans the day (hibari takes
    0.4 s of CPU a process to start and load). ``speak_all`` uses them once, for the engine they were
    started for; ``close`` stops those left unused.

    A ``standing`` pool outlasts its runs: ``speak_all`` gives the workers back once every text is
    spoken, ``close`` leaves them waiting, and ``shutdown`` stops them (also when this process ends).
    A fleet's Dask worker keeps one, so the engine starts once a worker instead of once a channel;
    workers found dead are started again."""

    def __init__(self, engine_name: str, settings: VoiceSettings, workers: int | None = None,
                 piece_chars: int = MAX_PIECE_CHARS, *, standing: bool = False) -> None:
        self.standing = standing
        self._for = (engine_name, settings, piece_chars)
        self._layout = _layout(engine_name, workers or free_cores())
        self._lock = threading.Lock()  # a Dask worker may make several channels at once
        self._idle_timer: threading.Timer | None = None
        self._workers = self._start()
        if standing:
            # Run by multiprocessing before it waits for this process's children, which an idle worker
            # would never end: at the exit of a process multiprocessing started, atexit does not run.
            multiprocessing.util.Finalize(self, self.shutdown, exitpriority=10)

    def _start(self) -> list[_Worker]:
        context = _process_context()
        return [_Worker(context, *self._for, threads) for threads in self._layout]

    def suits(self, engine_name: str, settings: VoiceSettings, piece_chars: int = MAX_PIECE_CHARS) -> bool:
        return self._for == (engine_name, settings, piece_chars)

    def take(self, engine_name: str, settings: VoiceSettings, piece_chars: int) -> list[_Worker] | None:
        """The started workers, if they are this engine's with these settings: once, or for a standing
        pool, until they are given back (a second caller meanwhile gets new ones)."""
        if not self.suits(engine_name, settings, piece_chars):
            return None
        with self._lock:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
            if self.standing and not (self._workers and all(worker.process.is_alive() for worker in self._workers)):
                _stop_all(self._workers)
                self._workers = self._start()
            workers, self._workers = self._workers, []
        return workers or None

    def give_back(self, workers: list[_Worker]) -> None:
        """Workers done with every text they were sent: kept by a standing pool, else stopped."""
        with self._lock:
            if self.standing and not self._workers and all(worker.process.is_alive() and not worker.sent
                                                           for worker in workers):
                self._workers = workers
                self._idle_timer = threading.Timer(STANDING_IDLE_S, self._stop_idle, args=(workers,))
                self._idle_timer.daemon = True
                self._idle_timer.start()
                return
        _stop_all(workers)

    def _stop_idle(self, workers: list[_Worker]) -> None:
        with self._lock:
            if self._workers is not workers:  # taken again meanwhile
                return
            self._workers = []
        _stop_all(workers)

    def close(self) -> None:
        if not self.standing:
            self.shutdown()

    def shutdown(self) -> None:
        with self._lock:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
            workers, self._workers = self._workers, []
        _stop_all(workers)

    def __enter__(self) -> SpeechPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _stop_all(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.stop()


def _process_context() -> multiprocessing.context.BaseContext:
    """Fork while this process has no other thread: the worker starts at once instead of a second
    interpreter importing briefing again (0.1 s of CPU a worker, 0.08 s of a make's 1.2 s). With other
    threads, spawn: a fork copies only the calling thread, so whatever another one held or did is lost
    in the child (an engine loaded here has espeak-ng's own thread: its fork would never speak). Threads
    are counted by the system, not by Python, which does not see those of C libraries."""
    if "fork" in multiprocessing.get_all_start_methods() and _os_threads() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _layout(engine_name: str, workers: int) -> list[int]:
    """How many texts each speech process speaks at once: ``workers`` processes of one, or, for an
    engine that can speak on threads, as few processes as hold ``workers`` threads. Threads share
    one engine: hibari's model, dictionaries and memory arena once instead of once a process (an
    hour-long episode's speech took 320 MB in one process with 2 threads, 570 MB in 2 processes),
    and they were faster too."""
    if workers <= 1 or not engines.speaks_in_threads(engine_name):
        return [1] * workers
    processes = -(-workers // _THREADS_PER_PROCESS)
    return [workers // processes + (1 if index < workers % processes else 0) for index in range(processes)]


def _os_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # no /proc: count as threaded, and spawn
        return 2


_PARENT_ENDS: weakref.WeakSet[Connection] = weakref.WeakSet()  # this process's ends of its workers' pipes


class _Worker:
    """One child process that loads the engine once and speaks the texts sent to it, ``threads`` at a
    time; each clip comes back with the index of its text."""

    def __init__(self, context, engine_name: str, settings: VoiceSettings, piece_chars: int,
                 threads: int = 1) -> None:
        requests_in, self.requests = context.Pipe(duplex=False)
        self.results, results_out = context.Pipe(duplex=False)
        _PARENT_ENDS.update((self.requests, self.results))
        # What the engine's libraries write for themselves goes in a folder deleted with the worker.
        self.temporary = make_temporary_folder("engine")
        # Removed at this process's exit too, after multiprocessing has ended the (daemonic) worker: an
        # error that skips ``stop`` (memory, a bug in assembly) leaves nothing in $TMPDIR.
        multiprocessing.util.Finalize(self, _remove_folder, args=(str(self.temporary),), exitpriority=-1)
        self.process = context.Process(target=_serve, args=(engine_name, settings, dict(engines.ENGINE_MODULES),
                                                             piece_chars, threads, str(self.temporary),
                                                             requests_in, results_out),
                                       daemon=True)  # ended by multiprocessing when this process exits, however
        self.process.start()
        requests_in.close()
        results_out.close()
        self.threads = threads
        self.ready = False
        self.sent: dict[int, int] = {}  # index -> text bytes, of the texts sent and not yet spoken
        self.sent_bytes = 0

    def can_take(self, size: int) -> bool:
        # Texts sent ahead stay below a pipe's buffer, so neither side blocks the other.
        return not self.sent or (len(self.sent) < _QUEUE_DEPTH * self.threads
                                 and self.sent_bytes + size <= _QUEUE_BYTES)

    @property
    def load(self) -> float:
        return len(self.sent) / self.threads

    def send(self, index: int, text: str, size: int) -> None:
        try:
            self.requests.send((index, text))
        except OSError:  # the process has died (an engine crash): reading its results says how, and on what
            pass
        self.sent[index] = size
        self.sent_bytes += size

    def stop(self) -> None:
        _stop(self.process, self.requests, self.results)
        _remove_folder(str(self.temporary))


def _remove_folder(path: str, patience_s: float = 2.0) -> None:
    """Remove a worker's folder, again while something still writes into it (the worker's own clean-up,
    or a helper process of its engine, finishing just as the worker ends), for at most ``patience_s``."""
    deadline = time.monotonic() + patience_s
    shutil.rmtree(path, ignore_errors=True)
    while os.path.lexists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
        shutil.rmtree(path, ignore_errors=True)


def _speak_in_pool(texts: list[str], engine_name: str, settings: VoiceSettings, workers: int,
                   piece_chars: int, started: list[_Worker] | None = None,
                   owner: SpeechPool | None = None) -> Iterator[Speech]:
    """Speak ``texts`` on ``workers`` processes (or those ``started`` already, from ``owner``), handing
    each text to whichever has room, and yield the clips in order. Clips that arrive early wait, but no
    more than ``_AHEAD`` texts are out at once. Workers from ``owner`` go back to it once every text is
    spoken (a standing pool keeps them); all others are stopped."""
    context = _process_context()
    pool = started or [_Worker(context, engine_name, settings, piece_chars, threads)
                       for threads in _layout(engine_name, workers)]
    sizes = [len(text.encode("utf-8", "replace")) for text in texts]
    done: dict[int, Speech] = {}
    next_text = next_out = 0
    try:
        while next_out < len(texts):
            while next_text < len(texts) and next_text < next_out + _AHEAD:
                free = [worker for worker in pool if worker.can_take(sizes[next_text])]
                if not free:
                    break
                min(free, key=lambda worker: worker.load).send(next_text, texts[next_text], sizes[next_text])
                next_text += 1
            if owner is not None and next_text == len(texts) and not any(worker.sent for worker in pool):
                owner.give_back(pool)  # before the last clips are handed on: the caller may stop reading there
                pool, owner = [], None
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if next_out >= len(texts):
                break
            busy = [worker for worker in pool if worker.sent or not worker.ready]
            for results in wait([worker.results for worker in busy]):
                worker = next(worker for worker in busy if worker.results is results)
                _receive(worker, engine_name, settings, piece_chars, texts, done)
    finally:
        _stop_all(pool)


def _receive(worker: _Worker, engine_name: str, settings: VoiceSettings, piece_chars: int, texts: list[str],
             done: dict[int, Speech]) -> None:
    try:
        kind, index, value = worker.results.recv()
    except (EOFError, OSError):
        worker.process.join(_STOP_TIMEOUT_S)
        in_flight = [texts[sent] for sent in worker.sent]
        if worker.ready and len(in_flight) > 1:
            # Spoken on several threads, any of them may have crashed it: each alone says which (as
            # ``daily`` leaves out the story that says it, naming the wrong one would cost a good story).
            for text in in_flight:
                list(_speak_in_pool([text], engine_name, settings, 1, piece_chars))
        raise _crash(engine_name, worker.process.exitcode, in_flight[0] if in_flight else None,
                     worker.ready) from None
    if kind == "ready":
        worker.ready = True
        return
    if kind == "unavailable":
        if isinstance(value, UsageError):  # the profile names a voice that does not exist: the user's to fix
            raise value
        raise EngineUnavailable(value.message if isinstance(value, BriefingError) else str(value))
    if kind == "error":
        raise value
    worker.sent_bytes -= worker.sent.pop(index)
    done[index] = value


def _crash(engine_name: str, exit_code: int | None, text: str | None, loaded: bool) -> EngineError:
    how = f"exit code {exit_code}"
    if exit_code is not None and exit_code < 0:
        try:
            how = signal.Signals(-exit_code).name
        except ValueError:
            how = f"signal {-exit_code}"
    if not loaded or text is None:
        return EngineUnavailable(f"{engine_name}: the speech engine crashed while loading ({how})")
    return SegmentError(f"{engine_name}: the speech engine crashed ({how}) speaking {text[:40]!r}", text)


def _stop(process: multiprocessing.process.BaseProcess, requests: Connection, results: Connection) -> None:
    try:
        requests.send(None)
    except OSError:
        pass
    requests.close()
    results.close()  # the child's pending sends fail instead of blocking
    process.join(_STOP_TIMEOUT_S)
    if process.is_alive():
        process.kill()
        process.join()


def _serve(engine_name: str, settings: VoiceSettings, registry: dict[str, str], piece_chars: int, threads: int,
           temporary: str, requests: Connection, results: Connection) -> None:
    """The child: load the engine once, then speak each text received, on ``threads`` threads, until
    told to stop. Each clip goes back with the index it came with."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    # A forked child holds copies of the parent's ends of every worker's pipes. Kept open, they would
    # keep this child (and its siblings) from ever reading the end of its requests when the parent is
    # killed: it would wait, holding an engine's memory, forever.
    for end in list(_PARENT_ENDS):
        end.close()
    engines.keep_files_in(Path(temporary))
    try:
        _load_and_serve(engine_name, settings, registry, piece_chars, threads, requests, results)
    finally:  # also when the parent was killed and could not: its ends of the pipes closing ended us
        shutil.rmtree(temporary, ignore_errors=True)


def _load_and_serve(engine_name: str, settings: VoiceSettings, registry: dict[str, str], piece_chars: int,
                    threads: int, requests: Connection, results: Connection) -> None:
    engines.ENGINE_MODULES.update(registry)  # engines registered in the parent at run time
    try:
        engine = load_engine(engine_name, settings)
    except BaseException as error:
        try:
            results.send(("unavailable", None, _picklable(error)))
        except OSError:  # the parent already heard it from another worker and stopped listening
            pass
        return
    sending = threading.Lock()
    try:
        results.send(("ready", None, None))
        if threads == 1:  # in this thread: some engines (pyttsx3) must speak on the thread that loaded them
            _speak_received(engine, piece_chars, requests.recv, results, sending)
            return
        received: queue.SimpleQueue[tuple[int, str] | None] = queue.SimpleQueue()
        speakers = [threading.Thread(target=_speak_received, args=(engine, piece_chars, received.get, results,
                                                                   sending), daemon=True) for _ in range(threads)]
        for speaker in speakers:
            speaker.start()
        try:
            while (item := requests.recv()) is not None:
                received.put(item)
        finally:
            with contextlib.suppress(queue.Empty):  # told to stop early: what is still queued is not wanted
                while True:
                    received.get_nowait()
            for _ in speakers:
                received.put(None)
            for speaker in speakers:
                speaker.join()
    except (EOFError, OSError):  # the parent has gone or stopped listening
        pass
    finally:
        engine.close()


def _speak_received(engine: Engine, piece_chars: int, receive: Callable[[], tuple[int, str] | None],
                    results: Connection, sending: threading.Lock) -> None:
    """Speak each (index, text) ``receive`` gives until it gives None; send each clip back, or the
    first failure, after which this speaker stops."""
    release_memory = _heap_trimmer()
    try:
        while (item := receive()) is not None:
            index, text = item
            try:
                speech = speak_pieces(engine, text, piece_chars)
            except BriefingError as error:
                with sending:
                    results.send(("error", index, SegmentError(error.message, text)))
                return
            with sending:
                results.send(("speech", index, speech))
            del speech
            release_memory()
    except (EOFError, OSError):  # the parent has gone or stopped listening
        pass


def glibc() -> Any:
    """The C library when it is glibc (whose ``malloc_trim`` and ``mallopt`` we tune), else None."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt, libc.malloc_trim  # noqa: B018 (glibc only)
    except (OSError, AttributeError):
        return None
    return libc


def _heap_trimmer() -> Callable[[], object]:
    """glibc's ``malloc_trim``, or nothing elsewhere. A neural engine frees tens of megabytes after every
    sentence that the C heap keeps for later; handed back at once, several workers do not each hold their
    high-water mark (hibari: about 220 MB a worker instead of 270 over the example). It costs microseconds."""
    libc = glibc()
    return (lambda: None) if libc is None else (lambda: libc.malloc_trim(0))


def _picklable(error: BaseException) -> BaseException:
    return error if isinstance(error, BriefingError) else EngineError(f"{type(error).__name__}: {error}")
