"""The invented news days of ``tests/fixtures/newsdays`` as a listener's sources would give them.

Loads a day's articles and labels, writes each outlet's RSS feed and article pages (clutter and all,
as a news site prints it), and serves them over a real HTTP server on 127.0.0.1. Used by
``tests/test_daily_editor.py``, ``benchmarks/daily_editor.py`` and ``scripts/screenshot.py`` (``served``).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path

import local_http

NEWSDAYS = Path(__file__).resolve().parent / "fixtures" / "newsdays"


@dataclass(frozen=True)
class DayArticle:
    id: str
    outlet: str  # the outlet's slug
    outlet_name: str
    title: str
    published: dt.datetime
    paragraphs: tuple[str, ...]
    position: int  # 0: the top of its outlet's feed


@dataclass(frozen=True)
class LabelledStory:
    id: str
    articles: tuple[str, ...]
    facts: tuple[tuple[str, ...], ...]  # each fact: phrases any one of which will do
    sources: int


@dataclass(frozen=True)
class Disagreement:
    """Two sources of a story give different values for one figure: ``newest`` must be said, and
    ``older`` (the figure of ``older_outlet``) not, or only credited to its outlet."""

    story: str
    newest: tuple[str, ...]  # phrases any one of which says the newest figure
    older: tuple[str, ...]
    older_outlet: str

    def settled(self, said: str) -> bool:
        """``said`` (the story as told, lower case, spacing normalised) says the newest figure, and the
        older one only as its outlet's."""
        return any(p.lower() in said for p in self.newest) and not self.says_older_as_true(said)

    def contradicts(self, said: str) -> bool:
        """Both figures said, the older not credited to its outlet: as if both were true."""
        return any(p.lower() in said for p in self.newest) and self.says_older_as_true(said)

    def says_older_as_true(self, said: str) -> bool:
        outlet = self.older_outlet.lower()
        credited = f"according to {outlet.removeprefix('the ')}" in said or f"according to {outlet}" in said
        return not credited and any(p.lower() in said for p in self.older)


@dataclass(frozen=True)
class NewsDay:
    name: str
    date: dt.date
    outlets: tuple[tuple[str, str], ...]  # (slug, name) in the order of the sources
    articles: tuple[DayArticle, ...]
    stories: tuple[LabelledStory, ...]
    clutter: tuple[str, ...]
    disagreements: tuple[Disagreement, ...] = ()

    def article(self, id: str) -> DayArticle:
        return next(article for article in self.articles if article.id == id)

    def story_of(self, id: str) -> LabelledStory:
        return next(story for story in self.stories if id in story.articles)


def news_days(folder: Path = NEWSDAYS) -> list[NewsDay]:
    """The days in ``folder`` (by default the tuning days; benchmarks/data/heldout_days holds more)."""
    return [load_day(day) for day in sorted(folder.iterdir()) if (day / "labels.json").is_file()]


def load_day(folder: Path) -> NewsDay:
    data = json.loads((folder / "articles.json").read_text(encoding="utf-8"))
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    articles = []
    for outlet in data["outlets"]:
        for position, item in enumerate(outlet["articles"]):
            published = dt.datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
            articles.append(DayArticle(item["id"], outlet["slug"], outlet["name"], item["title"], published,
                                       tuple(item["paragraphs"]), position))
    outlet_of = {article.id: article.outlet for article in articles}
    stories = tuple(LabelledStory(story["id"], tuple(story["articles"]),
                                  tuple((fact,) if isinstance(fact, str) else tuple(fact) for fact in story["facts"]),
                                  len({outlet_of[id] for id in story["articles"]}))
                    for story in labels["stories"])
    return NewsDay(folder.name, dt.date.fromisoformat(data["date"]),
                   tuple((outlet["slug"], outlet["name"]) for outlet in data["outlets"]),
                   tuple(articles), stories, tuple(labels["clutter"]),
                   tuple(Disagreement(d["story"], tuple(d["newest"]), tuple(d["older"]), d["older_outlet"])
                         for d in labels.get("disagreements", ())))


# ---- as a news site publishes them ------------------------------------------------------------------

def page_html(article: DayArticle) -> str:
    """An article page with a site's furniture around it: navigation, captions in figures, share links."""
    body = []
    for paragraph in article.paragraphs:
        text = html.escape(paragraph)
        if paragraph.startswith(("Photo:", "Caption:")):
            body.append(f'<figure><img src="/img/{article.id}.jpg" alt=""><figcaption>{text}</figcaption></figure>')
        elif paragraph.startswith("Read more:") or paragraph.startswith("Related:"):
            label, _, rest = text.partition(":")
            body.append(f'<p class="related"><strong>{label}:</strong> <a href="/{article.outlet}/more">{rest.strip()}</a></p>')
        else:
            body.append(f"<p>{text}</p>")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(article.title)} | "
            f"{html.escape(article.outlet_name)}</title></head><body>"
            f'<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>'
            f"<main><article><h1>{html.escape(article.title)}</h1>"
            f'<p class="byline">{html.escape(article.outlet_name)} · {article.published:%d %B %Y}</p>'
            + "".join(body) + "</article></main><footer><p>Contact us · Privacy · Terms</p></footer></body></html>")


def feed_xml(day: NewsDay, outlet: str, base_url: str) -> str:
    """The outlet's RSS feed, its items in its own order (the top of the feed first)."""
    name = dict(day.outlets)[outlet]
    items = []
    for article in sorted((a for a in day.articles if a.outlet == outlet), key=lambda a: a.position):
        link = f"{base_url}/{day.name}/{outlet}/{article.id}.html"
        items.append(f"<item><title>{html.escape(article.title)}</title><link>{link}</link>"
                     f"<guid>{link}</guid><pubDate>{format_datetime(article.published)}</pubDate></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{html.escape(name)}</title>'
            f"<link>{base_url}/{day.name}/{outlet}/</link><description>News from {html.escape(name)}</description>"
            + "".join(items) + "</channel></rss>")


def feed_urls(day: NewsDay, base_url: str) -> list[str]:
    return [f"{base_url}/{day.name}/{slug}/rss.xml" for slug, _ in day.outlets]


@contextmanager
def serving(days: list[NewsDay]) -> Iterator[str]:
    """Serve the days' feeds and pages on 127.0.0.1; yields the base URL."""
    pages: dict[str, tuple[bytes, str]] = {}
    with local_http.serving(lambda path: pages.get(path, 404)) as base_url:
        for day in days:
            for slug, _ in day.outlets:
                pages[f"/{day.name}/{slug}/rss.xml"] = (feed_xml(day, slug, base_url).encode(), "application/rss+xml")
            for article in day.articles:
                pages[f"/{day.name}/{article.outlet}/{article.id}.html"] = (page_html(article).encode(),
                                                                           "text/html; charset=utf-8")
        yield base_url
