"""End to end: gPodder's ``gpo`` subscribes to the feed ``briefing serve`` serves and downloads it all."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from publishing import (
    free_port,
    gpo,
    make_library,
    require_debian_packages,
    wait_for_port,
)


@pytest.mark.e2e
def test_gpodder_downloads_every_episode_byte_for_byte_with_its_source_link_and_show_notes(tmp_path):
    require_debian_packages(["gpo"], ["gpodder"])
    library = tmp_path / "library"
    episodes = make_library(library, count=3)
    port = free_port()
    command = [sys.executable, "-m", "briefing", "serve", "--library", str(library), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, server)
        feed_url = f"http://127.0.0.1:{port}/feed.xml"
        gpo(tmp_path, "subscribe", feed_url)
        gpo(tmp_path, "update")
        gpo(tmp_path, "download")
        listing = gpo(tmp_path, "episodes", "--guid", feed_url)
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=15)
    assert server.returncode == 0, err
    assert f"feed: http://127.0.0.1:{port}/feed.xml" in out and "Stopped." in out
    assert all(episode.guid in listing for episode in episodes)
    # What gPodder stored for each episode: the source link and the show notes with it, voice note included.
    with sqlite3.connect(tmp_path / "gpodder" / "Database") as database:
        database.row_factory = sqlite3.Row
        stored = {row["guid"]: row for row in database.execute("SELECT * FROM episode")}
    for episode in episodes:
        row = stored[episode.guid]
        assert row["link"] == episode.source
        assert f'<a href="{episode.source}">' in row["description_html"]
        assert "Narrated by a synthetic voice (espeak-en), not a person." in row["description_html"]
    downloaded = {path.name: path for path in (tmp_path / "downloads").rglob("*.mp3")}
    assert sorted(downloaded) == sorted(Path(e.audio_path).name for e in episodes)
    for episode in episodes:
        copy = downloaded[Path(episode.audio_path).name]
        assert copy.read_bytes() == (library / episode.audio_path).read_bytes()
