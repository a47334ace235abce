"""feed.xml read back by two independent podcast parsers, its podcast:guid, and its atomic write."""

from __future__ import annotations

import html
import io
import os
import threading
import xml.etree.ElementTree as ET
from calendar import timegm
from datetime import datetime
from dataclasses import replace
from pathlib import Path

import feedparser
import podcastparser
import pytest
from publishing import make_episode, make_library

from briefing.library import feed
from briefing.config import Config, load_config
from briefing.errors import BriefingError
from briefing.library.publish import publish, regenerate

BASE = "https://pods.example/briefing/"
TOML = f"""
[channel]
title = "Morning & Evening"
author = "Newsroom"
description = "Short narrated news."
language = "en-gb"
base_url = "{BASE}"
category = "News"
explicit = true
email = "owner@pods.example"

[sources]
feeds = ["https://news.example/rss"]
"""


@pytest.fixture()
def library(tmp_path):
    (tmp_path / "briefing.toml").write_text(TOML, encoding="utf-8")
    episodes = make_library(tmp_path, count=3)
    return tmp_path, episodes


def parse_both(library_dir: Path):
    data = (library_dir / "feed.xml").read_bytes()
    return podcastparser.parse(BASE + "feed.xml", io.BytesIO(data)), feedparser.parse(data)


def show_notes(episode) -> str:
    """The item description of a test episode (an article read from a URL): its summary, its source, the voice."""
    return (f"{episode.description}\n\nSources:\n- {episode.title}: {episode.source}\n\n"
            f"Narrated by a synthetic voice ({episode.voice}), not a person.")


def expected_timestamp(iso: str) -> int:
    return timegm(datetime.fromisoformat(iso).utctimetuple())


def test_podcastparser_reads_every_channel_and_item_field(library):
    library_dir, episodes = library
    channel, _ = parse_both(library_dir)
    assert channel["title"] == "Morning & Evening"
    assert channel["link"] == BASE
    assert channel["description"] == "Short narrated news."
    assert channel["language"] == "en-gb"
    assert channel["itunes_author"] == "Newsroom"
    assert channel["itunes_categories"] == [["News"]]
    assert channel["explicit"] is True
    assert channel["itunes_owner"] == {"name": "Newsroom", "email": "owner@pods.example"}
    assert channel["cover_url"] == BASE + "cover.png"  # drawn from the channel title
    items = channel["episodes"]
    assert [item["guid"] for item in items] == [e.guid for e in reversed(episodes)]
    for item, episode in zip(items, reversed(episodes), strict=True):
        assert item["title"] == episode.title
        assert item["description"] == show_notes(episode)
        assert item["link"] == episode.source  # the article the episode reads
        assert f'<li><a href="{episode.source}">{html.escape(episode.title)}</a></li>' in item["description_html"]
        assert "Narrated by a synthetic voice (espeak-en), not a person." in item["description_html"]
        assert item["published"] == expected_timestamp(episode.published)
        assert item["total_time"] == 20
        assert item["episode_art_url"] == BASE + episode.cover_path
        [enclosure] = item["enclosures"]
        assert enclosure["url"] == BASE + episode.audio_path
        assert enclosure["mime_type"] == "audio/mpeg"
        assert enclosure["file_size"] == (library_dir / episode.audio_path).stat().st_size


def test_feedparser_reads_every_channel_and_item_field(library):
    library_dir, episodes = library
    _, parsed = parse_both(library_dir)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    channel = parsed.feed
    assert channel.title == "Morning & Evening"
    assert channel.link == BASE
    assert channel.subtitle == "Short narrated news."
    assert channel.language == "en-gb"
    assert channel.image.href == BASE + "cover.png"
    assert channel.tags[0].term == "News"
    # feedparser maps only "yes"/"clean" (the old spelling); Apple now asks for "true"/"false".
    assert channel.itunes_explicit is None
    assert channel.author_detail.name == "Newsroom"
    assert channel.publisher_detail.email == "owner@pods.example"
    assert channel.podcast_guid == feed.podcast_guid(BASE + "feed.xml")
    for entry, episode in zip(parsed.entries, reversed(episodes), strict=True):
        assert entry.id == episode.guid and entry.guidislink is False
        assert entry.title == episode.title
        assert entry.summary == show_notes(episode)
        assert entry.link == episode.source
        assert timegm(entry.published_parsed) == expected_timestamp(episode.published)
        assert entry.itunes_duration == "00:00:20"
        assert entry.image.href == BASE + episode.cover_path
        [enclosure] = [link for link in entry.links if link.rel == "enclosure"]
        assert enclosure.href == BASE + episode.audio_path
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == (library_dir / episode.audio_path).stat().st_size
        assert entry.podcast_transcript == {"url": BASE + episode.transcript_path, "type": "text/vtt"}
        assert entry.podcast_chapters == {"url": BASE + episode.chapters_path,
                                          "type": "application/json+chapters"}


