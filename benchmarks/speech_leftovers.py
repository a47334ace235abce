"""Does any written-only form survive into what briefing says?

Runs `briefing script --all` on the example article and every article in ../shared/eval/bbc-news-summary
and counts the tokens a listener should never hear read letter by letter: "sq km", "Mr ", "£", "$",
"€", "%", "bn", and digit-letter tokens such as "65m". Ends with `speech leftovers: N`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from briefing.pipeline import load_article, make_script  # noqa: E402
from briefing.select import Budget  # noqa: E402
from briefing.voices import load_profile  # noqa: E402

LEFTOVERS = re.compile(r"sq km|\bMrs? |[£$€%]|\d\s*bn\b|\bbn\b|\b\d[\d,.]*[a-zA-Z]+\b")


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
    total, sentences = 0, 0
    for path in paths:
        script = make_script(load_article(str(path)), Budget(None), profile)
        for segment in script.segments():
            sentences += 1
            found = LEFTOVERS.findall(segment.text)
            if found:
                total += len(found)
                print(f"{path.parent.name}/{path.name}: {found}: {segment.text[:100]}")
    print(f"articles: {len(paths)}, sentences: {sentences}")
    print(f"speech leftovers: {total}")


if __name__ == "__main__":
    main()
