"""Sources: RSS/Atom feeds and article pages from a real HTTP server on 127.0.0.1, and the [sources] table."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers import (
    assert_feed_valid,
    daily,
    daily_episodes,
    mp3_chapters,
    write_config,
)
from local_http import Answer, serving

from briefing.config import SettingsError, parse_config
from briefing.daily.sources import source_settings

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{text}</p>\n" for text in paragraphs)
    return (f"<!doctype html><html><head><title>{title} - Valley Gazette</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>{title}</h1>\n{body}</article>"
            f"<footer>© Valley Gazette. All rights reserved.</footer></body></html>").encode()


PAGES = {
    "/news/reservoir": page("Reservoir levels back to normal after wet autumn", [
        "Water levels at the county's three reservoirs are back to normal for the time of year after the "
        "wettest autumn in a decade, the water company said on Monday.",
        "The hosepipe ban introduced in August will be lifted from Friday, it added.",
        "Levels had fallen to 54% of capacity in September, the lowest since records began in 1976."]),
    "/news/market": page("Farmers' market moves to the old station yard", [
        "The weekly farmers' market is moving to the old station yard from the first Saturday of December, "
        "giving its 60 stallholders room to grow.",
        "Organisers said the new site has parking for 200 cars and a covered area for winter."]),
    "/news/chart.png": PNG,
    "/world/ferry": page("Island ferry service restored after storm damage", [
        "Ferries to the islands resumed on Tuesday, four days after a storm damaged the pier at the "
        "mainland terminal.",
        "Engineers worked through the weekend to repair the ramp, the operator said."]),
    "/news/school": page("New primary school to open in the spring", [
        "A new primary school for 420 pupils will open in the spring on the edge of the town, the "
        "education authority said.",
        "It will be the first new school in the area for more than 30 years."]),
}


def rss(items: list[tuple[str, str, str]], base: str) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>{date}</pubDate></item>" for path, title, date in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Valley Gazette</title>'
            f"<link>{base}/</link><description>Local news</description>{entries}</channel></rss>").encode()


def atom(base: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>World desk</title><id>{base}/world</id><updated>2026-11-25T05:00:00Z</updated>"
            f"<entry><title>Island ferry service restored after storm damage</title><id>{base}/world/ferry</id>"
            f'<link href="{base}/world/ferry"/><updated>2026-11-25T05:00:00Z</updated></entry></feed>').encode()


class NewsSite:
    """A news site: /news.rss (items chosen by the test), /world.atom, /slow.rss (never answers in time)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.items = [("/news/reservoir", "Reservoir levels back to normal after wet autumn", "Wed, 25 Nov 2026 05:30:00 GMT"),
                      ("/news/chart.png", "Chart: rainfall this autumn", "Wed, 25 Nov 2026 05:00:00 GMT"),
                      ("/news/market", "Farmers' market moves to the old station yard", "Tue, 24 Nov 2026 18:00:00 GMT")]
        self.base = ""

    def answer(self, path: str) -> Answer:
        self.requests[path] += 1
        if path == "/slow.rss":
            time.sleep(2.5)
            return rss([], self.base), "application/rss+xml"
        if path == "/news.rss":
            return rss(self.items, self.base), "application/rss+xml"
        if path == "/world.atom":
            return atom(self.base), "application/atom+xml"
        if path in PAGES:
            return PAGES[path], "image/png" if path.endswith(".png") else "text/html; charset=utf-8"
        return 404


@pytest.fixture
def news():
    site = NewsSite()
    with serving(site.answer) as site.base:
        yield site


@pytest.mark.slow
def test_feeds_make_the_episode_from_good_items_and_no_item_is_fetched_twice(tmp_path, news):
    library = tmp_path / "library"
    write_config(library, f'feeds = ["{news.base}/news.rss", "{news.base}/slow.rss", "{news.base}/world.atom"]\n'
                          "timeout_s = 1\nallow_private_urls = true  # the test server is on 127.0.0.1")

    first = daily(library, "--date", "2026-11-25", "--minutes", "1.5")

    assert first.exit_code == 3, first.output
    skipped = sorted(line for line in first.stderr.splitlines() if line.startswith("Skipped"))
    assert len(skipped) == 2
    assert f"{news.base}/news/chart.png: not an article page (Content-Type image/png)" in skipped[0]
    assert f"{news.base}/slow.rss: timed out" in skipped[1]
    [episode] = daily_episodes(library)
    # One source each: the top of a feed before the second of another (the editor's order, not the feeds').
    assert mp3_chapters(library / episode.audio_path) == [
        "Introduction", "Headlines", "Reservoir levels back to normal after wet autumn",
        "Island ferry service restored after storm damage", "Farmers' market moves to the old station yard", "Close"]

    news.items.insert(0, ("/news/school", "New primary school to open in the spring", "Wed, 25 Nov 2026 07:00:00 GMT"))
    second = daily(library, "--date", "2026-11-25", "--minutes", "2", "--update")

    assert second.exit_code == 3  # the slow feed still fails
    [episode] = daily_episodes(library)
    assert mp3_chapters(library / episode.audio_path)[2:] == [
        "Reservoir levels back to normal after wet autumn", "Island ferry service restored after storm damage",
        "Farmers' market moves to the old station yard", "New primary school to open in the spring", "Close"]
    items = ["/news/reservoir", "/news/market", "/news/chart.png", "/world/ferry", "/news/school"]
    assert {path: news.requests[path] for path in items} == dict.fromkeys(items, 1)

    third = daily(library, "--date", "2026-11-26")
    assert third.exit_code == 1
    assert {path: news.requests[path] for path in items} == dict.fromkeys(items, 1)
    assert news.requests["/news.rss"] == 3
    assert assert_feed_valid(library) == 1


