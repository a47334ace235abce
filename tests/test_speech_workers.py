"""The default number of speech workers: one per core that other programs leave free."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from briefing.system.cores import cpu_count, free_cores


def test_a_machine_whose_cores_are_all_busy_gets_one_worker() -> None:
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cpu_count())]
    try:
        time.sleep(0.5)  # every spinner is running
        assert free_cores() == 1
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def test_never_more_workers_than_cores() -> None:
    assert 1 <= free_cores() <= cpu_count()


def test_this_process_s_own_busy_threads_do_not_count_as_other_programs() -> None:
    """numpy's BLAS threads are runnable for a while after it loads: they made make speak with one worker."""
    import hashlib
    import threading

    stop = threading.Event()

    def hash_without_the_gil() -> None:
        block = bytes(1 << 24)
        while not stop.is_set():
            hashlib.sha256(block).digest()  # hashlib lets go of the GIL on large inputs: this thread stays runnable

    threads = [threading.Thread(target=hash_without_the_gil, daemon=True) for _ in range(cpu_count())]
    for thread in threads:
        thread.start()
    try:
        with_own_threads_busy = max(free_cores() for _ in range(3))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    # Other programs may load the machine too, so compare with the same reading once the threads stop:
    # had the threads counted, every reading while they ran would be lower by the cores they kept busy.
    without_them = min(free_cores() for _ in range(3))
    assert with_own_threads_busy >= without_them


LOADED_HERE_THEN_POOLED = """
from briefing.audio.engines import VoiceSettings, load_engine
from briefing.audio.speak import _process_context, speak_all
settings = VoiceSettings(voice="en-gb", rate=165)
load_engine("pyttsx3", settings).synthesize("Loaded in this process first.")  # espeak-ng's thread now runs here
print(_process_context().get_start_method())
print(sum(len(clip.pcm) for clip in speak_all(["One sentence.", "And another one."], "pyttsx3", settings, 2)))
"""


def test_a_process_with_an_engine_loaded_spawns_its_workers_and_they_speak() -> None:
    """Forked from a process where espeak-ng runs its own (C) thread, a worker never spoke: it hung."""
    result = subprocess.run([sys.executable, "-c", LOADED_HERE_THEN_POOLED], capture_output=True, text=True,
                            timeout=60)
    method, pcm_bytes = result.stdout.split()
    assert method == "spawn"
    assert int(pcm_bytes) > 22050  # over half a second of speech from the workers


def test_a_process_of_one_thread_forks_its_workers() -> None:
    result = subprocess.run([sys.executable, "-c", "import briefing.cli, numpy\n"
                             "from briefing.audio.speak import _process_context\n"
                             "print(_process_context().get_start_method())"],
                            capture_output=True, text=True, timeout=60, check=True,
                            env={name: value for name, value in os.environ.items() if name != "OPENBLAS_NUM_THREADS"})
    assert result.stdout.strip() == "fork"  # numpy loaded after the command line keeps BLAS to one thread


def test_workers_started_early_speak_for_their_voice_and_the_rest_are_stopped() -> None:
    """daily starts the engine while it plans the day: the texts go to those workers, not to new ones."""
    from briefing.audio.engines import VoiceSettings
    from briefing.audio.speak import SpeechPool, speak_all

    settings = VoiceSettings(voice="en-gb", rate=165)
    with SpeechPool("pyttsx3", settings, workers=2) as pool:
        processes = [worker.process for worker in pool._workers]
        clips = list(speak_all(["One sentence.", "And another one."], "pyttsx3", settings, 2, pool=pool))
        assert pool.take("pyttsx3", settings, 500) is None  # used once
    assert [clip.sample_rate for clip in clips] == [22050, 22050] and all(len(clip.pcm) > 11025 for clip in clips)
    assert all(process.exitcode is not None for process in processes)

    with SpeechPool("pyttsx3", settings, workers=1) as other:
        unused = [worker.process for worker in other._workers]
        faster = VoiceSettings(voice="en-gb", rate=200)
        assert other.take("pyttsx3", faster, 500) is None  # started for another rate: not used
    assert all(process.exitcode is not None for process in unused)


