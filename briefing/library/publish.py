"""Publishing, the pipeline's last stage: record an episode in the library, then regenerate the feed,
the web page and the channel cover from the records.

In that order, so that a process killed at any point leaves a feed whose enclosures all exist. The
library (``library.py``) only stores; the feed, page and cover writers only render what they are
handed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from briefing.library import address
from briefing.library import feed
from briefing.library import page as webpage
from briefing.config import Config, load_config
from briefing.errors import BriefingError, UsageError
from briefing.library.feed_style import FALLBACK_STYLE_NAME, STYLESHEET_NAME
from briefing.library.layout import feed_url
from briefing.library.store import Library, episode_files, feed_is_ours, has_written_feed, opened
from briefing.model import Episode

# What regenerate writes in the library folder.
PUBLIC_FILES = (feed.FEED_NAME, STYLESHEET_NAME, FALLBACK_STYLE_NAME, webpage.PAGE_NAME, feed.CHANNEL_COVER)


def publish(library_dir: Path, episode: Episode, written: Sequence[Path] = (),
            replaces: Iterable[str] = (), *, config: Config | None = None,
            library: Library | None = None) -> list[str]:
    """Record ``episode`` in place of its predecessor (the same guid) and the episodes ``replaces``
    names, regenerate feed and page, then delete the files of episodes replaced more than
    ``[channel] keep_replaced_hours`` ago that nothing uses.

    In that order so that a process killed at any point leaves a feed whose enclosures all exist; a
    replaced episode's files keep answering (the server serves them) through the grace period, so a
    download in flight or a link already shared still works. Called under the library lock (the run
    has already deleted the temporary files killed runs left behind).

    A publish that fails (a full disk) before the feed names the episode puts the records back as
    they were and deletes ``written``, the files the caller added to ``episodes/`` for it, then
    raises. Once the feed names it the episode is published, and what fails after is returned as
    warning lines. ``config`` and ``library``: the caller's settings and open library (default: read
    and opened here).
    """
    library_dir, replaces = Path(library_dir), tuple(replaces)
    try:
        config = config or load_config(library_dir)
        with opened(library_dir, library) as known:
            earlier = [found for guid in dict.fromkeys([episode.guid, *replaces])
                       if (found := known.get(guid)) is not None]
            known.upsert(episode, replaces)
    except BriefingError:
        remove_files(written)
        raise
    warnings = []
    try:
        regenerate(library_dir, config, library=library)
    except BriefingError as error:
        if not feed_names(library_dir, episode):
            _take_back(library_dir, episode, earlier, written, library)
            raise
        warnings.append(f"{error.message} (the feed names the new episode)")
    grace = dt.timedelta(hours=config.channel.keep_replaced_hours)
    try:
        with opened(library_dir, library) as known:
            known.delete_replaced_files(dt.datetime.now(dt.timezone.utc) - grace)
    except BriefingError as error:
        warnings.append(f"the files of replaced episodes stay: {error.message}")
    return warnings


def feed_names(library_dir: Path, episode: Episode) -> bool:
    """Whether ``feed.xml`` names ``episode``'s audio (its file name is content-addressed, so unique)."""
    try:
        return quote(episode.audio_path).encode() in (Path(library_dir) / feed.FEED_NAME).read_bytes()
    except OSError:
        return False


def _take_back(library_dir: Path, episode: Episode, earlier: list[Episode], written: Sequence[Path],
               library: Library | None) -> None:
    """Put the records back as they were (``earlier``: those ``episode`` replaced), then delete the files
    added for it; when the database cannot be written (the disk is still full), the files stay for the
    record that names them."""
    try:
        with opened(library_dir, library) as known:
            known.take_back(episode, earlier)
    except BriefingError:
        return
    remove_files(written)


def remove_files(paths: Iterable[Path]) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def published_paths(episodes: Iterable[Episode], image: str | None, replaced: Iterable[str] = ()) -> set[str]:
    """The library-relative paths a listener may fetch: the feed, its stylesheet, the page, the channel
    cover (or the configured image), each episode's recorded files and the ``replaced`` files of
    replaced episodes still in their grace period. Nothing else in the folder."""
    paths = set(PUBLIC_FILES) | ({image} if image else set()) | set(replaced)
    for episode in episodes:
        paths.update(episode_files(episode))
    return paths


