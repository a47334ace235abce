"""What a listener meets in a briefing: clutter, strangers, numbers said wrongly, cut sentences, repeats.

Builds the script ``briefing script`` would print (default budget, default voice) for every eval page
(``../shared/eval/article-extraction-benchmark``, 41 HTML pages with true article bodies) and every
eval news text (``bbc-news-summary``, 150 articles), and counts, per briefing:

- clutter: body segments whose words are not in the page's true article body (pages only), links,
  handles and segments cleaning's rules would drop if they stood alone (every briefing); datelines
  read into a sentence;
- strangers: a person first named (the intro's title included) by surname alone (or title and surname) where the article gave
  the full name; a person is a "First Last" pair whose surname the article also uses alone, after
  a title or before "said";
- pronoun strangers: a sentence that opens on a pronoun ("She said…", "His …", "They …") or a
  referring noun ("The company said…"), or quotes someone only a pronoun names ('"…," he said'),
  whose referent (the nearest name in the article before it) the script has not said before it;
- numbers: the patterns a listener hears wrongly: a variant read as a falling range ("787 to 9"),
  a model number after a maker left to the engine, an emergency number left as digits, two bare
  two-digit numbers (heard as a year), a unit after a slash;
- cuts: a spoken segment the voice would end early at an abbreviation's full stop;
- repeats: two segments of one script where the shorter says nearly nothing the other does not;
- quotes: a segment shown with a quotation mark it never closes or a closing mark it never opened
  (a quote cut by sentence selection or splitting).

It prints each count, the share of briefings with none of any, the labelled tricky-number list
(benchmarks/data/tricky_numbers.tsv) scored per split ("dev" rows were used to write the rules,
"held-out" rows were not; a fragment starting with "!" must not be said), and the checks of invented
tricky stories (benchmarks/data/tricky_articles.json: what each script must and must not say), per
split the same way (a story without a "split" is "dev"). ``--minutes`` prints how far fitted scripts land from their target
by the length estimate (spoken words at the voice's pace).

``--names`` renders ``data/names.txt`` (invented sentences full of place and personal names) with
the default voice and counts the names Whisper base writes back (needs the bench extras).

Run: ``.venv/bin/python benchmarks/listener.py [-v] [--minutes] [--names]``; ``--tricky`` scores only
the invented lists (a second, no eval data needed), ``--split dev`` only one split of them (so a rule
can be tuned without reading the held-out rows' scores).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval"
PAGES_DIR = EVAL_DIR / "article-extraction-benchmark"
TEXTS_DIR = EVAL_DIR / "bbc-news-summary" / "News Articles"
TRICKY = Path(__file__).resolve().parent / "data" / "tricky_numbers.tsv"
TRICKY_ARTICLES = Path(__file__).resolve().parent / "data" / "tricky_articles.json"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TOKEN = re.compile(r"\w+")
KINDS = ("clutter", "dateline", "stranger", "pronoun stranger", "number", "cut", "repeat", "quote")
# How hibari and espeak find a sentence end inside the text they are given.
ENGINE_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=\S)")
ABBREVIATION_BEFORE = re.compile(
    r"(?:\b[A-Z](?:\.[A-Z])*|\b(?:Gov|Rep|Sen|Cmdr|Capt|Col|Gen|Lt|Sgt|Maj|Det|Insp|Supt|Rev|Prof|Dr|Mr|Mrs|Ms|St|Mt|Ft|"
    r"Inc|Corp|Co|Ltd|Jr|Sr|Bros|Dept|Univ|Jan|Feb|Aug|Sept|Sep|Oct|Nov|Dec|No|Vol|Ala|Ariz|Ark|Calif|Colo|Conn|"
    r"Del|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass|Mich|Minn|Miss|Mo|Mont|Neb|Nev|Okla|Ore|Pa|Tenn|Tex|Vt|Va|Wash|Wis|Wyo))\.$")
NUMBER_PATTERNS = {
    "falling range": re.compile(r"\b(\d{3,4}) to (\d{1,2})\b"),
    "model left to the engine": re.compile(r"\b(?:Boeing|Airbus|Embraer)(?:['’]s)? \d{3}"),
    "emergency number as digits": re.compile(r"\b(?:call(?:ed|ing)?|dial(?:led|ed|ling)?|ring) (?:911|999|112|101|111)\b", re.I),
    "two bare two-digit numbers": re.compile(r"(?<![\d.,])\b[1-9]\d [1-9]\d\b(?![\d.,])"),
    "unit after a slash": re.compile(r"\d\s?[A-Za-z%]+/[A-Za-z]+\b"),
}
TITLES = r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Doctor|Professor|Mister|Missus|Miz|Sir|Dame|Lord|Lady)"
NOT_FIRST_NAMES = frozenset(
    "The A An In On At For From With By Of And But Or As If When While After Before Mr Mrs Ms Dr Prof Sir Lord "
    "Lady Dame President Prime Minister Chancellor Secretary Chief Judge Justice General Senator Governor "
    "Mayor Chairman Chief Officer Director Manager Coach Captain King Queen Prince Princess Pope Saint St "
    "New North South East West Great United Royal National Labour Conservative Liberal Democrat Democratic "
    "Republican Supreme High Home Foreign Federal State City County Premier League Cup World European "
    "British American English Scottish Welsh Irish Chinese Russian French German Japanese Indian January "
    "February March April May June July August September October November December Monday Tuesday Wednesday "
    "Thursday Friday Saturday Sunday This That These Those It He She They We Its His Her Their Our".split())


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def in_body(segment: str, truth_tokens: list[str], truth_trigrams: set[tuple[str, ...]]) -> bool:
    tokens = _tokens(segment)
    if len(tokens) < 3:
        return " ".join(tokens) in " ".join(truth_tokens)
    trigrams = [tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)]
    return sum(gram in truth_trigrams for gram in trigrams) / len(trigrams) >= 0.5


def people(text: str) -> dict[str, str]:
    """surname → full name, for "First Last" pairs whose surname the article also uses alone."""
    found: dict[str, str] = {}
    for match in re.finditer(r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?) ((?:[A-Z]\. )?)([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)\b", text):
        first, surname = match.group(1), match.group(3)
        if first in NOT_FIRST_NAMES or surname in NOT_FIRST_NAMES or re.fullmatch(TITLES, first):
            continue
        alone = re.search(rf"(?:\b{TITLES}\.? |(?<![A-Z][a-z]) (?<!\. )){surname}\b(?! [A-Z])", text.replace(match.group(0), ""))
        said = re.search(rf"\b{TITLES}\.? {surname}\b|\b{surname} (?:said|says|told|added|argued|wrote)\b", text)
        if alone and said and surname not in found:
            found[surname] = f"{first} {surname}"
    return found


def strangers(segments: list[str], article_text: str) -> list[str]:
    named = people(article_text)
    if not named:
        return []
    script_text = " ".join(segments)
    found = []
    for surname, full in named.items():
        # not "Ferrant Textiles", nor a family: "the Conlon and Maguire families"
        first_use = re.search(rf"\b{surname}\b(?! [A-Z][a-z])(?!(?: and [A-Z][a-z]+)? famil)", script_text)
        if first_use is None:
            continue
        before = script_text[:first_use.start()]
        if not before.endswith(full.split()[0] + " ") and not re.search(rf"{full.split()[0]} (?:[A-Z]\. )?$", before):
            found.append(f"{surname} (article: {full}): …{script_text[max(0, first_use.start() - 40):first_use.end() + 20]}…")
    return found


# What a told sentence opens on that stands for someone or something named before it: a person
# (he, she; "the minister"), or a thing or group (they; "the company"); not inside a quote.
REFERRING_OPENER = re.compile(
    r"^(?:(?P<person>He|She|His|Her|Him)|The (?P<role>minister|judge|chairman|chairwoman|prosecutor|mayor|"
    r"councillor|manager|coach|director|spokesman|spokeswoman|spokesperson)|They|Their|Them|"
    r"The (?P<thing>company|firm|airline|airport|club|council|hospital|group|union|agency|authority|operator|zoo|"
    r"theatre|brewery|retailer|chain|bank|charity|school|trust|board|party|government))\b")
QUOTED_BY_PRONOUN = re.compile(r"^[\"“‘].*[,?!][\"”’']?\s+(?P<person>he|she)\s+(?:said|says|added|told|explained)\b")
PROPER_WORD = re.compile(r"\b[A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?\b")


def pronoun_strangers(told: list[str], articles: list[list[str]]) -> list[str]:
    """Told sentences (``told``, in order) that refer back to someone or something the telling has
    not named. Each is found among its articles' sentences (``articles``); its referent is, for a
    person (he, she, "the minister"), the surnames in the nearest of the three sentences before it
    there that names someone, and for a thing ("they", "the company") any name in the five before
    it. It is a stranger unless the telling says that referent (or the noun itself, "the minister")
    before it; where those sentences name nobody, unless the telling said the sentence before it
    just before."""
    found = []
    for index, sentence in enumerate(told):
        opener = QUOTED_BY_PRONOUN.match(sentence) or REFERRING_OPENER.match(sentence)  # a quote's words are its own
        if opener is None:
            continue
        place = _find(sentence, articles)
        if place is None:
            continue  # not from an article (a credit line)
        # A told sentence inside a longer one of the article (the script splits again what pysbd kept
        # whole) comes after that one's start, which is the sentence before it.
        head = articles[place[0]][place[1]].find(sentence[:20])
        article = articles[place[0]][:place[1]] + ([articles[place[0]][place[1]][:head]] if head > 0 else [])
        at = len(article)
        if at == 0:
            continue  # the article opens on it
        before = " ".join(told[:index])
        groups = opener.groupdict()
        noun = groups.get("role") or groups.get("thing")
        if noun and re.search(rf"\b{noun}\b", before, re.IGNORECASE):
            continue
        person = bool(groups.get("person") or groups.get("role"))
        referents = _referents(article[:at], person)
        if referents:
            stranger = not any(re.search(rf"\b{re.escape(name)}\b", before) for name in referents)
        else:  # a referent named by no name ("the residents"): only the sentence before it gives it
            stranger = index == 0 or not _same(told[index - 1], article[at - 1])
        if stranger:
            found.append(f"{sentence[:90]} (article before it: {article[at - 1][:70]})")
    return found


SURNAME = r"(?:[A-Z][a-z]{1,2}[A-Z][a-z]+|[A-Z][a-z]{2,})(?:-[A-Z][a-z]+)?"  # "Okafor", "McConnell"


def _referents(before: list[str], person: bool) -> set[str]:
    """For a person, the surnames in the nearest of the three sentences ``before`` it (the last
    first) that names someone (a "First Last" pair, a titled surname, or a surname given in full
    earlier); otherwise every name in the five before it."""
    if not person:
        return {word for sentence in before[-5:] for word in PROPER_WORD.findall(sentence)} - NOT_FIRST_NAMES
    known = {m.group(1) for m in re.finditer(rf"\b[A-Z][a-z]+ ({SURNAME})\b", " ".join(before))} - NOT_FIRST_NAMES
    for sentence in reversed(before[-3:]):
        names = {m.group(2) for m in re.finditer(rf"\b(?:({TITLES})\.? |[A-Z][a-z]+ )({SURNAME})\b", sentence)}
        names = (names | {word for word in re.findall(SURNAME, sentence) if word in known}) - NOT_FIRST_NAMES
        if names:
            return names
    return set()


def _find(sentence: str, articles: list[list[str]]) -> tuple[int, int] | None:
    best, place = 0.0, None
    for a, article in enumerate(articles):
        for k, candidate in enumerate(article):
            score = _overlap(sentence, candidate)
            if score > best:
                best, place = score, (a, k)
    return place if best >= 0.7 else None


def _same(one: str, other: str) -> bool:
    return _overlap(one, other) >= 0.7


def _overlap(one: str, other: str) -> float:
    a, b = set(_tokens(one)), set(_tokens(other))
    return len(a & b) / max(1, min(len(a), len(b)))


def article_sentences(article) -> list[str]:
    from briefing.text.sentences import split_sentences

    return [s for p in article.paragraphs if not p.is_heading for s in split_sentences(p.text)]


def repeats(segments: list[str]) -> list[str]:
    """Pairs of sentences where the shorter says nearly nothing the other does not: at least three
    quarters of its content words (words of four letters or more, and numbers) are in the other,
    and at most one is its own. Lists of names (team sheets) are not compared."""
    from briefing.text.selection import is_list_of_names

    content = [_content_words(s) for s in segments]
    found = []
    for i in range(len(segments)):
        for j in range(i + 1, len(segments)):
            a, b = content[i], content[j]
            if len(a) < 4 or len(b) < 4 or is_list_of_names(segments[i]) or is_list_of_names(segments[j]):
                continue
            shorter, other = (a, b) if len(a) <= len(b) else (b, a)
            if len(shorter & other) >= 0.75 * len(shorter) and len(shorter - other) <= 1:
                found.append(f"{segments[i]} | {segments[j]}")
    return found


def _content_words(sentence: str) -> set[str]:
    return {word for word in _tokens(sentence) if len(word) > 3 or word.isdigit()}


def cuts(spoken: list[str]) -> list[str]:
    """Segments a voice would end early; a full stop that closes a quotation ('one in L.A."') is an end."""
    found = []
    for sentence in spoken:
        for match in ENGINE_SENTENCE_END.finditer(sentence):
            if match.group(0)[:1] not in "\"”" and ABBREVIATION_BEFORE.search(sentence[:match.start()].rstrip("\"”’)]")):
                found.append(sentence)
                break
    return found


def numbers(spoken: list[str]) -> list[str]:
    return [f"{name}: {sentence}" for sentence in spoken for name, pattern in NUMBER_PATTERNS.items()
            if pattern.search(sentence)]


QUOTE_MARK = re.compile(r'["“”]')


def stray_quotes(display: list[str]) -> list[str]:
    """Segments whose double quotation marks do not pair up: a lone mark the reader sees and a voice
    may pause at."""
    inches = re.compile(r"\d+'\s?\d+\"|\d+\"(?=\s(?:tall|long|wide|high|screens?|TVs?|displays?)\b)")
    return [s for s in display if len(QUOTE_MARK.findall(inches.sub("", s))) % 2]


def _looks_like_clutter(sentence: str) -> bool:
    """Clutter any briefing can show, with or without a true body: links, handles, and what
    cleaning's own rules would call boilerplate if it stood alone."""
    from briefing.text.clean import matching_rule

    return bool(re.search(r"pic\.twitter|https?://|(?<![\w.])@\w", sentence)) or matching_rule(sentence) is not None


