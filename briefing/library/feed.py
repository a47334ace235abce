"""The podcast feed: RSS 2.0 with the iTunes tags Apple requires and the Podcasting 2.0 namespace.

Owns turning channel settings and episode records into ``<library>/feed.xml``, written atomically.
It reads nothing from the database; ``publish.regenerate`` hands it the records and the podcast guid.
The iTunes and Podcasting 2.0 tags are added by small extension functions, not mixed into the core.
"""

from __future__ import annotations

import html
import io
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from briefing.audio.chapters import read_sources
from briefing.config import ChannelSettings
from briefing.library.feed_style import PROCESSING_INSTRUCTION, write_stylesheet
from briefing.library.layout import FEED_NAME, PAGE_NAME, feed_url
from briefing.audio.formats import audio_media_type
from briefing.system.fsutil import atomic_path
from briefing.model import Episode, web_link
from briefing.system.textsafety import strip_controls

CHANNEL_COVER = "cover.png"  # drawn by the library when briefing.toml names no channel image
# Temporary files are private; the published ones are for any web server to read.
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
# From the podcast namespace's <podcast:guid> specification.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# XML 1.0 forbids these two noncharacters as well as the controls strip_controls removes.
_XML_NONCHARACTERS = str.maketrans("", "", "\ufffe\uffff")

for _prefix, _uri in (("itunes", ITUNES), ("podcast", PODCAST), ("atom", ATOM), ("content", CONTENT)):
    ET.register_namespace(_prefix, _uri)


def podcast_guid(feed_url: str) -> str:
    """UUIDv5 of the feed URL without its scheme and trailing slashes, as the namespace specifies."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def file_url(channel: ChannelSettings, relative: str) -> str:
    # base_url always ends in "/" (config guarantees it) and records hold relative paths.
    return channel.base_url + quote(relative)


def write_feed(
    library_dir: Path, channel: ChannelSettings, episodes: list[Episode], guid: str | None
) -> Path:
    """Write ``feed.xml``, and beside it ``feed.xsl``, which shows the feed in a browser."""
    document = feed_document(library_dir, channel, episodes, guid)
    write_stylesheet(library_dir)
    path = Path(library_dir) / FEED_NAME
    with atomic_path(path) as temporary:
        temporary.write_bytes(document)
    return path


def feed_document(
    library_dir: Path, channel: ChannelSettings, episodes: list[Episode], guid: str | None
) -> bytes:
    """What ``feed.xml`` holds: the feed's tree, indented, after the stylesheet's processing instruction."""
    root = build_feed(library_dir, channel, episodes, guid)
    ET.indent(root)
    document = io.BytesIO()
    document.write(f'<?xml version="1.0" encoding="utf-8"?>\n{PROCESSING_INSTRUCTION}\n'.encode())
    ET.ElementTree(root).write(document, encoding="utf-8", xml_declaration=False)
    return document.getvalue()


def build_feed(
    library_dir: Path, channel: ChannelSettings, episodes: list[Episode], guid: str | None
) -> ET.Element:
    """The RSS tree; ``guid`` is the podcast:guid, left out until the podcast has claimed one."""
    rss = ET.Element("rss", version="2.0")
    node = ET.SubElement(rss, "channel")
    _channel_core(node, channel)
    image = channel_image(library_dir, channel, episodes)
    _channel_itunes(node, channel, image)
    _channel_conventions(node, channel, image, guid)
    if guid:
        _sub(node, f"{{{PODCAST}}}guid", guid)
    for episode in episodes:
        item = ET.SubElement(node, "item")
        _item_core(item, channel, episode, library_dir)
        _item_itunes(item, channel, episode)
        _item_podcast(item, channel, episode)
        _item_notes(item, channel, episode, episode_sources(library_dir, episode))
    make_well_formed(rss)
    return rss


def make_well_formed(root: ET.Element) -> None:
    """Drop every character XML 1.0 forbids from texts and attributes, in place.

    Done on the finished tree rather than per field, so no field (a channel title from
    briefing.toml, a title recorded by an older version) can make the feed unreadable.
    """
    for element in root.iter():
        element.text = xml_text(element.text)
        element.tail = xml_text(element.tail)
        for name, value in list(element.attrib.items()):
            element.set(name, xml_text(value) or "")


def xml_text(text: str | None) -> str | None:
    if text is None:
        return None
    return strip_controls(text).translate(_XML_NONCHARACTERS)


def _channel_core(node: ET.Element, channel: ChannelSettings) -> None:
    _sub(node, "title", channel.title)
    _sub(node, "link", channel.base_url)
    _sub(node, "description", channel.description)
    _sub(node, "language", channel.language)
    _sub(node, "generator", "briefing")
    _sub(node, "lastBuildDate", format_datetime(datetime.now(timezone.utc), usegmt=True))
    ET.SubElement(node, f"{{{ATOM}}}link", href=feed_url(channel.base_url), rel="self",
                  type="application/rss+xml")


def _channel_itunes(node: ET.Element, channel: ChannelSettings, image: str | None) -> None:
    if image:
        ET.SubElement(node, f"{{{ITUNES}}}image", href=file_url(channel, image))
    ET.SubElement(node, f"{{{ITUNES}}}category", text=channel.category)
    _sub(node, f"{{{ITUNES}}}explicit", "true" if channel.explicit else "false")
    _sub(node, f"{{{ITUNES}}}author", channel.author)
    _sub(node, f"{{{ITUNES}}}type", "episodic")
    email = channel.owner_email or channel.email
    if email:  # Apple mails the owner to verify the podcast: without an address the tag says nothing
        owner = ET.SubElement(node, f"{{{ITUNES}}}owner")
        _sub(owner, f"{{{ITUNES}}}name", channel.owner_name or channel.author)
        _sub(owner, f"{{{ITUNES}}}email", email)


def _channel_conventions(node: ET.Element, channel: ChannelSettings, image: str | None, guid: str | None) -> None:
    """RSS 2.0's own <image>, the Podcasting 2.0 lock, and the new address when the feed has moved."""
    if image:
        art = ET.SubElement(node, "image")
        _sub(art, "url", file_url(channel, image))
        _sub(art, "title", channel.title)
        _sub(art, "link", channel.base_url)
    email = channel.owner_email or channel.email
    locked = _sub(node, f"{{{PODCAST}}}locked", "yes" if channel.locked else "no")
    if email:
        locked.set("owner", email)
    # The guid was claimed from the first public feed URL: another one now means the feed moved, and
    # apps that still read the old address (a copy left there, or a redirect) learn the new one.
    if guid and guid != podcast_guid(feed_url(channel.base_url)):
        _sub(node, f"{{{ITUNES}}}new-feed-url", feed_url(channel.base_url))


