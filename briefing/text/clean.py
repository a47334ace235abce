"""Cleaning: turn a reader's raw paragraphs into what may be read aloud.

This stage owns every boilerplate text rule, for every input format (the HTML reader judges page
structure only): phrase rules (named patterns in ``RULES``) and shape rules (``SHAPES``: contact
prompts, calls to action, player labels, credits, navigation labels, recognised by their form
rather than one site's wording; their word lists live in ``briefing.readers.boilerplate_words``). It also
owns HTML stripping, the lede (a bold paragraph at the top, which no fragment before it outranks)
and the analysis section (a byline in the middle of the article). It keeps the article's own words:
what of them a newsreader leaves unsaid (a dateline, an embedded post) is ``listening``'s job, and
choosing what to say is ``select``'s.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from briefing.readers import boilerplate_words as words
from briefing.errors import InputError
from briefing.model import Article, Paragraph, ParagraphSection, RawArticle


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    example: str

    def matches(self, text: str) -> bool:
        return bool(self.pattern.match(text))


@dataclass(frozen=True)
class ShapeRule:
    """Boilerplate recognised by its form: a test of the whole cleaned paragraph."""

    name: str
    test: Callable[[str], bool]
    example: str

    def matches(self, text: str) -> bool:
        return self.test(text)


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
    _rule("image credit or caption", r"^((image|picture|photo|photograph)\s*(source|caption|credit)s?\s*[,:].*"
          r"|image (source|caption|copyright)\b.*|ap photo.{0,60}|(photo|video):.{0,80})$",
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
    _rule("share bar", r"^(share|share this( page| article| story)?|copy link|about sharing|share on \w+"
          r"|share (this|on)\b.{0,60}|tweet|email|print|save|text size|comments?( \d+)?)$", "Share"),
    _rule("newsletter or app promo",
          r"^(sign up (for|to)\b.*|.*\binvites you to subscribe\b.*|download the .{0,40}\bapp\b.*"
          r"|subscribe (to|for)\b.{0,120}(newsletter|podcast|updates|channel).*"
          r"|.*\bnewsletter\b.{0,80}\b(sign up|subscribe|inbox)\b.*)$",
          "Sign up for our morning newsletter and get BBC News in your inbox."),
    _rule("follow us",
          r"^((why not )?follow (us|bbc [\w ]+|the bbc|[\w.'’-]+( [\w.'’-]+){0,4}) on (facebook|twitter|x|instagram|tiktok|youtube"
          r"|threads|bluesky|linkedin|mastodon)\b.{0,80}|follow us\b.{0,80}"
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
    _rule("advertisement", r"^(advertisement|advert|ad|sponsored|skip advert|story continues below)$",
          "Advertisement"),
    _rule("read more link", r"^(continue reading|read more|read the full story|click here)\b.{0,100}$",
          "Continue reading the main story"),
    _rule("affiliate notice", r"^.{0,80}may earn an? (affiliate )?commission.{0,120}$",
          "We may earn a commission when you buy through links on our site."),
    _rule("rights notice", r"^((copyright\b|©|\(c\))\s*\w.{0,120}|.{0,80}all rights reserved\b.{0,80})$",
          "Copyright Example Media. All rights reserved."),
    _rule("credit or timestamp line",
          rf"^(((additional )?reporting|edited|editing|produced|written) by {NAMES}"
          rf"(\s*[;,]\s*(additional reporting|editing|writing) by {NAMES})*\.?"
          r"|(published|updated|last updated)( on)? [\w ,:.]{1,30}( ago)?"
          r"|\(((additional )?reporting|writing|editing|compiled) by\b.{0,300}\)\.?)$",
          "Additional reporting by Jane Smith"),
)

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")  # entered once a run: linear
WORD = re.compile(r"[\w'’-]+")
SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)([A-Za-z'’-]+)")
DURATION = re.compile(words.DURATION_PATTERN, re.IGNORECASE)
CREDIT_OPENING = re.compile(r"^((?:[\w-]+\s+){0,2}[\w-]+)\s*(?::|\bby\b)", re.IGNORECASE)
LABEL_SEPARATORS = re.compile(r"(?<!\s)\s++[|›»>/•·]\s++")
QUOTE_OPENINGS = ("\"", "“", "‘", "'", "«")
CREDIT_JOINERS = frozenset({"and", "via", "for", "of", "the", "at", "with", "de", "van", "von", "al"})
SHORT_LINE_WORDS = 12  # a line this short, without a full stop, is a label rather than a sentence


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _is_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?", '"', "”", "’", ")"))


def _is_contact_prompt(text: str) -> bool:
    """An invitation to write in: a short paragraph with an e-mail address, or a question put to
    the reader followed by a call to action ("Were you there? Tell us ...")."""
    if len(_words(text)) > 40:
        return False
    if EMAIL.search(text):
        return True
    opening = " ".join(_words(text)[:2])
    return opening in words.READER_QUESTION_OPENINGS and "?" in text and any(
        verb.lower() in words.CALL_TO_ACTION_VERBS for verb in SENTENCE_START.findall(text)[1:]
    )


def _is_call_to_action(text: str) -> bool:
    """An imperative addressed to the reader about the site: "Join our morning list today"."""
    found = _words(text)
    if not found or len(found) > 20 or text.startswith(QUOTE_OPENINGS):
        return False
    return found[0] in words.CALL_TO_ACTION_VERBS and bool(set(found[1:]) & words.READER_TARGET_WORDS)


def is_reader_prompt(text: str) -> bool:
    """A call to action or a contact prompt addressed to the reader."""
    return _is_call_to_action(text) or _is_contact_prompt(text)


def _is_player_label(text: str) -> bool:
    """A media player's label: "Listen to this article, 3 min", "Play audio 2:41"."""
    found = _words(text)
    if not found or len(found) > SHORT_LINE_WORDS or text.rstrip().endswith("."):
        return False
    has_player_word = bool(set(found) & words.PLAYER_WORDS)
    return has_player_word and (bool(DURATION.search(text)) or (found[0] in words.PLAYER_WORDS and len(found) <= 5))


