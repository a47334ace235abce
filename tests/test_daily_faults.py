"""A `briefing daily` killed (SIGKILL) while it holds the library's lock, at seeded moments spread over
that time (one in each of ``KILLS`` slices), leaves a valid feed and loses no article.

After every kill: the feed parses, every enclosure is complete on disk, the next run completes
and leaves no temporary file of the killed one behind, and each article belongs to exactly one
date's episode.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import sqlite3
import time

import pytest
from helpers import assert_feed_valid, briefing_process, daily_episodes, write_article, write_config

from briefing.library.locking import LOCK_NAME, read_lock

KILLS = 12


def temporaries(library) -> list[str]:
    """Temporary files of our writers in the library folder and episodes/ (the lock's own aside)."""
    return [path.name for folder in (library, library / "episodes") if folder.is_dir() for path in folder.iterdir()
            if path.name.endswith(".tmp") and not path.name.startswith(".briefing.lock")]


def start_run(library, date: str):
    return briefing_process(library, "--date", date, "--minutes", "0.5")


def wait_until_it_holds_the_lock(process, library) -> None:
    """From this moment on the run may write into the library: before it, a kill tests nothing."""
    deadline = time.monotonic() + 60
    while (held := read_lock(library / LOCK_NAME)) is None or held.pid != process.pid:
        assert process.poll() is None, f"the run ended before it took the lock: {process.stderr.read()}"
        assert time.monotonic() < deadline, "the run did not take the library's lock"
        time.sleep(0.002)


def run_to_end(library, date: str) -> float:
    """Run to the end; return how long it held the library's lock (the moments worth a kill)."""
    process = start_run(library, date)
    wait_until_it_holds_the_lock(process, library)
    locked = time.monotonic()
    code = process.wait(timeout=60)
    assert code == 0, process.stderr.read()
    return time.monotonic() - locked


@pytest.mark.slow
def test_killed_runs_leave_a_valid_feed_and_the_next_run_completes(tmp_path):
    library = tmp_path / "library"
    inbox = library / "inbox"
    inbox.mkdir(parents=True)
    write_config(library, 'inbox = "inbox"')
    write_article(inbox, 0)
    writing = run_to_end(library, "2026-01-01")
    rng = random.Random(20261125)
    left_by_kills = runs = 0
    strata = list(range(KILLS))  # each kill in its own slice of the writing time, so none is left out

    while strata:
        runs += 1
        assert runs <= 2 * KILLS, f"runs ended before their kill too often; slices not hit: {strata}"
        date = (dt.date(2026, 1, 1) + dt.timedelta(days=runs)).isoformat()
        write_article(inbox, runs)
        process = start_run(library, date)
        wait_until_it_holds_the_lock(process, library)
        stratum = strata[0]
        # The last tenth is left out: a run a little faster than the one before would end before its kill.
        time.sleep((stratum + rng.random()) / KILLS * 0.9 * writing)
        process.send_signal(signal.SIGKILL)
        if process.wait() == -signal.SIGKILL:
            strata.pop(0)

        assert_feed_valid(library)
        left_by_kills += len(temporaries(library))
        writing = run_to_end(library, date)
        assert_feed_valid(library)
        assert temporaries(library) == [], temporaries(library)

    print(f"temporary files left by {KILLS} kills in {runs} runs (each removed by the next run): {left_by_kills}")
    assert len(daily_episodes(library)) == runs + 1
    with sqlite3.connect(library / "briefing.db") as db:
        dates = db.execute("SELECT date, COUNT(*) FROM daily_articles GROUP BY date").fetchall()
    assert dates == [((dt.date(2026, 1, 1) + dt.timedelta(days=n)).isoformat(), 1) for n in range(runs + 1)]