def test_raw_xml_uses_the_required_namespaces_and_attribute_values(library):
    root = ET.parse(library[0] / "feed.xml").getroot()
    channel = root.find("channel")
    ns = {"itunes": feed.ITUNES, "podcast": feed.PODCAST}
    assert root.get("version") == "2.0"
    assert channel.find("itunes:explicit", ns).text == "true"
    assert channel.find("itunes:category", ns).get("text") == "News"
    assert channel.find("itunes:image", ns).get("href").startswith(BASE)
    item = channel.find("item")
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.find("pubDate").text == "Mon, 03 Mar 2025 07:00:00 GMT"
    assert item.find("podcast:transcript", ns).get("type") == "text/vtt"
    assert item.find("podcast:chapters", ns).get("type") == "application/json+chapters"


def test_channel_art_is_drawn_once_as_a_square_png_of_at_least_1400_pixels(library):
    from PIL import Image

    directory, _ = library
    cover = Path(directory) / "cover.png"
    with Image.open(cover) as image:
        assert image.format == "PNG" and image.width == image.height >= 1400
    drawn_at = cover.stat().st_mtime_ns
    regenerate(directory)
    assert cover.stat().st_mtime_ns == drawn_at  # kept, not redrawn: directories cache channel art


def test_podcast_guid_matches_the_namespace_specification_examples():
    nashownotes = "https://mp3s.nashownotes.com/pc20rss.xml"
    assert feed.podcast_guid(nashownotes) == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feed.podcast_guid("podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert feed.podcast_guid("https://podnews.net/rss//") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def podcast_guid_in(library_dir: Path) -> str:
    return feedparser.parse((library_dir / "feed.xml").read_bytes()).feed.podcast_guid


def test_podcast_guid_is_kept_across_regenerations_and_a_new_base_url(library, monkeypatch):
    library_dir, episodes = library
    first = podcast_guid_in(library_dir)
    assert first == feed.podcast_guid(BASE + "feed.xml")
    regenerate(library_dir)
    assert podcast_guid_in(library_dir) == first
    monkeypatch.setenv("BRIEFING_BASE_URL", "https://moved.example/pod")
    regenerate(library_dir)
    parsed = feedparser.parse((library_dir / "feed.xml").read_bytes())
    assert parsed.entries[0].links[0].href.startswith("https://moved.example/pod/episodes/")
    assert parsed.feed.podcast_guid == first
    regenerate(library_dir, load_config(library_dir, base_url="http://10.0.0.1:9/"))
    assert podcast_guid_in(library_dir) == first


def test_base_url_precedence_is_toml_then_environment_then_option(tmp_path, monkeypatch):
    (tmp_path / "briefing.toml").write_text(TOML, encoding="utf-8")
    monkeypatch.delenv("BRIEFING_BASE_URL", raising=False)
    assert load_config(tmp_path).channel.base_url == BASE
    monkeypatch.setenv("BRIEFING_BASE_URL", "https://env.example")
    assert load_config(tmp_path).channel.base_url == "https://env.example/"
    assert load_config(tmp_path, base_url="https://cli.example/x/").channel.base_url == "https://cli.example/x/"


def test_config_defaults_and_raw_tables(tmp_path, monkeypatch):
    monkeypatch.delenv("BRIEFING_BASE_URL", raising=False)
    config = load_config(tmp_path)
    assert config.channel.title == "Briefing" and config.channel.language == "en-us"  # the default voice is American
    assert config.channel.base_url == "http://127.0.0.1:8000/" and config.channel.explicit is False
    assert config == Config(channel=config.channel, path=tmp_path / "briefing.toml") and config.base_url_chosen is False
    (tmp_path / "briefing.toml").write_text(TOML, encoding="utf-8")
    assert load_config(tmp_path).sources.entries == (("feeds", "https://news.example/rss"),)


@pytest.mark.parametrize("text, problem", [
    ("[channel\n", "not valid TOML"),
    ("[channel]\ncolour = 'red'\n", "unknown key channel.colour"),
    ("[channel]\nexplicit = 'no'\n", "channel.explicit must be true or false"),
    ("[channel]\nbase_url = 'ftp://x'\n", "must start with http"),
])
def test_bad_config_is_one_line_naming_the_file(tmp_path, text, problem):
    (tmp_path / "briefing.toml").write_text(text, encoding="utf-8")
    with pytest.raises(BriefingError) as caught:
        load_config(tmp_path)
    assert problem in caught.value.message and "briefing.toml" in caught.value.message
    assert "\n" not in caught.value.message


def test_republishing_a_guid_with_new_audio_changes_the_enclosure(library):
    library_dir, episodes = library
    old = episodes[0]
    new = make_episode(library_dir, "story-0-fixed", old.published, guid=old.guid, frequency=1000)
    publish(library_dir, new)
    items = [e for e in parse_both(library_dir)[0]["episodes"] if e["guid"] == old.guid]
    assert len(items) == 1
    assert items[0]["enclosures"][0]["url"] == BASE + new.audio_path != BASE + old.audio_path


def test_write_leaves_no_temporary_files_and_renames_into_place(library, monkeypatch):
    library_dir, _ = library
    calls = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append((Path(a), Path(b))), real_replace(a, b)))
    regenerate(library_dir)
    targets = {target.name for _, target in calls}
    assert {"feed.xml", "index.html"} <= targets
    assert all(source.parent == target.parent for source, target in calls)
    assert not [p for p in library_dir.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]
    assert oct((library_dir / "feed.xml").stat().st_mode & 0o777) == "0o644"


