"""Navigation for a rendered briefing: ID3 chapter frames, the WebVTT transcript, Podcasting 2.0 chapters.

Works from a Script whose segments already carry their start/end times in the assembled audio.
It does not render audio, export the MP3 or touch other tags (cover art lives in cover.py).
Every text it writes has its control characters dropped here, whatever the caller cleaned before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags, Encoding, ID3NoHeaderError

from briefing.model import Script, Section, Segment
from briefing.textsafety import strip_controls, strip_controls_inline

# ID3v2.3 rather than 2.4: every player reads 2.3, while Windows Explorer, some car stereos and
# older players ignore 2.4. ffprobe and mutagen read chapters from both.
ID3_VERSION = 3
JSON_CHAPTERS_VERSION = "1.2.0"
CUE_WRAP_CHARS = 80
# Spec value for "no byte offset": players must then use the times.
_NO_OFFSET = 0xFFFFFFFF

_FIXED_TITLES = {"intro": "Introduction", "outro": "Close", "headlines": "Headlines"}
_DEFAULT_TITLES = {"lede": "Headline", "story": "The story", "analysis": "Analysis"}


@dataclass(frozen=True)
class Chapter:
    title: str
    start_s: float
    end_s: float


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
        Chapter(chapter_title(section), start, end)
        for section, start, end in zip(spoken, starts, ends)
    ]


def _section_start(section: Section) -> float:
    if section.start is None:
        raise ValueError(f"section {section.kind!r} has not been rendered: its segments have no times")
    return section.start


def write_id3_chapters(mp3_path: Path, chapters: list[Chapter]) -> None:
    """Replace any CHAP/CTOC frames in the file, keeping every other tag."""
    tags = _load_id3(mp3_path)
    tags.delall("CHAP")
    tags.delall("CTOC")
    ids = [f"chp{index}" for index in range(len(chapters))]
    for element_id, chapter in zip(ids, chapters):
        tags.add(CHAP(
            element_id=element_id,
            start_time=_ms(chapter.start_s),
            end_time=_ms(chapter.end_s),
            start_offset=_NO_OFFSET,
            end_offset=_NO_OFFSET,
            sub_frames=[TIT2(encoding=Encoding.UTF8, text=[strip_controls_inline(chapter.title)])],
        ))
    if chapters:
        tags.add(CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=Encoding.UTF8, text=["Chapters"])],
        ))
    tags.save(mp3_path, v2_version=ID3_VERSION)
    put_chapter_frames_in_time_order(mp3_path)


def put_chapter_frames_in_time_order(mp3_path: Path) -> None:
    """Reorder the CHAP frames of the file's ID3v2 tag by start time, in place.

    mutagen writes frames smallest first, but ffmpeg (and so ffprobe and the tools built on it)
    and some players list CHAP frames in file order and ignore the CTOC. The tag's total size
    does not change, so only the tag bytes are rewritten.
    """
    with open(mp3_path, "r+b") as handle:
        header = handle.read(10)
        # mutagen never writes unsynchronised tags or an extended header; leave others alone.
        if len(header) < 10 or header[:3] != b"ID3" or header[3] not in (3, 4) or header[5] & 0xC0:
            return
        body = handle.read(_synchsafe(header[6:10]))
        frames, padding = _split_frames(body, version=header[3])
        if sum(map(len, frames)) + len(padding) != len(body):
            return  # a frame claims more bytes than the tag holds: not ours to rewrite
        chapters = iter(sorted((f for f in frames if f[:4] == b"CHAP"), key=_chap_start_ms))
        ordered = [next(chapters) if f[:4] == b"CHAP" else f for f in frames]
        handle.seek(10)
        handle.write(b"".join(ordered) + padding)


def _split_frames(body: bytes, version: int) -> tuple[list[bytes], bytes]:
    frames, pos = [], 0
    while pos + 10 <= len(body) and body[pos:pos + 4] != b"\0\0\0\0":
        size_bytes = body[pos + 4:pos + 8]
        size = _synchsafe(size_bytes) if version == 4 else int.from_bytes(size_bytes, "big")
        frames.append(body[pos:pos + 10 + size])
        pos += 10 + size
    return frames, body[pos:]


def _chap_start_ms(frame: bytes) -> int:
    # CHAP body: element ID (null-terminated), then start time in ms as a 32-bit integer.
    start = frame.index(b"\0", 10) + 1
    return int.from_bytes(frame[start:start + 4], "big")


def _synchsafe(data: bytes) -> int:
    value = 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
    return value


def _load_id3(mp3_path: Path) -> ID3:
    try:
        return ID3(mp3_path)
    except ID3NoHeaderError:
        return ID3()


def _ms(seconds: float) -> int:
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
    total_ms = _ms(seconds)
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
             "title": strip_controls_inline(c.title)}
            for c in chapters
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
