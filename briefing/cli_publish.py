"""Click commands for the library, feed and server (episodes, remove, feed, serve)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import click

from briefing.config import load_config
from briefing.feed import hhmmss
from briefing.library import DB_NAME, Library, regenerate, resolve_library_dir
from briefing.locking import library_lock

library_option = click.option(
    "--library", "library", metavar="DIR",
    help="Library folder (default: $BRIEFING_HOME, else ./output).",
)
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
        click.echo(json.dumps([asdict(episode) for episode in found], indent=2, ensure_ascii=False))
        return
    for episode in found:
        click.echo(f"{episode.guid}\t{episode.published[:10]}\t{hhmmss(episode.duration_s)}\t{episode.title}")


@click.command()
@click.argument("guid")
@click.option("--delete-files", is_flag=True, help="Also delete the episode's audio and side files.")
@library_option
def remove(guid: str, delete_files: bool, library: str | None) -> None:
    """Remove the episode GUID from the library, the feed and the web page."""
    directory = resolve_library_dir(library)
    Library.open(directory, create=False).close()  # a clear error when there is no library
    with library_lock(directory, wait=True):  # one writer of feed.xml at a time
        with Library.open(directory, create=False) as opened:
            removed = opened.remove(guid, delete_files=delete_files)
        regenerate(directory)
    kept = "" if delete_files else " (files kept)"
    click.echo(f"Removed {removed.guid}: {removed.title}{kept}")


@click.command()
@base_url_option
@library_option
def feed(base_url: str | None, library: str | None) -> None:
    """Regenerate feed.xml and index.html from the library and print their paths."""
    directory = resolve_library_dir(library)
    Library.open(directory, create=False).close()
    with library_lock(directory, wait=True):
        paths = regenerate(directory, load_config(directory, base_url))
    for path in paths:
        click.echo(str(path))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@base_url_option
@library_option
def serve(host: str, port: int, base_url: str | None, library: str | None) -> None:
    """Serve the feed, web page and episodes over HTTP until Ctrl-C."""
    directory = resolve_library_dir(library)
    config = load_config(directory, base_url)
    if not config.base_url_chosen:
        # Nobody named a public address: this server's is the one that works.
        address = f"[{host}]" if ":" in host else host
        config = replace(config, channel=replace(config.channel, base_url=f"http://{address}:{port}/"))
    if (Path(directory) / DB_NAME).is_file():
        with library_lock(directory, wait=True):
            regenerate(directory, config)
    click.echo(f"Serving {directory} — feed: {config.channel.feed_url} (Ctrl-C stops)")
    # Imported here: starlette and uvicorn are slow to import.
    from briefing import server

    server.serve(directory, host=host, port=port)
    click.echo("Stopped.")


COMMANDS = [episodes, remove, feed, serve]
