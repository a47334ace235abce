"""Publishing, the pipeline's last stage: record an episode in the library, then regenerate the feed,
the web page and the channel cover from the records.

In that order, so that a process killed at any point leaves a feed whose enclosures all exist. The
library (``library.py``) only stores; the feed, page and cover writers only render what they are
handed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from briefing import address, feed, webpage
from briefing.config import Config, load_config
from briefing.errors import BriefingError
from briefing.fsutil import remove_stale_temporaries
from briefing.library import EPISODES_DIR, Library
from briefing.model import Episode


def publish(library_dir: Path, episode: Episode, replaces: Iterable[str] = ()) -> None:
    """Record ``episode`` in place of its predecessor (the same guid) and the episodes ``replaces``
    names, regenerate feed and page, then delete the files of episodes replaced more than
    ``[channel] keep_replaced_hours`` ago that nothing uses.

    In that order so that a process killed at any point leaves a feed whose enclosures all exist; a
    replaced episode's files keep answering (the server serves them) through the grace period, so a
    download in flight or a link already shared still works. Called under the library lock: first
    deletes the temporary files that killed runs left behind.
    """
    library_dir = Path(library_dir)
    for folder in (library_dir, library_dir / EPISODES_DIR):
        remove_stale_temporaries(folder)
    config = load_config(library_dir)
    with Library.open(library_dir) as library:
        library.upsert(episode, replaces)
    regenerate(library_dir, config)
    grace = dt.timedelta(hours=config.channel.keep_replaced_hours)
    with Library.open(library_dir) as library:
        library.delete_replaced_files(dt.datetime.now(dt.timezone.utc) - grace)


def regenerate(library_dir: Path, config: Config | None = None) -> tuple[Path, Path]:
    """Write ``feed.xml`` and ``index.html`` from the library; return their paths."""
    library_dir = Path(library_dir)
    config = config or load_config(library_dir)
    with Library.open(library_dir) as library:
        episodes = library.episodes()
        chosen = address.resolve(config, library.stored_meta(address.BASE_URL_KEY), library_dir)
        channel = replace(config.channel, base_url=chosen.base_url)
        # Claimed from the first public feed URL the user configured, then kept when the feed moves.
        podcast_guid = address.claim_podcast_guid(library, channel.feed_url, chosen.configured)
    try:
        _ensure_channel_cover(library_dir, config)
        feed_path = feed.write_feed(library_dir, channel, episodes, podcast_guid)
        page_path = webpage.write_page(library_dir, channel, episodes)
    except OSError as error:  # a full disk: every file is written whole or not at all, the old one stays
        raise BriefingError(f"{library_dir}: cannot write the feed and page: {error.strerror or error}") from None
    return feed_path, page_path


def _ensure_channel_cover(library_dir: Path, config: Config) -> None:
    """Podcast directories require channel art: draw one from the channel's title unless configured."""
    path = library_dir / feed.CHANNEL_COVER
    if config.channel.image or path.exists():
        return
    from briefing.cover import make_cover

    make_cover(config.channel.title, config.channel.description, path, subtitle="podcast")
