"""Sentence splitting, shared by selection and the script (pysbd, cached).

Its own stage below both: ``select`` chooses sentences and ``script`` speaks them, and neither
reaches into the other to split. pysbd is pure Python and slow (0.55 s for a day of 50 articles), so
a caller about to split many paragraphs can have them split ahead on several cores (``split_ahead``).

``balanced_quotes`` makes each sentence of a split stand alone for its quotation marks: a quote that
runs over a sentence end, or whose other half was in a sentence not chosen, would leave a lone mark
on the page and a voice pausing at it.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import cache

from briefing.system.cores import map_forked
from briefing.text.speech.vocabulary import CITY_OR_PARTY, US_STATE

CONTINUATION = re.compile(r"[,;:)]|[a-z]+\b(?![.'’]?[A-Z])")  # not 'iPhone' or 'eBay', which may open one
# A clock time's zone after "p.m." is no sentence of its own: "Kickoff is at 7:30 p.m. Eastern."
AFTER_CLOCK = re.compile(r"\b[ap]\.m\.$")
CLOCK_ZONE = re.compile(r"(?:[A-Z][a-z]*|[A-Z]{2,4})(?: (?:[A-Z][a-z]*|[A-Z]{2,4}|time))?[.!?]?$")
STRAY_CLOSING = re.compile(r'["”]\s')
# Where a sentence may end: its stop, any closing quotes and brackets, then a space. Text without one
# is a single sentence (pysbd is skipped).
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s")
# A state's abbreviation after a city or a party letter, then a capitalised word: the sentence ended there
# ("…of Ohio, D-N.M. One Republican…"); inside a sentence the style books put a comma after the state.
_STATE_THEN_SENTENCE = re.compile(rf"{CITY_OR_PARTY}(?:{US_STATE})[\"”’]*\s+(?=[A-Z\"“])")
CACHE_SIZE = 4096  # paragraphs: a day of 50 articles splits about 900
# Below this much text to split, forking costs more than it saves (pysbd splits about 200,000
# characters a second; a fork and its results' way back take a few milliseconds).
AHEAD_MIN_CHARS = 20_000

# Cached because the summariser and the script split the same paragraphs; pysbd is the slow part.
_splits: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_lock = threading.Lock()  # runs of a fleet may share a process


def _new_lock() -> None:
    global _lock
    _lock = threading.Lock()  # a copy forked while another thread held it would wait forever


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock)


@cache
def _segmenter():
    import pysbd  # ~25 ms: loaded only when a sentence is first split

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping 'Mr.', 'U.S.', '3.5' and 'e.g.' inside them."""
    with _lock:
        split = _splits.get(text)
        if split is not None:
            _splits.move_to_end(text)
    if split is None:
        split = _split(text)
        _remember(text, split)
    return list(split)