def _is_credit_line(text: str) -> bool:
    """A credit: "Graphics by Lee Chan", "Photography: Ana Ruiz / Agency"."""
    found = _words(text)
    if not found or len(found) > 14 or text.rstrip().endswith(("!", "?")):
        return False
    opening = CREDIT_OPENING.match(text)
    if opening is None:
        return False
    if not all(word in words.CREDIT_WORDS or word == "and" for word in _words(opening.group(1))):
        return False
    # What follows names people and agencies, not a clause: "by the paper suggested ..." is a sentence.
    rest = WORD.findall(text[opening.end() :])
    return sum(1 for word in rest if word[0].islower() and word not in CREDIT_JOINERS) <= 1


def _is_navigation_label(text: str) -> bool:
    """Navigation: "Back to top", "Home | World | Europe" -- never a sentence."""
    if _is_sentence(text):
        return False
    pieces = LABEL_SEPARATORS.split(text)
    if len(pieces) >= 3 and all(len(_words(piece)) <= 3 for piece in pieces):
        return True
    found = _words(text)
    return 0 < len(found) <= 5 and all(word in words.NAVIGATION_WORDS for word in found)


# Bounded label counts and lengths keep this linear on a hostile "a.a.a.a..." paragraph.
URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+|\b(?:[\w-]{1,63}\.){1,6}(?:com|org|net|co\.uk|ly|io)/\S*")
HANDLE = re.compile(r"(?<![\w@])[@#][A-Za-z_]\w{1,30}")
TWEET_SIGNATURE = re.compile(r"^[—–-]\s*[^()]{1,60}\(@\w+\)\s*(?:[A-Z][a-z]+ \d{1,2}, \d{4})?\.?$")
LINK_LABEL = re.compile(r"^([\w'’ ]{2,30})\s*[:|»›]\s*\S")