def datelines(display: list[str]) -> list[str]:
    return [s for s in display[:1] if re.match(r"^[A-Z]{3,}[A-Z .]*(?:,|\s[-—–(])", s)]


def examine(article, truth: str | None) -> dict[str, list[str]]:
    from briefing.pipeline import make_script
    from briefing.text.selection import Budget
    from briefing.voices import load_profile

    script = make_script(article, Budget.from_options(None, None, False), load_profile(None))
    body = [s for section in script.sections if section.kind not in ("intro", "outro") for s in section.segments]
    display, spoken = [s.display or s.text for s in body], [s.text for s in body]
    article_text = " ".join(p.text for p in article.paragraphs)
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    if truth is not None:
        truth_tokens = _tokens(truth)
        trigrams = {tuple(truth_tokens[i:i + 3]) for i in range(len(truth_tokens) - 2)}
        found["clutter"] = [s for s in display if not in_body(s, truth_tokens, trigrams)]
    found["clutter"] += [s for s in display if s not in found["clutter"] and _looks_like_clutter(s)]
    found["dateline"] = datelines(display)
    intro = [s.display or s.text for section in script.sections if section.kind == "intro" for s in section.segments]
    found["stranger"] = strangers(intro + display, article_text)  # the title said in the intro is a first mention
    found["pronoun stranger"] = pronoun_strangers(display, [article_sentences(article)])
    found["number"] = numbers(spoken)
    found["cut"] = cuts(spoken)
    found["repeat"] = repeats(display)
    found["quote"] = stray_quotes(display)
    return found


