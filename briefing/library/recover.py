"""Restoring a lost or damaged library database from what was published: ``briefing rebuild``.

Owns reading the episodes back from ``feed.xml`` (guid, title, description, date, enclosure,
duration, narrator, transcript, chapters, cover, and the channel's podcast guid) and from the side
files beside each audio file (the timing ``.json``: exact duration, voice, and whether it was a daily
briefing). Without a ``feed.xml``, every audio file in ``episodes/`` with a timing ``.json`` becomes an
episode, with a guid made from its file name. The new database is written under a temporary name and
renamed into place; a damaged one is kept beside it as ``briefing.db.damaged-<time>``.

Only files in ``episodes/`` are adopted (audio files and their side files, not symlinks): a rebuilt
record may later delete what it names, so an enclosure elsewhere (the settings, the database, a
user's own files beside a feed of their own) is skipped with a line.

What is not published cannot come back: an episode's ``source``, and the daily briefing's memory of
the articles it has read (so the next ``daily`` may read some of them again).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from briefing.errors import InputError, UsageError
from briefing.audio.formats import audio_suffixes
from briefing.library.feed import ITUNES as ITUNES_NAMESPACE
from briefing.library.feed import PODCAST as PODCAST_NAMESPACE
from briefing.library.feed import notes_summary
from briefing.library.layout import EPISODES_DIR, FEED_NAME
from briefing.library.store import DB_NAME, FEED_GUID_KEY, Library, feed_is_ours
from briefing.library.publish import regenerate
from briefing.library.sidefiles import side_names
from briefing.model import Episode

ITUNES = "{" + ITUNES_NAMESPACE + "}"  # as ElementTree prefixes the names in the feed's namespaces
PODCAST = "{" + PODCAST_NAMESPACE + "}"
AUDIO_SUFFIXES = audio_suffixes()
MAX_FEED_BYTES = 64 * 1024 * 1024
_DAILY_SECTIONS = {"headlines", "story"}


@dataclass
class RebuildReport:
    database: Path
    source: str  # "feed.xml" or "the side files in episodes/"
    restored: list[Episode] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each
    kept_aside: list[Path] = field(default_factory=list)
    unlisted_audio: int = 0  # audio files in episodes/ that the feed does not list

    def lines(self) -> list[str]:
        lines = [f"Restored {len(self.restored)} episode(s) from {self.source} into {self.database}"]
        if self.kept_aside:
            lines.append(f"Kept the old database as {self.kept_aside[0]}")
        lines += [f"Skipped: {line}" for line in self.skipped]
        if self.unlisted_audio:
            lines.append(f"Left out {self.unlisted_audio} audio file(s) in {EPISODES_DIR}/ that {FEED_NAME} does "
                         "not list (earlier versions of replaced episodes)")
        if any(episode.kind == "daily" for episode in self.restored):
            lines.append("The daily briefing's memory of the articles it has read is not in the feed and starts "
                         "afresh: the next `briefing daily` may read some of them again")
        return lines


def rebuild_library(directory: Path) -> RebuildReport:
    """Replace a missing, empty, lost or damaged ``briefing.db`` with one rebuilt from the published files.

    The caller holds the library lock. Refuses (UsageError) to touch a sound database.
    """
    directory = Path(directory)
    path = directory / DB_NAME
    _refuse_sound_database(directory)
    feed_path = directory / FEED_NAME
    if feed_path.is_file() and feed_is_ours(directory):  # a feed of the user's own says nothing of ours
        episodes, podcast_guid, skipped, unlisted = _from_feed(directory, feed_path)
        report = RebuildReport(path, FEED_NAME, skipped=skipped, unlisted_audio=unlisted)
    else:
        episodes, skipped = _from_side_files(directory)
        podcast_guid = None
        report = RebuildReport(path, f"the side files in {EPISODES_DIR}/", skipped=skipped)
        if not episodes:
            raise UsageError(f"{directory}: neither {FEED_NAME} nor any episode with its timing .json in "
                             f"{EPISODES_DIR}/: nothing to rebuild from")
    temporary = directory / f".{DB_NAME}.{os.getpid()}.rebuild"
    temporary.unlink(missing_ok=True)
    try:
        with Library.create_file(directory, temporary) as library:
            for episode in episodes:
                library.upsert(episode)
            # Stored even empty: it tells Library.open that this database has written a feed.
            library.setdefault_meta(FEED_GUID_KEY, podcast_guid or "")
        report.kept_aside = _move_aside(path)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    regenerate(directory)
    report.restored = episodes
    return report


def _refuse_sound_database(directory: Path) -> None:
    path = directory / DB_NAME
    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                return
            rows = connection.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]
            wrote_feed = connection.execute("SELECT 1 FROM meta WHERE key = ?", (FEED_GUID_KEY,)).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return  # not a database, or without our tables: damaged or lost
    if wrote_feed or not (directory / FEED_NAME).is_file():
        raise UsageError(f"{path}: the library database is sound ({rows} episode(s)); nothing to rebuild")


def _move_aside(path: Path) -> list[Path]:
    """Rename the old database and its WAL files out of the way (a stale WAL must not meet the new file)."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    moved = []
    for suffix in ("", "-wal", "-shm"):
        old = path.with_name(path.name + suffix)
        if old.exists():
            if suffix == "" and old.stat().st_size == 0:
                old.unlink()
                continue
            new = path.with_name(f"{path.name}.damaged-{stamp}{suffix}")
            os.replace(old, new)
            moved.append(new)
    return moved


