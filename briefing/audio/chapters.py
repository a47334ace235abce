"""Navigation for a rendered briefing: its chapters, the WebVTT transcript, Podcasting 2.0 chapters.

Works from a Script whose segments already carry their start/end times in the assembled audio.
It does not render audio or write the chapters into the audio file (the output format does that).
Every text it writes has its control characters dropped here, whatever the caller cleaned before.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from briefing.model import Script, Section, Segment, web_link
from briefing.system.textsafety import strip_controls, strip_controls_inline

JSON_CHAPTERS_VERSION = "1.2.0"
CUE_WRAP_CHARS = 80
SOURCES_REMEMBERED = 50_000  # chapters files whose sources a process keeps (a few short strings each)

_FIXED_TITLES = {"intro": "Introduction", "outro": "Close", "headlines": "Headlines"}
_DEFAULT_TITLES = {"lede": "Headline", "story": "The story", "analysis": "Analysis"}


@dataclass(frozen=True)
class Chapter:
    title: str
    start_s: float
    end_s: float
    url: str | None = None  # the source a listener can open: the article this chapter tells


def chapter_title(section: Section) -> str:
    if section.kind in _FIXED_TITLES:
        return _FIXED_TITLES[section.kind]
    heading = section.heading
    if section.kind == "analysis" and heading and heading.lower().startswith("by "):
        return "Analysis: " + heading[3:]  # the correspondent's byline, as a chapter list shows it
    return heading or _DEFAULT_TITLES.get(section.kind, section.kind.title())


def chapter_list(script: Script, duration_s: float) -> list[Chapter]:
    """One chapter per spoken section; each runs until the next begins, the last until the end."""
    spoken = [section for section in script.sections if section.segments]
    if not spoken:
        return []
    starts = [_section_start(section) for section in spoken]
    starts[0] = 0.0  # so the lead-in silence belongs to a chapter
    ends = starts[1:] + [max(duration_s, starts[-1])]
    return [
        Chapter(chapter_title(section), start, end, chapter_link(script, section))
        for section, start, end in zip(spoken, starts, ends)
    ]


def chapter_link(script: Script, section: Section) -> str | None:
    """The section's own source, else (for an article's own sections) the article's."""
    if section.url or section.kind in _FIXED_TITLES:
        return section.url
    return web_link(script.source)


def _section_start(section: Section) -> float:
    if section.start is None:
        raise ValueError(f"section {section.kind!r} has not been rendered: its segments have no times")
    return section.start


def milliseconds(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def vtt_text(script: Script) -> str:
    """One cue per spoken sentence, timed as rendered, in the article's wording (``display``).

    One voice reads everything, so cues carry no voice span: players and pages show the bare text.
    """
    blocks = ["WEBVTT"]
    for segment in script.segments():
        blocks.append(_cue(segment))
    return "\n\n".join(blocks) + "\n"


def _cue(segment: Segment) -> str:
    if segment.start is None or segment.end is None:
        raise ValueError(f"segment {segment.text[:40]!r} has not been rendered: it has no times")
    timing = f"{vtt_timestamp(segment.start)} --> {vtt_timestamp(segment.end)}"
    lines = [escape_cue_text(line) for line in _wrap(" ".join(strip_controls(segment.display).split()))]
    return "\n".join([timing, *lines])


def escape_cue_text(text: str) -> str:
    # Escaping < and > also keeps a literal "-->" from ending up in cue text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrap(text: str) -> list[str]:
    """Two balanced lines for a long sentence, as subtitle renderers show at most two comfortably."""
    if len(text) <= CUE_WRAP_CHARS:
        return [text]
    middle = len(text) // 2
    spaces = [i for i, char in enumerate(text) if char == " "]
    if not spaces:
        return [text]
    split = min(spaces, key=lambda i: abs(i - middle))
    return [text[:split], text[split + 1:]]


def vtt_timestamp(seconds: float) -> str:
    total_ms = milliseconds(seconds)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def chapters_json_text(chapters: list[Chapter], title: str) -> str:
    """The Podcasting 2.0 JSON chapters file that <podcast:chapters> points at."""
    document = {
        "version": JSON_CHAPTERS_VERSION,
        "title": strip_controls_inline(title),
        "chapters": [
            {"startTime": round(c.start_s, 3), "endTime": round(c.end_s, 3),
             "title": strip_controls_inline(c.title), **({"url": strip_controls_inline(c.url)} if c.url else {})}
            for c in chapters
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def read_sources(library_dir: Path, relative: str | None) -> list[tuple[str, str]]:
    """(title, url) of each chapter of a chapters file that names its source, in order, once each.

    Remembered by the file's identity (inode, size, time): every regeneration of a feed asks for
    every episode's, and a process that regenerates again (``serve``, a fleet worker) then pays one
    ``stat`` per episode; a file written again is read again.
    """
    if not relative:
        return []
    path = os.path.join(library_dir, relative)  # once per episode: no pathlib
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return []
    return list(_sources_of(path, found.st_ino, found.st_size, found.st_mtime_ns))


@functools.lru_cache(maxsize=SOURCES_REMEMBERED)
def _sources_of(path: str, inode: int, size: int, mtime_ns: int) -> tuple[tuple[str, str], ...]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        found = [(str(c.get("title", "")), c["url"]) for c in data["chapters"] if isinstance(c.get("url"), str)]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ()
    first: dict[str, str] = {}  # url -> the title of its first chapter, in chapter order
    for title, url in found:
        if web_link(url):
            first.setdefault(url, title)
    return tuple((title, url) for url, title in first.items())
