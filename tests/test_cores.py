"""map_forked: pure work shared with forked copies of this process, results as if computed here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from briefing.system.cores import map_forked


def square(number: int) -> int:
    return number * number


@pytest.mark.parametrize("processes", [1, 2, 3, 8])
def test_results_come_back_in_order_whatever_the_number_of_processes(processes: int) -> None:
    items = list(range(23))
    assert map_forked(square, items, processes) == [number * number for number in items]
    assert map_forked(square, [], processes) == []
    assert map_forked(square, [7], processes) == [49]


def test_the_work_is_shared_between_processes() -> None:
    pids = map_forked(lambda _: os.getpid(), list(range(6)), 3)
    assert len(set(pids)) == 3
    assert os.getpid() in pids  # this process takes a share too


def test_results_larger_than_a_pipe_s_buffer_come_back_whole() -> None:
    results = map_forked(lambda number: str(number) * 400_000, [1, 2, 3, 4], 2)
    assert [len(result) for result in results] == [400_000] * 4
    assert results[3] == "4" * 400_000


def test_an_error_is_raised_here_as_if_nothing_had_been_forked() -> None:
    def fails_on_five(number: int) -> int:
        if number == 5:
            raise ValueError("five")
        return number

    with pytest.raises(ValueError, match="five"):
        map_forked(fails_on_five, list(range(8)), 2)  # 5 is the second copy's
    with pytest.raises(ValueError, match="five"):
        map_forked(fails_on_five, list(range(8)), 3)


def test_a_copy_that_dies_or_cannot_send_its_results_has_its_share_computed_here() -> None:
    parent = os.getpid()

    def dies_in_a_copy(number: int) -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return number + 1

    assert map_forked(dies_in_a_copy, list(range(10)), 3) == list(range(1, 11))

    def unpicklable_in_a_copy(number: int) -> object:
        return (lambda: number) if os.getpid() != parent else number

    assert map_forked(unpicklable_in_a_copy, list(range(6)), 2) == list(range(6))


def test_every_copy_is_waited_for() -> None:
    copies = set(map_forked(lambda _: os.getpid(), list(range(8)), 4)) - {os.getpid()}
    assert len(copies) == 3
    for pid in copies:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already waited for: no zombie left


KILLED_PARENT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from briefing.system.cores import map_forked
    folder = Path(sys.argv[1])
    def slow(number):
        (folder / str(os.getpid())).touch()
        time.sleep(1.0)
        return "x" * 200_000  # more than a pipe holds: the copy writes after its parent is gone
    map_forked(slow, list(range(6)), 3)
""")


def test_copies_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", KILLED_PARENT, str(tmp_path)])
    deadline = time.monotonic() + 30
    while len(list(tmp_path.iterdir())) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    copies = {int(path.name) for path in tmp_path.iterdir()} - {parent.pid}
    assert len(copies) == 2
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in copies) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in copies)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended; init reaps it
    except FileNotFoundError:
        return False


LOCK_HELD_BY_ANOTHER_THREAD = textwrap.dedent("""
    import os, threading, time
    from briefing.text import sentences
    from briefing.system.cores import map_forked
    held = threading.Event()
    def hold():
        with sentences._lock:
            held.set()
            time.sleep(1.0)
    threading.Thread(target=hold).start()
    held.wait()
    texts = [f"Mr. Smith arrived at {n}.30 p.m. on Monday. He left at once." for n in range(8)]
    results = map_forked(lambda text: (sentences.split_sentences(text), os.getpid()), texts, 2)
    print([split for split, _ in results] == [list(sentences._split(text)) for text in texts],
          len({pid for _, pid in results}))
""")


def test_a_copy_forked_while_another_thread_holds_the_sentence_cache_does_not_wait_for_it() -> None:
    """A forked copy has only the thread that forked: a lock another thread held would never be let go."""
    result = subprocess.run([sys.executable, "-c", LOCK_HELD_BY_ANOTHER_THREAD], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.split() == ["True", "2"], result.stderr  # the copy's share came from the copy


def test_a_copy_that_hangs_is_killed_and_its_share_computed_here(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.system import cores

    monkeypatch.setattr(cores, "COPY_GRACE_S", 1.0)
    parent = os.getpid()

    def hangs_in_a_copy(number: int) -> int:
        if os.getpid() != parent:
            (Path(folder) / str(os.getpid())).touch()
            time.sleep(3600)
        return -number

    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        assert map_forked(hangs_in_a_copy, list(range(6)), 2) == [0, -1, -2, -3, -4, -5]
        assert time.monotonic() - started < 30
        pids = [int(path.name) for path in Path(folder).iterdir()]
    assert len(pids) == 1 and not _alive(pids[0])


def test_a_copy_that_cannot_be_forked_has_its_share_computed_here(monkeypatch: pytest.MonkeyPatch) -> None:
    real_fork = os.fork
    forks = []

    def fork_once() -> int:  # the second fork meets the process limit
        forks.append(1)
        if len(forks) > 1:
            raise BlockingIOError("Resource temporarily unavailable")
        return real_fork()

    monkeypatch.setattr(os, "fork", fork_once)
    pids = map_forked(lambda _: os.getpid(), list(range(9)), 3)
    assert len(forks) == 2 and len(set(pids)) == 2  # one copy did its share, this process the other two
    assert pids.count(os.getpid()) == 6
