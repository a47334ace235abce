"""Speaking: turn every segment's text into audio with the chosen engine, in order.

Synthesis runs in a background thread (or, with ``workers`` > 1, in worker processes that each load
the engine once) so that assembling the audio overlaps with speaking it.
"""

from __future__ import annotations

import atexit
import multiprocessing
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from briefing.engines import Engine, Speech, VoiceSettings, load_engine
from briefing.errors import EngineError

_QUEUE_DEPTH = 16
_worker_engine: Engine | None = None


def speak_all(texts: list[str], engine_name: str, settings: VoiceSettings, workers: int = 1) -> Iterator[Speech]:
    """Yield one Speech per text, in the same order. Engine errors surface from the iterator."""
    engine = load_engine(engine_name, settings)  # also checks the settings before any worker starts
    if workers > 1 and len(texts) > 1:
        engine.close()
        yield from _speak_in_processes(texts, engine_name, settings, workers)
        return
    try:
        yield from _speak_in_thread(engine, texts)
    finally:
        engine.close()


def _speak_in_thread(engine: Engine, texts: list[str]) -> Iterator[Speech]:
    results: queue.Queue = queue.Queue(maxsize=_QUEUE_DEPTH)
    stop = threading.Event()

    def produce() -> None:
        for text in texts:
            if stop.is_set():
                return
            try:
                results.put((engine.synthesize(text), None))
            except BaseException as error:  # handed to the consumer, which re-raises it
                results.put((None, error))
                return

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    try:
        for _ in texts:
            speech, error = results.get()
            if error is not None:
                raise error
            yield speech
    finally:
        stop.set()
        while producer.is_alive():
            try:
                results.get_nowait()
            except queue.Empty:
                producer.join(0.05)


def _init_worker(engine_name: str, settings: VoiceSettings) -> None:
    global _worker_engine
    _worker_engine = load_engine(engine_name, settings)
    atexit.register(_worker_engine.close)


def _speak_batch(texts: list[str]) -> list[Speech]:
    return [_worker_engine.synthesize(text) for text in texts]


def _speak_in_processes(texts: list[str], engine_name: str, settings: VoiceSettings, workers: int) -> Iterator[Speech]:
    batch_size = max(1, min(8, len(texts) // (workers * 4) or 1))
    batches = [texts[start : start + batch_size] for start in range(0, len(texts), batch_size)]
    # Spawned, not forked: a forked child would inherit the engine threads' locks of an earlier run.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                               initargs=(engine_name, settings))
    try:
        for batch in pool.map(_speak_batch, batches):
            yield from batch
    except BrokenProcessPool:
        raise EngineError(f"{engine_name}: a speech worker process died; try without --workers") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
