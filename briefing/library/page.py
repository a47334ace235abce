"""The web page: ``<library>/index.html``, a player for each recent episode with chapters and transcript.

Owns rendering the page from channel settings and episode records (plus each episode's
``.chapters.json`` and ``.vtt``/``.txt`` side files). Plain HTML and a few lines of JavaScript; every
text from a record or a file goes through ``_escape`` (control characters dropped, then
``html.escape``). Links are relative, so the page works wherever the library is served.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
import html
from pathlib import Path
from urllib.parse import quote, urlsplit

from briefing.config import ChannelSettings
from briefing.library.feed import channel_image, synthetic_note
from briefing.library.layout import FEED_NAME, PAGE_NAME, feed_url
from briefing.audio.formats import audio_media_type, format_of
from briefing.system.fsutil import atomic_path
from briefing.model import Episode, web_link
from briefing.system.textsafety import strip_controls

# Each player fetches its file's metadata on load: the page lists the newest episodes, the feed all.
PAGE_LIMIT = 100
# A sound wave on the show's blue, inline: no file to serve, upload or keep in step with the page.
FAVICON = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E"
           "%3Crect width='32' height='32' rx='7' fill='%232c6096'/%3E%3Cpath d='M7 16h3M12 10v12M17 6v20"
           "M22 11v10M25 16h1' stroke='%23fff' stroke-width='3' stroke-linecap='round'/%3E%3C/svg%3E")

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
header{display:flex;gap:1rem;align-items:center}header img{width:7rem;height:7rem;border-radius:.5rem}
article{border-top:1px solid #ddd;padding:1rem 0}audio{width:100%}
.meta{color:#666;font-size:.9rem}ol.chapters{padding-left:1.6rem}ol.chapters li{margin:.2rem 0}
ol.chapters button{background:none;border:0;padding:0;color:#0645ad;cursor:pointer;font:inherit;
text-align:left;vertical-align:top}ol.chapters .source{font-size:.9rem}pre{white-space:pre-wrap;font:inherit}
.subscribe{display:flex;gap:1rem;align-items:center;background:#eef4fa;border-radius:.5rem;padding:.75rem 1rem}
.subscribe div{flex:1}.subscribe input{width:100%;box-sizing:border-box;font:inherit;padding:.25rem}
.subscribe svg{flex:none;background:#fff}
"""
# One listener for every chapter button (data-player names the <audio>, data-start the second);
# one player at a time ("play" does not bubble: caught on the way down); the feed address copied,
# or at least selected where the page is not a secure context and the clipboard API is missing.
_SCRIPT = """
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-start]");
  if (!button) return;
  var player = document.getElementById(button.dataset.player);
  player.currentTime = parseFloat(button.dataset.start);
  player.play();
});
document.addEventListener("play", function (event) {
  document.querySelectorAll("audio").forEach(function (other) {
    if (other !== event.target) other.pause();
  });
}, true);
document.getElementById("copy-feed").addEventListener("click", function () {
  var field = document.getElementById("feed-url"), status = document.getElementById("copy-status");
  field.focus();
  field.select();
  function selected() {
    status.textContent = document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C to copy.";
  }
  if (!navigator.clipboard) return selected();
  navigator.clipboard.writeText(field.value).then(function () { status.textContent = "Copied."; }, selected);
});
document.getElementById("copy-feed").addEventListener("click", function () {
  var button = this;
  button.textContent = "Copied \u2713";
  setTimeout(function () { button.textContent = "Copy address"; }, 2000);
});
"""


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str
    url: str | None = None  # the source it tells, when it names one


def write_page(library_dir: Path, channel: ChannelSettings, episodes: list[Episode]) -> Path:
    path = Path(library_dir) / PAGE_NAME
    page = render_page(Path(library_dir), channel, episodes)
    with atomic_path(path) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return path