def test_sources_keep_the_order_written_and_resolve_paths_against_the_library(tmp_path):
    config = {"sources": {"feeds": ["https://example.org/a.rss", "https://example.org/b.rss"],
                          "inbox": "inbox", "files": ["extra/note.txt"], "timeout_s": 5}}
    settings = source_settings(parse_config(config, tmp_path), tmp_path)
    assert [(spec.kind, spec.rank) for spec in settings.specs] == [("feed", 0), ("feed", 1), ("inbox", 2), ("file", 3)]
    assert settings.specs[2].location == str((tmp_path / "inbox").resolve())
    assert settings.timeout_s == 5.0


@pytest.mark.parametrize("table, problem", [
    ({"feeds": ["ftp://example.org/a.rss"]}, "must start with http:// or https://"),
    ({"inbox": 3}, "sources.inbox must be a string or a list of strings"),
    ({"podcasts": ["x"]}, "unknown key sources.podcasts"),
    ({"timeout_s": 0}, "sources.timeout_s must be greater than 0 and at most 3600, got 0"),
])
def test_bad_sources_settings_are_named_once_as_settings_errors(tmp_path, table, problem):
    with pytest.raises(SettingsError, match=problem):
        parse_config({"sources": table}, tmp_path)


def test_a_missing_inbox_is_reported_and_nothing_is_made(tmp_path):
    library = tmp_path / "library"
    write_config(library, 'inbox = "inbox"')
    result = daily(library, "--date", "2026-11-25")
    assert result.exit_code == 1
    assert f"Skipped: {(library / 'inbox').resolve()}: the inbox folder does not exist" in result.stderr
    assert "nothing to brief for 2026-11-25: 1 source(s) failed" in result.stderr
    assert not Path(library / "feed.xml").exists()


def test_a_feed_item_that_cannot_be_fetched_is_reported_once_and_dropped_after_three_days(tmp_path):
    import time

    from briefing.library.store import Library
    from briefing.daily.sources import ITEM_RETRY_DAYS, Gathered, item_failed

    key, link = "url:https://news.example/gone", "https://news.example/gone"
    problem = f"{link}: HTTP 404 Not Found"
    reported = []
    with Library.open(tmp_path) as library:
        for day in ["2026-11-25", "2026-11-25", "2026-11-26", "2026-11-27"]:
            assert not library.seen_keys([key])  # still tried on this day
            gathered = Gathered(deadline=time.monotonic() + 60)
            item_failed(library, key, link, problem, gathered, today=day)
            reported.append(gathered.failures)
        assert library.seen_keys([key])  # dropped: never fetched again
    assert reported[0] == [f"{problem} (tried again on the next runs; dropped if it fails on {ITEM_RETRY_DAYS} days)"]
    assert reported[1:] == [[], [], []]  # the same day again, then quiet until dropped


def test_slow_pages_are_fetched_at_once_not_one_after_another(tmp_path):
    """Each page answers only once all five are asked for: read one after another, every one would
    time out; fetched at once, all five are read."""
    from briefing.library.store import Library
    from briefing.daily.sources import gather

    paths = ["/news/reservoir", "/news/market", "/world/ferry", "/news/school", "/news/reservoir?again"]
    everyone_asked = threading.Barrier(len(paths), timeout=20)

    def answer(path: str) -> Answer:
        everyone_asked.wait()
        return PAGES[path.split("?")[0]], "text/html; charset=utf-8"

    with serving(answer) as base:
        config = parse_config({"sources": {"urls": [base + path for path in paths], "timeout_s": 30,
                                           "allow_private_urls": True}}, tmp_path)
        settings = source_settings(config, tmp_path)
        with Library.open(tmp_path) as library:
            gathered = gather(settings, library)
    assert gathered.failures == []
    assert [candidate.origin for candidate in gathered.candidates] == [base + path for path in paths]
