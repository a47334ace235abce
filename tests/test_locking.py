"""The library lock holds between processes (and machines) through its lock file alone.

Real processes contend for a real lock file; a holder is killed with SIGKILL; renewal is watched on
the file itself. Nothing here uses flock, so what passes here does not depend on it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from briefing.errors import LibraryBusy
from briefing.locking import CLOCK_SKEW_S, LOCK_NAME, LockLost, library_lock, read_lock

HOLDER = textwrap.dedent("""
    import sys, time
    from briefing.locking import library_lock
    with library_lock(sys.argv[1], ttl=float(sys.argv[2])):
        print("held", flush=True)
        sys.stdin.read()  # until the test closes our standard input (or kills us)
""")

COUNTER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from briefing.locking import library_lock
    library, rounds = Path(sys.argv[1]), int(sys.argv[2])
    for _ in range(rounds):
        with library_lock(library, wait=True, ttl=2.0):
            counter = library / "counter"
            value = int(counter.read_text())
            time.sleep(0.005)  # widen the window a missing lock would let another writer into
            counter.write_text(str(value + 1))
""")


def start_holder(library: Path, ttl: float = 30.0) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(library), str(ttl)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def lock_fields(library: Path) -> dict:
    return json.loads((library / LOCK_NAME).read_text())


def write_foreign_lock(library: Path, *, host: str, pid: int, expires: float) -> None:
    library.mkdir(parents=True, exist_ok=True)
    (library / LOCK_NAME).write_text(json.dumps({"owner": f"{host}:{pid}:someone", "host": host, "pid": pid,
                                                 "expires": expires, "acquired": expires - 30}))


def test_the_lock_file_names_owner_host_pid_and_expiry_and_is_gone_after_release(tmp_path):
    with library_lock(tmp_path, ttl=30) as path:
        fields = lock_fields(tmp_path)
        assert path == tmp_path / LOCK_NAME
        assert fields["host"] == socket.gethostname() and fields["pid"] == os.getpid()
        assert fields["owner"].startswith(f"{socket.gethostname()}:{os.getpid()}:")
        assert time.time() + 25 < fields["expires"] <= time.time() + 30
    assert sorted(os.listdir(tmp_path)) == []  # no lock file, no private temporary file


def test_a_second_process_is_refused_while_one_holds_the_lock_then_gets_it(tmp_path):
    holder = start_holder(tmp_path)
    try:
        with pytest.raises(LibraryBusy) as refused:
            with library_lock(tmp_path):
                pass
        assert refused.value.exit_code == 75
        assert lock_fields(tmp_path)["pid"] == holder.pid
    finally:
        holder.communicate("")  # closing stdin lets it release
    with library_lock(tmp_path):
        assert lock_fields(tmp_path)["pid"] == os.getpid()


def test_contending_processes_never_hold_the_lock_together(tmp_path):
    (tmp_path / "counter").write_text("0")
    rounds, processes = 15, 3
    workers = [subprocess.Popen([sys.executable, "-c", COUNTER, str(tmp_path), str(rounds)]) for _ in range(processes)]
    assert [worker.wait(timeout=120) for worker in workers] == [0] * processes
    assert int((tmp_path / "counter").read_text()) == rounds * processes
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_live_holder_renews_its_expiry_from_a_background_thread(tmp_path):
    ttl = 0.6
    holder = start_holder(tmp_path, ttl)
    try:
        first = lock_fields(tmp_path)
        time.sleep(4 * ttl)
        later = lock_fields(tmp_path)
        # Without renewal the expiry would have passed; with it, it moved on and stays ahead of now.
        assert later["owner"] == first["owner"]
        assert later["expires"] > first["expires"] + ttl
        assert later["expires"] > time.time()
        with pytest.raises(LibraryBusy):
            with library_lock(tmp_path):
                pass
    finally:
        holder.communicate("")


def test_a_lock_left_by_a_killed_process_on_this_host_is_broken_at_once(tmp_path):
    holder = start_holder(tmp_path, ttl=30)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    left = read_lock(tmp_path / LOCK_NAME)
    assert left is not None and left.pid == holder.pid and left.expires > time.time()  # not expired

    with library_lock(tmp_path):  # without --wait: the dead holder must not make us wait
        assert lock_fields(tmp_path)["pid"] == os.getpid()
    assert os.listdir(tmp_path) == []


def test_an_expired_lock_of_another_host_is_broken_but_a_fresh_one_is_respected(tmp_path):
    write_foreign_lock(tmp_path, host="other-host.example", pid=1, expires=time.time() + 30)
    with pytest.raises(LibraryBusy):
        with library_lock(tmp_path):
            pass

    write_foreign_lock(tmp_path, host="other-host.example", pid=1, expires=time.time() - CLOCK_SKEW_S - 1)
    with library_lock(tmp_path):
        assert lock_fields(tmp_path)["host"] == socket.gethostname()


def test_processes_breaking_the_same_stale_lock_take_turns(tmp_path):
    """A dead holder's lock, then three processes at once: the counter shows no two held it together."""
    write_foreign_lock(tmp_path, host=socket.gethostname(), pid=_dead_pid(), expires=time.time() + 30)
    (tmp_path / "counter").write_text("0")
    workers = [subprocess.Popen([sys.executable, "-c", COUNTER, str(tmp_path), "5"]) for _ in range(3)]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0]
    assert (tmp_path / "counter").read_text() == "15"


def test_a_holder_whose_lock_was_taken_over_does_not_remove_the_new_holders_file(tmp_path):
    with pytest.raises(LockLost):
        with library_lock(tmp_path, ttl=0.3):
            write_foreign_lock(tmp_path, host="other-host.example", pid=1, expires=time.time() + 30)
            time.sleep(0.5)  # the renewer notices
    assert lock_fields(tmp_path)["host"] == "other-host.example"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