def render_page(library_dir: Path, channel: ChannelSettings, episodes: list[Episode]) -> str:
    shown = episodes[:PAGE_LIMIT]
    parts = [_head(channel), _header(library_dir, channel, episodes)]
    parts += [_episode(library_dir, episode, number) for number, episode in enumerate(shown)]
    if not episodes:
        parts.append('<p class="meta">No episodes yet: the first appears here, and in the feed, once '
                     "<code>briefing make</code> or <code>briefing daily</code> publishes it.</p>")
    if len(episodes) > len(shown):
        parts.append(f'<p class="meta">{len(episodes) - len(shown)} older episodes are in '
                     f'<a href="{FEED_NAME}">the feed</a>.</p>')
    parts.append(f"<script>{_SCRIPT}</script>\n</body>\n</html>\n")
    return "\n".join(parts)


def _head(channel: ChannelSettings) -> str:
    title = _escape(channel.title)
    return (f'<!DOCTYPE html>\n<html lang="{_escape(channel.language)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n'
            f'<link rel="alternate" type="application/rss+xml" title="{title}" href="{FEED_NAME}">\n'
            f'<link rel="icon" href="{FAVICON}">\n'
            f"<style>{_STYLE}</style>\n</head>\n<body>")


def _header(library_dir: Path, channel: ChannelSettings, episodes: list[Episode]) -> str:
    image = channel_image(library_dir, channel, episodes)
    cover = f'<img src="{_href(image)}" alt="">' if image else ""
    return (f"<header>{cover}<div><h1>{_escape(channel.title)}</h1>"
            f"<p>{_escape(channel.description)}</p></div></header>\n{_subscribe_box(feed_url(channel.base_url))}")


def _subscribe_box(feed_url: str) -> str:
    """The feed's address to copy into a podcast app, and as a QR code for a phone's camera."""
    url = _escape(feed_url)
    reachable = not _is_loopback(feed_url)  # a phone cannot reach this machine's 127.0.0.1
    qr_code = _qr_svg(feed_url) if reachable else ""
    phone = ("Scan the code with your phone's camera to subscribe there." if reachable else
             "To subscribe from a phone, run <code>briefing serve --host 0.0.0.0</code>.")
    return (f'<section class="subscribe" aria-label="Subscribe">{qr_code}<div>'
            f'<p>Subscribe in any podcast app with this address (<a href="{FEED_NAME}">the feed</a>):</p>'
            f'<p><input id="feed-url" type="text" readonly value="{url}" aria-label="Feed address"></p>'
            f'<p><button type="button" id="copy-feed">Copy address</button> '
            f'<span id="copy-status" role="status"></span></p><p class="meta">{phone}</p></div></section>')


def _qr_svg(text: str) -> str:
    # Imported here: only pages with an address a phone can reach draw one.
    import segno

    code = segno.make(text, error="m")
    return code.svg_inline(scale=3, title="QR code of the feed address", dark="#000", light="#fff")


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.endswith(".localhost") or host.startswith("127.") or host == "::1"


def _episode(library_dir: Path, episode: Episode, number: int) -> str:
    player = f"player-{number}"
    parts = [
        f'<article id="{_escape(episode.guid)}">',
        f"<h2>{_escape(episode.title)}</h2>",
        f'<p class="meta"><time datetime="{_escape(episode.published)}">{_escape(_day(episode.published))}'
        f'</time> · <span title="length">{length_label(episode.duration_s)}</span></p>',
        f'<audio id="{player}" controls preload="metadata" src="{_href(episode.audio_path)}" '
        f'aria-label="{_escape(episode.title)}"></audio>',
        f'<p class="meta"><a href="{_href(episode.audio_path)}" type="{audio_media_type(episode.audio_path)}" '
        f'download>Download {_audio_label(episode.audio_path)}</a> '
        f"({episode.size_bytes / 1e6:.1f} MB)</p>",
    ]
    if episode.description:
        parts.append(f"<p>{_escape(episode.description)}</p>")
    own = web_link(episode.source)
    if own:
        parts.append(f'<p class="meta">Source: <a href="{_escape(own)}">{_escape(urlsplit(own).hostname or own)}</a></p>')
    parts.append(f'<p class="meta">{_escape(synthetic_note(episode))}</p>')
    chapters = read_chapters(library_dir, episode.chapters_path)
    if chapters:  # a chapter links its source when it is not the episode's own (said once, above)
        parts.append(_chapter_list([replace(c, url=None) if c.url == own else c for c in chapters], player))
    transcript = read_transcript(library_dir, episode)
    if transcript:
        parts.append(f"<details><summary>Transcript</summary><pre>{_escape(transcript)}</pre></details>")
    parts.append("</article>")
    return "\n".join(parts)


