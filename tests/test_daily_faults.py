"""A `briefing daily` killed (SIGKILL) at random moments leaves a valid feed and loses no article.

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
from conftest import assert_feed_valid, briefing_process, daily_episodes, write_article, write_config

KILLS = 20


def temporaries(library) -> list[str]:
    """Temporary files of our writers in the library folder and episodes/ (the lock's own aside)."""
    return [path.name for folder in (library, library / "episodes") if folder.is_dir() for path in folder.iterdir()
            if path.name.endswith(".tmp") and not path.name.startswith(".briefing.lock")]


def run_to_end(library, date: str) -> int:
    process = briefing_process(library, "--date", date, "--minutes", "0.5")
    code = process.wait(timeout=60)
    assert code == 0, process.stderr.read()
    return code


@pytest.mark.slow
def test_killed_runs_leave_a_valid_feed_and_the_next_run_completes(tmp_path):
    library = tmp_path / "library"
    inbox = library / "inbox"
    inbox.mkdir(parents=True)
    write_config(library, 'inbox = "inbox"')
    write_article(inbox, 0)
    started = time.monotonic()
    run_to_end(library, "2026-01-01")
    one_run = time.monotonic() - started
    rng = random.Random(20261125)
    left_by_kills = 0

    for kill in range(1, KILLS + 1):
        date = (dt.date(2026, 1, 1) + dt.timedelta(days=kill)).isoformat()
        write_article(inbox, kill)
        process = briefing_process(library, "--date", date, "--minutes", "0.5")
        time.sleep(rng.uniform(0.35, 1.05) * one_run)  # mostly after start-up
        process.send_signal(signal.SIGKILL)
        process.wait()

        assert_feed_valid(library)
        left_by_kills += len(temporaries(library))
        run_to_end(library, date)
        assert_feed_valid(library)
        assert temporaries(library) == [], temporaries(library)

    print(f"temporary files left by {KILLS} kills (each removed by the next run): {left_by_kills}")
    assert len(daily_episodes(library)) == KILLS + 1
    with sqlite3.connect(library / "briefing.db") as db:
        dates = db.execute("SELECT date, COUNT(*) FROM daily_articles GROUP BY date").fetchall()
    assert dates == [((dt.date(2026, 1, 1) + dt.timedelta(days=n)).isoformat(), 1) for n in range(KILLS + 1)]
