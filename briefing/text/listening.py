"""Listening: what of a cleaned article a newsreader says.

``clean`` keeps the article's own words, as ``briefing extract`` shows them: a dateline, a photo
credit in brackets, an embedded post's link and signature. A listener should hear none of them, so
the narration (``select``) starts from ``for_listening``, which leaves out the paragraphs cleaning
marked as never read aloud and drops from the others a city dateline, credits in brackets, an
embedded post's picture link and a closing call to action. Headings pass through untouched.
"""

from __future__ import annotations

import re
from dataclasses import replace

from briefing.text.clean import CITY_DATELINE, TOP_DATELINE, is_reader_prompt, matching_rule
from briefing.model import Article, Paragraph

# Credits in brackets inside a paragraph: "(Photo: Ana Ruiz/AFP)", "(Getty Images)", "(AP Photo/Jo Lee)".
CREDIT_IN_BRACKETS = re.compile(
    r"(?<!\s)\s*+[(\[](?:(?:photo|image|picture|video|illustration|graphic|pictured|credit)s?\b[^()\[\]]{0,60}"
    r"|(?:[^()\[\]]{0,40}/\s?)?(?:getty images|shutterstock|alamy|pa media)(?:\s?/[^()\[\]]{0,40})?"
    r"|[^()\[\]]{1,40}/\s?(?:afp|reuters|ap|epa|pa)\b[^()\[\]]{0,20})[)\]]",  # '(EPA)' alone may be the agency
    re.IGNORECASE)

def for_listening(article: Article) -> Article:
    """The article as it may be said: paragraphs never read aloud left out, and from the others what
    a page carries besides its sentences (a dateline, credits in brackets, an embedded post's link,
    a closing call to action). ``clean`` keeps these, as the article's own words; the narration
    (``select``) starts from this."""
    kept: list[Paragraph] = []
    at_top = True
    for paragraph in article.paragraphs:
        if paragraph.is_heading:
            kept.append(paragraph)
            continue
        if not paragraph.read_aloud:
            continue
        text = listening_text(paragraph.text, at_top=at_top)
        at_top = False
        if text:
            kept.append(paragraph if text == paragraph.text else replace(paragraph, text=text))
    return replace(article, paragraphs=kept)


def listening_text(text: str, *, at_top: bool) -> str:
    """One paragraph as it is said; empty when nothing of it is to be said."""
    written = text
    text = CITY_DATELINE.sub("", text, count=1)
    if at_top:
        text = TOP_DATELINE.sub("", text, count=1)
    text = without_inline_clutter(text)
    if text == written:
        return text  # cleaning's rules have passed it already
    return "" if not text or matching_rule(text) is not None else text


def without_inline_clutter(text: str) -> str:
    """Drop what a paragraph carries that is not its sentences: bracketed photo credits, an embedded
    post's picture link, handles in brackets, and a closing call to action ("... Chat with us on WhatsApp.")."""
    text = CREDIT_IN_BRACKETS.sub("", text)
    text = re.sub(r"(?<!\s)\s*+(?:\(@\w+\)|(?:https?://t\.co/|pic\.twitter\.com/)\S+)", "", text).strip()
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", text)
    while len(sentences) > 1 and is_reader_prompt(sentences[-1]):
        sentences.pop()
    return " ".join(sentences)