def clock(seconds: float) -> str:
    """A position as audio players show it: whole seconds, counted down (``1:34``, ``1:02:05``)."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def length_label(seconds: float) -> str:
    """An episode's length in words, never mistaken for a time of day: ``1 min 34 s``, ``1 h 2 min``."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    if hours:
        return f"{hours} h {rest // 60} min"
    return f"{rest // 60} min {rest % 60} s" if rest >= 60 else f"{rest} s"


def _day(published: str) -> str:
    try:
        day = dt.date.fromisoformat(published[:10])
    except ValueError:
        return published[:10]
    return f"{day:%A} {day.day} {day:%B %Y}"


def _chapter_list(chapters: list[Chapter], player: str) -> str:
    items = [
        f'<li><button type="button" data-player="{player}" data-start="{chapter.start:g}">'
        f"{clock(chapter.start)} {_escape(chapter.title)}</button>{_source_link(chapter.url)}</li>"
        for chapter in chapters
    ]
    return '<ol class="chapters">' + "".join(items) + "</ol>"


def _source_link(url: str | None) -> str:
    if not web_link(url):
        return ""
    return f' <a class="source" href="{_escape(url or "")}" rel="nofollow noopener noreferrer">source</a>'


def read_chapters(library_dir: Path, relative: str | None) -> list[Chapter]:
    """Chapters from a Podcasting 2.0 chapters file; none if it is missing or not that format."""
    if not relative:
        return []
    try:
        data = json.loads((library_dir / relative).read_text(encoding="utf-8"))
        return [Chapter(float(c["startTime"]), str(c.get("title", "")),
                        web_link(c["url"]) if isinstance(c.get("url"), str) else None) for c in data["chapters"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def read_transcript(library_dir: Path, episode: Episode) -> str:
    """The spoken text: the WebVTT cues' text, else the script's text file."""
    for relative, parse in ((episode.transcript_path, transcript_from_vtt), (episode.script_path, str.strip)):
        if not relative:
            continue
        try:
            return parse((library_dir / relative).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    return ""


_CUE_TIMING = re.compile(r"^(?:\d++:)++\d++\.\d++\s++-->\s")
_CUE_TAG = re.compile(r"</?(?:[cbiuv]|lang|ruby|rt)(?:[.\s][^>]*)?>|<\d+:\d+[\d:.]*>")


def transcript_from_vtt(vtt: str) -> str:
    """The cue text of a WebVTT file, one cue per line, without header, ids, timings, notes or cue
    markup: a voice span (``<v Narrator>``) or styling tag is dropped and ``&amp;`` is read as ``&``."""
    lines = []
    for block in re.split(r"\n\s*\n", vtt.replace("\r\n", "\n").strip()):
        rows = block.split("\n")
        if rows[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        timing = next((i for i, row in enumerate(rows) if _CUE_TIMING.match(row)), None)
        if timing is not None:
            cue = " ".join(row.strip() for row in rows[timing + 1:] if row.strip())
            lines.append(" ".join(html.unescape(_CUE_TAG.sub("", cue)).split()))
    return "\n".join(line for line in lines if line)


def _escape(text: str) -> str:
    # Titles and transcripts may come from older versions or hand-edited side files: clean them here too.
    return html.escape(strip_controls(text))


def _audio_label(relative: str) -> str:
    found = format_of(relative)
    return found.label if found else "audio"


def _href(relative: str) -> str:
    return _escape(quote(relative))