# ---- from the feed -------------------------------------------------------------------------------

def _from_feed(directory: Path, feed_path: Path) -> tuple[list[Episode], str | None, list[str], int]:
    try:
        if feed_path.stat().st_size > MAX_FEED_BYTES:
            raise InputError(f"{feed_path}: larger than {MAX_FEED_BYTES // (1024 * 1024)} MB, not a feed of ours")
        channel = ET.parse(feed_path).getroot().find("channel")
    except (ET.ParseError, OSError) as error:
        raise InputError(f"{feed_path}: cannot be read ({error}); move it aside to rebuild from the side files "
                         f"in {EPISODES_DIR}/ alone") from None
    if channel is None:
        raise InputError(f"{feed_path}: not an RSS feed (no <channel>)")
    base_url = (channel.findtext("link") or "").strip()
    episodes, skipped = [], []
    for item in channel.findall("item"):
        try:
            episodes.append(_episode_from_item(directory, item, base_url))
        except InputError as error:
            skipped.append(error.message)
    listed = {episode.audio_path for episode in episodes}
    unlisted = sum(1 for audio in _audio_files(directory) if str(audio.relative_to(directory)) not in listed)
    podcast_guid = (channel.findtext(f"{PODCAST}guid") or "").strip() or None
    return episodes, podcast_guid, skipped, unlisted


def _episode_from_item(directory: Path, item: ET.Element, base_url: str) -> Episode:
    guid = (item.findtext("guid") or "").strip()
    enclosure = item.find("enclosure")
    if not guid or enclosure is None:
        raise InputError(f"an item without a guid or an enclosure ({item.findtext('title')!r})")
    audio_path = _relative(directory, enclosure.get("url", ""), base_url)
    if audio_path is None or Path(audio_path).suffix not in AUDIO_SUFFIXES:
        raise InputError(f"{guid}: its audio {enclosure.get('url')!r} is not an audio file in {EPISODES_DIR}/")
    timing = _timing(directory / audio_path)

    def side(url: str | None, kind: str) -> str | None:
        return (url and _relative(directory, url, base_url)) or _sibling(directory, audio_path, kind)

    transcript = item.find(f"{PODCAST}transcript")
    chapters = item.find(f"{PODCAST}chapters")
    image = item.find(f"{ITUNES}image")
    narrator = next((person.text for person in item.findall(f"{PODCAST}person")
                     if person.get("role") == "narrator" and person.text), None)
    return Episode(
        guid=guid,
        title=(item.findtext("title") or timing.get("title") or "").strip(),
        published=_published(item.findtext("pubDate"), directory / audio_path),
        audio_path=audio_path,
        size_bytes=(directory / audio_path).stat().st_size,
        duration_s=_duration(timing, item.findtext(f"{ITUNES}duration")),
        source="",
        voice=narrator or str(timing.get("voice") or ""),
        description=notes_summary(item.findtext("description") or "").strip(),
        transcript_path=side(transcript.get("url") if transcript is not None else None, "transcript"),
        chapters_path=side(chapters.get("url") if chapters is not None else None, "chapters"),
        cover_path=side(image.get("href") if image is not None else None, "cover"),
        script_path=_sibling(directory, audio_path, "text"),
        kind=_kind(timing),
        timing_path=_sibling(directory, audio_path, "timing"),
    )


