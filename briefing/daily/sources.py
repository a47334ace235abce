"""Where the day's articles come from: the ``[sources]`` table of ``<library>/briefing.toml``.

    [sources]
    inbox = "inbox"                        # a folder (or a list of them); relative to the library
    feeds = ["https://example.org/rss"]    # RSS/Atom: each new item's link is fetched as an article page
    urls = ["https://example.org/story"]   # article pages
    files = ["extra/statement.txt"]        # article files
    timeout_s = 15                         # per HTTP request, all of it: redirects, headers and body
    total_timeout_s = 300                  # for all the sources of one run; later ones are skipped
    max_bytes = 10485760                   # per HTTP response
    max_items = 20                         # newest unread items taken from one feed or inbox per run
    allow_private_urls = false             # true: also fetch loopback, private and link-local addresses
    follow_symlinks = false                # true: the inbox also reads what its symlinks point to outside it

The keys ``inbox``, ``feeds``, ``urls`` and ``files`` may come in any order and the order written is
the order of importance (see ``daily``): every entry gets a rank, the first entry written rank 0.

This stage owns finding *new* articles: an inbox file is known by the SHA-256 of its content and a
page by its address, and whatever the library has already used (or rejected as not an article) is
skipped before it is read or fetched. It does not record what it returns as used — the daily run
does that once the episode is published. Inputs that are not articles (a broken file, an image
behind a feed item) are rejected in the library at once, so they are reported once, not every day;
a source that cannot be reached (timeout, HTTP error, missing file) is reported and tried again
next run. One item of a feed that cannot be fetched (a link answering 404) is reported the first day
it fails, tried again quietly on the next runs, and dropped (rejected: never tried again) once it
has failed on ``ITEM_RETRY_DAYS`` different days, so one dead link does not fail every later day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from briefing.text.clean import clean
from briefing.config import Config
from briefing.errors import BriefingError, InputError
from briefing.library.store import Library
from briefing.model import Article, RawArticle
from briefing.readers import (
    URL_MAX_BYTES,
    URL_TIMEOUT_S,
    ReadOptions,
    decode_input,
    parse,
    read_regular_file,
    require_article_text,
)
from briefing.system.textsafety import headline

SourceKind = Literal["inbox", "file", "url", "feed"]
LIST_KEYS: dict[str, SourceKind] = {"inbox": "inbox", "files": "file", "urls": "url", "feeds": "feed"}
DEFAULT_MAX_ITEMS = 20
MAX_LINK_CHARS = 2048  # what browsers and servers take; a longer feed link is not a page's address
DEFAULT_TOTAL_TIMEOUT_S = 300.0
FETCH_THREADS = 8  # network fetches at once, per run


@dataclass(frozen=True)
class SourceSpec:
    kind: SourceKind
    location: str  # an absolute path, or a URL
    rank: int  # 0 is the most important


@dataclass(frozen=True)
class SourceSettings:
    specs: tuple[SourceSpec, ...] = ()
    timeout_s: float = URL_TIMEOUT_S
    max_bytes: int = URL_MAX_BYTES
    max_items: int = DEFAULT_MAX_ITEMS
    total_timeout_s: float = DEFAULT_TOTAL_TIMEOUT_S
    allow_private_urls: bool = False
    follow_symlinks: bool = False  # the inbox reads files its symlinks point to outside it
    drop: tuple[str, ...] = ()  # [extract] drop: CSS selectors removed from every page before extraction
    weights: tuple[tuple[str, float], ...] = ()  # a source (entry or name) and its weight in the day's ranking

    def weight_of(self, outlet: str, name: str | None) -> float:
        """The pinned weight of the source ``outlet`` (as resolved) called ``name``; 1 when none is pinned."""
        for key, weight in self.weights:
            if key == outlet or (name is not None and key.casefold() == name.casefold()):
                return weight
        return 1.0


@dataclass(frozen=True)
class Candidate:
    """A new article: ``key`` identifies it in the library's memory of used articles."""

    key: str
    article: Article
    rank: int
    timestamp: float | None  # seconds since the epoch; newer first within one source
    origin: str  # the file or URL, as the user would recognise it
    outlet: str = ""  # the source written in [sources] it came from (a feed's URL, an inbox folder)
    outlet_name: str | None = None  # what the outlet calls itself (a feed's title), for "reported by ..."
    position: int = 0  # where the outlet put it: 0 is the top of its feed (or the newest file of a folder)


