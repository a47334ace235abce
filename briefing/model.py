"""The plain data passed between the stages: read → clean → select → script → speak → assemble → publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SectionKind = Literal["intro", "lede", "story", "analysis", "outro", "headlines"]
ParagraphSection = Literal["lede", "story", "analysis"]


@dataclass(frozen=True)
class RawArticle:
    """What a reader found: a title and the input's paragraphs, still carrying any stray HTML."""

    title: str | None
    paragraphs: list[str]
    source: str
    format: str


@dataclass(frozen=True)
class Paragraph:
    """A cleaned paragraph: plain text, its index in the input, and the section it belongs to."""

    text: str
    source: int
    section: ParagraphSection = "story"
    is_heading: bool = False
    read_aloud: bool = True  # False: a heading found by its shape alone, shown but not said

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Article:
    """A cleaned article: what may be read aloud, in the article's order."""

    title: str
    paragraphs: list[Paragraph]
    source: str
    format: str
    byline: str | None = None


@dataclass
class Segment:
    """One spoken sentence. ``source`` is the input paragraph index, or None for generated text.

    ``text`` is what the engine is given ("the B.B.C", "Miz Lomax"); ``display`` is the same sentence
    as the article wrote it ("the BBC", "Ms Lomax"), for everything people read: transcripts,
    chapters, pages, feed descriptions. Without one, the spoken text is shown.
    """

    text: str
    source: int | None
    pause_after_ms: int
    start: float | None = None
    end: float | None = None
    display: str = ""

    def __post_init__(self) -> None:
        if not self.display:
            self.display = self.text

    def to_json(self) -> dict:
        data: dict[str, object] = {"text": self.text, "display": self.display, "source": self.source,
                                   "pause_after_ms": self.pause_after_ms}
        if self.start is not None and self.end is not None:
            data["start"] = round(self.start, 3)
            data["end"] = round(self.end, 3)
        return data


@dataclass
class Section:
    kind: SectionKind
    heading: str | None
    segments: list[Segment] = field(default_factory=list)
    url: str | None = None  # where to read what the section tells (a daily story's lede article)

    @property
    def start(self) -> float | None:
        return self.segments[0].start if self.segments else None

    @property
    def end(self) -> float | None:
        return self.segments[-1].end if self.segments else None

    def to_json(self) -> dict:
        data: dict[str, object] = {
            "kind": self.kind,
            "heading": self.heading,
            "segments": [segment.to_json() for segment in self.segments],
        }
        if self.url:
            data["url"] = self.url
        start, end = self.start, self.end
        if start is not None and end is not None:
            data["start"] = round(start, 3)
            data["end"] = round(end, 3)
        return data


@dataclass
class Script:
    """The narration: sections of spoken segments, each with the pause that follows it."""

    title: str
    sections: list[Section]
    source: str = ""
    date: str | None = None

    def segments(self) -> list[Segment]:
        return [segment for section in self.sections for segment in section.segments]

    def to_json(self) -> dict:
        return {"title": self.title, "sections": [section.to_json() for section in self.sections]}

    def to_text(self, *, display: bool = False) -> str:
        """The script, a block per section; in the article's wording (``display``) for people to read,
        else as the engine is given it."""
        blocks = []
        for section in self.sections:
            lines = [f"[{section.kind}]" + (f" {section.heading}" if section.heading else "")]
            lines += [segment.display if display else segment.text for segment in section.segments]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"


@dataclass(frozen=True)
class Episode:
    """A finished briefing as the library records it. Paths are relative to the library folder."""

    guid: str
    title: str
    published: str  # ISO 8601, UTC
    audio_path: str
    size_bytes: int
    duration_s: float
    source: str
    voice: str
    description: str = ""
    transcript_path: str | None = None
    chapters_path: str | None = None
    cover_path: str | None = None
    script_path: str | None = None
    kind: str = "article"  # "article" or "daily"
    timing_path: str | None = None  # the timing .json: every file briefing wrote for the episode is recorded


@dataclass(frozen=True)
class PieceGrid:
    """How an encoder that joins separately encoded pieces wants the episode laid out (its output format says).

    A piece is whole frames of ``frame_samples`` at the output rate. The episode is cut into pieces at
    section starts, ``margin_frames`` before the section's first sound and with as much silence after
    the previous one, once the piece since the last cut is ``min_piece_s`` long. Cuts fall on
    whole limiter units (``audio.peak_unit``) from the start, so a section's levelled audio, and therefore its
    encoded piece, is the same wherever the section moves (its content permitting): an encoder can
    reuse a piece it encoded before.
    """

    frame_samples: int
    margin_frames: int
    min_piece_s: float


def web_link(source: str | None) -> str | None:
    """``source`` when a listener's browser can open it (an http or https URL), else None."""
    return source if source and source.startswith(("https://", "http://")) and len(source) <= 2000 else None


@dataclass(frozen=True)
class VoiceSettings:
    """What a voice profile asks of a speech engine. Engines ignore what they cannot do."""

    voice: str | None = None
    rate: int | None = None  # words per minute
    pitch: int | None = None  # 0-100, espeak's scale
    model: str | None = None  # neural engines: a voice model name or path
