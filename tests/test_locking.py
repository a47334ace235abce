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

from briefing.errors import BriefingError, LibraryBusy
from briefing.library.store import Library
from briefing.library.locking import CLOCK_SKEW_S, LOCK_NAME, LOCK_TTL_S, LockLost, library_lock, machine_identity, read_lock

HOLDER = textwrap.dedent("""
    import sys, time
    from briefing.library.locking import library_lock
    with library_lock(sys.argv[1], ttl=float(sys.argv[2])):
        print("held", flush=True)
        sys.stdin.read()  # until the test closes our standard input (or kills us)
""")

COUNTER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from briefing.library.locking import library_lock
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


def write_foreign_lock(library: Path, *, host: str, pid: int, expires: float, machine: str | None = None) -> None:
    library.mkdir(parents=True, exist_ok=True)
    (library / LOCK_NAME).write_text(json.dumps({"owner": f"{host}:{pid}:someone", "host": host, "pid": pid,
                                                 "expires": expires, "acquired": expires - 30, "machine": machine}))


def test_the_lock_file_names_owner_host_pid_and_expiry_and_is_gone_after_release(tmp_path):
    with library_lock(tmp_path, ttl=30) as path:
        fields = lock_fields(tmp_path)
        assert path == tmp_path / LOCK_NAME
        assert fields["host"] == socket.gethostname() and fields["pid"] == os.getpid()
        assert fields["machine"] == machine_identity() and len(fields["owner"]) == 32  # a random token
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
    write_foreign_lock(tmp_path, host=socket.gethostname(), pid=_dead_pid(), expires=time.time() + 30,
                       machine=machine_identity())
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


def test_a_dead_pid_under_this_hostname_but_another_machine_identity_waits_for_the_expiry(tmp_path):
    """A cloned VM or a container has our hostname, but its pids are not ours to check."""
    write_foreign_lock(tmp_path, host=socket.gethostname(), pid=_dead_pid(), expires=time.time() + 30,
                       machine="another-boot/" + socket.gethostname() + "/pid:[1]")
    with pytest.raises(LibraryBusy):
        with library_lock(tmp_path):
            pass


HOLDER_IN_NAMESPACE = textwrap.dedent("""
    import os, sys, time
    from briefing.library.locking import library_lock
    with library_lock(sys.argv[1], ttl=float(sys.argv[2])):
        print("held", os.getpid(), flush=True)
        sys.stdin.read()
""")