def _is_link_or_handle(text: str) -> bool:
    """A paragraph of addresses, handles and hashtags, or an embedded post's signature line."""
    rest = HANDLE.sub(" ", URL.sub(" ", text))
    return bool(TWEET_SIGNATURE.match(text)) or (rest != text and len(_words(rest)) < 3)


def _is_link_label(text: str) -> bool:
    """A label and a headline linking to another story: "Read more: Rates rise again", "RELATED | ..."."""
    label = LINK_LABEL.match(text)
    if label is None or len(_words(text)) > 25 or text.rstrip().endswith((".", "!")):
        return False
    found = _words(label.group(1))
    return bool(found) and len(found) <= 5 and all(word in words.LINK_LABEL_WORDS for word in found)


# Shapes kept as the article's words (an embedded post's link or signature) but never said.
SILENT_SHAPES = frozenset({"link or handle"})

SHAPES: tuple[ShapeRule, ...] = (
    ShapeRule("link or handle", _is_link_or_handle, "pic.twitter.com/abc123"),
    ShapeRule("link label", _is_link_label, "More on this | Rates rise again as inflation bites"),
    ShapeRule("contact prompt", _is_contact_prompt, "Seen something? Write to tips@example.org"),
    ShapeRule("player label", _is_player_label, "Listen to this article, 4 min"),
    ShapeRule("call to action", _is_call_to_action, "Get our free daily email"),
    ShapeRule("credit line", _is_credit_line, "Graphics by Lee Chan"),
    ShapeRule("navigation label", _is_navigation_label, "Back to top"),
)

# After "Related Topics" come short topic tags ("Ukraine", "Russia-Ukraine war"): skip them too.
TOPIC_TAG_MAX_WORDS = 5
TAGS_AFTER = {"related topics heading", "more on this story"}

TAG = re.compile(r"<[^<>]+>")
BOLD_WHOLE = re.compile(r"^\s*<(b|strong)\b[^>]*>(?P<inner>.*)</\1>\s*$", re.IGNORECASE | re.DOTALL)
HEADING_WHOLE = re.compile(r"^\s*<(h[2-6])\b[^>]*>(?P<inner>.*)</\1>\s*$", re.IGNORECASE | re.DOTALL)
SPACES = re.compile(r"\s+")
BYLINE = re.compile(
    r"^(?i:(?:analysis|comment|reporting|words|interview) )?(?i:by)\s+[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|de|van|von|al|bin|and|&))*"
    r"(?:\s*(?:,|-|–|—|\|)\s*.{0,80})?$"
)
BYLINE_MAX_WORDS = 16
# A date or time after a byline's name: "By Jo Lee, Tuesday 5 November 2019", "| Updated 10:31 GMT".
DATE_AFTER_BYLINE = re.compile(
    r"(?<!\s)\s*+(?:[,|·•–—-]\s*+)?(?:(?:published|updated|posted)\s*+:?\s*+)?(?:on\s)?"
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|\d{1,2}(?:st|nd|rd|th)?\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s\d{1,2}\b|\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}).*$",
    re.IGNORECASE)
# A wire-service dateline opening a story: "LONDON (Reuters) - ", "(AP) — ", "PARIS, Nov 5 (AFP) - ".
DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .'-]{1,40}(?:,\s*[A-Z][a-z]{2,8}\.? \d{1,2})?\s*)?"
    r"\((?:Reuters|AP|AFP|Bloomberg|CNN|PA|UPI|dpa|Xinhua)\)\s*[-–—]+\s*"
)

