"""Web addresses for speech: "https://www.example.com/donate" → "example dot com slash donate".

A newsreader says a domain, not its scheme or "www" (espeak reads "www" as "double-u double-u
double-u"): the labels are joined with "dot", a label with no vowel or a country code is written in
capitals so the acronym rule spells it ("bbc.co.uk" → "BBC dot co dot UK" → "B.B.C dot co dot U.K").
A short path of plain words is kept ("slash donate"); a longer one, a query or a fragment is left
out, as nobody can type it from the radio. An address is recognised by its scheme, "www." or a
known top-level domain, so "e.g." and "3.5" are never taken for one.
"""

from __future__ import annotations

import re

# Generic and common country top-level domains; the last label of a recognised address.
TOP_LEVEL_DOMAINS = (
    "com|org|net|gov|edu|int|mil|info|biz|io|co|ai|app|dev|news|tv|fm|me|ly|uk|us|eu|ie|de|fr|es|it|nl|"
    "be|ch|at|se|no|dk|fi|pl|ru|ua|cn|jp|kr|in|au|nz|ca|za|ng|ke|br|mx"
)
# Country codes and other short labels that are spelled: "uk" is "U.K", "io" is "I.O".
SPELLED_LABELS = frozenset("uk us eu ie de fr es it nl be ch at se no dk fi pl ru ua cn jp kr in au nz ca za "
                           "ng ke br mx io ai tv fm me ly".split())
MAX_PATH_SEGMENTS = 2
MAX_PATH_WORD = 15

WEB_ADDRESS = re.compile(
    r"(?<![\w./-])(?P<scheme>https?://)?(?P<www>www\d?\.)?"
    r"(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,127}(?:" + TOP_LEVEL_DOMAINS + r"))\b"
    r"(?P<path>/[^\s\"'”’)<>]*)?",
    re.IGNORECASE,
)


def _label(label: str) -> str:
    if label.lower() in SPELLED_LABELS or not re.search(r"[aeiouy]", label, re.IGNORECASE):
        return label.upper() if label.isalpha() else label
    return label


def _path(path: str) -> str:
    segments = [segment for segment in re.split(r"[/?#]", path.rstrip(".,;:!?")) if segment]
    if "?" in path or "#" in path or len(segments) > MAX_PATH_SEGMENTS:
        return ""
    if not all(re.fullmatch(rf"[A-Za-z][A-Za-z-]{{0,{MAX_PATH_WORD - 1}}}", segment) for segment in segments):
        return ""
    return "".join(" slash " + segment.replace("-", " ") for segment in segments)


def _spoken_address(match: re.Match) -> str:
    host = match.group("host")
    if not (match.group("scheme") or match.group("www")) and len(host.split(".")[0]) < 2:
        return match.group(0)
    trailing = re.search(r"[.,;:!?]+$", match.group("path") or "")
    spoken = " dot ".join(_label(label) for label in host.split(".")) + _path(match.group("path") or "")
    return spoken + (trailing.group(0) if trailing else "")


def expand_web_addresses(text: str) -> str:
    return WEB_ADDRESS.sub(_spoken_address, text)