def briefings():
    """(name, article, true body or None) for every eval page and news text."""
    from briefing.text.clean import clean
    from briefing.errors import InputError
    from briefing.pipeline import load_article
    from briefing.readers import parse

    if PAGES_DIR.is_dir():
        import extraction_quality as eq

        pages, truth = eq.load_pages()
        for key in sorted(pages):
            try:
                yield f"page {key[:8]}", clean(parse(pages[key], key, "html")), truth[key]
            except InputError:
                continue
    if TEXTS_DIR.is_dir():
        for path in sorted(TEXTS_DIR.glob("*/*.txt")):
            yield f"text {path.parent.name}/{path.stem}", load_article(str(path), "text"), None


def tricky_numbers(verbose: bool = False) -> dict[str, tuple[int, int]]:
    from briefing.text.speech.text import normalize

    scores: dict[str, list[int]] = {}
    for line in TRICKY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        split, _kind, sentence, fragment = line.split("\t")
        scores.setdefault(split, [0, 0])
        spoken = normalize(sentence)
        said_right = fragment[1:] not in spoken if fragment.startswith("!") else fragment in spoken
        scores[split][0] += said_right
        scores[split][1] += 1
        if verbose and not said_right and split != "held-out":
            print(f"tricky number ({split}): {sentence!r} → {spoken!r}; expected {fragment!r}")
    return {split: (right, total) for split, (right, total) in scores.items()}


