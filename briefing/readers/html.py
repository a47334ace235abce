"""Read a news web page: its headline and the article body as plain-text paragraphs.

Owns finding the article in a page (title, body paragraphs in order, in-body subheadings and list
items) and dropping the page's furniture by its structure: navigation, share bars, captions,
promos, teaser rails, comments, footers, ad slots, scripts, and whatever the user's ``drop``
selectors name. It does not fetch pages (readers/url.py), and it judges no paragraph by its words:
boilerplate text ("Advertisement", bylines, credits) is cleaning's job (clean.py). The class/id
word lists live in ``briefing.readers.boilerplate_words``.

How the body is found, in short: parse with lxml; remove the elements the drop selectors name;
delete elements that are never article text (by tag, by hidden state, by furniture words in their
class/id); cut the rest into text blocks; choose the element whose blocks hold the most prose and
the least link-heavy, teaser-like or fragmentary text; keep that element's blocks that are not
structurally furniture. trafilatura reads the same page independently, and ``readers/combine.py``
reconciles the two readings (and the page's JSON-LD ``articleBody``) block by block.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import lxml.html
from lxml import etree

from briefing.readers.boilerplate_words import (
    BODY_CLASS_FRAGMENTS,
    FURNITURE_CLASS_WORDS,
    PROMO_HEADING_PATTERN,
    PROSE_FURNITURE_CLASS_WORDS,
    STANDFIRST_CLASS_WORDS,
    TEASER_ENDING_PATTERN,
)
from briefing.errors import InputError, UsageError
from briefing.model import RawArticle
from briefing.readers.base import MAX_HTML_CHARS, Reader, ReadOptions
from briefing.readers.combine import PROSE_END, OwnBlock, combine

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
_ALL_FURNITURE_WORDS = FURNITURE_CLASS_WORDS | PROSE_FURNITURE_CLASS_WORDS
# Elements whose class words are never trusted to mean furniture.
_NEVER_FURNITURE = _HEADINGS | {"html", "body", "main", "p"}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
# A heading over links to other stories; it and the list under it are dropped.
_PROMO_HEADING = re.compile(rf"^({PROMO_HEADING_PATTERN})\W*$", re.IGNORECASE)
_TEASER_END = re.compile(rf"(?:{TEASER_ENDING_PATTERN})$", re.IGNORECASE)
# A teaser is a blurb, not an article paragraph: longer blurbs are a paragraph that trails off.
_TEASER_MAX_CHARS = 400
# Plain lxml elements: lxml.html's element classes cost a lookup per node.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
_SPACE = re.compile(r"\s+")
_TITLE_SEPARATORS = re.compile(r"((?<!\s)\s++(?:\||-|–|—|::|·|•)\s++)")
_HTML_TAG = re.compile(r"<(html|head|body|article|p|div|h1|title|meta)[\s>]")


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


@dataclass(frozen=True)
class PageReading:
    """Everything the page offers about its article, before the readings are reconciled."""

    title: str | None
    own: list[OwnBlock]  # briefing's own reading, in page order
    other: list[str]  # trafilatura's paragraphs
    declared: str  # the JSON-LD articleBody, or ""


def read_html(text: str, source: str, drop: Iterable[str] = ()) -> RawArticle:
    """The page's headline and article-body paragraphs; InputError when there is no article."""
    reading = read_page(text, source, drop)
    paragraphs = combine(reading.own, reading.other, reading.declared)
    if not paragraphs:
        raise InputError(f"{source}: no article text found in the HTML page")
    return RawArticle(title=reading.title, paragraphs=paragraphs, source=source, format="html")