def test_a_failed_write_keeps_the_old_feed_and_no_temporary_file(library, monkeypatch):
    library_dir, _ = library
    before = (library_dir / "feed.xml").read_bytes()

    def broken(tree, target, **options):
        target.write(b"<rss><chan")
        raise OSError("disk full")

    monkeypatch.setattr(ET.ElementTree, "write", broken)
    with pytest.raises((OSError, BriefingError)):
        regenerate(library_dir)
    assert (library_dir / "feed.xml").read_bytes() == before
    assert not list(library_dir.glob(".*.tmp"))


def test_readers_always_see_a_whole_feed_during_50_regenerations(library):
    library_dir, _ = library
    path = library_dir / "feed.xml"
    stop, seen, failures = threading.Event(), [0], []

    def read_repeatedly():
        while not stop.is_set():
            try:
                ET.fromstring(path.read_bytes())
                seen[0] += 1
            except ET.ParseError as error:
                failures.append(error)

    readers = [threading.Thread(target=read_repeatedly) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(50):
            regenerate(library_dir)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert not failures and seen[0] > 50


def test_hhmmss_and_rfc822():
    assert feed.hhmmss(0) == "00:00:00"
    assert feed.hhmmss(3725.6) == "01:02:06"
    assert feed.rfc822("2025-06-01T23:30:00+02:00") == "Sun, 01 Jun 2025 21:30:00 GMT"
    assert feed.rfc822("2025-06-01T21:30:00Z") == "Sun, 01 Jun 2025 21:30:00 GMT"


def test_the_channel_carries_rss_image_lock_and_a_new_address_when_it_moves(library, monkeypatch):
    library_dir, _ = library
    channel, _ = parse_both(library_dir)
    assert channel["cover_url"] == BASE + "cover.png"
    # (podcastparser knows the podcast namespace only by its old GitHub address: the tag is read here.)
    assert "new_url" not in channel
    root = ET.parse(library_dir / "feed.xml").getroot()
    image = root.find("channel/image")
    assert [image.findtext(tag) for tag in ("url", "title", "link")] == [BASE + "cover.png", "Morning & Evening", BASE]
    locked = root.find(f"channel/{{{feed.PODCAST}}}locked")
    assert (locked.text, locked.get("owner")) == ("no", "owner@pods.example")

    moved = "https://new.example/show/"
    monkeypatch.setenv("BRIEFING_BASE_URL", moved)
    regenerate(library_dir)
    channel, _ = parse_both(library_dir)
    assert channel["new_url"] == moved + "feed.xml"
    root = ET.parse(library_dir / "feed.xml").getroot()
    assert root.findtext(f"channel/{{{feed.PODCAST}}}guid") == feed.podcast_guid(BASE + "feed.xml")  # kept


def test_a_daily_episode_links_each_story_in_its_notes_chapters_and_page(tmp_path):
    from briefing.audio.chapters import Chapter, chapters_json_text
    from publishing import make_episode

    (tmp_path / "briefing.toml").write_text(TOML, encoding="utf-8")
    episode = make_episode(tmp_path, "daily", title="Briefing for Wednesday 25 November 2026")
    stories = [("Harbour bridge to close", "https://news.example/harbour"), ("Rail fares frozen", "https://rail.example/fares")]
    chapters = [Chapter("Introduction", 0, 2)] + [Chapter(title, 2 + n, 3 + n, url) for n, (title, url) in enumerate(stories)]
    (tmp_path / episode.chapters_path).write_text(chapters_json_text(chapters, episode.title), encoding="utf-8")
    episode = replace(episode, source="daily:2026-11-25", kind="daily", description="Today: two stories.")
    publish(tmp_path, episode)

    [item] = parse_both(tmp_path)[0]["episodes"]
    assert item["link"] == f"{BASE}index.html#{episode.guid}"  # the episode on the page
    assert item["description"] == ("Today: two stories.\n\nSources:\n- Harbour bridge to close: https://news.example/harbour\n"
                                   "- Rail fares frozen: https://rail.example/fares\n\n"
                                   "Narrated by a synthetic voice (espeak-en), not a person.")
    for title, url in stories:
        assert f'<a href="{url}">{title}</a>' in item["description_html"]
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    for _, url in stories:
        assert f'<a class="source" href="{url}" rel="nofollow noopener noreferrer">source</a>' in page
    assert "Narrated by a synthetic voice (espeak-en), not a person." in page