def tricky_articles(verbose: bool) -> dict[str, tuple[int, int]]:
    """Invented stories (benchmarks/data/tricky_articles.json): checks passed and checks made, per split."""
    import json

    from briefing.text.clean import clean
    from briefing.model import RawArticle
    from briefing.pipeline import make_script
    from briefing.text.selection import Budget
    from briefing.voices import load_profile

    scores: dict[str, list[int]] = {}
    for item in json.loads(TRICKY_ARTICLES.read_text(encoding="utf-8"))["articles"]:
        split = item.get("split", "dev")
        counts = scores.setdefault(split, [0, 0])
        article = clean(RawArticle(title=None, paragraphs=item["paragraphs"], source=item["name"], format="list"))
        script = make_script(article, Budget.from_options(None, None, False), load_profile(None))
        spoken = " ".join(segment.text for segment in script.segments())
        checks = [(f"hears {p!r}", p in spoken) for p in item["must_hear"]]
        checks += [(f"does not hear {p!r}", p not in spoken) for p in item["must_not_hear"]]
        for label, ok in checks:
            counts[0] += ok
            counts[1] += 1
            if verbose and not ok and split != "held-out":
                print(f"tricky article {item['name']}: fails: {label}")
    return {split: (passed, made) for split, (passed, made) in scores.items()}


