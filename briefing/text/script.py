"""The narration script: sections (intro, lede, story, analysis, outro) of spoken sentences with pauses.

This stage owns what is said around the article (intro and outro), how paragraphs become sections,
and the pause after every sentence. The words of each sentence come from ``speech.text``: every
segment carries what is said (``text``) and the article's wording beside it (``display``), split at
the same sentence boundaries. The intro names the title only when the lede does not open with it; a
person the title names by surname is named there in full, as at any first mention (``mentions``).

A script says at most ``MAX_SCRIPT_WORDS`` words of the article (about 94 minutes at 160 words a
minute): a longer choice, which only ``--all`` or a huge ``--max-words`` can make, is refused with
one line before any of it is normalised or spoken.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from briefing.errors import InputError
from briefing.text.mentions import article_forms, introduce, introduce_first_mentions
from briefing.model import Article, Paragraph, Script, Section, Segment
from briefing.text.selection import WORDS_PER_MINUTE
from briefing.text.sentences import balanced_quotes, split_sentences
from briefing.text.speech.shouting import acronyms_in
from briefing.text.speech.text import display_text, normalize
from briefing.voices import Pauses

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
END_PAUSE_MS = 500
MAX_SCRIPT_WORDS = 15_000
# What is said first and last, unless [channel] intro / outro say otherwise; {title} is the show's
# name ("your briefing" until [channel] title names it), {date} the day as said ("Wednesday the 25th of November").
GREETING = "Here is {title}."
DAILY_GREETING = "{title} for {date}."
OUTRO = "That was {title}. Thank you for listening."
UNNAMED_SHOW = "your briefing"
# A voice's pace counts a word as five letters (the typists' word): how long a sentence takes to say
# follows its letters more closely than its words (benchmarks/voice_pace.py).
LETTERS_PER_WORD = 5
# How far the pauses may shrink or grow to land a script on an asked length (sentences come whole).
# Shrinking, the long pauses give way first: a section break may shrink to about a paragraph break
# (the default profile's 600 of 1500 ms), but no pause to less than a gap still heard as a sentence
# break, so a short script that must lose seconds loses them between sections, not between sentences.
PAUSE_STRETCH = (0.4, 1.5)
SHORTEST_PAUSE_MS = 150
# A title whose words are nearly all in the lede's first sentence would be heard twice in a row.
TITLE_REPEAT_SHARE = 0.8


@dataclass(frozen=True)
class Framing:
    """What is said around the news: the show's name and the channel's intro and outro templates."""

    show: str | None = None  # the channel's title when configured
    intro: str | None = None
    outro: str | None = None

    def intro_text(self, date: dt.date, default: str = GREETING) -> str:
        return self._fill(self.intro or default, date)

    def outro_text(self, date: dt.date) -> str:
        return self._fill(self.outro or OUTRO, date)

    def _fill(self, template: str, date: dt.date) -> str:
        text = template.format(title=self.show or UNNAMED_SHOW, date=spoken_day(date)).strip()
        return text[:1].upper() + text[1:]


def spoken_day(date: dt.date) -> str:
    """``Wednesday the 25th of November``: the day as a newsreader says it."""
    return f"{date:%A} the {ordinal(date.day)} of {date:%B}"


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


class Spoken(str):
    """A sentence as it is said, carrying the sentence as written in ``display``."""

    display: str

    def __new__(cls, spoken: str, display: str) -> Spoken:
        made = super().__new__(cls, spoken)
        made.display = display
        return made

    def __reduce__(self) -> tuple[type[Spoken], tuple[str, str]]:  # unpickled with what was written
        return (Spoken, (str(self), self.display))


def build_script(
    article: Article,
    chosen: list[Paragraph],
    pauses: Pauses,
    *,
    drop_conversions: bool = False,
    date: str | None = None,
    framing: Framing = Framing(),
) -> Script:
    words = sum(paragraph.word_count for paragraph in chosen)
    if words > MAX_SCRIPT_WORDS:
        raise InputError(f"{article.source}: {words} words is too long to narrate (the limit is "
                         f"{MAX_SCRIPT_WORDS}, about {round(MAX_SCRIPT_WORDS / WORDS_PER_MINUTE)} minutes); choose a length with --minutes")
    acronyms = acronyms_in(" ".join(paragraph.text for paragraph in article.paragraphs))  # 'the KLA', read whole
    introduced = introduce_first_mentions(article, chosen)
    day = _day_of(date)
    greeting = framing.intro_text(day)
    if not repeats_opening(article.title, _opening(introduced, pauses, drop_conversions, acronyms)):
        # The title said first is the first mention: "Greaves quits" names Martin Greaves there, and
        # the news after it says "Greaves" as the article does. A title's "the law that…" is its
        # way of telling, which the news answers: documents are named there, not in the title.
        said: set[str] = set()
        title = introduce(article.title, replace(article_forms(article), document=None), said)
        greeting = f"{greeting} {as_sentence(title)}"
        if said:
            introduced = introduce_first_mentions(article, chosen, said)
    body = _body_sections(introduced, pauses, drop_conversions, acronyms)
    sections = close_sections([intro_section(greeting), *body, outro_section(framing.outro_text(day))], pauses)
    return Script(title=article.title, sections=sections, source=article.source, date=date)


def _day_of(date: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(date[:10]) if date else dt.date.today()
    except ValueError:
        return dt.date.today()


def spoken_sentences(text: str, *, drop_conversions: bool = False, acronyms: frozenset[str] = frozenset()) -> list[Spoken]:
    """Split a paragraph into sentences and make each one speech-friendly, keeping its written form.
    Each sentence has its quotation marks paired; ``acronyms`` (with the paragraph's own) stay acronyms
    inside shouted text."""
    sentences = []
    acronyms |= acronyms_in(text)
    for sentence in map(balanced_quotes, split_sentences(text)):
        spoken = normalize(sentence, drop_conversions=drop_conversions, acronyms=acronyms).strip()
        if any(character.isalnum() for character in spoken):
            sentences.append(Spoken(spoken, display_text(sentence)))
    return sentences


def segment(sentence: Spoken | str, source: int | None, pause_ms: int) -> Segment:
    return Segment(str(sentence), source, pause_ms, display=getattr(sentence, "display", str(sentence)))


def repeats_opening(title: str, opening: str) -> bool:
    """True when nearly every word of ``title`` is in ``opening``: saying both repeats the news."""
    title_words = _words(title)
    if not title_words:
        return True
    opening_words = set(_words(opening))
    return sum(word in opening_words for word in title_words) >= TITLE_REPEAT_SHARE * len(title_words)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def intro_section(written: str) -> Section:
    """What is said before the news, as one segment; ``close_sections`` sets the pause after it."""
    return Section("intro", None, [Segment(normalize(written), None, 0, display=display_text(written))])


def outro_section(written: str) -> Section:
    return Section("outro", None, [Segment(normalize(written), None, END_PAUSE_MS, display=display_text(written))])


def close_sections(sections: list[Section], pauses: Pauses) -> list[Section]:
    """The sections that say something, each followed by the section pause, the last by the end pause."""
    sections = [section for section in sections if section.segments]
    for section in sections:
        section.segments[-1].pause_after_ms = pauses.section_ms
    if sections:
        sections[-1].segments[-1].pause_after_ms = END_PAUSE_MS
    return sections


def estimated_seconds(script: Script, words_per_minute: float) -> float:
    """How long ``script`` will play at the voice's speaking pace, every pause included."""
    return speech_seconds(script, words_per_minute) + pause_seconds(script)


def speech_seconds(script: Script, words_per_minute: float) -> float:
    """The time spent speaking, words counted as typists count them: ``LETTERS_PER_WORD`` letters each,
    numbers counted as they are said ("2019" as "twenty nineteen")."""
    letters = sum(spoken_letters(segment.text) for segment in script.segments())
    return letters / LETTERS_PER_WORD * 60.0 / words_per_minute


def spoken_letters(text: str) -> int:
    """Letters of ``text`` as said: a number left in digits counts the letters of its words."""
    digits = sum(_number_letters(number) for number in NUMBER.findall(text))
    return sum(character.isalpha() for character in text) + digits


def _number_letters(number: str) -> int:
    from briefing.text.speech.numbers import number_words

    whole, _, decimals = number.replace(",", "").partition(".")
    if len(whole) > 15:
        return len(whole) * 4  # said digit by digit, about four letters each
    year = len(whole) == 4 and 1100 <= int(whole) <= 2099 and "," not in number
    words = number_words(int(whole), to="year" if year else "cardinal")
    return sum(c.isalpha() for c in words) + (len(decimals) * 4 + 5 if decimals else 0)  # 'point' and digits


def pause_seconds(script: Script) -> float:
    return sum(segment.pause_after_ms for segment in script.segments()) / 1000.0


def pause_stretch(script: Script, words_per_minute: float, seconds: float) -> float:
    """The factor on the pauses that brings the estimate nearest ``seconds``, within ``PAUSE_STRETCH``."""
    pauses = [segment.pause_after_ms for segment in script.segments() if segment.pause_after_ms > 0]
    if not pauses:
        return 1.0
    low, high = PAUSE_STRETCH
    wanted = (seconds - speech_seconds(script, words_per_minute)) * 1000.0
    if wanted >= sum(pauses):
        return min(high, wanted / sum(pauses))
    for _ in range(40):  # stretched pauses grow with the factor: halve the interval towards ``wanted``
        middle = (low + high) / 2
        low, high = (middle, high) if _stretched_ms(pauses, middle) < wanted else (low, middle)
    return low


def stretched_pause_seconds(script: Script, factor: float) -> float:
    """The pauses' time once stretched by ``factor``."""
    return _stretched_ms([segment.pause_after_ms for segment in script.segments()], factor) / 1000.0


def stretch_pauses(script: Script, factor: float) -> None:
    for segment in script.segments():
        segment.pause_after_ms = _stretched_pause(segment.pause_after_ms, factor)


def _stretched_ms(pauses: list[int], factor: float) -> float:
    return float(sum(_stretched_pause(ms, factor) for ms in pauses))


def _stretched_pause(ms: int, factor: float) -> int:
    if ms <= 0 or factor >= 1:
        return round(ms * factor)
    return max(round(ms * factor), min(ms, SHORTEST_PAUSE_MS))


def as_sentence(text: str) -> str:
    text = text.strip().rstrip("…").strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _body_sections(chosen: list[Paragraph], pauses: Pauses, drop_conversions: bool,
                   acronyms: frozenset[str]) -> list[Section]:
    sections: list[Section] = []
    for paragraph in chosen:
        kind = paragraph.section
        if paragraph.is_heading:
            heading = paragraph.text
            sections.append(Section(kind, heading))
            if not paragraph.read_aloud:
                continue
            spoken = _heading_line(paragraph)
        else:
            if not sections or sections[-1].kind != kind:
                sections.append(Section(kind, None))
            spoken = paragraph.text
        segments = [
            segment(sentence, paragraph.source, pauses.sentence_ms)
            for sentence in spoken_sentences(spoken, drop_conversions=drop_conversions, acronyms=acronyms)
        ]
        if segments:
            segments[-1].pause_after_ms = pauses.paragraph_ms
            sections[-1].segments.extend(segments)
    return [section for section in sections if section.segments]


def _opening(chosen: list[Paragraph], pauses: Pauses, drop_conversions: bool, acronyms: frozenset[str]) -> str:
    """What the body says first, as written: only the paragraphs up to the first said are made into speech."""
    for paragraph in chosen:
        sections = _body_sections([paragraph], pauses, drop_conversions, acronyms)
        if sections:
            return sections[0].segments[0].display
    return ""


def _heading_line(paragraph: Paragraph) -> str:
    """A byline opening the analysis is read as a handover to the correspondent."""
    if paragraph.section == "analysis" and paragraph.text.lower().startswith("by "):
        return as_sentence("Analysis from " + paragraph.text[3:])
    return as_sentence(paragraph.text)