def refuse_foreign_files(library_dir: Path, adopt: bool = False, *, config: Config | None = None,
                         library: Library | None = None) -> None:
    """A library's first feed and page are not written over files briefing did not write, unless ``adopt``.

    Later runs replace them freely: the database then records that this library wrote its feed.
    ``config`` and ``library``: the caller's settings and open library (default: read and opened here).
    """
    library_dir = Path(library_dir)
    if adopt or not library_dir.is_dir() or has_written_feed(library_dir, library):
        return
    found = foreign_public_files(library_dir, config.channel.image if config else configured_image(library_dir))
    if found:
        raise UsageError(f"{library_dir}: holds {', '.join(found)} that briefing did not write; move "
                         f"{'it' if len(found) == 1 else 'them'} away, or pass --adopt to let briefing replace "
                         f"{'it' if len(found) == 1 else 'them'}")


def foreign_public_files(library_dir: Path, image: str | None) -> list[str]:
    """The names briefing publishes that the folder already holds, unless its ``feed.xml`` is briefing's;
    ``image``, the configured channel image, is the user's to keep there."""
    if feed_is_ours(library_dir):
        return []
    return [name for name in PUBLIC_FILES if name != image and os.path.lexists(library_dir / name)]


def configured_image(library_dir: Path) -> str | None:
    """The channel image the settings name; None also when the settings cannot be read (a rebuild)."""
    try:
        return load_config(library_dir).channel.image
    except BriefingError:
        return None


def regenerate(library_dir: Path, config: Config | None = None, *, library: Library | None = None) -> tuple[Path, Path]:
    """Write ``feed.xml`` and ``index.html`` from the library; return their paths."""
    library_dir = Path(library_dir)
    config = config or load_config(library_dir)
    with opened(library_dir, library) as known:
        episodes = known.episodes()
        chosen = address.resolve(config, known.stored_meta(address.BASE_URL_KEY), library_dir)
        channel = replace(config.channel, base_url=chosen.base_url)
        # Claimed from the first public feed URL the user configured, then kept when the feed moves.
        podcast_guid = address.claim_podcast_guid(known, feed_url(channel.base_url), chosen.configured)
    try:
        _ensure_channel_cover(library_dir, config)
        feed_path = feed.write_feed(library_dir, channel, episodes, podcast_guid)
        page_path = webpage.write_page(library_dir, channel, episodes)
    except OSError as error:  # a full disk: every file is written whole or not at all, the old one stays
        raise BriefingError(f"{library_dir}: cannot write the feed and page: {error.strerror or error}") from None
    return feed_path, page_path


def render_for_server(library: Library, config: Config, serving: str) -> dict[str, bytes]:
    """The feed and the page as the server at ``serving`` answers them: rendered for its own address
    when no address is configured, so that with two servers each names its own; nothing (the written
    files are right for every server) when one is."""
    chosen = address.resolve(config, library.stored_meta(address.BASE_URL_KEY), library.directory, serving)
    if chosen.configured:
        return {}
    channel = replace(config.channel, base_url=chosen.base_url)
    episodes = library.episodes()
    guid = address.claim_podcast_guid(library, feed_url(channel.base_url), configured=False)  # never claims one
    return {feed.FEED_NAME: feed.feed_document(library.directory, channel, episodes, guid),
            webpage.PAGE_NAME: webpage.render_page(library.directory, channel, episodes).encode("utf-8")}


def _ensure_channel_cover(library_dir: Path, config: Config) -> None:
    """Podcast directories require channel art: draw one from the channel's title unless configured."""
    path = library_dir / feed.CHANNEL_COVER
    if config.channel.image or path.exists():
        return
    from briefing.audio.cover import make_cover

    make_cover(config.channel.title, config.channel.description, path, subtitle="podcast")
