"""The narration script: sections (intro, lede, story, analysis, outro) of spoken sentences with pauses.

This stage owns what is said around the article (intro and outro), how paragraphs become sections,
and the pause after every sentence. The words of each sentence come from ``speech_text``.
"""

from __future__ import annotations

from briefing.model import Article, Paragraph, Script, Section, Segment
from briefing.speech_text import normalize, split_sentences
from briefing.voices import Pauses

END_PAUSE_MS = 500


def build_script(
    article: Article,
    chosen: list[Paragraph],
    pauses: Pauses,
    *,
    drop_conversions: bool = False,
    date: str | None = None,
) -> Script:
    sections = [_intro(article.title, pauses)]
    sections += _body_sections(chosen, pauses, drop_conversions)
    sections.append(_outro())
    _set_section_pauses(sections, pauses)
    return Script(title=article.title, sections=sections, source=article.source, date=date)


def spoken_sentences(text: str, *, drop_conversions: bool = False) -> list[str]:
    """Split a paragraph into sentences and make each one speech-friendly."""
    sentences = []
    for sentence in split_sentences(text):
        spoken = normalize(sentence, drop_conversions=drop_conversions).strip()
        if any(character.isalnum() for character in spoken):
            sentences.append(spoken)
    return sentences


def _intro(title: str, pauses: Pauses) -> Section:
    text = normalize(f"Here is your briefing. {as_sentence(title)}")
    return Section("intro", None, [Segment(text, None, pauses.section_ms)])


def _outro() -> Section:
    text = "That was your briefing. Thank you for listening."
    return Section("outro", None, [Segment(text, None, END_PAUSE_MS)])


def as_sentence(text: str) -> str:
    text = text.strip().rstrip("…").strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _body_sections(chosen: list[Paragraph], pauses: Pauses, drop_conversions: bool) -> list[Section]:
    sections: list[Section] = []
    for paragraph in chosen:
        kind = paragraph.section
        if paragraph.is_heading:
            heading = paragraph.text
            sections.append(Section(kind, heading))
            spoken = _heading_line(paragraph)
        else:
            if not sections or sections[-1].kind != kind:
                sections.append(Section(kind, None))
            spoken = paragraph.text
        segments = [
            Segment(sentence, paragraph.source, pauses.sentence_ms)
            for sentence in spoken_sentences(spoken, drop_conversions=drop_conversions)
        ]
        if segments:
            segments[-1].pause_after_ms = pauses.paragraph_ms
            sections[-1].segments.extend(segments)
    return [section for section in sections if section.segments]


def _heading_line(paragraph: Paragraph) -> str:
    """A byline opening the analysis is read as a handover to the correspondent."""
    if paragraph.section == "analysis" and paragraph.text.lower().startswith("by "):
        return as_sentence("Analysis from " + paragraph.text[3:])
    return as_sentence(paragraph.text)


def _set_section_pauses(sections: list[Section], pauses: Pauses) -> None:
    for section in sections[:-1]:
        section.segments[-1].pause_after_ms = pauses.section_ms
