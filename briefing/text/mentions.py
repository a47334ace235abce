"""First mentions: a newsreader names a person in full before using the surname alone, and spells out
an organisation before its short form.

The summariser may keep "Apte said the rules were ignored" and drop the sentence that introduced
"Joshua Apte"; or keep "the WHO said" and drop "the World Health Organization (WHO)"; or "the bill would" and drop the
sentence naming "the Clean Rivers Act". This stage
rewrites the first mention in the chosen text to the full form the article gave ("Joshua Apte said",
"the World Health Organization said", "the Clean Rivers Act would"); later mentions stay short. Display text follows, since both
are made from the same words.

A person is a "First Surname" pair in the article whose surname the article also uses alone as a
person ("Mr Apte", "Apte said"), and whose first word the article never writes in lower case nor
uses without that surname (so "Like Instagram", "Spread Firefox" or "Kyiv Ukraine" are not names). A title that is not a courtesy title stays:
"Dr Apte" → "Dr Joshua Apte"; "Mr Blair" → "Tony Blair".

This stage does not choose sentences (``select``) or say them (``speech``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from briefing.model import Article, Paragraph

# Introductions are looked for in the article's opening (a story names its people early), and at
# most this many candidate surnames are checked, each against the whole of it: bounded on any input.
MAX_SCANNED_CHARS = 50_000
MAX_CANDIDATES = 200
COURTESY_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx)\.?"
OTHER_TITLES = r"(?:Dr|Prof|Professor|Doctor|Sir|Dame|Lord|Lady|Sen|Senator|Rep|Gov|Governor|Judge|Justice)\.?"
FULL_NAME = re.compile(r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?) ((?:[A-Z]\. )?)([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)\b(?!['’]?\s?[A-Z])")
SPEECH_VERBS = r"(?:said|says|told|added|argued|wrote|explained|warned|insisted|admitted|denied|claimed|tweeted)"
SHORT_FORM = re.compile(r"\b((?:[A-Z][a-z]+|of|for|and|the|on)(?:\s(?:[A-Z][a-z]+|of|for|and|the|on)){1,7})\s\(([A-Z]{2,6})\)")
# A bill or law named in full ("the Clean Rivers and Lakes Act"), and how a story refers to it after.
NAMED_DOCUMENT = re.compile(r"\b((?:[A-Z][a-z]+ (?:(?:and|of|for|on|to) )?){1,6}(?:Act|Bill))\b")
DOCUMENT_SHORT_FORM = re.compile(r"\b[Tt]he ((?:bill|measure|act|legislation|law))\b")
NOT_FIRST_NAMES = frozenset(
    "The A An In On At For From With By Of And But Or As If When While After Before Since Although Why How "
    "What Where Who President Prime Minister Chancellor Secretary Chief Judge Justice General Senator Governor "
    "Mayor Chairman Officer Director Manager Coach Captain King Queen Prince Princess Pope Saint New North South "
    "East West Great United Royal National Labour Conservative Liberal Democrat Democratic Republican Supreme "
    "High Home Foreign Federal State City County Premier League Cup World European British American English "
    "Scottish Welsh Irish January February March April May June July August September October November "
    "December Monday Tuesday Wednesday Thursday Friday Saturday Sunday This That These Those It He She They "
    "We Its His Her Their Our Mr Mrs Ms Dr Sir Lord Lady Dame Professor Doctor".split())


def introduce_first_mentions(article: Article, chosen: list[Paragraph]) -> list[Paragraph]:
    """``chosen`` with each person's and short-named organisation's first mention in full."""
    text = "\n".join(paragraph.text for paragraph in article.paragraphs)[:MAX_SCANNED_CHARS]
    people = _people(text)
    short_forms = {short: full for words, short in SHORT_FORM.findall(text) if (full := _spelled_out(words, short))}
    documents = {re.sub(r"^(?:The|A|An|This|That) ", "", name) for name in NAMED_DOCUMENT.findall(text)}
    document = documents.pop() if len(documents) == 1 else None  # with two bills, "the bill" is ambiguous
    if not people and not short_forms and document is None:
        return chosen
    said: set[str] = set()
    result = []
    for paragraph in chosen:
        if paragraph.is_heading:
            result.append(paragraph)
            continue
        rewritten = _introduce_people(paragraph.text, people, said)
        rewritten = _introduce_short_forms(rewritten, short_forms, said)
        if document is not None:
            rewritten = _introduce_document(rewritten, document, said)
        result.append(paragraph if rewritten == paragraph.text else replace(paragraph, text=rewritten))
    return result


def _spelled_out(words: str, short: str) -> str:
    """The words before "(WHO)" that it stands for: the shortest tail whose capitals spell it."""
    parts = words.split()
    for start in range(len(parts) - 1, -1, -1):
        initials = "".join(word[0] for word in parts[start:] if word[0].isupper())
        if initials == short and parts[start][0].isupper():
            return " ".join(parts[start:])
    return ""


def _people(text: str) -> dict[str, str]:
    """surname → the full name the article first gives it."""
    lower_words = {stem for word in re.findall(r"\b[a-z]+\b", text) for stem in (word, re.sub(r"(?:s|d|ed|ing)$", "", word))}
    found: dict[str, str] = {}
    tried: set[str] = set()
    for first, middle, surname in FULL_NAME.findall(text):
        if len(tried) >= MAX_CANDIDATES:
            break
        tried.add(surname)
        if surname in found or first in NOT_FIRST_NAMES or surname in NOT_FIRST_NAMES or first.lower() in lower_words:
            continue
        if re.search(rf"\b{first}\b(?! (?:[A-Z]\. )?{surname}\b)", text):
            continue  # the first word stands alone elsewhere: a place or a thing ("Kyiv"), not a first name
        as_person = rf"\b(?:{COURTESY_TITLES}|{OTHER_TITLES})\s{surname}\b|\b{surname}\s{SPEECH_VERBS}\b|{SPEECH_VERBS}\s{surname}\b"
        if re.search(as_person, text):
            found[surname] = f"{first} {middle}{surname}"
    return found


def _introduce_people(text: str, people: dict[str, str], said: set[str]) -> str:
    # A courtesy title gives way to the first name ("Mr Blair" → "Tony Blair"), another title stays.
    return _introduce(text, people, said,
                      lambda surname: rf"(?:\b{COURTESY_TITLES}\s|\b(?P<kept>{OTHER_TITLES})\s)?\b{surname}\b",
                      lambda before, _after, full: bool(re.search(rf"\b{full.split()[0]}\s(?:[A-Z]\.\s)?$", before)))


def _introduce_document(text: str, name: str, said: set[str]) -> str:
    """'The bill would ...' → 'The Clean Rivers Act would ...' when the chosen text has not named it."""
    if name in said:
        return text
    if name in text:
        said.add(name)
        return text
    mention = DOCUMENT_SHORT_FORM.search(text)
    if mention is None:
        return text
    said.add(name)
    return text[:mention.start(1)] + name + text[mention.end(1):]


def _introduce_short_forms(text: str, short_forms: dict[str, str], said: set[str]) -> str:
    # Introduced where it stands when the full form comes before it: "the World Health Organization (WHO)".
    return _introduce(text, short_forms, said, lambda short: rf"\b{short}\b",
                      lambda before, after, full: full in before or bool(re.match(r"\s?\)", after)))


def _introduce(text: str, full_forms: dict[str, str], said: set[str], mention: Callable[[str], str],
               introduced: Callable[[str, str, str], bool]) -> str:
    """The first mention (the pattern ``mention`` makes) of each short form not yet said, written in full
    unless ``introduced(before, after, full)`` says the text already gives it there. A title the
    pattern captures as ``kept`` stays before the full form."""
    for short, full in full_forms.items():
        if short in said:
            continue
        found = re.search(mention(short), text)
        if found is None:
            continue
        said.add(short)
        if introduced(text[:found.start()], text[found.end():], full):
            continue
        kept = found.groupdict().get("kept")
        text = text[:found.start()] + (f"{kept} {full}" if kept else full) + text[found.end():]
    return text
