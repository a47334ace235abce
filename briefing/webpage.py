"""The web page: ``<library>/index.html``, a player for each recent episode with chapters and transcript.

Owns rendering the page from channel settings and episode records (plus each episode's
``.chapters.json`` and ``.vtt``/``.txt`` side files). Plain HTML and a few lines of JavaScript; every
text from a record or a file goes through ``html.escape``. Links are relative, so the page works
wherever the library is served.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from briefing.config import ChannelSettings
from briefing.feed import FEED_NAME, channel_image, hhmmss
from briefing.fsutil import atomic_path
from briefing.model import Episode

PAGE_NAME = "index.html"
# Each player fetches its file's metadata on load: the page lists the newest episodes, the feed all.
PAGE_LIMIT = 100

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
header{display:flex;gap:1rem;align-items:center}header img{width:7rem;height:7rem;border-radius:.5rem}
article{border-top:1px solid #ddd;padding:1rem 0}audio{width:100%}
.meta{color:#666;font-size:.9rem}ol.chapters button{background:none;border:0;padding:0;color:#0645ad;
cursor:pointer;font:inherit;text-align:left}pre{white-space:pre-wrap;font:inherit}
"""
# One listener for every chapter button: data-player names the <audio>, data-start the second.
_SCRIPT = """
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-start]");
  if (!button) return;
  var player = document.getElementById(button.dataset.player);
  player.currentTime = parseFloat(button.dataset.start);
  player.play();
});
"""


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str


def write_page(library_dir: Path, channel: ChannelSettings, episodes: list[Episode]) -> Path:
    path = Path(library_dir) / PAGE_NAME
    html = render_page(Path(library_dir), channel, episodes)
    with atomic_path(path) as temporary:
        temporary.write_text(html, encoding="utf-8")
    return path


def render_page(library_dir: Path, channel: ChannelSettings, episodes: list[Episode]) -> str:
    shown = episodes[:PAGE_LIMIT]
    parts = [_head(channel), _header(library_dir, channel, episodes)]
    parts += [_episode(library_dir, episode, number) for number, episode in enumerate(shown)]
    if len(episodes) > len(shown):
        parts.append(f'<p class="meta">{len(episodes) - len(shown)} older episodes are in '
                     f'<a href="{FEED_NAME}">the feed</a>.</p>')
    parts.append(f"<script>{_SCRIPT}</script>\n</body>\n</html>\n")
    return "\n".join(parts)


def _head(channel: ChannelSettings) -> str:
    title = escape(channel.title)
    return (f'<!DOCTYPE html>\n<html lang="{escape(channel.language)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n'
            f'<link rel="alternate" type="application/rss+xml" title="{title}" href="{FEED_NAME}">\n'
            f"<style>{_STYLE}</style>\n</head>\n<body>")


def _header(library_dir: Path, channel: ChannelSettings, episodes: list[Episode]) -> str:
    image = channel_image(library_dir, channel, episodes)
    cover = f'<img src="{_href(image)}" alt="">' if image else ""
    return (f"<header>{cover}<div><h1>{escape(channel.title)}</h1>"
            f"<p>{escape(channel.description)}</p>"
            f'<p><a href="{FEED_NAME}" class="subscribe">Subscribe (RSS feed)</a></p></div></header>')


def _episode(library_dir: Path, episode: Episode, number: int) -> str:
    player = f"player-{number}"
    parts = [
        f'<article id="{escape(episode.guid)}">',
        f"<h2>{escape(episode.title)}</h2>",
        f'<p class="meta"><time datetime="{escape(episode.published)}">{escape(episode.published[:10])}'
        f"</time> · {hhmmss(episode.duration_s)}</p>",
        f'<audio id="{player}" controls preload="metadata" src="{_href(episode.audio_path)}"></audio>',
    ]
    if episode.description:
        parts.append(f"<p>{escape(episode.description)}</p>")
    chapters = read_chapters(library_dir, episode.chapters_path)
    if chapters:
        parts.append(_chapter_list(chapters, player))
    transcript = read_transcript(library_dir, episode)
    if transcript:
        parts.append(f"<details><summary>Transcript</summary><pre>{escape(transcript)}</pre></details>")
    parts.append("</article>")
    return "\n".join(parts)


def _chapter_list(chapters: list[Chapter], player: str) -> str:
    items = [
        f'<li><button type="button" data-player="{player}" data-start="{chapter.start:g}">'
        f"{hhmmss(chapter.start)} {escape(chapter.title)}</button></li>"
        for chapter in chapters
    ]
    return '<ol class="chapters">' + "".join(items) + "</ol>"


def read_chapters(library_dir: Path, relative: str | None) -> list[Chapter]:
    """Chapters from a Podcasting 2.0 chapters file; none if it is missing or not that format."""
    if not relative:
        return []
    try:
        data = json.loads((library_dir / relative).read_text(encoding="utf-8"))
        return [Chapter(float(c["startTime"]), str(c.get("title", ""))) for c in data["chapters"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def read_transcript(library_dir: Path, episode: Episode) -> str:
    """The spoken text: the WebVTT cues' text, else the script's text file."""
    for relative, parse in ((episode.transcript_path, vtt_text), (episode.script_path, str.strip)):
        if not relative:
            continue
        try:
            return parse((library_dir / relative).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    return ""


_CUE_TIMING = re.compile(r"^\S*\d+:\d+\.\d+\s+-->\s+")


def vtt_text(vtt: str) -> str:
    """The cue text of a WebVTT file, one cue per line, without header, ids, timings or notes."""
    lines = []
    for block in re.split(r"\n\s*\n", vtt.replace("\r\n", "\n").strip()):
        rows = block.split("\n")
        if rows[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        timing = next((i for i, row in enumerate(rows) if _CUE_TIMING.match(row)), None)
        if timing is not None:
            lines.append(" ".join(row.strip() for row in rows[timing + 1:] if row.strip()))
    return "\n".join(line for line in lines if line)


def _href(relative: str) -> str:
    return escape(quote(relative))