def split_ahead(texts: Iterable[str], processes: int) -> None:
    """Split ``texts`` now on ``processes`` cores, so that ``split_sentences`` finds them split.
    Does nothing when there is too little to gain: those are split when they are asked for."""
    with _lock:
        missing = list(dict.fromkeys(text for text in texts if text not in _splits))[: CACHE_SIZE // 2]
    if processes < 2 or sum(map(len, missing)) < AHEAD_MIN_CHARS:
        return
    _segmenter()  # loaded once, before the copies are forked
    for text, split in zip(missing, map_forked(_split, missing, processes)):
        _remember(text, split)


def _split(text: str) -> tuple[str, ...]:
    stripped = text.strip()
    if not SENTENCE_END.search(stripped):
        return (stripped,) if stripped else ()
    pieces = (sentence.strip() for sentence in _segmenter().segment(text) if sentence.strip())
    return _rejoined(part for piece in pieces for part in _split_after_states(piece))


def _split_after_states(piece: str) -> list[str]:
    ends = [match.end() for match in _STATE_THEN_SENTENCE.finditer(piece)]
    return [piece[start:end].strip() for start, end in zip([0, *ends], [*ends, len(piece)]) if piece[start:end].strip()]


def _closings_given_back(pieces: Iterable[str]) -> list[str]:
    """pysbd hands a quote's closing mark to the next sentence ('…as broadcasters say.', '" Conservative
    spokeswoman…'): the mark goes back to the sentence whose open quote it closes. (Splitting the
    rest again, which pysbd read as one quotation, was tried: summaries lost a little ROUGE-2.)"""
    given_back: list[str] = []
    for piece in pieces:
        if given_back and STRAY_CLOSING.match(piece) and _paired(given_back[-1])[1]:
            given_back[-1] += piece[0]
            piece = piece[1:].lstrip()
        if piece:
            given_back.append(piece)
    return given_back


def _rejoined(pieces: Iterable[str]) -> tuple[str, ...]:
    """pysbd ends a sentence at a name's full stop ("Ocado Group plc., reported", "the Galaxy S24
    Ultra. costs"): a piece that opens with a comma or a plain lower-case word continues the one before."""
    sentences: list[list[str]] = []
    for piece in _closings_given_back(pieces):
        if sentences and (CONTINUATION.match(piece) or (CLOCK_ZONE.fullmatch(piece) and AFTER_CLOCK.search(sentences[-1][-1]))):
            sentences[-1] += ["" if piece[0] in ",;:)" else " ", piece]
        else:
            sentences.append([piece])
    return tuple("".join(parts) for parts in sentences)


# A double quotation mark, and how its neighbours shape it: an opening one has a space or the start
# before it and a word after; a closing one the reverse. A mark after a digit outside a quote is inches.
QUOTE_MARK = re.compile(r'["“”]')
_OPENS = re.compile(r'(?:^|(?<=[\s(\[—–-]))["“](?=[^\s"“”])')
_CLOSES = re.compile(r'(?<=[^\s"“”])["”](?=$|[\s.,;:!?)\]—–-])')


def balanced_quotes(sentence: str) -> str:
    """One sentence of a script with its double quotation marks paired, so it stands alone on a page
    and in a voice: a quote still open at its end is closed there ('She said: "We will win.' →
    '... win."'); a closing mark whose opening was in a sentence left out opens the sentence, which
    starts inside the quote ('Then we won," she said.' → '"Then we won," ...'); a quote reopened with
    no close before it (a paragraph break the page lost) is closed before it; a mark that pairs with
    nothing is dropped. Each sentence alone: what a sentence not chosen said cannot be known."""
    paired, closing = _paired(sentence)
    return paired + closing


def _paired(sentence: str) -> tuple[str, str]:
    """``sentence`` with its marks paired but for a quote still open at its end, and the mark that
    would close that one ("" when none is open)."""
    opening, closing = ("“", "”") if "“" in sentence or "”" in sentence else ('"', '"')
    inside = reopen = False
    edits = []  # (where, what goes there instead of the mark)
    for index, mark in enumerate(QUOTE_MARK.finditer(sentence)):
        at = mark.start()
        opens, closes = _OPENS.match(sentence, at) is not None, _CLOSES.match(sentence, at) is not None
        if closes and not inside and sentence[at - 1:at].isdigit():
            continue  # '6ft 2"'
        if opens == closes:  # no shape either way: it can only close one ('the Whirlwind " White')
            opens, closes = False, inside
        if opens:
            if inside:
                edits.append((len(sentence[:at].rstrip()), closing))
            inside = True
        elif closes and inside:
            inside = False
        elif closes and index == 0:
            reopen = True  # its opening was in a sentence left out
        else:
            edits.append((at, ""))
    for at, put in reversed(edits):
        sentence = sentence[:at] + put + sentence[at + (0 if put else 1):]
    return (opening if reopen else "") + re.sub(r"\s{2,}", " ", sentence).strip(), closing if inside else ""


def _remember(text: str, split: tuple[str, ...]) -> None:
    with _lock:
        _splits[text] = split
        while len(_splits) > CACHE_SIZE:
            _splits.popitem(last=False)
