"""The episode library: a SQLite file ``<library>/briefing.db`` recording published episodes.

Owns the records and their files' lifetime (deleting only an episode's exact recorded paths, and
only inside ``episodes/``); storage only (``briefing.library.publish`` records an episode
and regenerates ``feed.xml`` and ``index.html`` from it). Naming the audio files (a
content hash in the name, ``episodes/<slug>-<hash>.<suffix>``) is the pipeline's job: re-publishing a
guid with a new file replaces the record, so the feed keeps one item whose enclosure URL changes
(an app that has the item keeps its download: news that must reach listeners gets a new guid, see
``briefing.library.identity``). The files of a replaced record are noted in ``replaced_files`` and deleted
once the grace period is over (``delete_replaced_files``).

Other stages add tables by appending a migration to ``MIGRATIONS``; ``PRAGMA user_version`` holds
the schema version reached.

A lost database is never taken for a new library: a folder holding a ``feed.xml`` briefing wrote
whose database is missing, empty, or has never written a feed (a new one made over a lost one) is refused with
``LibraryLost``, and a database SQLite finds damaged,
at opening or at any later use, with ``LibraryDamaged``; both name ``briefing rebuild`` (see
``briefing.library.recover``) as the way out. Other SQLite failures (a locked or full disk) become one-line
``BriefingError``s too.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import shlex
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, astuple, dataclass, fields
from pathlib import Path, PurePosixPath

from briefing.errors import BriefingError, UsageError
from briefing.library.identity import LIBRARY_ID_KEY
from briefing.library.layout import EPISODES_DIR, FEED_NAME
from briefing.library.locking import check_fence
from briefing.model import Episode
from briefing.library.sidefiles import side_names

DB_NAME = "briefing.db"
HOME_ENV = "BRIEFING_HOME"
DEFAULT_DIR = "output"
# Stored when the library first writes its feed, so a database that never did is told from one that did.
FEED_GUID_KEY = "podcast_guid"
# Episodes retired (see briefing.library.retention) whose files are still to be deleted, as JSON records.
RETIRED_KEY = "retired_files"
_CHECKED: set[tuple[str, int, int, int]] = set()  # databases this process has found sound (see Library._check_once)
# SQLite result codes (the primary code, the low byte) that mean the file is not a sound database.
_DAMAGE_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_IOERR = 10  # SQLITE_IOERR
_NEARLY_FULL_BYTES = 1 << 20  # less free than this: the likely cause of an I/O error while writing
# The channel's <generator> comes before any item, after the title, link and description.
_OUR_GENERATOR = b"<generator>briefing</generator>"
_FEED_HEAD_BYTES = 256 * 1024

# Version N is reached by running MIGRATIONS[N - 1]. Never edit a released entry: append.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE episodes (
        guid TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        published TEXT NOT NULL,
        audio_path TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        duration_s REAL NOT NULL,
        source TEXT NOT NULL,
        voice TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        transcript_path TEXT,
        chapters_path TEXT,
        cover_path TEXT,
        script_path TEXT,
        kind TEXT NOT NULL DEFAULT 'article'
    );
    CREATE INDEX episodes_published ON episodes (published DESC);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # The daily briefing's memory (briefing/daily/run.py): every article read into a day's episode, kept
    # with its cleaned text so the day can be re-rendered without reading its sources again, and the
    # feed items that turned out not to be articles, so they are not fetched again.
    """
    CREATE TABLE daily_articles (
        key TEXT PRIMARY KEY,
        date TEXT NOT NULL,
        position INTEGER NOT NULL,
        merged_into TEXT,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        article TEXT NOT NULL,
        used_at TEXT NOT NULL
    );
    CREATE INDEX daily_articles_date ON daily_articles (date, position);
    CREATE TABLE daily_rejected (
        key TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        reason TEXT NOT NULL,
        seen_at TEXT NOT NULL
    );
    """,
    # What the day's episode said of each story, as JSON (briefing/daily/run.py), so --update keeps it.
    "ALTER TABLE daily_articles ADD COLUMN told TEXT;",
    # The library's identity, part of every GUID it gives (briefing/library/identity.py); every GUID a day's
    # briefing has had, so an update removes the earlier item; and the files of replaced episodes,
    # kept answering for [channel] keep_replaced_hours after the feed stops naming them.
    """
    INSERT OR IGNORE INTO meta (key, value) VALUES ('library_id', lower(hex(randomblob(16))));
    CREATE TABLE daily_guids (
        date TEXT NOT NULL,
        guid TEXT NOT NULL,
        noted_at TEXT NOT NULL,
        PRIMARY KEY (date, guid)
    );
    CREATE TABLE replaced_files (
        path TEXT PRIMARY KEY,
        replaced_at TEXT NOT NULL
    );
    """,
    # The timing .json is recorded like the other side files, so deleting an episode deletes exactly
    # the files briefing wrote. Versions that did not record it wrote it beside the audio, after the
    # audio's stem (``briefing.library.sidefiles.legacy_side_path``): the only audio formats then were .mp3
    # and .m4a.
    """
    ALTER TABLE episodes ADD COLUMN timing_path TEXT;
    UPDATE episodes SET timing_path = substr(audio_path, 1, length(audio_path) - 4) || '.json'
        WHERE audio_path GLOB 'episodes/?*.mp3' OR audio_path GLOB 'episodes/?*.m4a';
    """,
]



@dataclass(frozen=True)
class UsedArticle:
    """An article read into the daily briefing of ``date``; ``article`` is its cleaned form as JSON."""

    key: str  # "sha256:<hex>" for a file's content, "url:<address>" for a page
    date: str  # YYYY-MM-DD
    position: int  # its place in that day's episode
    source: str
    title: str
    article: str
    merged_into: str | None = None  # a near-duplicate: the key of the story it was merged into
    told: str | None = None  # JSON: what the day's episode said of the story, and how the day was fitted


_COLUMNS = [f.name for f in fields(Episode)]
_USED_COLUMNS = ["key", "date", "position", "source", "title", "article", "merged_into", "told"]
_FILE_COLUMNS = ["audio_path", "transcript_path", "chapters_path", "cover_path", "script_path", "timing_path"]




def resolve_library_dir(option: str | None) -> Path:
    """``--library DIR``, else ``$BRIEFING_HOME``, else ``./output``; it must be a folder if it exists."""
    directory = Path(option or os.environ.get(HOME_ENV) or DEFAULT_DIR)
    if directory.exists() and not directory.is_dir():
        named = "--library" if option else f"${HOME_ENV}" if os.environ.get(HOME_ENV) else "the default library"
        raise UsageError(f"{directory}: {named} must be a folder, and this is not one")
    return directory


class LibraryLost(BriefingError):
    """The folder has published episodes but its database does not know them."""


class LibraryDamaged(BriefingError):
    """SQLite says the database file is corrupt or not a database."""


def rebuild_hint(directory: Path) -> str:
    return f"restore it with `briefing rebuild --library {shlex.quote(str(directory))}`"


def database_error(path: Path, error: sqlite3.Error) -> BriefingError:
    """The one-line error for a failed SQLite call on the library at ``path``."""
    if getattr(error, "sqlite_errorcode", 0) & 0xFF in _DAMAGE_CODES:
        return LibraryDamaged(f"{path}: the library database is damaged ({error}); {rebuild_hint(path.parent)}")
    return BriefingError(f"{path}: cannot use the library ({_reason(path, error)})")


def _reason(path: Path, error: BaseException) -> str:
    """SQLite's message, and whether the disk is full: SQLite calls that "disk I/O error" when it
    cannot grow its shared-memory file."""
    reason = str(error)
    if getattr(error, "sqlite_errorcode", 0) & 0xFF == _IOERR:
        try:
            stats = os.statvfs(path.parent)
        except OSError:
            return reason
        if stats.f_bavail * stats.f_frsize < _NEARLY_FULL_BYTES:
            reason += "; the disk is full"
    return reason


def _guarded(method: Callable) -> Callable:
    """Turn an SQLite error raised while ``method`` runs into the library's one-line error."""

    @functools.wraps(method)
    def guarded(self: Library, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as error:
            if type(error) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
                raise  # IntegrityError, ProgrammingError…: a bug of ours, worth its traceback
            raise database_error(self.directory / DB_NAME, error) from None

    return guarded


class Library:
    """One open connection to a library's database. Use as a context manager to close it."""

    def __init__(self, directory: Path, connection: sqlite3.Connection) -> None:
        self.directory = directory
        self._db = connection

    @classmethod
    def open(cls, directory: Path | str, create: bool = True) -> Library:
        """Open (with ``create``, make) the library in ``directory``, migrating its schema.

        Raises LibraryLost rather than start a new database beside published episodes.
        """
        directory = Path(directory)
        path = directory / DB_NAME
        empty = not path.is_file() or path.stat().st_size == 0
        if empty:
            _refuse_if_lost(directory, "is missing" if not path.exists() else "is empty")
            if not create:
                raise UsageError(f"{path}: no library here (nothing published yet?)")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=10, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise BriefingError(f"{path}: cannot open the library ({_reason(path, error)})") from None
        library = cls(directory, connection)
        try:
            library._prepare()
        except BaseException:
            library.close()
            raise
        return library

    def _prepare(self) -> None:
        path, directory = self.directory / DB_NAME, self.directory
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL with NORMAL sync cannot corrupt; a power cut may lose only the last commit.
            self._db.execute("PRAGMA synchronous=NORMAL")
            _migrate(self._db)
        except sqlite3.DatabaseError as error:
            if getattr(error, "sqlite_errorcode", 0) & 0xFF in _DAMAGE_CODES:
                raise database_error(path, error) from None
            raise BriefingError(f"{path}: cannot open the library ({_reason(path, error)})") from None
        if self._stored_meta(FEED_GUID_KEY) is None:
            _refuse_if_lost(directory, "has never written a feed")
        self._check_once()

    def _check_once(self) -> None:
        """A damaged page is found before this process relies on the file, not halfway through a change.

        ``quick_check`` reads every page (about 0.1 s for 70 MB), so a process runs it again only when
        the file has changed since (writes go to the WAL file first; the main file changes less often).
        """
        path = self.directory / DB_NAME
        stat = path.stat()
        identity = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if identity in _CHECKED:
            return
        problem = self.check()
        if problem != "ok":
            raise LibraryDamaged(f"{path}: the library database is damaged ({_plain(problem)}); "
                                 f"{rebuild_hint(self.directory)}")
        _CHECKED.add(identity)

    @_guarded
    def _stored_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def stored_meta(self, key: str) -> str | None:
        """The stored value for ``key``, or None."""
        return self._stored_meta(key)

    @_guarded
    def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` for ``key``, replacing any."""
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @classmethod
    def create_file(cls, directory: Path, path: Path) -> Library:
        """A new, migrated database at ``path`` (not yet the library's: ``briefing rebuild`` renames it)."""
        try:
            connection = sqlite3.connect(path, timeout=10, isolation_level=None)
            _migrate(connection)
        except sqlite3.Error as error:
            raise BriefingError(f"{path}: cannot create a library database ({error})") from None
        return cls(Path(directory), connection)

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @_guarded
    def check(self) -> str:
        """SQLite's ``quick_check`` of the whole file: "ok", or the first problem it found."""
        return self._db.execute("PRAGMA quick_check(1)").fetchone()[0]

    @_guarded
    def upsert(self, episode: Episode, replaces: Iterable[str] = ()) -> Episode | None:
        """Record ``episode``, and forget the episodes of guids ``replaces``; return the record it replaced
        (same guid), if any. In one transaction that notes the files only the replaced records used
        (``replaced_files``), so they are deleted after a grace period, not while a download may need them."""
        placeholders = ", ".join("?" for _ in _COLUMNS)
        updates = ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS[1:])
        now = _now()
        with self._transaction():
            previous = self.get(episode.guid)
            gone = [found for guid in replaces if guid != episode.guid and (found := self.get(guid)) is not None]
            self._db.execute(
                f"INSERT INTO episodes ({', '.join(_COLUMNS)}) VALUES ({placeholders}) "
                f"ON CONFLICT (guid) DO UPDATE SET {updates}",
                astuple(episode),
            )
            self._db.executemany("DELETE FROM episodes WHERE guid = ?", [(old.guid,) for old in gone])
            kept = set(self.files_of(episode))
            noted = [path for old in ([previous] if previous else []) + gone
                     for path in self.files_of(old) if path not in kept]
            self._db.executemany("INSERT OR REPLACE INTO replaced_files (path, replaced_at) VALUES (?, ?)",
                                 [(path, now) for path in noted])
        return previous

    @_guarded
    def take_back(self, episode: Episode, earlier: Iterable[Episode]) -> None:
        """Undo ``upsert``: forget ``episode`` and record ``earlier`` (the records it replaced) as they
        were, their files no longer noted as replaced; in one transaction."""
        earlier = list(earlier)
        placeholders = ", ".join("?" for _ in _COLUMNS)
        with self._transaction():
            self._db.execute("DELETE FROM episodes WHERE guid = ?", (episode.guid,))
            self._db.executemany(f"INSERT OR REPLACE INTO episodes ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
                                 [astuple(record) for record in earlier])
            self._db.executemany("DELETE FROM replaced_files WHERE path = ?",
                                 [(path,) for record in earlier for path in self.files_of(record)])

    def files_of(self, episode: Episode) -> list[str]:
        """The library-relative paths of ``episode``'s files: those recorded (the timing file found by
        name only for a record that does not name it)."""
        return episode_files(episode) + self._timing_files(episode)

    @_guarded
    def replaced_files(self) -> list[str]:
        """Files of replaced episodes not yet deleted: still answering, though no feed names them."""
        return [row[0] for row in self._db.execute("SELECT path FROM replaced_files ORDER BY path")]

    @_guarded
    def delete_replaced_files(self, older_than: dt.datetime) -> list[Path]:
        """Delete the files replaced before ``older_than`` that no recorded episode uses; return those deleted."""
        with self._transaction():
            due = [row[0] for row in self._db.execute(
                "SELECT path, replaced_at FROM replaced_files") if _moment(row[1]) <= older_than]
        deleted = self._delete_unreferenced(due)
        with self._transaction():
            self._db.executemany("DELETE FROM replaced_files WHERE path = ?", [(relative,) for relative in due])
        return deleted

    def identity(self) -> str:
        """The library's random identity, part of every GUID it gives (see ``briefing.library.identity``)."""
        return self.setdefault_meta(LIBRARY_ID_KEY, uuid.uuid4().hex)

    @_guarded
    def day_guids(self, date: str) -> list[str]:
        """Every GUID the daily briefing of ``date`` has been given here, the latest last."""
        rows = self._db.execute("SELECT guid FROM daily_guids WHERE date = ? ORDER BY noted_at, rowid", (date,))
        return [row[0] for row in rows]

    @_guarded
    def note_day_guid(self, date: str, guid: str) -> None:
        """Remember ``guid`` as given to ``date``'s briefing (before it is published, so a run killed in
        between still has the next run replace every earlier item of the day)."""
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO daily_guids (date, guid, noted_at) VALUES (?, ?, ?)",
                             (date, guid, _now()))

    @_guarded
    def get(self, guid: str) -> Episode | None:
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE guid = ?", (guid,)
        ).fetchone()
        return Episode(*row) if row else None

    @_guarded
    def episodes(self) -> list[Episode]:
        """All episodes, newest first."""
        rows = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM episodes ORDER BY published DESC, guid"
        )
        return [Episode(*row) for row in rows]

    @_guarded
    def remove(self, guid: str) -> Episode:
        """Forget an episode, keeping its files (``retire`` notes them for deletion instead)."""
        with self._transaction():
            episode = self.get(guid)
            if episode is None:
                raise self._no_such_episode(guid)
            self._db.execute("DELETE FROM episodes WHERE guid = ?", (guid,))
        return episode

    def find(self, guid: str) -> Episode:
        """The episode ``guid``, or the one episode whose guid starts with it (a UsageError otherwise)."""
        episode = self.get(guid)
        if episode is not None:
            return episode
        found = [episode for episode in self.episodes() if guid and episode.guid.startswith(guid)]
        if len(found) == 1:
            return found[0]
        if not found:
            raise self._no_such_episode(guid)
        raise UsageError(f"{guid!r} starts {len(found)} episodes' guids ({', '.join(e.guid for e in found[:3])}"
                         f"{', …' if len(found) > 3 else ''}): give more of it")

    def _no_such_episode(self, guid: str) -> UsageError:
        return UsageError(f"{self.directory / DB_NAME}: no episode with guid {guid!r}")

    @_guarded
    def delete_unreferenced_files(self, episode: Episode) -> list[Path]:
        """Delete ``episode``'s recorded files that no recorded episode refers to; return those deleted.

        Only the exact recorded paths (``files_of``), and only inside ``episodes/``: a record rebuilt
        from a feed, or written by an older version, never deletes the settings, the database or a user's file.
        """
        return self._delete_unreferenced(self.files_of(episode))

    def _delete_unreferenced(self, paths: Iterable[str]) -> list[Path]:
        """Delete the files of ``paths`` (library-relative) that lie in ``episodes/`` and no record names."""
        deleted = []
        for relative in paths:
            path = self._deletable(relative)
            if path is None or self._is_referenced(relative):
                continue
            try:
                path.unlink()  # a symlink is removed, never what it points to
            except (FileNotFoundError, IsADirectoryError):
                continue
            deleted.append(path)
        return deleted

    @_guarded
    def retire(self, guids: list[str], must_exist: bool = False) -> list[Episode]:
        """Forget these episodes in one transaction that also notes their files for ``delete_retired_files``.

        With ``must_exist``, a guid the library does not hold is a UsageError and nothing is retired.
        """
        with self._transaction():
            retired = [episode for episode in map(self.get, guids) if episode is not None]
            if must_exist and len(retired) < len(guids):
                missing = next(guid for guid in guids if guid not in {e.guid for e in retired})
                raise self._no_such_episode(missing)
            if not retired:
                return []
            noted = self._retired_records() + [asdict(episode) for episode in retired]
            self._db.executemany("DELETE FROM episodes WHERE guid = ?", [(e.guid,) for e in retired])
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (RETIRED_KEY, json.dumps(noted)))
        return retired

    def has_retired_files(self) -> bool:
        return self._stored_meta(RETIRED_KEY) is not None

    @_guarded
    def delete_retired_files(self) -> list[Path]:
        """Delete the noted files of retired episodes that no record uses, then drop the note."""
        deleted = []
        for record in self._retired_records():
            try:
                episode = Episode(**record)  # noted by an earlier version: no timing_path, found by name
            except TypeError:
                continue  # not a record this version can read: its files stay
            deleted += self.delete_unreferenced_files(episode)
        with self._transaction():
            self._db.execute("DELETE FROM meta WHERE key = ?", (RETIRED_KEY,))
        return deleted

    def _retired_records(self) -> list[dict]:
        try:
            records = json.loads(self._stored_meta(RETIRED_KEY) or "[]")
        except ValueError:
            return []
        return [record for record in records if isinstance(record, dict)] if isinstance(records, list) else []

    def _timing_files(self, episode: Episode) -> list[str]:
        """The timing file of ``episode``'s audio, under its current name or an older briefing's, for a
        record that does not name it (one written before the timing file was recorded)."""
        if episode.timing_path is not None:
            return []
        audio = PurePosixPath(episode.audio_path)
        return [str(name) for name in side_names(audio, "timing") if (self.directory / name).is_file()]

    @_guarded
    def setdefault_meta(self, key: str, default: str) -> str:
        """As ``dict.setdefault``: the stored value for ``key``, storing ``default`` first if there is none."""
        with self._transaction():
            self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, default))
            return self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    @_guarded
    def seen_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` already read into a daily briefing or rejected as not an article."""
        keys = list(keys)
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                f"SELECT key FROM daily_articles WHERE key IN ({marks}) "
                f"UNION SELECT key FROM daily_rejected WHERE key IN ({marks})", chunk + chunk)
            found.update(row[0] for row in rows)
        return found

    @_guarded
    def used_articles(self, date: str) -> list[UsedArticle]:
        """The articles of ``date``'s daily briefing, in episode order (merged duplicates included)."""
        rows = self._db.execute(
            f"SELECT {', '.join(_USED_COLUMNS)} FROM daily_articles WHERE date = ? ORDER BY position, key", (date,))
        return [UsedArticle(*row) for row in rows]

    @_guarded
    def set_used_articles(self, date: str, articles: list[UsedArticle]) -> None:
        """Make ``articles`` the whole set of ``date``'s daily briefing, in one transaction."""
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        with self._transaction():
            self._db.execute("DELETE FROM daily_articles WHERE date = ?", (date,))
            self._db.executemany(
                f"INSERT OR REPLACE INTO daily_articles ({', '.join(_USED_COLUMNS)}, used_at) "
                f"VALUES ({', '.join('?' for _ in _USED_COLUMNS)}, ?)",
                [[getattr(a, c) for c in _USED_COLUMNS] + [now] for a in articles],
            )

    @_guarded
    def reject(self, key: str, source: str, reason: str) -> None:
        """Remember that ``key`` is not an article, so it is not fetched again."""
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO daily_rejected VALUES (?, ?, ?, ?)", (key, source, reason, now))

    def _is_referenced(self, relative: str) -> bool:
        where = " OR ".join(f"{column} = ?" for column in _FILE_COLUMNS)
        query = f"SELECT 1 FROM episodes WHERE {where} LIMIT 1"
        return self._db.execute(query, [relative] * len(_FILE_COLUMNS)).fetchone() is not None

    def _deletable(self, relative: str) -> Path | None:
        """The file ``relative`` names if it lies in ``episodes/`` (its folder's real path too), else None."""
        parts = PurePosixPath(relative).parts
        if len(parts) < 2 or parts[0] != EPISODES_DIR or any(part in ("..", ".", "") for part in parts):
            return None
        episodes = (self.directory / EPISODES_DIR).resolve()
        path = self.directory.joinpath(*parts)
        try:
            inside = path.parent.resolve(strict=True).is_relative_to(episodes)
        except (OSError, RuntimeError):
            return None
        return path if inside else None

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self.directory)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, so a read-then-write is not interleaved with another writer; inside it,
    a process holding the library lock first checks the lock still names it (fencing, ``locking``)."""

    def __init__(self, connection: sqlite3.Connection, directory: Path) -> None:
        self._db, self._directory = connection, directory

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            check_fence(self._directory)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if not exc_type:
            self._db.execute("COMMIT")
            return
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled back (a damaged page, a full disk): the first error is the one to tell


def episode_files(episode: Episode) -> list[str]:
    """The library-relative paths an episode refers to."""
    return [path for path in (getattr(episode, c) for c in _FILE_COLUMNS) if path]


def _migrate(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Read under the write lock, so two processes opening a new library migrate once.
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise sqlite3.DatabaseError(f"schema version {version} is newer than this briefing")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in _statements(script):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
    except BaseException:
        try:
            connection.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled back (a full disk): the first error is the one to tell
        raise
    connection.execute("COMMIT")


@contextmanager
def opened(directory: Path, library: Library | None = None, create: bool = True) -> Iterator[Library]:
    """``library`` when the caller holds it open (it stays open), else the library in ``directory``,
    opened for this block only."""
    if library is not None:
        yield library
        return
    with Library.open(directory, create=create) as fresh:
        yield fresh


def has_written_feed(directory: Path, library: Library | None = None) -> bool:
    """Whether this library has written its feed (a first run has not); LibraryLost if it lost its database."""
    path = Path(directory) / DB_NAME
    if library is None and (not path.is_file() or path.stat().st_size == 0):
        _refuse_if_lost(Path(directory), "is missing" if not path.exists() else "is empty")
        return False
    with opened(directory, library, create=False) as known:
        return known.stored_meta(FEED_GUID_KEY) is not None


def feed_is_ours(directory: Path) -> bool:
    """Whether ``feed.xml`` in ``directory`` was written by briefing: its channel names briefing as generator."""
    try:
        with open(Path(directory) / FEED_NAME, "rb") as handle:
            head = handle.read(_FEED_HEAD_BYTES)
    except OSError:
        return False
    return _OUR_GENERATOR in head


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _moment(stamp: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)  # unreadable: due now
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _refuse_if_lost(directory: Path, state: str) -> None:
    # The feed is the witness: it is written only after the database records what it lists. Files in
    # episodes/ are not: they are put there before the first episode is recorded. A feed.xml of the
    # user's own (another generator) is no lost library: a first run refuses to write over it instead.
    if (directory / FEED_NAME).is_file() and feed_is_ours(directory):
        raise LibraryLost(f"{directory / DB_NAME}: the library database {state} but the folder holds a "
                          f"published {FEED_NAME}; {rebuild_hint(directory)}")


def _statements(script: str) -> list[str]:
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements


def _plain(problem: str) -> str:
    return " ".join(problem.replace("*** in database main ***", "").split())
