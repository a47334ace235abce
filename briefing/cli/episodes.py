"""Click commands for the library, feed and server (episodes, remove, feed, serve)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from briefing.library import address
from briefing.cli.main import adopt_option, echo_json, library_option
from briefing.channel import Channel
from briefing.config import CONFIG_NAME, Config, load_config
from briefing.errors import BriefingError, UsageError
from briefing.library.feed import hhmmss
from briefing.library.layout import FEED_NAME, feed_url
from briefing.library.store import DB_NAME, Library, resolve_library_dir
from briefing.library.locking import library_lock
from briefing.library.objectstore import publish_target, upload_library
from briefing.library.publish import configured_image, foreign_public_files, refuse_foreign_files, regenerate
from briefing.library.retention import remove_episode
from briefing.system.textsafety import strip_controls_inline

base_url_option = click.option(
    "--base-url", metavar="URL",
    help="Public address of the library folder, used in the feed (overrides briefing.toml and "
    "$BRIEFING_BASE_URL).",
)


@click.command()
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON.")
def episodes(library: str | None, as_json: bool) -> None:
    """List the library's episodes, newest first: guid, date, duration, title."""
    with Library.open(resolve_library_dir(library), create=False) as opened:
        found = opened.episodes()
    if as_json:
        echo_json([asdict(episode) for episode in found])
        return
    for episode in found:
        # Records from older versions may hold control characters; one episode stays one line.
        fields = [episode.guid, episode.published[:10], hhmmss(episode.duration_s), episode.title]
        click.echo("\t".join(strip_controls_inline(field) for field in fields))


wait_option = click.option("--wait", is_flag=True,
                           help="If another briefing is using the library, wait for it (default: exit 75).")


@click.command()
@click.argument("guid")
@click.option("--delete-files", is_flag=True, help="Also delete the episode's audio and side files.")
@wait_option
@library_option
def remove(guid: str, delete_files: bool, wait: bool, library: str | None) -> None:
    """Remove the episode GUID (or a prefix only its guid starts with) from the library, the feed and the web page."""
    with Channel.resolve(library) as channel:
        directory, config = channel.folder, channel.settings
        opened = channel.existing_library()  # a clear error when there is no library
        with library_lock(directory, wait=wait):  # one writer of feed.xml at a time
            publish_target(directory, config, library=opened)  # refused before anything is removed
            removed = remove_episode(directory, guid, delete_files, config, library=opened)
            uploaded = upload_library(directory, config, library=opened)
    kept = "" if delete_files else " (files kept)"
    click.echo(strip_controls_inline(f"Removed {removed.guid}: {removed.title}{kept}"))
    if uploaded is not None:
        click.echo(uploaded.line())


@click.command()
@click.option("--base-url", metavar="URL",
              help="Set the public address of the library folder, kept for later commands (briefing.toml, "
              "$BRIEFING_BASE_URL and --base-url of other commands still come first).")
@click.option("--clear", is_flag=True, help="Forget the address an earlier --base-url set.")
@click.option("--show", is_flag=True, help="Print the feed's address, where it comes from, and the podcast's guid; change nothing.")
@wait_option
@library_option
@adopt_option
def feed(base_url: str | None, clear: bool, show: bool, wait: bool, library: str | None, adopt: bool) -> None:
    """Regenerate feed.xml and index.html from the library and print their paths."""
    if sum((bool(base_url), clear, show)) > 1:
        raise UsageError("choose one of --base-url, --clear and --show")
    with Channel.resolve(library, base_url) as channel:
        directory, config = channel.folder, channel.settings
        opened = channel.existing_library()  # a clear error when there is no library
        if show:
            _show_address(directory, config, opened)
            return
        with library_lock(directory, wait=wait):
            refuse_foreign_files(directory, adopt, config=config, library=opened)
            _remember_base_url(opened, base_url and config.channel.base_url, clear=clear)
            paths = regenerate(directory, config, library=opened)
            uploaded = upload_library(directory, config, library=opened)
    if clear:
        click.echo("Forgot the stored address.")
    for path in paths:
        click.echo(str(path))
    if uploaded is not None:
        click.echo(uploaded.line())


