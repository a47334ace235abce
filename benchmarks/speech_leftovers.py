"""Does any written-only form survive into what briefing says?

Runs `briefing script --all` on the example article and every article in ../shared/eval/bbc-news-summary
and counts the tokens a listener should never hear read letter by letter: "sq km", "Mr ", "£", "$",
"€", "%", "bn", and digit-letter tokens such as "65m". Ends with `speech leftovers: N`.

It also writes, from the same scripts, everything a person reads (the WebVTT transcript, the chapter
titles, the page's transcript text and the feed description) and counts engine spellings that must
not show there: "B.B.C", "T.V", "U.K", "M.P.'s", "Miz", "3 G" and a `<v ` voice span.
Ends with `display leftovers: N` too.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from briefing.audio.chapters import chapter_list, chapters_json_text, vtt_text  # noqa: E402
from briefing.pipeline import _description, load_article, make_script  # noqa: E402
from briefing.text.selection import Budget  # noqa: E402
from briefing.voices import load_profile  # noqa: E402
from briefing.library.page import transcript_from_vtt as page_transcript  # noqa: E402

LEFTOVERS = re.compile(r"sq km|\bMrs? |[£$€%]|\d\s*bn\b|\bbn\b|\b\d[\d,.]*[a-zA-Z]+\b")
# What the engine is fed but a reader should never see: dotted spellings ("B.B.C", "U.K-based",
# "M.P.'s"), "Miz" for "Ms", "3 G" for "3G", a voice span.
DISPLAY_LEFTOVERS = re.compile(
    r"\b[A-Z]\.[A-Z](?:\.[A-Z])*(?![.\w])|\b[A-Z](?:\.[A-Z])+\.'s|\b[A-Z]-[A-Z]'s|\bMiz\b|<v\s|\b\d [A-Z]\b(?![.\w'])"
)


def articles() -> list[Path]:
    found = [SHARED / "examples" / "kharkiv-counter-offensive.txt"]
    found += sorted((SHARED / "eval" / "bbc-news-summary" / "News Articles").glob("*/*.txt"))
    return [path for path in found if path.exists()]


def main() -> None:
    paths = articles()
    if not paths:
        print("skipped: ../shared/examples and ../shared/eval are absent")
        return
    profile = load_profile(None)
    total, sentences, shown = 0, 0, 0
    for path in paths:
        script = make_script(load_article(str(path)), Budget(None), profile)
        for segment in script.segments():
            sentences += 1
            found = LEFTOVERS.findall(segment.text)
            if found:
                total += len(found)
                print(f"{path.parent.name}/{path.name}: {found}: {segment.text[:100]}")
        for where, text in written_for_people(script):
            found = DISPLAY_LEFTOVERS.findall(text)
            if found:
                shown += len(found)
                print(f"{path.parent.name}/{path.name} {where}: {found}")
    print(f"articles: {len(paths)}, sentences: {sentences}")
    print(f"speech leftovers: {total}")
    print(f"display leftovers: {shown}")


def written_for_people(script) -> list[tuple[str, str]]:
    """The .vtt, the chapters file, the page's transcript and the feed description of ``script``."""
    for index, segment in enumerate(script.segments()):  # times as if each sentence took a second
        segment.start, segment.end = float(index), index + 0.9
    vtt = vtt_text(script)
    chapters = chapters_json_text(chapter_list(script, len(script.segments())), script.title)
    return [("vtt", vtt), ("chapters", chapters), ("page", page_transcript(vtt)), ("feed", _description(script))]


if __name__ == "__main__":
    main()
