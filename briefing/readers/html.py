"""Read a news web page: its headline and the article body as plain-text paragraphs.

Owns finding the article in a page (title, body paragraphs in order, in-body subheadings and list
items) and dropping the page furniture around it: navigation, share bars, captions and credits,
promos, newsletter boxes, comments, footers, bylines, ad slots, scripts. It does not fetch pages
(readers/url.py) nor clean sentences inside the body (clean.py).

How the body is found, in short: parse with lxml; delete elements that are never article text
(by tag, by hidden state, and by boilerplate words in their class/id); cut the rest into text
blocks; choose the element whose blocks hold the most prose and the least link-heavy or
fragmentary text; keep that element's blocks that do not look like furniture.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from briefing.errors import InputError
from briefing.model import RawArticle

# Never article text, whatever their class.
_DROP_TAGS = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "video", "audio", "source", "picture", "img", "figure", "figcaption", "button", "select",
    "option", "input", "textarea", "nav", "footer", "aside", "menu", "dialog", "head",
}  # fmt: skip
# Text inside these runs on within the surrounding block.
_INLINE_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "ins",
    "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
    "time", "tt", "u", "var", "wbr", "del",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LEAF_BLOCKS = _HEADINGS | {"p", "li", "dt", "dd", "pre", "blockquote"}

# Words in a class or id that mark furniture. Matched against the words of the attribute, split
# at punctuation and camelCase, so "ad" matches "ad-slot" but not "header".
_JUNK_WORDS = {
    "ad", "ads", "adv", "advert", "advertisement", "advertising", "adslot", "dfp", "gpt",
    "sponsor", "sponsored", "promo", "promotion", "promoted", "banner",
    "share", "sharing", "sharebar", "social", "follow", "print",
    "related", "recommended", "recommendations", "recirc", "trending", "popular", "most", "more",
    "newsletter", "subscribe", "subscription", "signup", "paywall", "registration",
    "footer", "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "sidebar",
    "rail", "toolbar", "masthead", "header",
    "standfirst", "dek", "kicker", "eyebrow", "rollover", "popover", "hovercard",
    "caption", "credit", "credits", "copyright", "byline", "author", "authors", "dateline",
    "timestamp", "date", "published", "updated", "meta", "tags", "tag", "topics", "keywords",
    "modal", "popup", "overlay", "cookie", "consent", "skip",
    "outbrain", "taboola", "teaser", "teasers", "carousel", "slideshow", "gallery", "video",
    "player", "playlist", "tooltip", "pagination", "pager", "prev", "next", "form",
}  # fmt: skip
# Furniture that can hold as much prose as the article itself, so prose does not spare it.
_PROSE_JUNK_WORDS = {"comment", "comments", "disqus", "discussion", "replies", "respond"}
_ALL_JUNK_WORDS = _JUNK_WORDS | _PROSE_JUNK_WORDS
# Elements whose class words are never trusted to mean furniture.
_NEVER_FURNITURE = _HEADINGS | {"html", "body", "main", "p"}
# Words that mark the article body itself; they protect an element from the junk words.
_BODY_WORDS = {"articlebody", "storybody", "entrycontent", "postcontent", "articlecontent",
               "articletext", "storytext", "bodytext", "maincontent", "postbody", "entrybody",
               "richtext", "storycontent", "contentbody", "articlebodytext"}  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")

# Whole blocks that are page furniture however they are marked up.
_JUNK_TEXT = re.compile(
    r"^(media playback is unsupported on your device|image (source|caption|copyright)\b.*"
    r"|advertisement|ad|sponsored|continue reading.*|read more.*|share (this|on)\b.*"
    r"|(sign up|subscribe)\b.{0,80}|follow us\b.*|click here\b.{0,80}"
    r"|(copyright|©).{0,120}|all rights reserved.*|getty images|ap photo.{0,60}"
    r"|photo:.{0,80}|video:.{0,80}|this video can not be played|watch:.{0,80}"
    r"|text size|print|email|share|tweet|save|comments?( \d+)?|write to .{0,80}@.{0,80}"
    r"|.{0,80}may earn an? (affiliate )?commission.{0,120}"
    r"|\(?((additional )?reporting|writing|editing|compiled) by\b.{0,300})$",
    re.IGNORECASE,
)
# "By Jane Smith and John Doe, Political Editor" -- case matters, so not in _JUNK_TEXT.
_NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}"
_BYLINE = re.compile(rf"^(By|BY|Written by) {_NAME}(?:(?:,| and| &) {_NAME})*(?:,? [^.]{{0,40}})?$")
# A heading over links to other stories; it and the list under it are dropped.
_PROMO_HEADING = re.compile(
    r"^(you (may|might) (also )?like|more|topics|tags|related( \w+)?|more (from|on) .{0,30}"
    r"|more( great| top| related)?( [\w.]+)? (stories|news|articles|coverage|videos|reads)"
    r"|most (read|popular|viewed)|recommended( for you)?|trending( now)?|top stories|also read"
    r"|see also|read next|what to read next|latest( news)?|editor'?s picks)\W*$",
    re.IGNORECASE,
)
# Plain lxml elements: lxml.html's element classes cost a lookup per node.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
_SPACE = re.compile(r"\s+")
_TITLE_SEPARATORS = re.compile(r"(\s+(?:\||-|–|—|::|·|•)\s+)")


@dataclass
class _Block:
    """A run of text the page shows as one paragraph, with the element that holds it."""

    element: etree._Element
    text: str
    link_chars: int
    tag: str

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


def read_html(text: str, source: str) -> RawArticle:
    """The page's headline and article-body paragraphs; InputError when there is no article."""
    root = _parse(text, source)
    title = _title(root, source)
    declared = _json_ld_body(root)
    _strip_furniture(root)
    paragraphs = _body_paragraphs(root, title)
    # Pages that render the story with JavaScript may carry it only in their JSON-LD metadata.
    if declared and sum(map(len, paragraphs)) < len(declared) / 3:
        paragraphs = [_clean(line) for line in declared.splitlines() if _clean(line)]
    if not paragraphs:
        raise InputError(f"{source}: no article text found in the HTML page")
    return RawArticle(title=title, paragraphs=paragraphs, source=source, format="html")