# ---- engines that speak on threads -------------------------------------------------------------------
# This module is also an engine (registered as "poisoned" below): test_hostile_work's espeak-ng that
# really crashes its process on the poison word, declared able to speak on threads (espeak-ng runs one
# program a text, so it can).

THREAD_SAFE = True
from test_hostile_work import POISON, create  # noqa: E402,F401  (create: what the speech worker loads)


def test_an_engine_that_can_speak_on_threads_gets_one_process_and_the_others_one_each() -> None:
    from briefing.audio.speak import _layout

    assert _layout("hibari", 2) == [2]
    assert _layout("hibari", 1) == [1]
    assert _layout("hibari", 6) == [3, 3] and _layout("hibari", 9) == [3, 3, 3]
    assert _layout("pyttsx3", 2) == [1, 1] and _layout("espeak", 3) == [1, 1, 1]


def test_threads_in_one_process_give_the_same_clips_in_order_as_one_thread() -> None:
    pytest.importorskip("hibari")
    from briefing.audio.engines import VoiceSettings
    from briefing.audio.speak import SpeechPool, speak_all

    texts = [f"Story {number}: the council met on Tuesday and agreed the budget for {2020 + number}."
             for number in range(8)]
    settings = VoiceSettings(rate=165)
    alone = list(speak_all(texts, "hibari", settings, 1))
    with SpeechPool("hibari", settings, workers=2) as pool:
        assert [worker.threads for worker in pool._workers] == [2]  # one process speaking two at once
        together = list(speak_all(texts, "hibari", settings, 2, pool=pool))
    assert [clip.pcm for clip in together] == [clip.pcm for clip in alone]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_a_crash_on_threads_names_the_text_that_caused_it(monkeypatch) -> None:
    """Several texts were being spoken when the process died: the one that kills it alone is named."""
    from briefing.audio import engines
    from briefing.audio.engines import VoiceSettings
    from briefing.audio.speak import SegmentError, _layout, speak_all

    monkeypatch.setitem(engines.ENGINE_MODULES, "poisoned", __name__)
    assert _layout("poisoned", 2) == [2]
    texts = [f"Sentence number {number} is an ordinary one." for number in range(10)]
    texts[6] = f"The {POISON} sentence."
    with pytest.raises(SegmentError, match=r"poisoned: .*SIGSEGV") as caught:
        list(speak_all(texts, "poisoned", VoiceSettings(), workers=2))
    assert caught.value.text == texts[6]


# ---- standing pools (a fleet's Dask worker keeps its engine from one channel to the next) -------------

def test_a_standing_pool_speaks_run_after_run_on_the_same_processes() -> None:
    from briefing.audio.engines import VoiceSettings
    from briefing.audio.speak import SpeechPool, speak_all

    settings = VoiceSettings(voice="en-gb", rate=165)
    pool = SpeechPool("pyttsx3", settings, workers=2, standing=True)
    try:
        first = [worker.process for worker in pool._workers]
        clips = list(speak_all(["The first channel.", "Its second sentence."], "pyttsx3", settings, 2, pool=pool))
        assert [worker.process for worker in pool._workers] == first  # given back, not stopped
        pool.close()  # what a run does at its end: a standing pool keeps its workers
        again = list(speak_all(["The next channel."], "pyttsx3", settings, 2, pool=pool))
        assert [worker.process for worker in pool._workers] == first
        assert all(process.is_alive() for process in first)
    finally:
        pool.shutdown()
    assert all(process.exitcode is not None for process in first)
    assert all(len(clip.pcm) > 11025 for clip in clips + again)


