"""Retention: ``[channel] keep = N`` episodes and/or ``keep_days = D`` days; older episodes are retired.

``briefing remove --delete-files`` retires one episode the same way.

Retiring leaves a valid feed whenever the process is killed: the records go first, in one
transaction that also notes their files (``Library.retire``); then the feed and page are
regenerated without them; then the files are deleted and the note dropped. A run killed before the
deletion leaves only files that no feed names, and the next run (any ``make`` or ``daily``) finishes
the deletion, regenerating the feed first in case the kill came before that.

Called under the library lock, after publishing. It decides which episodes go; ``library`` keeps the
records and deletes the files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from briefing.config import Config, load_config
from briefing.library.store import Library, opened
from briefing.library.publish import regenerate
from briefing.model import Episode


@dataclass(frozen=True)
class Retention:
    keep: int | None = None  # the newest N episodes stay
    keep_days: float | None = None  # episodes published within D days stay

    @classmethod
    def from_config(cls, config: Config) -> Retention:
        return cls(config.channel.keep, config.channel.keep_days)

    def expired(self, episodes: list[Episode], now: dt.datetime, newest: str | None = None) -> list[Episode]:
        """Those of ``episodes`` this policy no longer keeps; ``newest`` (a guid) wins a tie of dates."""
        newest_first = sorted(episodes, key=lambda episode: (episode.published, episode.guid == newest), reverse=True)
        gone = newest_first[self.keep:] if self.keep is not None else []
        if self.keep_days is not None:
            cutoff = now - dt.timedelta(days=self.keep_days)
            gone += [e for e in newest_first if e not in gone and _published(e) < cutoff]
        return gone


def apply_retention(library_dir: Path, config: Config | None = None, now: dt.datetime | None = None,
                    published: str | None = None, *, library: Library | None = None) -> list[Episode]:
    """Retire the episodes the channel no longer keeps (and finish a killed run's); return those retired.

    ``published``: the guid just published, kept before others of the same second. ``library``: the
    caller's open library (default: opened here).
    """
    config = config or load_config(library_dir)
    policy = Retention.from_config(config)
    now = now or dt.datetime.now(dt.timezone.utc)
    with opened(library_dir, library) as known:
        expired = policy.expired(known.episodes(), now, published) if policy != Retention() else []
        retired = known.retire([episode.guid for episode in expired])
    finish_retiring(library_dir, config, library=library)
    return retired


def remove_episode(library_dir: Path, guid: str, delete_files: bool = False, config: Config | None = None, *,
                   library: Library | None = None) -> Episode:
    """Take episode ``guid`` (or the one whose guid starts with it) out of the library and the feed;
    with ``delete_files``, retire it, files and all.

    Called under the library lock. Its files go only after the feed has stopped naming them.
    ``library``: the caller's open library (default: opened here).
    """
    with opened(library_dir, library, create=False) as known:
        guid = known.find(guid).guid  # a unique prefix names it too
        removed = known.retire([guid], must_exist=True)[0] if delete_files else known.remove(guid)
    if delete_files:
        finish_retiring(library_dir, config, library=library)
    else:
        regenerate(library_dir, config, library=library)
    return removed


def finish_retiring(library_dir: Path, config: Config | None = None, *, library: Library | None = None) -> None:
    """Regenerate the feed without the retired episodes, then delete their files (also a killed run's)."""
    with opened(library_dir, library) as known:
        if not known.has_retired_files():
            return
    regenerate(library_dir, config, library=library)  # the feed no longer names them before their files go
    with opened(library_dir, library) as known:
        known.delete_retired_files()


def _published(episode: Episode) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(episode.published)
    except ValueError:
        return dt.datetime.max.replace(tzinfo=dt.timezone.utc)  # an unreadable date is never the oldest
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
