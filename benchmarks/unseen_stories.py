"""What a listener hears in 14 invented stories written apart from the code (``data/unseen_stories/``).

Seven news pages of invented outlets, with the clutter real sites carry (share bars, newsletter promos,
photo credits, "Read more" links, handles, subheadings, dated bylines), and seven news texts, full of
what a listener stumbles on: people named in full once and by surname after, headlines naming them by
surname, bills and bodies by short forms, numbers in context (aircraft, flights, emergency numbers,
scores, team records, cricket figures, race times, units after a slash, amounts as adjectives),
datelines, state abbreviations and names of many origins. ``expect.json`` says, per story, what the
script must say (a number phrase, checked only where the script says its sentence: most of the
sentence's cue words are in it), what it must never say (clutter and misreadings), who must be named
in full at first mention and which short forms must follow their full form.

Numbers in the script are compared as words (num2words, "and" ignored), since the engine says digits.
The checker is lenient where a newsreader would be ("eight oh oh" is not "eight hundred", and counts as
a miss it is not), so read the misses with ``-v``.

Run: ``.venv/bin/python benchmarks/unseen_stories.py [-v] [--all]`` (``--all``: the whole article).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORIES = Path(__file__).resolve().parent / "data" / "unseen_stories"
sys.path.insert(0, str(ROOT))

from num2words import num2words  # noqa: E402

from briefing.pipeline import load_article, make_script  # noqa: E402
from briefing.text.selection import Budget  # noqa: E402
from briefing.voices import load_profile  # noqa: E402


def _spelled(match: re.Match[str]) -> str:
    raw = match.group(0).replace(",", "")
    if re.fullmatch(r"(?:19|20)\d\d", raw):
        return f" {num2words(int(raw), to='year')} "
    if "." in raw:
        whole, fraction = raw.split(".")
        return f" {num2words(int(whole or 0))} point {' '.join(num2words(int(digit)) for digit in fraction)} "
    return f" {num2words(int(raw))} "


def words(text: str) -> str:
    """Lower case, numbers in words, no accents, punctuation or "and": " seven thirty seven eight "."""
    text = re.sub(r"\d[\d,]*(?:\.\d+)?|\.\d+", _spelled, text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w']+", " ", text.replace("’", "'")).replace("percent", "per cent")
    return " " + " ".join(word for word in text.split() if word != "and") + " "


def said(script: str, fragment: str) -> bool:
    return words(fragment) in script


def segments_saying(segments: list[str], cue: str) -> list[str]:
    """The script's segments that say the sentence ``cue`` stands for: its words in one segment (most of
    them, for a cue of five words or more)."""
    cue_words = words(cue).split()
    return [segment for segment in segments
            if sum(f" {word} " in segment for word in cue_words) >= (
                len(cue_words) if len(cue_words) <= 4 else round(0.75 * len(cue_words)))]


def score(entry: dict, segments: list[str], misses: list[str], totals: dict[str, list[int]]) -> None:
    script = " ".join(segments)
    for check in entry["must_say"]:
        saying = segments_saying(segments, check["if_sentence"])
        if not saying:
            continue
        options = check.get("any_of") or [check["say"]]
        ok = any(said(segment, option) for segment in saying for option in options)
        totals["numbers said right"][0] += ok
        totals["numbers said right"][1] += 1
        if not ok:
            misses.append(f"does not say {options[0]!r} ({check['if_sentence']})")
    for check in entry["must_not_say"]:
        if isinstance(check, str):
            ok = not said(script, check)
            totals["never said"][0] += ok
            totals["never said"][1] += 1
            if not ok:
                misses.append(f"says {check!r}")
            continue
        short = words(check.get("first_mention_of") or check["before_first"]).strip()
        at = script.find(f" {short} ")
        if at < 0:
            continue
        if "first_mention_of" in check:
            forms = check["must_be"] if isinstance(check["must_be"], list) else [check["must_be"]]
            window = script[max(0, at - 80): at + len(short) + 40]
            ok = any(words(form).strip() in window for form in forms)
            kind = "first named in full"
        else:
            ok = words(check["must_have_said"]).strip() in script[:at]
            kind = "short form after the full"
        totals[kind][0] += ok
        totals[kind][1] += 1
        if not ok:
            misses.append(f"{kind}: {short!r} at …{script[max(0, at - 60): at + len(short) + 1]}")


def main() -> None:
    verbose, whole = "-v" in sys.argv, "--all" in sys.argv
    started = time.perf_counter()
    totals: dict[str, list[int]] = {kind: [0, 0] for kind in (
        "never said", "first named in full", "short form after the full", "numbers said right")}
    profile = load_profile(None)
    for entry in json.loads((STORIES / "expect.json").read_text(encoding="utf-8")):
        article = load_article(str(STORIES / entry["file"]))
        script = make_script(article, Budget.from_options(None, None, whole), profile)
        misses: list[str] = []
        score(entry, [words(segment.text) for segment in script.segments()], misses, totals)
        print(f"{entry['file']}: {len(misses)} misses")
        if verbose:
            for miss in misses:
                print(f"    {miss}")
    print(f"load average: {os.getloadavg()[0]:.2f}; {time.perf_counter() - started:.0f} s")
    for kind, (right, made) in totals.items():
        print(f"{kind.replace(' ', '_')}: {right}/{made}")


if __name__ == "__main__":
    main()