def test_a_standing_pool_starts_its_workers_again_when_one_has_died() -> None:
    from briefing.audio.engines import VoiceSettings
    from briefing.audio.speak import SpeechPool, speak_all

    settings = VoiceSettings(voice="en-gb", rate=165)
    pool = SpeechPool("pyttsx3", settings, workers=1, standing=True)
    try:
        [dead] = [worker.process for worker in pool._workers]
        dead.kill()
        dead.join()
        [clip] = list(speak_all(["Spoken all the same."], "pyttsx3", settings, 1, pool=pool))
        [alive] = [worker.process for worker in pool._workers]
        assert alive is not dead and alive.is_alive()
        assert len(clip.pcm) > 11025
    finally:
        pool.shutdown()


def test_a_standing_pool_stops_workers_left_idle_and_starts_others_when_wanted(monkeypatch) -> None:
    """After a fleet, a shared cluster's workers do not keep an engine's memory for nothing."""
    from briefing.audio import speak
    from briefing.audio.engines import VoiceSettings
    from briefing.audio.speak import SpeechPool, speak_all

    monkeypatch.setattr(speak, "STANDING_IDLE_S", 0.5)
    settings = VoiceSettings(voice="en-gb", rate=165)
    pool = SpeechPool("pyttsx3", settings, workers=1, standing=True)
    try:
        list(speak_all(["Before the pause."], "pyttsx3", settings, 1, pool=pool))
        [idle] = [worker.process for worker in pool._workers]
        deadline = time.monotonic() + 10
        # join() can return as the process's pipe closes, a moment before the process can be waited for
        while idle.exitcode is None and time.monotonic() < deadline:
            idle.join(timeout=0.1)
        assert idle.exitcode is not None and pool._workers == []
        [clip] = list(speak_all(["After it."], "pyttsx3", settings, 1, pool=pool))
        assert len(clip.pcm) > 11025
    finally:
        pool.shutdown()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_a_standing_pool_stops_the_workers_of_a_failed_run(monkeypatch) -> None:
    """After a crash mid-run nothing half-used is given back: the next run gets fresh workers."""
    from briefing.audio import engines
    from briefing.audio.engines import VoiceSettings
    from briefing.audio.speak import SegmentError, SpeechPool, speak_all

    monkeypatch.setitem(engines.ENGINE_MODULES, "poisoned", __name__)
    pool = SpeechPool("poisoned", VoiceSettings(), workers=1, standing=True)
    try:
        [first] = [worker.process for worker in pool._workers]
        with pytest.raises(SegmentError):
            list(speak_all(["Fine.", f"The {POISON} one.", "Never spoken."], "poisoned", VoiceSettings(), 1,
                           pool=pool))
        assert pool._workers == []
        [clip] = list(speak_all(["Fine again."], "poisoned", VoiceSettings(), 1, pool=pool))
        assert first.exitcode is not None and len(clip.pcm) > 11025
    finally:
        pool.shutdown()


def test_a_process_multiprocessing_started_ends_promptly_with_a_standing_pool_idle(tmp_path) -> None:
    """Such a process (a Dask worker) waits for its children as it ends; an idle standing worker would
    never end by itself, so the pool stops it first."""
    script = textwrap.dedent("""
        import multiprocessing, time

        def keep_a_pool():
            from briefing.audio.engines import VoiceSettings
            from briefing.audio.speak import SpeechPool, speak_all
            global pool
            pool = SpeechPool("pyttsx3", VoiceSettings(voice="en-gb"), workers=1, standing=True)
            list(speak_all(["Ready."], "pyttsx3", VoiceSettings(voice="en-gb"), 1, pool=pool))

        if __name__ == "__main__":
            child = multiprocessing.get_context("spawn").Process(target=keep_a_pool)
            started = time.monotonic()
            child.start()
            child.join(30)
            print(child.exitcode, round(time.monotonic() - started, 1))
    """)
    program = tmp_path / "keeps_a_pool.py"  # a file: spawn finds the target function in it
    program.write_text(script, encoding="utf-8")
    result = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=60)
    exit_code, seconds = result.stdout.split()
    assert exit_code == "0" and float(seconds) < 4, result.stderr[-500:]
