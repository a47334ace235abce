"""Cleaning: turn a reader's raw paragraphs into what may be read aloud.

This stage owns the boilerplate rules (every rule is a named pattern in ``RULES`` with a test of its
own), HTML stripping, the lede (a bold paragraph at the top) and the analysis section (a byline in the
middle of the article). It does not choose what to say: that is ``select``'s job.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from briefing.errors import InputError
from briefing.model import Article, Paragraph, RawArticle


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    example: str


# Capitalised names joined by "and" or "&", matched case-sensitively inside otherwise case-blind rules.
NAMES = r"(?-i:[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|and|&|in))*)"


def _rule(name: str, pattern: str, example: str) -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE), example)


# Paragraphs that are never read aloud. Each pattern is matched against the whole cleaned paragraph.
RULES: tuple[Rule, ...] = (
    _rule("video placeholder", r"^((this|the) video (can ?not|could not|cannot) be played\b.*"
          r"|to play this video you need to enable javascript.*)$",
          "This video can not be played"),
    _rule("media playback", r"^media playback is (unsupported|not supported) on your device\.?$",
          "Media playback is unsupported on your device"),
    _rule("media caption", r"^(media|video|audio) caption\s*[,:].*$",
          "Media caption, Watch: Residents describe the blast"),
    _rule("watch or listen caption",
          r"^(watch|listen|video|audio|watch live|live|follow live|pictures|in pictures|gallery|read more|related"
          r"|see also)\s*:.*$",
          "WATCH: Ukraine seizes abandoned Russian tanks"),
    _rule("image credit or caption", r"^(image|picture|photo|photograph)\s*(source|caption|credit)s?\s*[,:].*$",
          "Image source, Getty Images"),
    _rule("bare image credit",
          r"^(?:(?:getty images|reuters|afp|ap|epa|pa media|pa|shutterstock|alamy|bbc|epa-efe|anadolu agency"
          r"|associated press|bloomberg|nasa)(?:\s*(?:/|via)\s*)?)+\.?$",
          "Getty Images"),
    _rule("photo credit line", r"^(photograph|photo|picture|image|illustration)\s*:\s*[\w .'/&-]+$",
          "Photograph: Sergey Bobok/AFP"),
    _rule("related topics heading", r"^related (topics|internet links|stories|content|coverage)$", "Related Topics"),
    _rule("more on this story", r"^(more on this story|more from|read more|see also|top stories|most read|features)$",
          "More on this story"),
    _rule("share bar", r"^(share|share this( page| article| story)?|copy link|about sharing|share on \w+)$", "Share"),
    _rule("newsletter or app promo",
          r"^(sign up (for|to)\b.*|.*\binvites you to subscribe\b.*|download the .{0,40}\bapp\b.*"
          r"|subscribe (to|for)\b.{0,120}(newsletter|podcast|updates|channel).*"
          r"|.*\bnewsletter\b.{0,80}\b(sign up|subscribe|inbox)\b.*)$",
          "Sign up for our morning newsletter and get BBC News in your inbox."),
    _rule("follow us",
          r"^((why not )?follow (us|bbc [\w ]+|the bbc) on (facebook|twitter|x|instagram|tiktok|youtube).*"
          r"|(listen|watch) (to )?.{0,60}\bon (bbc )?(sounds|iplayer)\b.*)$",
          "Why not follow BBC North West on Facebook, X and Instagram?"),
    _rule("contact form",
          r"^(get in touch|have your say|are you (personally )?affected by.*|e-?mail( us)?:?\s+\S+@\S+?\.?"
          r"|(whatsapp|tweet|text|sms|telegram|upload)\s*[:(].*|.*\bhaveyoursay@.*"
          r"|please include a contact number.*|if you are reading this page and can't see the form.*"
          r"|you can (also )?(contact|get in touch with) us.*|do you have a story\b.*"
          r"|in some cases a selection of your comments.*|terms and conditions|privacy notice|contact form"
          r"|upload (pictures|photos|images|video).{0,20}|please read our terms (and|&) conditions.*)$",
          "Email haveyoursay@bbc.co.uk"),
    _rule("copyright footer", r"^(©|\(c\)|copyright ©?)\s*\d{4}.*$", "© 2022 BBC. The BBC is not responsible for the content of external sites."),
    _rule("external links notice",
          r"^(the bbc is not responsible for the content of external (sites|internet sites).*"
          r"|read about our approach to external linking\.?)$",
          "Read about our approach to external linking."),
    _rule("advertisement", r"^(advertisement|advert|sponsored|skip advert|continue reading|story continues below)$",
          "Advertisement"),
    _rule("credit or timestamp line",
          rf"^(((additional )?reporting|edited|editing|produced|written) by {NAMES}"
          rf"(\s*[;,]\s*(additional reporting|editing|writing) by {NAMES})*\.?"
          r"|(published|updated|last updated)( on)? [\w ,:.]{1,30}( ago)?)$",
          "Additional reporting by Jane Smith"),
)

# After "Related Topics" come short topic tags ("Ukraine", "Russia-Ukraine war"): skip them too.
TOPIC_TAG_MAX_WORDS = 5
TAGS_AFTER = {"related topics heading", "more on this story"}

TAG = re.compile(r"<[^>]+>")
BOLD_WHOLE = re.compile(r"^\s*<(b|strong)\b[^>]*>(?P<inner>.*)</\1>\s*$", re.IGNORECASE | re.DOTALL)
HEADING_WHOLE = re.compile(r"^\s*<(h[2-6])\b[^>]*>(?P<inner>.*)</\1>\s*$", re.IGNORECASE | re.DOTALL)
SPACES = re.compile(r"\s+")
BYLINE = re.compile(
    r"^(?i:(?:analysis|comment|reporting|words|interview) )?(?i:by)\s+[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|de|van|von|al|bin|and|&))*"
    r"(?:\s*(?:,|-|–|—|\|)\s*.{0,80})?$"
)
BYLINE_MAX_WORDS = 16
# A wire-service dateline opening a story: "LONDON (Reuters) - ", "(AP) — ", "PARIS, Nov 5 (AFP) - ".
DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .'-]{1,40}(?:,\s*[A-Z][a-z]{2,8}\.? \d{1,2})?\s*)?"
    r"\((?:Reuters|AP|AFP|Bloomberg|CNN|PA|UPI|dpa|Xinhua)\)\s*[-–—]+\s*"
)


def strip_html(text: str) -> str:
    """Remove tags and entities and tidy whitespace."""
    text = TAG.sub(" ", text)
    text = html.unescape(text).replace("\u00a0", " ").replace("\u200b", "")
    return SPACES.sub(" ", text).strip()


def matching_rule(text: str) -> Rule | None:
    for rule in RULES:
        if rule.pattern.match(text):
            return rule
    return None


def is_byline(text: str) -> bool:
    return len(text.split()) <= BYLINE_MAX_WORDS and bool(BYLINE.match(text)) and not text.endswith((".", "?", "!"))


def clean(raw: RawArticle) -> Article:
    """Drop boilerplate, find the lede and the analysis section, and keep each paragraph's input index."""
    paragraphs: list[Paragraph] = []
    section = "story"
    byline: str | None = None
    skipping_tags = False
    for index, raw_text in enumerate(raw.paragraphs):
        text = DATELINE.sub("", strip_html(raw_text), count=1)
        if not text:
            continue
        rule = matching_rule(text)
        if rule is not None:
            skipping_tags = rule.name in TAGS_AFTER
            continue
        if skipping_tags and len(text.split()) <= TOPIC_TAG_MAX_WORDS and not text.endswith("."):
            continue
        skipping_tags = False
        if is_byline(text):
            if paragraphs:  # a byline after the story has begun opens the correspondent's analysis
                section = "analysis"
                paragraphs.append(Paragraph(text=text, source=index, section="analysis", is_heading=True))
            byline = byline or text
            continue
        is_bold = bool(BOLD_WHOLE.match(raw_text))
        is_heading = bool(HEADING_WHOLE.match(raw_text)) or (is_bold and _looks_like_subheading(text) and bool(paragraphs))
        if not paragraphs and is_bold:
            paragraphs.append(Paragraph(text=text, source=index, section="lede"))
            continue
        paragraphs.append(Paragraph(text=text, source=index, section=section, is_heading=is_heading))
    paragraphs = _mark_lede(paragraphs)
    if not any(not p.is_heading for p in paragraphs):
        raise InputError(f"{raw.source}: no article text left after removing boilerplate")
    title = raw.title or _title_from(paragraphs)
    return Article(title=title, paragraphs=paragraphs, source=raw.source, format=raw.format, byline=byline)


def _looks_like_subheading(text: str) -> bool:
    return len(text.split()) <= 12 and not text.endswith((".", '"', "”"))


def _mark_lede(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Without a bold lede, the first body paragraph is the lede."""
    if any(p.section == "lede" for p in paragraphs):
        return paragraphs
    for position, paragraph in enumerate(paragraphs):
        if not paragraph.is_heading:
            lede = Paragraph(text=paragraph.text, source=paragraph.source, section="lede")
            return paragraphs[:position] + [lede] + paragraphs[position + 1 :]
    return paragraphs


def _title_from(paragraphs: list[Paragraph]) -> str:
    """No title in the input: the lede's first clause, cut before a trailing phrase like a headline."""
    lede = next((p.text for p in paragraphs if p.section == "lede"), paragraphs[0].text)
    clause = re.split(r"(?<=[.!?])\s|,\s|\s[-–—]\s", lede, maxsplit=1)[0].rstrip(".!?")
    words = clause.split()
    for position in range(5, min(len(words), 14)):
        if words[position].lower() in TITLE_CUT_WORDS:
            return " ".join(words[:position])
    return " ".join(words[:14])


TITLE_CUT_WORDS = frozenset("in on at after since during for from amid as over with while when following".split())