def read_page(text: str, source: str, drop: Iterable[str] = ()) -> PageReading:
    """Both readings of the page (briefing's and trafilatura's) and its declared body."""
    root = _parse(text, source)
    selectors = tuple(drop)
    if selectors and _remove_selected(root, selectors):
        text = etree.tostring(root, encoding="unicode", method="html")
    title = _title(root, source)
    declared = _json_ld_body(root)
    other = _trafilatura_paragraphs(text)
    _strip_furniture(root)
    own = [
        OwnBlock(block.text, block.link_density, block.tag in _HEADINGS)
        for block in _body_blocks(root, title)
    ]
    return PageReading(title, own, other, declared)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML page or fragment, judged from its first few kilobytes."""
    head = text[:4096].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in head:
        return True
    return bool(_HTML_TAG.search(head))


def check_selectors(options: ReadOptions) -> None:
    """A bad ``drop`` selector is a usage error before any page is read or fetched."""
    for selector in options.drop:
        _compiled(selector)


def _compiled(selector: str) -> etree.XPath:
    from cssselect import GenericTranslator, SelectorError

    try:
        return etree.XPath(GenericTranslator().css_to_xpath(selector))
    except (SelectorError, etree.XPathError) as error:
        raise UsageError(f"drop selector {selector!r} is not valid CSS ({error})") from None


def _remove_selected(root: etree._Element, selectors: Iterable[str]) -> bool:
    removed = False
    for selector in selectors:
        for element in _compiled(selector)(root):
            if isinstance(element, etree._Element) and element.getparent() is not None:
                _remove(element)
                removed = True
    return removed


def _trafilatura_paragraphs(text: str) -> list[str]:
    import trafilatura

    # fast: skip trafilatura's own fallback extractors; briefing's reading is the second opinion.
    extracted = trafilatura.extract(text, include_comments=False, fast=True) or ""
    return [line for line in (_clean(line) for line in extracted.splitlines()) if line]


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
    return any(fragment in value for fragment in BODY_CLASS_FRAGMENTS)


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
        _remove(element, keep=_name_in_running_text(element))


def _name_in_running_text(element: etree._Element) -> str:
    """A name linked mid-sentence to a pop-over card ("Rep. <span class=rollover><a>Jane Doe</a><span>
    card</span></span> said"): the name is part of the sentence, the card is furniture."""
    if element.tag not in _INLINE_TAGS or not any(a.tag == "p" for a in _ancestors(element)):
        return ""
    link = element if element.tag == "a" else element.find(".//a")
    name = _clean("".join(link.itertext())) if link is not None else ""
    return name if re.fullmatch(r"(?:[A-Z][\w'’.-]*\s){0,3}[A-Z][\w'’.-]*", name) else ""


def _is_furniture(element: etree._Element) -> bool:
    tag = element.tag
    if not isinstance(tag, str) or tag in _DROP_TAGS or _is_hidden(element):
        return True
    if tag == "p" and _attribute_words(element) & STANDFIRST_CLASS_WORDS:
        return not _is_body_marked(element)
    if tag in _NEVER_FURNITURE:
        return False
    if element.get("role") in ("navigation", "banner", "contentinfo", "complementary"):
        return True
    words = _attribute_words(element)
    if tag == "form":
        words.add("form")
    junk = words & _ALL_FURNITURE_WORDS
    if not junk or _is_body_marked(element):
        return False
    return bool(junk & PROSE_FURNITURE_CLASS_WORDS) or not _holds_prose(element)


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


def _remove(element: etree._Element, keep: str = "") -> None:
    """Remove an element but keep its tail text, which belongs to the parent (after ``keep``)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = f"{keep}{element.tail or ''}" if keep else element.tail
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


def _is_teaser(block: _Block) -> bool:
    """A blurb that trails off into a link to the rest of another story."""
    return len(block.text) <= _TEASER_MAX_CHARS and bool(_TEASER_END.search(block.text))


def _is_prose(block: _Block) -> bool:
    """A sentence-bearing paragraph of the kind article bodies are made of."""
    text = block.text
    return (
        len(text) >= 80
        and block.link_density < 0.35
        and bool(PROSE_END.search(text))
        and block.tag not in _HEADINGS
        and not _is_teaser(block)
    )


def _body_blocks(root: etree._Element, title: str | None) -> list[_Block]:
    blocks = _drop_teaser_runs(_blocks(root))
    container = _best_container(blocks)
    if container is None:  # no paragraph long enough to call prose: a brief, or a bare page
        return [block for block in blocks if block.tag == "p" and _keep(block, title)]
    kept: list[_Block] = []
    seen: set[str] = set()
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
        if block.text in seen:  # a block repeated on the page is furniture from its second showing
            continue
        seen.add(block.text)
        if _keep(block, title):
            kept.append(block)
    return kept


def _drop_teaser_runs(blocks: list[_Block]) -> list[_Block]:
    """Without runs of teasers, and without the short headlines and dates between them."""
    teaser_at = [index for index, block in enumerate(blocks) if _is_teaser(block)]
    doomed = set(teaser_at)
    for before, after in zip(teaser_at, teaser_at[1:]):
        between = blocks[before + 1 : after]
        if all(not _is_prose(block) for block in between):
            doomed.update(range(before + 1, after))
    # A lone teaser followed by a sentence or more of prose is a paragraph that trails off.
    lone = {index for index in teaser_at if index - 1 not in doomed and index + 1 not in doomed}
    return [block for index, block in enumerate(blocks) if index not in doomed or index in lone]


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
    if block.tag == "h1" or (title and _squash(text) == _squash(title)):
        return False
    # Link-heavy text is navigation, unless it reads as a sentence: some bodies link every clause.
    if block.link_density > 0.6 and (block.link_density > 0.9 or len(text) < 80 or block.tag != "p"):
        return False
    return bool(re.search(r"\w", text))


READER = Reader(
    name="html",
    sniff=looks_like_html,
    read=lambda text, source, options: read_html(text, source, options.drop),
    max_chars=MAX_HTML_CHARS,
    media_types=("html",),
    check=check_selectors,
)