def _show_address(directory: Path, config: Config, opened: Library) -> None:
    chosen = address.resolve(config, opened.stored_meta(address.BASE_URL_KEY), directory)
    guid = opened.stored_meta(address.GUID_KEY) or ""
    click.echo(f"Feed: {chosen.base_url}{FEED_NAME}")
    click.echo(f"From: {chosen.origin}")
    if guid and guid not in address.unclaimed_guids():
        click.echo(f"Podcast guid: {guid}")
    else:
        click.echo("Podcast guid: none yet (claimed from the first public address you configure)")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@base_url_option
@library_option
@adopt_option
def serve(host: str, port: int, base_url: str | None, library: str | None, adopt: bool) -> None:
    """Serve the feed, web page and episodes over HTTP until Ctrl-C."""
    directory = resolve_library_dir(library)
    if not _is_library(directory):  # before anything is printed, bound or written
        raise UsageError(f"{directory}: no library here (no briefing.db, feed.xml or briefing.toml); "
                         "make an episode first, or choose one with --library")
    config = load_config(directory, base_url)
    here = address.server_url(host, port)  # on every interface: the LAN address, which phones reach
    # Imported here: starlette and uvicorn are slow to import.
    from briefing.server import app as server

    _check_port_free(server, host, port)  # before the feed is rewritten for an address that will not answer
    # Recorded for `make` and `daily` while it runs: the base URL when no other is chosen or stored.
    with address.recorded_server(directory, here):
        with library_lock(directory, wait=True):  # a lost db is refused here; an empty library gets its page
            refuse_foreign_files(directory, adopt)
            with Library.open(directory) as opened:
                stored = _remember_base_url(opened, base_url and config.channel.base_url)
            regenerate(directory, config)
        address_of_feed = feed_url(address.published_channel(config, stored, directory).base_url)
        click.echo(f"Serving {directory} at {here} — feed: {address_of_feed} (Ctrl-C stops)")
        if host in ("0.0.0.0", "::"):
            click.echo(f"On a phone on the same network: open {here} or subscribe to {address_of_feed}")
        server.serve(directory, host=host, port=port, serving=here)
    _forget_this_server(directory, config)
    click.echo("Stopped.")


def _is_library(directory: Path) -> bool:
    return any((Path(directory) / name).is_file() for name in (DB_NAME, FEED_NAME, CONFIG_NAME))


def _forget_this_server(directory: Path, config) -> None:
    """Rewrite the feed without this server's address (its record is gone); skipped while a run holds
    the library, whose own publishing rewrites it."""
    try:
        with library_lock(directory, wait=False):
            regenerate(directory, config)
    except BriefingError:
        pass


def _check_port_free(server, host: str, port: int) -> None:
    try:
        server.bind(host, port).close()
    except OSError as error:
        raise BriefingError(f"cannot listen on {host}:{port} ({error.strerror}); choose another --port") from None


def _remember_base_url(opened: Library, base_url: str | None, clear: bool = False) -> str | None:
    """Store ``base_url`` (from --base-url) in the library for later commands, or forget the stored
    one (``clear``); return the stored one."""
    if base_url or clear:
        opened.set_meta(address.BASE_URL_KEY, base_url or "")
    return opened.stored_meta(address.BASE_URL_KEY) or None


@click.command()
@library_option
@adopt_option
def rebuild(library: str | None, adopt: bool) -> None:
    """Restore a lost or damaged library database from feed.xml and the episodes' side files.

    The damaged database is kept beside it as briefing.db.damaged-<time>. What the daily briefing
    remembered (which articles it has read) is not in the feed and starts afresh.
    """
    from briefing.library.recover import rebuild_library

    directory = resolve_library_dir(library)
    if not directory.is_dir():
        raise UsageError(f"{directory}: no library folder here")
    with library_lock(directory, wait=True):
        foreign = [] if adopt else foreign_public_files(directory, configured_image(directory))
        if foreign:
            raise UsageError(f"{directory}: {', '.join(foreign)} not written by briefing: no library to rebuild "
                             "(pass --adopt to make one from episodes/ and replace them)")
        report = rebuild_library(directory)
    for line in report.lines():
        click.echo(line)


COMMANDS = [episodes, remove, feed, serve, rebuild]