def _parse(text: str, source: str) -> etree._Element:
    if not text.strip():
        raise InputError(f"{source}: the HTML page is empty")
    try:
        try:
            root = etree.fromstring(text, _PARSER)
        except ValueError:  # a str that still carries an <?xml encoding=...?> declaration
            root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.ParserError as error:
        raise InputError(f"{source}: cannot parse the HTML page ({error})") from None
    if root is None:
        raise InputError(f"{source}: the HTML page has no elements")
    return root


# --- title -------------------------------------------------------------------------------------


def _meta(root: etree._Element, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name"):
            for element in root.iterfind(f".//meta[@{attr}='{name}']"):
                content = _clean(element.get("content") or "")
                if content:
                    return content
    return None


def _title(root: etree._Element, source: str) -> str | None:
    og_title = _meta(root, "og:title", "twitter:title")
    if og_title:
        return _strip_site_name(og_title, root, source)
    for h1 in root.iter("h1"):
        heading = _clean("".join(h1.itertext()))
        if heading:
            return heading
    title = root.find(".//title")
    if title is not None and _clean("".join(title.itertext())):
        return _strip_site_name(_clean("".join(title.itertext())), root, source)
    return None


def _strip_site_name(title: str, root: etree._Element, source: str) -> str:
    """Drop trailing " | Site" / " - Site" parts that name the site rather than the story."""
    pieces = _TITLE_SEPARATORS.split(title)  # story, separator, part, separator, part ...
    site = _squash(_meta(root, "og:site_name", "application-name") or "")
    host = re.match(r"^(?:https?://)?(?:www\.)?([\w-]+)\.[\w.]+(?:/|$)", source) if "://" in source else None
    domain = _squash(host.group(1)) if host else ""
    unnamed_dropped = False
    while len(pieces) > 1:
        last, rest = pieces[-1], "".join(pieces[:-2])
        squashed = _squash(last)
        names_site = bool(squashed) and any(
            len(known) >= 3 and (squashed in known or known in squashed) for known in (site, domain)
        )
        # Without a known site name, a short tail after the story is still most likely the site.
        looks_like_site = not unnamed_dropped and len(last.split()) <= 3 and len(last) < len(rest)
        if not (names_site or looks_like_site):
            break
        unnamed_dropped = unnamed_dropped or not names_site
        pieces = pieces[:-2]
    return "".join(pieces).strip() or title


def _json_ld_body(root: etree._Element) -> str:
    """The longest ``articleBody`` declared in the page's JSON-LD, or ""."""
    bodies = []
    for script in root.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if isinstance(item.get("articleBody"), str):
                    bodies.append(item["articleBody"].strip())
                stack.extend(value for value in item.values() if isinstance(value, (dict, list)))
    body = max(bodies, key=len, default="")
    if re.search(r"<(p|br|div)\b", body):  # some sites declare the body as HTML
        fragment = lxml.html.fragment_fromstring(body, create_parent="div")
        body = "\n".join(_clean(text) for text in fragment.itertext())
    return body


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


# --- removing furniture --------------------------------------------------------------------------


def _attribute_words(element: etree._Element) -> set[str]:
    value = f"{element.get('class') or ''} {element.get('id') or ''}"
    if not value.strip():
        return set()
    words = _NON_WORD.split(_CAMEL.sub(" ", value).lower())
    return {word for word in words if word}


def _is_body_marked(element: etree._Element) -> bool:
    if element.get("itemprop") == "articleBody":
        return True
    value = _squash(f"{element.get('class') or ''} {element.get('id') or ''}")
    return any(word in value for word in _BODY_WORDS)


def _is_hidden(element: etree._Element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _strip_furniture(root: etree._Element) -> None:
    doomed = []
    stack = [root]
    while stack:
        element = stack.pop()
        if _is_furniture(element):
            doomed.append(element)
        else:
            stack.extend(element)
    for element in doomed:
        _remove(element)


def _is_furniture(element: etree._Element) -> bool:
    tag = element.tag
    if not isinstance(tag, str) or tag in _DROP_TAGS or _is_hidden(element):
        return True
    if tag in _NEVER_FURNITURE:
        return False
    if element.get("role") in ("navigation", "banner", "contentinfo", "complementary"):
        return True
    words = _attribute_words(element)
    if tag == "form":
        words.add("form")
    junk = words & _ALL_JUNK_WORDS
    if not junk or _is_body_marked(element):
        return False
    return bool(junk & _PROSE_JUNK_WORDS) or not _holds_prose(element)


def _holds_prose(element: etree._Element) -> bool:
    """Whether an element holds several paragraphs' worth of running text, which class words
    alone cannot outvote (WordPress puts "tag-..." classes on the article, ASP.NET wraps whole
    pages in a <form>, Blogger calls the post a "widget")."""
    prose = 0
    for node in element.iter():
        if node.tag == "a" or not isinstance(node.tag, str):
            continue
        for text in (node.text, node.tail if node is not element else None):
            if text and len(text) >= 100 and len(text.strip()) >= 100:
                prose += len(text)
                if prose >= 600:
                    return True
    return False


def _remove(element: etree._Element) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


# --- blocks ---------------------------------------------------------------------------------------


def _blocks(root: etree._Element) -> list[_Block]:
    """The page's text cut into paragraphs at block-level element boundaries and <br><br>."""
    blocks: list[_Block] = []
    parts: list[str] = []
    state = {"links": 0, "breaks": 0, "holder": root}

    def flush() -> None:
        text = _clean("".join(parts))
        parts.clear()
        if text:
            holder = state["holder"]
            blocks.append(_Block(holder, text, min(state["links"], len(text)), holder.tag))
        state["links"] = state["breaks"] = 0

    def add_text(text: str | None, in_link: bool) -> None:
        if text and not text.isspace():
            parts.append(text)
            state["breaks"] = 0
            if in_link:
                state["links"] += len(_clean(text))
        elif text:
            parts.append(" ")

    def walk(element: etree._Element, in_link: bool) -> None:
        tag = element.tag
        if tag == "br":
            state["breaks"] += 1
            if state["breaks"] >= 2:  # <br><br> separates paragraphs in hand-made markup
                flush()
            parts.append(" ")
        elif tag in _INLINE_TAGS:
            add_text(element.text, in_link or tag == "a")
            for child in element:
                walk(child, in_link or tag == "a")
        else:
            flush()
            parent_holder, state["holder"] = state["holder"], element
            add_text(element.text, in_link)
            for child in element:
                walk(child, in_link)
            flush()
            state["holder"] = parent_holder
        add_text(element.tail, in_link)

    body = root.find("body")
    walk(body if body is not None else root, False)
    flush()
    return blocks


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


def _is_prose(block: _Block) -> bool:
    """A sentence-bearing paragraph of the kind article bodies are made of."""
    text = block.text
    return (
        len(text) >= 80
        and block.link_density < 0.35
        and bool(re.search(r"[.!?:;\"”’)]\s*$|[.!?]\s", text))
        and block.tag not in _HEADINGS
    )


def _body_paragraphs(root: etree._Element, title: str | None) -> list[str]:
    blocks = _blocks(root)
    container = _best_container(blocks)
    if container is None:  # no paragraph long enough to call prose: a brief, or a bare page
        return [block.text for block in blocks if block.tag == "p" and _keep(block, title)]
    paragraphs = []
    in_promo = False
    for block in blocks:
        if not _within(block.element, container):
            continue
        if _PROMO_HEADING.match(block.text) and len(block.text) < 60:
            in_promo = True
            continue
        if in_promo and (block.tag == "li" or block.link_density > 0.3):
            continue
        in_promo = False
        if _keep(block, title):
            paragraphs.append(block.text)
    return paragraphs


def _ancestors(element: etree._Element):
    while element is not None:
        yield element
        element = element.getparent()


def _within(element: etree._Element, container: etree._Element) -> bool:
    return any(ancestor is container for ancestor in _ancestors(element))


def _best_container(blocks: list[_Block]) -> etree._Element | None:
    """The element whose blocks add up to the most prose net of the fragments around it."""
    scores: dict[etree._Element, float] = {}
    for block in blocks:
        length = len(block.text)
        value = length if _is_prose(block) else -0.5 * length * (0.3 + block.link_density)
        holder = block.element
        if holder.tag in _LEAF_BLOCKS:  # a paragraph is content, never the container
            holder = holder.getparent()
        for ancestor in _ancestors(holder):
            scores[ancestor] = scores.get(ancestor, 0.0) + value
    if not scores:
        return None
    best = max(scores, key=lambda element: scores[element])
    return best if scores[best] > 0 else None


def _keep(block: _Block, title: str | None) -> bool:
    text = block.text
    if _JUNK_TEXT.match(text) or _BYLINE.match(text):
        return False
    if block.tag == "h1" or (title and _squash(text) == _squash(title)):
        return False
    # Link-heavy text is navigation, unless it reads as a sentence: some bodies link every clause.
    if block.link_density > 0.6 and (block.link_density > 0.9 or len(text) < 80 or block.tag != "p"):
        return False
    return bool(re.search(r"\w", text))