NAMES = Path(__file__).resolve().parent / "data" / "names.txt"
# Whisper's own spelling of a name said rightly.
ALSO_WRITTEN = {"Kyiv": ("Kiev",), "Leicester": ("Lester",)}


def names_heard(verbose: bool) -> tuple[int, int]:
    """The default voice says ``data/names.txt`` (``briefing make``); Whisper base transcribes it.
    A name counts as heard when the transcript has it. Needs the bench extras (faster-whisper)."""
    import subprocess
    import tempfile

    import intelligibility as judges

    names = sorted({name for line in NAMES.read_text(encoding="utf-8").splitlines()[1:]
                    for name in re.findall(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*", line)} - set(NOT_FIRST_NAMES) - {"Flights", "Reporters", "Fans"})
    with tempfile.TemporaryDirectory() as folder:
        audio = Path(folder) / "names.mp3"
        subprocess.run([sys.executable, "-m", "briefing", "make", str(NAMES), "--all", "--no-publish", "--library", folder,
                        "-o", str(audio)], check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        heard = judges.Judge("base").transcribe(judges.decode(audio, 16000))
    missed = [name for name in names if not any(form.lower() in heard.lower() for form in (name, *ALSO_WRITTEN.get(name, ())))]
    if verbose:
        print(f"  transcript: {heard}")
        print(f"  missed: {missed}")
    return len(names) - len(missed), len(names)


def minutes_fit(verbose: bool) -> float:
    """The largest miss, in per cent, of ``fit_script`` against its target over every fifth news text,
    by the length estimate, where the target can be reached: not shorter than the lede's first
    sentence with intro and outro, nor longer than the whole article."""
    from briefing.pipeline import fit_script, load_article, make_script
    from briefing.text.fitting import speaking_pace
    from briefing.text.script import estimated_seconds
    from briefing.text.selection import Budget
    from briefing.voices import load_profile

    profile = load_profile(None)
    pace = speaking_pace(profile)
    worst = 0.0
    for path in sorted(TEXTS_DIR.glob("*/*.txt"))[::5]:
        article = load_article(str(path), "text")
        shortest = estimated_seconds(make_script(article, Budget(1), profile), pace)
        longest = estimated_seconds(make_script(article, Budget(None), profile), pace)
        for minutes in (0.5, 1.0, 2.0):
            if not shortest <= minutes * 60 <= longest:
                continue
            script = fit_script(article, minutes, profile)
            miss = estimated_seconds(script, pace) / (minutes * 60) - 1
            worst = max(worst, abs(miss))
            if verbose and abs(miss) > 0.08:
                print(f"  {path.parent.name}/{path.stem} {minutes} min: {miss:+.1%}")
    return worst * 100


def _tricky(verbose: bool, only: str | None) -> None:
    for split, (right, total) in sorted(tricky_numbers(verbose).items()):
        if only in (None, split):
            print(f"tricky numbers said as people say them ({split}): {right}/{total}")
    for split, (passed, made) in sorted(tricky_articles(verbose).items()):
        if only in (None, split):
            print(f"tricky articles ({split}): {passed}/{made} checks pass")


def main() -> None:
    if {"-h", "--help"} & set(sys.argv):
        print(__doc__)
        return
    verbose = "-v" in sys.argv
    only = sys.argv[sys.argv.index("--split") + 1] if "--split" in sys.argv[:-1] else None
    if "--tricky" in sys.argv:
        _tricky(verbose, only)
        return
    if not PAGES_DIR.is_dir() and not TEXTS_DIR.is_dir():
        print(f"no evaluation data at {EVAL_DIR}; nothing to measure")
        return
    started = time.perf_counter()
    totals: Counter = Counter()
    briefings_with: Counter = Counter()
    clean_briefings = count = pages = 0
    for name, article, truth in briefings():
        found = examine(article, truth)
        count += 1
        pages += truth is not None
        for kind, items in found.items():
            totals[kind] += len(items)
            briefings_with[kind] += bool(items)
            if verbose:
                for item in items:
                    print(f"{name} {kind}: {item[:220]}")
        clean_briefings += not any(found.values())
    print(f"briefings: {count} ({pages} pages with a true body, {count - pages} news texts)")
    for kind in KINDS:
        print(f"{kind}: {totals[kind]} in {briefings_with[kind]} briefings")
    _tricky(verbose, only)
    if "--names" in sys.argv:
        found, total = names_heard(verbose)
        print(f"names heard by Whisper base, default voice: {found}/{total}")
    if "--minutes" in sys.argv:
        print(f"minutes_worst_miss_pct: {minutes_fit(verbose):.1f}")
    print(f"load average: {os.getloadavg()[0]:.2f}; {time.perf_counter() - started:.0f} s")
    print(f"briefings_with_nothing_share: {clean_briefings / count:.3f}")
    print(f"stranger_free_share: {1 - briefings_with['stranger'] / count:.3f}")
    print(f"pronoun_stranger_free_share: {1 - briefings_with['pronoun stranger'] / count:.3f}")
    print(f"clutter_free_page_share: {1 - briefings_with['clutter'] / max(pages, 1):.3f}")


if __name__ == "__main__":
    main()