def _relative(directory: Path, url: str, base_url: str) -> str | None:
    """The library-relative path of a published file's URL, if that file is in ``episodes/``: only what
    briefing writes there is adopted (and may be deleted later), never a file elsewhere in the folder."""
    if base_url and url.startswith(base_url):
        candidates = [unquote(url[len(base_url):])]
    else:  # the feed was written with another base URL: try the path's tails
        parts = [part for part in unquote(urlparse(url).path).split("/") if part]
        candidates = ["/".join(parts[start:]) for start in range(len(parts))]
    root = directory.resolve()
    episodes = root / EPISODES_DIR
    for relative in candidates:
        path = (root / relative).resolve()
        if relative and path.is_relative_to(episodes) and path.is_file():
            return str(path.relative_to(root))
    return None


def _published(pub_date: str | None, audio: Path) -> str:
    try:
        moment = parsedate_to_datetime(pub_date or "")
    except (TypeError, ValueError):
        moment = dt.datetime.fromtimestamp(audio.stat().st_mtime, dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


def _duration(timing: dict, hhmmss: str | None) -> float:
    if isinstance(timing.get("duration"), (int, float)):
        return float(timing["duration"])
    seconds = 0.0
    try:
        for part in (hhmmss or "").strip().split(":"):
            seconds = seconds * 60 + float(part)
    except ValueError:
        return 0.0
    return seconds


# ---- from the side files -------------------------------------------------------------------------

def _from_side_files(directory: Path) -> tuple[list[Episode], list[str]]:
    episodes, skipped = [], []
    for audio in _audio_files(directory):
        timing = _timing(audio)
        relative = str(audio.relative_to(directory))
        if not timing:
            skipped.append(f"{relative}: no timing .json beside it")
            continue
        episodes.append(Episode(
            guid=str(uuid.uuid5(uuid.NAMESPACE_URL, "briefing:rebuilt:" + audio.stem)),
            title=str(timing.get("title") or audio.stem),
            published=_published(None, audio),
            audio_path=relative,
            size_bytes=audio.stat().st_size,
            duration_s=_duration(timing, None),
            source="",
            voice=str(timing.get("voice") or ""),
            transcript_path=_sibling(directory, relative, "transcript"),
            chapters_path=_sibling(directory, relative, "chapters"),
            cover_path=_sibling(directory, relative, "cover"),
            script_path=_sibling(directory, relative, "text"),
            kind=_kind(timing),
            timing_path=_sibling(directory, relative, "timing"),
        ))
    return episodes, skipped


def _audio_files(directory: Path) -> list[Path]:
    folder = directory / EPISODES_DIR
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir()
                  if path.suffix in AUDIO_SUFFIXES and not path.name.startswith(".") and _regular_file(path))


def _timing(audio: Path) -> dict:
    """The timing .json beside ``audio`` (under its name or an older briefing's), or {} when there is
    none or it cannot be read."""
    for path in side_names(audio, "timing"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            return data
    return {}


def _sibling(directory: Path, audio_path: str, kind: str) -> str | None:
    """The ``kind`` side file of the audio, under its name or an older briefing's, if it is there."""
    return next((str(name) for name in side_names(Path(audio_path), kind) if _regular_file(directory / name)), None)


def _regular_file(path: Path) -> bool:
    """A regular file, not a symlink: a link in ``episodes/`` is not something briefing wrote."""
    return path.is_file() and not path.is_symlink()


def _kind(timing: dict) -> str:
    sections = timing.get("sections")
    kinds = {section.get("kind") for section in sections if isinstance(section, dict)} if isinstance(sections, list) else set()
    return "daily" if kinds & _DAILY_SECTIONS else "article"