def test_a_same_hostname_holder_in_another_pid_namespace_keeps_its_live_lock(tmp_path):
    unshare = ["unshare", "--pid", "--fork", "--mount-proc"]
    if os.geteuid() != 0 or subprocess.run([*unshare, "true"], capture_output=True).returncode != 0:
        pytest.skip("needs root and unshare(1) to start a process in its own PID namespace")
    ttl = 0.6
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = subprocess.Popen([*unshare, sys.executable, "-c", HOLDER_IN_NAMESPACE, str(tmp_path), str(ttl)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout is not None and holder.stdout.readline().startswith("held")
        held = lock_fields(tmp_path)
        assert held["host"] == socket.gethostname() and held["machine"] != machine_identity()
        deadline = time.monotonic() + 5 * ttl  # several renewals: never broken while it renews
        while time.monotonic() < deadline:
            with pytest.raises(LibraryBusy):
                with library_lock(tmp_path):
                    pass
            time.sleep(0.1)
        assert lock_fields(tmp_path)["owner"] == held["owner"]
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0  # it never learned of a takeover (LockLost at release)


PAUSED_BREAKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from briefing.library import locking
    from briefing.library.store import Library
    library = Path(sys.argv[1])
    judged, go = library / "judged", library / "go"
    original = locking._HeldLock._remove_if_unchanged

    def paused(self, stale):  # it has judged the lock stale; it pauses before it moves the file
        judged.touch()
        while not go.exists():
            time.sleep(0.01)
        return original(self, stale)

    locking._HeldLock._remove_if_unchanged = paused
    try:
        with locking.library_lock(library, ttl=1.0):
            with Library.open(library) as opened:
                opened.set_meta("published-by", "breaker")
            print("published", flush=True)
    except locking.LockLost:
        print("lost", flush=True)
    except Exception as error:
        print(type(error).__name__, flush=True)
""")


def test_a_breaker_paused_between_its_checks_and_its_rename_cannot_publish_over_the_live_holder(tmp_path):
    write_foreign_lock(tmp_path, host="other-host.example", pid=1, expires=time.time() - CLOCK_SKEW_S - 1)
    with Library.open(tmp_path) as library:
        library.set_meta("published-by", "nobody")
    breaker = subprocess.Popen([sys.executable, "-c", PAUSED_BREAKER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "judged").exists():
            assert breaker.poll() is None and time.monotonic() < deadline, "the breaker did not judge the lock"
            time.sleep(0.01)
        with library_lock(tmp_path, ttl=1.0):  # we break the same stale lock first, and hold it
            (tmp_path / "go").touch()
            stdout, _ = breaker.communicate(timeout=60)
            assert stdout.strip() == "LibraryBusy"  # it saw the lock had changed and left it
            time.sleep(1.0)  # renewals go on undisturbed
            with Library.open(tmp_path) as library:
                library.set_meta("published-by", "holder")
    finally:
        if breaker.poll() is None:
            breaker.kill()
    with Library.open(tmp_path) as library:
        assert library.stored_meta("published-by") == "holder"


def test_a_run_that_lost_the_lock_cannot_record_anything_in_the_library(tmp_path):
    with Library.open(tmp_path) as library:
        library.set_meta("published-by", "nobody")
    with pytest.raises(LockLost):
        with library_lock(tmp_path, ttl=10):
            write_foreign_lock(tmp_path, host="other-host.example", pid=1, expires=time.time() + 30)
            with Library.open(tmp_path) as library:
                library.set_meta("published-by", "the run that lost")
    with Library.open(tmp_path) as library:
        assert library.stored_meta("published-by") == "nobody"
    assert lock_fields(tmp_path)["host"] == "other-host.example"


def test_a_lock_whose_expiry_lies_beyond_any_renewal_is_stale(tmp_path):
    write_foreign_lock(tmp_path, host=socket.gethostname(), pid=os.getpid(), machine=machine_identity(),
                       expires=time.time() + 10 * 365 * 86400)
    with library_lock(tmp_path):
        assert lock_fields(tmp_path)["owner"] != "someone"
    write_foreign_lock(tmp_path, host="other-host.example", pid=1, expires=time.time() + LOCK_TTL_S + CLOCK_SKEW_S + 60)
    with library_lock(tmp_path):
        assert lock_fields(tmp_path)["host"] == socket.gethostname()


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "huge file"])
def test_a_lock_path_that_is_no_lock_file_is_replaced_without_reading_it(tmp_path, kind):
    path = tmp_path / LOCK_NAME
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    else:
        path.write_bytes(b"{" + b" " * 10_000_000)
    with library_lock(tmp_path):  # neither hangs nor reads without bound
        assert lock_fields(tmp_path)["pid"] == os.getpid()
    assert not path.exists() and not path.is_symlink()


def test_a_folder_at_the_lock_path_is_a_one_line_error(tmp_path):
    (tmp_path / LOCK_NAME).mkdir()
    with pytest.raises(BriefingError, match="is a folder, not a lock file"):
        with library_lock(tmp_path):
            pass


def test_waiting_for_a_live_holder_gives_up_after_the_seconds_asked(tmp_path):
    holder = start_holder(tmp_path)
    try:
        with pytest.raises(LibraryBusy, match=r"waited 0\.5 s"):
            with library_lock(tmp_path, wait=0.5):
                pass
    finally:
        holder.communicate("")


def test_make_and_daily_wait_the_seconds_asked_for_a_live_holder_then_exit_75(tmp_path):
    from helpers import FIXTURES, run_cli, write_config

    write_config(tmp_path, 'inbox = "inbox"')
    (tmp_path / "inbox").mkdir()
    holder = start_holder(tmp_path)
    try:
        made = run_cli(["make", FIXTURES / "bin-collections.txt", "--max-words", "20", "-q", "--wait", "0.5",
                        "--library", tmp_path], home=tmp_path)
        daily = run_cli(["daily", "--library", tmp_path, "-q", "--wait", "0.5"], home=tmp_path)
    finally:
        holder.communicate("")
    for result in (made, daily):
        assert result.returncode == 75, result.stderr
        assert result.stderr.strip().count("\n") == 0 and "waited 0.5 s" in result.stderr