# A city dateline: "ALBANY, N.Y. — ", "WASHINGTON (AP) - ", "ALBANY, N.Y. Hours before ..."; and at
# the top of the story a title-case one before a dash: "Washington — Two judges ...". Kept as the
# article wrote it; listening.py leaves it unsaid, and a title taken from the lede leaves it out.
CITY_DATELINE = re.compile(
    r"^[A-Z][A-Z.'-]{2,}(?:\s[A-Z][A-Z.'-]+){0,3}(?:,\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*){0,2})?"
    r"(?:\s*\([A-Za-z][\w .]{0,30}\))?\s*[-–—]+\s*"
    r"|^[A-Z][A-Z.'-]{2,}(?:\s[A-Z][A-Z.'-]+){0,3},\s*[A-Z][A-Za-z]{0,4}\.(?:[A-Z]\.)?\s+(?=[A-Z][a-z])"  # 'ALBANY, N.Y. Hours'
)
TOP_DATELINE = re.compile(r"^[A-Z][a-z]+(?:\s[A-Z][a-z]+)?(?:,\s[A-Z][\w.]+(?:\s[A-Z][\w.]+)?)?\s[—–]\s(?=[A-Z])")


def strip_html(text: str) -> str:
    """Remove tags and entities and tidy whitespace."""
    text = TAG.sub(" ", text)
    text = html.unescape(text).replace("\u00a0", " ").replace("\u200b", "")
    return SPACES.sub(" ", text).strip()


def matching_rule(text: str) -> Rule | ShapeRule | None:
    rules: tuple[Rule | ShapeRule, ...] = (*RULES, *SHAPES)
    for rule in rules:
        if rule.matches(text):
            return rule
    return None


def is_fragment(text: str) -> bool:
    """A short line that is not a sentence: a label, never the lede."""
    return len(text.split()) <= SHORT_LINE_WORDS and not _is_sentence(text)


def is_byline(text: str) -> bool:
    return len(text.split()) <= BYLINE_MAX_WORDS and bool(BYLINE.match(text)) and not text.endswith((".", "?", "!"))


def clean(raw: RawArticle) -> Article:
    """Drop boilerplate, find the lede and the analysis section, and keep each paragraph's input index."""
    paragraphs: list[Paragraph] = []
    section: ParagraphSection = "story"
    byline: str | None = None
    skipping_tags = False
    for index, raw_text in enumerate(raw.paragraphs):
        text = DATELINE.sub("", strip_html(raw_text), count=1)
        if not text:
            continue
        rule = matching_rule(text)
        if rule is not None and rule.name in SILENT_SHAPES:  # the article's own words, never said
            paragraphs.append(Paragraph(text=text, source=index, section=section, read_aloud=False))
            continue
        if rule is not None:
            skipping_tags = rule.name in TAGS_AFTER
            continue
        if skipping_tags and len(text.split()) <= TOPIC_TAG_MAX_WORDS and not text.endswith("."):
            continue
        skipping_tags = False
        if is_byline(text):
            text = DATE_AFTER_BYLINE.sub("", text)
            if paragraphs:  # a byline after the story has begun opens the correspondent's analysis
                section = "analysis"
                paragraphs.append(Paragraph(text=text, source=index, section="analysis", is_heading=True))
            byline = byline or text
            continue
        is_bold = bool(BOLD_WHOLE.match(raw_text))
        is_marked = bool(HEADING_WHOLE.match(raw_text)) or (is_bold and _looks_like_subheading(text) and bool(paragraphs))
        is_bare = not is_marked and bool(paragraphs) and _is_bare_subheading(text, raw.paragraphs[index + 1:index + 2])
        is_heading = is_marked or is_bare
        if is_bold and not is_heading_marked(raw_text) and _only_fragments_before(paragraphs, text):
            # Labels before the bold lede (a player's caption, a kicker) are furniture, not the story.
            paragraphs = [Paragraph(text=text, source=index, section="lede")]
            continue
        paragraphs.append(Paragraph(text=text, source=index, section=section, is_heading=is_heading, read_aloud=not is_bare))
    headline = None if raw.title else _opening_headline(paragraphs)
    if headline is not None:
        paragraphs = paragraphs[1:]
    paragraphs = _mark_lede(paragraphs)
    if not any(not p.is_heading for p in paragraphs):
        raise InputError(f"{raw.source}: no article text left after removing boilerplate")
    title = raw.title or headline or _title_from(paragraphs)
    return Article(title=title, paragraphs=paragraphs, source=raw.source, format=raw.format, byline=byline)