@dataclass
class Gathered:
    candidates: list[Candidate] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line each: the source and its problem
    deadline: float = float("inf")  # time.monotonic() by which every source must have been read
    # URLs being fetched ahead by ``gather``'s threads, so slow sources cost their longest wait, not the sum.
    fetching: dict[str, Future[tuple[bytes, str]]] = field(default_factory=dict)
    fetch_ahead: Callable[[str, SourceSettings], None] = lambda url, settings: None

    def time_left(self, location: str, total_timeout_s: float) -> float:
        """Seconds left for reading sources; InputError (the source is skipped) when none are."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise InputError(f"{location}: not read, the sources took their total_timeout_s of {total_timeout_s:g} s")
        return left


def source_settings(config: Config, library_dir: Path) -> SourceSettings:
    """The day's sources as the library's checked settings name them; paths resolved against its folder."""
    table = config.sources
    specs = tuple(SourceSpec(LIST_KEYS[key], _location(LIST_KEYS[key], location, library_dir), rank)
                  for rank, (key, location) in enumerate(table.entries))
    limits = {name: value for name in ("timeout_s", "total_timeout_s", "max_bytes", "max_items")
              if (value := getattr(table, name)) is not None}
    return SourceSettings(specs=specs, drop=config.drop, allow_private_urls=table.allow_private_urls,
                          follow_symlinks=table.follow_symlinks, weights=_weights(table.weights, library_dir),
                          **limits)


def _weights(pinned: tuple[tuple[str, float], ...], library_dir: Path) -> tuple[tuple[str, float], ...]:
    """``weights = {"https://…/rss" = 2, "inbox" = 0.5, "The Herald" = 1.5}``: by entry or by name."""
    resolved = []
    for key, weight in pinned:
        resolved.append((key, weight))
        if not key.startswith(("http://", "https://")):  # a folder or file as written, or an outlet's name
            resolved.append((str((library_dir / Path(key).expanduser()).resolve()), weight))
    return tuple(resolved)


def _location(kind: SourceKind, value: str, library_dir: Path) -> str:
    if kind in ("url", "feed"):
        return value
    return str((library_dir / Path(value).expanduser()).resolve())


def gather(settings: SourceSettings, library: Library, report: Callable[[str], None] = lambda line: None) -> Gathered:
    """Read every source's new articles; a source that fails is reported and skipped.

    Network fetches run ahead in threads (every URL and feed at once, then each feed's new pages at
    once); reading, cleaning and the library's memory stay on this thread, in the sources' order.
    """
    gathered = Gathered(deadline=time.monotonic() + settings.total_timeout_s)
    taken: set[str] = set()  # the same page in two feeds, the same file twice: read once
    pool = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="briefing-fetch")

    def fetch_ahead(url: str, settings: SourceSettings) -> None:
        if url not in gathered.fetching:
            gathered.fetching[url] = pool.submit(_fetch_now, url, settings, gathered)

    gathered.fetch_ahead = fetch_ahead
    try:
        for spec in settings.specs:
            if spec.kind in ("url", "feed") and not library.seen_keys(["url:" + spec.location]):
                fetch_ahead(spec.location, settings)
        for spec in settings.specs:
            reader = _READERS[spec.kind]
            try:
                reader(spec, settings, library, gathered, taken)
            except BriefingError as error:
                gathered.failures.append(error.message)
    finally:
        # A page fetched ahead but not needed after all (a duplicate) is not waited for: each fetch
        # ends by itself within timeout_s.
        pool.shutdown(wait=False, cancel_futures=True)
    for line in gathered.failures:
        report(line)
    return gathered


def _read_inbox(spec: SourceSpec, settings: SourceSettings, library: Library, gathered: Gathered,
                taken: set[str]) -> None:
    folder = Path(spec.location)
    if not folder.is_dir():
        raise InputError(f"{folder}: the inbox folder does not exist")
    # Not only regular files: a FIFO or a device dropped in the inbox is reported (and never opened).
    files = [path for path in folder.iterdir() if not path.name.startswith(".") and not path.is_dir()]
    found = len(gathered.candidates)
    for position, path in enumerate(sorted(files, key=lambda p: (-_modified(p), p.name))):
        if len(gathered.candidates) - found >= settings.max_items:  # the newest; the rest wait for another day
            break
        try:
            readable = _inside_inbox(path, folder, settings.follow_symlinks)
            _read_file(replace(spec, location=str(readable)), settings, library, gathered, taken, spec.location,
                       position)
        except BriefingError as error:
            gathered.failures.append(error.message)


def _inside_inbox(path: Path, folder: Path, follow_symlinks: bool) -> Path:
    """The file to read for ``path`` in the inbox: a symlink out of the inbox is refused unless followed.

    Anything read may be narrated and published, so a link to a private file (or to /proc) must not
    be read just because it was dropped into the inbox.
    """
    if follow_symlinks or not path.is_symlink():
        return path
    real = path.resolve()
    if not real.is_relative_to(folder.resolve()):
        raise InputError(f"{path}: a symlink out of the inbox, not read (follow_symlinks = true in [sources] reads it)")
    return real


def _read_file(spec: SourceSpec, settings: SourceSettings, library: Library, gathered: Gathered,
               taken: set[str], outlet: str | None = None, position: int = 0) -> None:
    path = Path(spec.location)
    gathered.time_left(str(path), settings.total_timeout_s)
    data, status = read_regular_file(path)
    modified = status.st_mtime
    key = "sha256:" + hashlib.sha256(data).hexdigest()
    if key in taken or library.seen_keys([key]):
        return
    taken.add(key)
    try:
        article = _cleaned(parse(decode_input(data, str(path)), str(path), ReadOptions(drop=settings.drop)))
    except InputError as error:
        library.reject(key, str(path), error.message)
        raise
    gathered.candidates.append(Candidate(key, article, spec.rank, modified, str(path), outlet or spec.location,
                                         None, position))


def _read_url(spec: SourceSpec, settings: SourceSettings, library: Library, gathered: Gathered,
              taken: set[str], title: str | None = None, timestamp: float | None = None,
              outlet: tuple[str, str | None, int] | None = None) -> None:
    key = "url:" + spec.location
    if key in taken or library.seen_keys([key]):
        return
    taken.add(key)
    body, content_type = _fetch(spec.location, settings, gathered)
    try:
        article = page_article(spec.location, body, content_type, settings.drop)
    except InputError as error:
        library.reject(key, spec.location, error.message)
        raise
    title = headline(title)
    if title:  # a feed's headline is cleaner than a page's <title> ("… - Site name")
        article = replace(article, title=title)
    outlet_location, outlet_name, position = outlet or (spec.location, None, 0)
    gathered.candidates.append(Candidate(key, article, spec.rank, timestamp, spec.location, outlet_location,
                                         outlet_name, position))


def page_article(url: str, body: bytes, content_type: str, drop: tuple[str, ...] = ()) -> Article:
    """An article from a fetched page, or InputError if the response is not an article page."""
    from briefing.readers.url import page_text  # httpx takes 0.2 s to import: only days with web sources pay it

    text, format = page_text(url, body, content_type)
    return _cleaned(parse(text, url, ReadOptions(format=format, drop=drop)))


def _cleaned(raw: RawArticle) -> Article:
    article = clean(raw)
    require_article_text((p.text for p in article.paragraphs if not p.is_heading), article.source)
    return article


def _fetch(url: str, settings: SourceSettings, gathered: Gathered) -> tuple[bytes, str]:
    ahead = gathered.fetching.pop(url, None)
    return ahead.result() if ahead is not None else _fetch_now(url, settings, gathered)


def _fetch_now(url: str, settings: SourceSettings, gathered: Gathered) -> tuple[bytes, str]:
    from briefing.readers.url import fetch_bytes

    timeout_s = min(settings.timeout_s, gathered.time_left(url, settings.total_timeout_s))
    return fetch_bytes(url, timeout_s=timeout_s, max_bytes=settings.max_bytes,
                       allow_private=settings.allow_private_urls)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # gone since the folder was listed, or a dangling link: reported when read
        return 0.0


def _read_feed(spec: SourceSpec, settings: SourceSettings, library: Library, gathered: Gathered,
               taken: set[str]) -> None:
    name, items = _feed(spec.location, settings, gathered)
    keys = {"url:" + item[0] for item in items}
    seen = library.seen_keys(keys)
    fresh = [item for item in items if "url:" + item[0] not in seen][: settings.max_items]
    for link, _, _, _ in fresh:
        gathered.fetch_ahead(link, settings)
    for link, title, timestamp, position in fresh:
        try:
            _read_url(replace(spec, location=link), settings, library, gathered, taken, title, timestamp,
                      (spec.location, name, position))
        except BriefingError as error:
            key = "url:" + link
            if library.seen_keys([key]):  # not an article: _read_url rejected it, once and for all
                gathered.failures.append(error.message)
            else:  # not reached (404, timeout): counted, retried, then dropped
                item_failed(library, key, link, error.message, gathered)


ITEM_RETRY_DAYS = 3
_ITEM_FAILURES = "failed-item:"  # + the item's key, in the library's meta table: {"days": n, "last": date}


def item_failed(library: Library, key: str, link: str, problem: str, gathered: Gathered,
                today: str | None = None) -> None:
    """Count a feed item's failure once a day; report its first, drop it at the ``ITEM_RETRY_DAYS``th."""
    record = _failures_of(library.stored_meta(_ITEM_FAILURES + key))
    today = today or dt.date.today().isoformat()
    days = record["days"] + (record["last"] != today)
    library.set_meta(_ITEM_FAILURES + key, json.dumps({"days": days, "last": today}))
    if days == 1 and record["last"] != today:
        gathered.failures.append(f"{problem} (tried again on the next runs; dropped if it fails on "
                                 f"{ITEM_RETRY_DAYS} days)")
    if days >= ITEM_RETRY_DAYS:
        library.reject(key, link, f"failed on {days} days: {problem}")