def channel_image(library_dir: Path, channel: ChannelSettings, episodes: list[Episode]) -> str | None:
    """The configured image, else ``cover.png`` in the library, else the newest episode's cover."""
    if channel.image:
        return channel.image
    if (Path(library_dir) / CHANNEL_COVER).is_file():
        return CHANNEL_COVER
    return next((e.cover_path for e in episodes if e.cover_path), None)


def _item_core(item: ET.Element, channel: ChannelSettings, episode: Episode, library_dir: Path) -> None:
    _sub(item, "title", episode.title)
    _sub(item, "description", episode.description or episode.title)
    ET.SubElement(item, "enclosure", url=file_url(channel, episode.audio_path),
                  length=str(_size(library_dir, episode)), type=audio_media_type(episode.audio_path))
    _sub(item, "guid", episode.guid).set("isPermaLink", "false")
    _sub(item, "pubDate", rfc822(episode.published))


def _item_itunes(item: ET.Element, channel: ChannelSettings, episode: Episode) -> None:
    _sub(item, f"{{{ITUNES}}}duration", hhmmss(episode.duration_s))
    _sub(item, f"{{{ITUNES}}}episodeType", "full")
    if episode.cover_path:
        ET.SubElement(item, f"{{{ITUNES}}}image", href=file_url(channel, episode.cover_path))


def _item_podcast(item: ET.Element, channel: ChannelSettings, episode: Episode) -> None:
    if episode.transcript_path:
        ET.SubElement(item, f"{{{PODCAST}}}transcript", url=file_url(channel, episode.transcript_path),
                      type="text/vtt")
    if episode.chapters_path:
        ET.SubElement(item, f"{{{PODCAST}}}chapters", url=file_url(channel, episode.chapters_path),
                      type="application/json+chapters")
    if episode.voice:  # the synthetic narrator: engine and voice, e.g. "hibari heart"
        person = _sub(item, f"{{{PODCAST}}}person", episode.voice)
        person.set("role", "narrator")
        person.set("group", "cast")


def episode_sources(library_dir: Path, episode: Episode) -> list[tuple[str, str]]:
    """(title, url) of what the episode tells: the article it reads, or each story's (its chapters')."""
    own = web_link(episode.source)
    found = [(episode.title, own)] if own else []
    return found + [(title, url) for title, url in read_sources(library_dir, episode.chapters_path) if url != own]


def notes_summary(description: str) -> str:
    """The episode's own description inside an item's show notes (what ``briefing rebuild`` restores)."""
    for marker in ("\n\nSources:\n", "\n\nNarrated by a synthetic voice"):
        description = description.split(marker, 1)[0]
    return description


def synthetic_note(episode: Episode) -> str:
    voice = f" ({episode.voice})" if episode.voice else ""
    return f"Narrated by a synthetic voice{voice}, not a person."


def _item_notes(item: ET.Element, channel: ChannelSettings, episode: Episode, sources: list[tuple[str, str]]) -> None:
    """Show notes: the item's <link>, and in its description and content:encoded each source's title
    and address, then the note that the voice is synthetic."""
    link = web_link(episode.source) or f"{file_url(channel, PAGE_NAME)}#{quote(episode.guid, safe=':')}"
    _sub(item, "link", link)
    summary = episode.description or episode.title
    lines = [summary, ""]
    if sources:
        lines += ["Sources:", *(f"- {title}: {url}" for title, url in sources), ""]
    description = item.find("description")
    if description is not None:
        description.text = "\n".join([*lines, synthetic_note(episode)])
    notes = [f"<p>{html.escape(summary)}</p>"]
    if sources:
        notes.append("<p>Sources:</p><ul>" + "".join(
            f'<li><a href="{html.escape(url)}">{html.escape(title)}</a></li>' for title, url in sources) + "</ul>")
    notes.append(f"<p><em>{html.escape(synthetic_note(episode))}</em></p>")
    _sub(item, f"{{{CONTENT}}}encoded", "".join(notes))


def _size(library_dir: Path, episode: Episode) -> int:
    # Clients compare the enclosure length with what they download; the file on disk is the truth.
    try:
        return (Path(library_dir) / episode.audio_path).stat().st_size
    except OSError:
        return episode.size_bytes


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def rfc822(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def hhmmss(seconds: float) -> str:
    whole = max(0, round(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
