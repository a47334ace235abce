"""A `briefing daily` killed (SIGKILL) in each phase of its work under the library's lock leaves a
valid feed and loses no article.

Each run is stopped at a named point of one phase (see ``PHASES``) and killed there, so every phase is
hit on every machine, however loaded. After every kill: the feed parses, every enclosure is complete on
disk, the next run for the same date completes and leaves no temporary file of the killed one behind,
and each article belongs to exactly one date's episode.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from helpers import (
    assert_feed_valid,
    daily,
    daily_episodes,
    kill,
    paused_briefing,
    requires_espeak,
    write_article,
    write_config,
)

from briefing.library.locking import LOCK_NAME, read_lock

# Where a run is stopped and killed, in the order a run reaches them: the function it stops at, and
# whether it stops once that has returned (else before it is called).
PHASES = {
    "reading the sources, the lock taken": ("briefing.daily.run:gather", False),
    "speaking: a first clip in the speech cache": ("briefing.audio.cache:RenderCache.put", True),
    "encoding: a first piece in the encoded cache": ("briefing.audio.cache:EncodedPieces.keep", True),
    "publishing: the episode's files and record written, not the feed": ("briefing.library.feed:write_feed", False),
    "the feed names the episode, the page does not": ("briefing.library.page:write_page", False),
    "published: the articles read not yet recorded": ("briefing.library.store:Library.set_used_articles", False),
}


def temporaries(library) -> list[str]:
    """Temporary files of our writers in the library folder and episodes/ (the lock's own aside)."""
    return [path.name for folder in (library, library / "episodes") if folder.is_dir() for path in folder.iterdir()
            if path.name.endswith(".tmp") and not path.name.startswith(".briefing.lock")]


# The classic engine: what is tested is the library, not the voice.
OPTIONS = ("--minutes", "0.5", "--voice", "british")


@requires_espeak
@pytest.mark.slow
def test_killed_runs_leave_a_valid_feed_and_the_next_run_completes(tmp_path):
    library = tmp_path / "library"
    inbox = library / "inbox"
    inbox.mkdir(parents=True)
    write_config(library, 'inbox = "inbox"')
    write_article(inbox, 0)
    assert daily(library, "--date", "2026-01-01", *OPTIONS).exit_code == 0

    for run, (phase, (at, after)) in enumerate(PHASES.items(), start=1):
        date = (dt.date(2026, 1, 1) + dt.timedelta(days=run)).isoformat()
        write_article(inbox, run)
        process = paused_briefing(at, "daily", "--library", str(library), "-q", "--date", date, *OPTIONS, after=after)
        held = read_lock(library / LOCK_NAME)
        assert held is not None and held.pid == process.pid, f"{phase}: the run does not hold the lock"
        kill(process)

        assert_feed_valid(library)
        done = daily(library, "--date", date, *OPTIONS)  # the next run, in-process
        assert done.exit_code == 0, f"{phase}: {done.output}"
        assert_feed_valid(library)
        assert temporaries(library) == [], (phase, temporaries(library))

    runs = len(PHASES)
    assert len(daily_episodes(library)) == runs + 1
    with sqlite3.connect(library / "briefing.db") as db:
        dates = db.execute("SELECT date, COUNT(*) FROM daily_articles GROUP BY date").fetchall()
    assert dates == [((dt.date(2026, 1, 1) + dt.timedelta(days=n)).isoformat(), 1) for n in range(runs + 1)]