def _failures_of(stored: str | None) -> dict:
    try:
        record = json.loads(stored or "")
        return {"days": int(record["days"]), "last": str(record["last"])}
    except (ValueError, KeyError, TypeError):
        return {"days": 0, "last": ""}


def feed_items(url: str, settings: SourceSettings,
               gathered: Gathered | None = None) -> list[tuple[str, str | None, float | None]]:
    """(link, title, timestamp) of a feed's items, newest first; undated items after, in feed order."""
    return [(link, title, timestamp) for link, title, timestamp, _ in _feed(url, settings, gathered)[1]]


def _feed(url: str, settings: SourceSettings,
          gathered: Gathered | None = None) -> tuple[str | None, list[tuple[str, str | None, float | None, int]]]:
    """The feed's title and its items (see ``feed_items``), each with its place in the feed as published."""
    import feedparser

    body, _ = _fetch(url, settings, gathered or Gathered(deadline=time.monotonic() + settings.total_timeout_s))
    parsed = feedparser.parse(body)  # given bytes, feedparser never touches the network
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise InputError(f"{url}: not an RSS or Atom feed")
    items = []
    for position, entry in enumerate(parsed.entries):
        link = entry.get("link")
        if not link or len(link) > MAX_LINK_CHARS or not link.startswith(("http://", "https://")):
            continue
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        title = headline(entry.get("title")) or None
        items.append((link, title, calendar.timegm(when) if when else None, position))
    name = headline(parsed.feed.get("title")) or None
    return name, sorted(items, key=lambda item: (item[2] is None, -(item[2] or 0)))


_READERS = {"inbox": _read_inbox, "file": _read_file, "url": _read_url, "feed": _read_feed}