def is_heading_marked(raw_text: str) -> bool:
    return bool(HEADING_WHOLE.match(raw_text))


def _only_fragments_before(paragraphs: list[Paragraph], text: str) -> bool:
    return not is_fragment(text) and all(is_fragment(p.text) and p.section != "lede" for p in paragraphs)


def _is_bare_subheading(text: str, following: list[str]) -> bool:
    """A short line with no sentence end, followed by a sentence: a subheading, shown as a section's
    heading but not said ("Why the air gets so bad in winter")."""
    return (2 <= len(text.split()) and _looks_like_subheading(text) and is_fragment(text) and bool(following)
            and _is_sentence(strip_html(following[0])))


def _looks_like_subheading(text: str) -> bool:
    return len(text.split()) <= 12 and not text.endswith((".", '"', "”"))


def _opening_headline(paragraphs: list[Paragraph]) -> str | None:
    """An input without a title that opens with a short line and no sentence end, followed by a
    sentence, opens with its headline: the title, not the lede."""
    if len(paragraphs) < 2 or paragraphs[0].section == "lede" or paragraphs[1].is_heading:
        return None
    first, following = paragraphs[0].text, paragraphs[1].text
    if len(first.split()) >= 3 and is_fragment(first) and _is_sentence(following) and not is_fragment(following):
        return first
    return None


def _mark_lede(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Without a bold lede, the first body paragraph read aloud is the lede."""
    if any(p.section == "lede" for p in paragraphs):
        return paragraphs
    for position, paragraph in enumerate(paragraphs):
        if not paragraph.is_heading and paragraph.read_aloud:
            lede = Paragraph(text=paragraph.text, source=paragraph.source, section="lede")
            return paragraphs[:position] + [lede] + paragraphs[position + 1 :]
    return paragraphs


def _title_from(paragraphs: list[Paragraph]) -> str:
    """No title in the input: the lede's first clause, cut before a trailing phrase like a headline."""
    lede = next((p.text for p in paragraphs if p.section == "lede"), paragraphs[0].text)
    lede = TOP_DATELINE.sub("", CITY_DATELINE.sub("", lede, count=1), count=1)
    clause = re.split(r"(?<=[.!?])\s|,\s|\s[-–—]\s", lede, maxsplit=1)[0].rstrip(".!?")
    words = clause.split()
    for position in range(5, min(len(words), TITLE_WORDS)):
        if words[position].lower() in TITLE_CUT_WORDS:
            return " ".join(words[:position])
    if len(words) <= TITLE_WORDS:
        return " ".join(words)
    # Too long and no cut word: end before the last phrase boundary, never on "the" or an adjective.
    boundaries = [p for p in range(3, TITLE_WORDS + 1) if words[p].lower() in PHRASE_OPENERS]
    if boundaries:
        return " ".join(words[:boundaries[-1]])
    kept = words[:TITLE_WORDS]
    while len(kept) > 3 and kept[-1].lower() in PHRASE_OPENERS | DANGLING_WORDS:
        kept.pop()
    return " ".join(kept)


TITLE_WORDS = 14
TITLE_CUT_WORDS = frozenset("in on at after since during for from amid as over with while when following".split())
# Words that open a new phrase or clause: a title cut just before one ends on a whole phrase.
PHRASE_OPENERS = TITLE_CUT_WORDS | frozenset(
    "by to of into onto about against before until than and but or nor because although though if "
    "that which who whom whose where why how said says say according".split())
DANGLING_WORDS = frozenset("a an the its his her their our my your this these those".split())
