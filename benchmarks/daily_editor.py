"""The daily briefing as a news editor would judge it, on the invented news days of tests/fixtures/newsdays.

Each day's four outlets are served as RSS feeds (and article pages) by a real HTTP server on
127.0.0.1; a fresh library lists them under [sources] and `briefing daily` makes the day's episode with
the real engine. Printed per day and in total, as the issue asks: top stories told (those covered by
three or more sources), stories told more than once, whether the lead is among the most-covered,
order pairs (more sources before fewer; several-source stories before single-source items), key facts
said, clutter said, figures the sources disagree on settled (the newest said; the older not, or only
credited to its outlet) and minutes. The baseline, measured in the same run on the same days, is the order
the daily briefing used before it had an editor (the sources' order, then newest first, one article a
story): its order figures are printed beside the editor's.

Strangers (issue 28), per told story: a person first named by surname alone (or title and surname)
where the story's articles gave the full name, and a sentence opening on a pronoun or "The company"
whose referent the telling has not named (both as ``benchmarks/listener.py`` counts them in `make`);
printed with the share of tellings and of days with none. --held-out measures the days of
benchmarks/data/heldout_days instead (written before the first-mention rules of the daily telling
were tuned, and not used to tune them); -v prints every stranger found.

--grouping reruns the leave-one-day-out cross-validation that chose the grouping thresholds
(editor.stories.GROUPING) and prints held-out figures beside in-sample ones; --plan measures from
`briefing daily --plan --json` (no rendering, seconds instead of minutes).

Run: ``.venv/bin/python benchmarks/daily_editor.py [--minutes 8] [--days day1,day4] [--plan] [--grouping] [--held-out] [-v]``.
Ends with ``name: value`` lines.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from newsdays import NewsDay, feed_urls, news_days, page_html, serving  # noqa: E402

HELD_OUT = REPO / "benchmarks" / "data" / "heldout_days"

TOLERANCE = 0.08  # the episode within ±8 % of --minutes


@dataclass
class Told:
    """One told section of the episode: the fixture articles it drew on, what it said, how."""

    articles: list[str]
    text: str
    brief: bool
    sentences: list[str] = field(default_factory=list)  # what it said, title first when said


@dataclass
class Figures:
    top_told: int = 0
    top_total: int = 0
    told_twice: int = 0
    lead_most_covered: int = 0
    days: int = 0
    more_before_fewer: int = 0
    more_pairs: int = 0
    multi_before_single: int = 0
    multi_pairs: int = 0
    facts_said: int = 0
    facts_total: int = 0
    clutter_said: int = 0
    figures_settled: int = 0  # sources disagreeing on a figure: the newest said, the older only credited
    figures_disagreeing: int = 0
    figures_contradicting: int = 0  # both said, the older not credited: as if both were true
    minutes_ok: int = 0
    minutes: float = 0.0
    strangers: int = 0  # people first named by surname alone where the story's articles gave the full name
    pronoun_strangers: int = 0  # sentences referring back to someone the telling has not named
    tellings: int = 0
    tellings_without_strangers: int = 0
    days_without_strangers: int = 0

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w£$€%.,-]+", " ", text.lower()).replace(" ,", ",").split())


def measure(day: NewsDay, told: list[Told], minutes_long: float | None, asked: float) -> Figures:
    story_of = {id: story for story in day.stories for id in story.articles}
    first: dict[str, int] = {}
    places: dict[str, set[int]] = {}
    for place, section in enumerate(told):
        for id in section.articles:
            story = story_of[id].id
            first.setdefault(story, place)
            places.setdefault(story, set()).add(place)
    figures = Figures(days=1)
    sources = {story.id: story.sources for story in day.stories}
    for story in day.stories:
        if story.sources >= 3:
            figures.top_total += 1
            figures.top_told += story.id in first
    figures.told_twice = sum(len(found) > 1 for found in places.values())
    lead = min(first, key=first.__getitem__) if first else None
    figures.lead_most_covered = int(lead is not None and sources[lead] == max(sources.values()))
    for a, b in itertools.permutations(first, 2):
        if sources[a] > sources[b]:
            figures.more_pairs += 1
            figures.more_before_fewer += first[a] < first[b]
        if sources[a] > 1 and sources[b] == 1:
            figures.multi_pairs += 1
            figures.multi_before_single += first[a] < first[b]
    for story in day.stories:
        if story.id not in first or not story.facts:
            continue
        said = normalised(" ".join(told[place].text for place in places[story.id]))
        figures.facts_total += len(story.facts)
        figures.facts_said += sum(any(normalised(phrase) in said for phrase in fact) for fact in story.facts)
    for disagreement in day.disagreements:
        if disagreement.story in first:
            figures.figures_disagreeing += 1
            said = normalised(" ".join(told[place].text for place in places[disagreement.story]))
            figures.figures_settled += disagreement.settled(said)
            figures.figures_contradicting += disagreement.contradicts(said)
    everything = normalised(" ".join(section.text for section in told))
    figures.clutter_said = sum(normalised(clutter) in everything for clutter in set(day.clutter)
                               if len(clutter.split()) >= 2 or f" {normalised(clutter)} " in f" {everything} ")
    count_strangers(day, told, figures)
    if minutes_long is not None:
        figures.minutes = minutes_long
        figures.minutes_ok = int(abs(minutes_long - asked) <= TOLERANCE * asked)
    return figures


def count_strangers(day: NewsDay, told: list[Told], figures: Figures) -> None:
    """Strangers of both kinds in each told story, against the text of the articles it drew on."""
    import listener
    from briefing.text.sentences import split_sentences

    for section in told:
        if not section.articles or not section.sentences:
            continue  # the round-up, or the baseline's order
        clutter = set(day.clutter)  # a caption between two sentences is not what "he" refers back across
        articles = [[p for p in day.article(id).paragraphs if p not in clutter] for id in section.articles]
        people = listener.strangers(section.sentences, " ".join(p for article in articles for p in article))
        pronouns = listener.pronoun_strangers(section.sentences, [
            [s for paragraph in article for s in split_sentences(paragraph)] for article in articles])
        figures.strangers += len(people)
        figures.pronoun_strangers += len(pronouns)
        figures.tellings += 1
        figures.tellings_without_strangers += not people and not pronouns
        for found in people + pronouns if VERBOSE else ():
            print(f"  {day.name} {section.articles}: {found}")
    figures.days_without_strangers += figures.tellings == figures.tellings_without_strangers


VERBOSE = "-v" in sys.argv


def baseline_order(day: NewsDay) -> list[Told]:
    """What the daily briefing did before: every article its own story, by source order then newest first."""
    rank = {slug: index for index, (slug, _) in enumerate(day.outlets)}
    ordered = sorted(day.articles, key=lambda a: (rank[a.outlet], -a.published.timestamp()))
    return [Told([article.id], "", False) for article in ordered]


def ids_by_link(day: NewsDay, base: str) -> dict[str, str]:
    return {f"{base}/{day.name}/{article.outlet}/{article.id}.html": article.id for article in day.articles}


def run_day(day: NewsDay, base: str, folder: Path, minutes: float, plan: bool) -> tuple[list[Told], float | None, float]:
    library = folder / day.name
    library.mkdir()
    feeds = ", ".join(f'"{url}"' for url in feed_urls(day, base))
    (library / "briefing.toml").write_text(f"[sources]\nfeeds = [{feeds}]\nallow_private_urls = true\n", encoding="utf-8")
    command = [sys.executable, "-m", "briefing", "daily", "--library", str(library), "--date", day.date.isoformat(),
               "--minutes", f"{minutes:g}", "-q"]
    if plan:
        command += ["--plan", "--json"]
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    elapsed = time.monotonic() - started
    if done.returncode not in (0, 3):
        sys.exit(f"briefing daily failed for {day.name} ({done.returncode}):\n{done.stderr}")
    ids = ids_by_link(day, base)
    if plan:
        data = json.loads(done.stdout)
        told = [Told([ids[a["link"]] for a in story["articles"]], " ".join(story["said"]), story["kind"] == "brief",
                     ([story.get("headline", story["title"])] if story["kind"] == "top" and not _opens_with(story) else [])
                     + story["said"])
                for story in data["stories"]]
        return told, data["estimated_seconds"] / 60, elapsed
    return episode_told(library, day, ids), episode_minutes(library), elapsed


def episode_told(library: Path, day: NewsDay, ids: dict[str, str]) -> list[Told]:
    from briefing.library.store import Library

    with Library.open(library) as opened:
        rows = opened.used_articles(day.date.isoformat())
        [episode] = [e for e in opened.episodes() if e.source == f"daily:{day.date.isoformat()}"] or [None]
    assert episode.timing_path, "the episode has no timing file"
    timing = json.loads((library / episode.timing_path).read_text(encoding="utf-8"))
    sections = [section for section in timing["sections"] if section["kind"] == "story"]
    told: list[Told] = [Told([], "", False) for _ in sections]
    for row in rows:
        told[row.position].articles.append(ids[row.key.removeprefix("url:")])
    for section, entry in zip(sections, told):
        entry.sentences = [segment["display"] for segment in section["segments"]]
        entry.text = " ".join(entry.sentences)
    headings = [section for section in timing["sections"] if section["kind"] == "headlines"]
    if headings:  # the round-up counts as said too, for clutter
        told.append(Told([], " ".join(s["display"] for s in headings[0]["segments"]), False))
    return told


def _opens_with(story: dict) -> bool:
    """The plan's story opens with words that say its title, so the episode does not say the title."""
    from briefing.text.script import repeats_opening

    return bool(story["said"]) and repeats_opening(story["title"], story["said"][0])


def episode_minutes(library: Path) -> float:
    from briefing.library.store import Library

    with Library.open(library) as opened:
        return max(e.duration_s for e in opened.episodes()) / 60


def print_figures(name: str, figures: Figures, asked: float, plan: bool) -> None:
    what = "estimated minutes" if plan else "minutes"
    print(f"{name}: top stories told {figures.top_told}/{figures.top_total}; told more than once "
          f"{figures.told_twice}; lead most-covered {figures.lead_most_covered}/{figures.days}; more sources "
          f"before fewer {figures.more_before_fewer}/{figures.more_pairs}; several-source before single "
          f"{figures.multi_before_single}/{figures.multi_pairs}; key facts {figures.facts_said}/{figures.facts_total}; "
          f"clutter said {figures.clutter_said}; disagreeing figures settled {figures.figures_settled}/"
          f"{figures.figures_disagreeing}, both said as if true {figures.figures_contradicting}; {what} {figures.minutes / max(1, figures.days):.2f} "
          f"(within ±8 % of {asked:g}: {figures.minutes_ok}/{figures.days}); strangers {figures.strangers}, pronoun "
          f"strangers {figures.pronoun_strangers}, tellings with none {figures.tellings_without_strangers}/"
          f"{figures.tellings}, days with none {figures.days_without_strangers}/{figures.days}")


def grouping_cross_validation(days: list[NewsDay]) -> dict[str, str]:
    """Leave one day out: the grouping thresholds chosen on the other days, scored on the one left out."""
    from briefing.daily.editor.stories import Grouping, Item, group
    from briefing.daily.sources import page_article

    data = []
    for day in days:
        items = [Item(replace(page_article(f"http://127.0.0.1/{a.id}", page_html(a).encode(), "text/html"), title=a.title),
                      a.outlet, a.published.timestamp()) for a in day.articles]
        truth = [day.story_of(a.id).id for a in day.articles]
        data.append((items, truth))
    averages = (0.03, 0.05, 0.07, 0.09, 0.11, 0.13, 0.15, 0.18, 0.21, 0.25)
    grid = [Grouping(average=a, name_weight=n, number_weight=m, lede_weight=l)
            for a in averages for n in (1.0, 2.0, 3.0) for m in (1.0, 1.5, 2.5) for l in (1.0, 2.0, 3.0)]
    scores = {g: [pair_f1(group(items, g), truth) for items, truth in data] for g in grid}

    def mean(g: Grouping, chosen: list[int]) -> float:
        return sum(scores[g][i][0] for i in chosen) / len(chosen)

    def robust(g: Grouping, chosen: list[int]) -> float:  # a plateau's middle beats its edge
        at = averages.index(g.average)
        near = [replace(g, average=averages[j]) for j in (at - 1, at + 1) if 0 <= j < len(averages)]
        return mean(g, chosen) + 0.5 * sum(mean(n, chosen) for n in near) / len(near)

    held, lines = [], {}
    for k, day in enumerate(days):
        train = [i for i in range(len(days)) if i != k]
        best = max(grid, key=lambda g: robust(g, train))
        held.append(scores[best][k])
        print(f"  {day.name} held out: chose average {best.average} name {best.name_weight} number "
              f"{best.number_weight} lede {best.lede_weight}; train F1 {mean(best, train):.3f}, held-out F1 "
              f"{scores[best][k][0]:.3f}, stories exact {scores[best][k][1]}/{scores[best][k][2]}")
    everywhere = max(grid, key=lambda g: robust(g, list(range(len(days)))))
    lines["grouping chosen on all days"] = (f"average {everywhere.average} name {everywhere.name_weight} number "
                                            f"{everywhere.number_weight} lede {everywhere.lede_weight}")
    lines["grouping in-sample pair F1"] = f"{mean(everywhere, list(range(len(days)))):.3f}"
    lines["grouping held-out pair F1"] = f"{sum(h[0] for h in held) / len(held):.3f}"
    lines["grouping held-out stories exact"] = f"{sum(h[1] for h in held)}/{sum(h[2] for h in held)}"
    return lines


def pair_f1(groups: list[list[int]], truth: list[str]) -> tuple[float, int, int]:
    predicted = {index: number for number, members in enumerate(groups) for index in members}
    tp = fp = fn = 0
    for a, b in itertools.combinations(range(len(truth)), 2):
        same, together = truth[a] == truth[b], predicted[a] == predicted[b]
        tp += same and together
        fp += together and not same
        fn += same and not together
    wanted = {tuple(i for i in range(len(truth)) if truth[i] == story) for story in set(truth)}
    exact = len(wanted & {tuple(members) for members in groups})
    return (2 * tp / (2 * tp + fp + fn) if tp else 1.0 if not fp + fn else 0.0), exact, len(wanted)


def grouping_scale(days: list[NewsDay], sizes: tuple[int, ...] = (1_440, 10_080)) -> dict[str, str]:
    """Grouping time for a big inbox: the days' articles copied with every word made unique to its copy,
    so each copy is six days of its own. Linear work means the time grows with the articles, not their square."""
    from briefing.daily.editor.stories import Item, group
    from briefing.daily.sources import page_article

    originals = [(replace(page_article(f"http://127.0.0.1/{a.id}", page_html(a).encode(), "text/html"), title=a.title),
                  a.outlet) for day in days for a in day.articles]
    results, times = {}, []
    for size in sizes:
        items = []
        for number in range(size):
            article, outlet = originals[number % len(originals)]
            copy = number // len(originals)
            rename = lambda text: re.sub(r"\b([A-Za-z]{4,})", lambda m: f"{m.group(1)}{_letters(copy)}", text)  # noqa: E731
            items.append(Item(replace(article, title=rename(article.title), paragraphs=[
                replace(p, text=rename(p.text)) for p in article.paragraphs]), f"{outlet}{copy}"))
        started = time.monotonic()
        groups = group(items)
        elapsed = time.monotonic() - started
        times.append(elapsed)
        results[f"grouping {size} articles s"] = f"{elapsed:.1f} ({len(groups)} stories; {load()})"
        if size == sizes[0]:
            started = time.monotonic()
            old_merge([item.article for item in items])
            before = time.monotonic() - started
            results[f"baseline: the old near-duplicate merge (every pair), {size} articles s"] = (
                f"{before:.1f} (grouping/baseline {elapsed / before:.2f})")
    results[f"grouping time ratio {sizes[1]}/{sizes[0]} articles"] = (
        f"{times[1] / times[0]:.1f} (articles ×{sizes[1] / sizes[0]:.1f}; quadratic would be ×{(sizes[1] / sizes[0]) ** 2:.0f})")
    return results


def old_merge(articles: list) -> int:
    """The merge the daily briefing had before the editor: TF-IDF on title and lede, each new article
    compared with every story kept so far (quadratic); returns the number of stories."""
    from briefing.text.similarity import cosine, terms, tfidf

    texts = [f"{a.title}. " + next((p.text for p in a.paragraphs if p.section == "lede"), "") for a in articles]
    vectors = tfidf([terms(text) for text in texts])
    kept: list[dict[str, float]] = []
    for vector in vectors:
        if not kept or max(cosine(vector, other) for other in kept) < 0.45:
            kept.append(vector)
    return len(kept)


def _letters(number: int) -> str:
    """A copy's mark, in letters so it stays part of the name: 0 -> '', 1 -> 'b', 27 -> 'bb'."""
    text = ""
    while number:
        number, digit = divmod(number, 26)
        text = "abcdefghijklmnopqrstuvwxyz"[digit] + text
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--days", help="comma-separated day folders (default: all)")
    parser.add_argument("--plan", action="store_true", help="measure `daily --plan --json` (no rendering)")
    parser.add_argument("--grouping", action="store_true", help="also rerun the grouping's cross-validation")
    parser.add_argument("--scale", action="store_true", help="also time the grouping of a 10,000-article inbox")
    parser.add_argument("--held-out", action="store_true", help="measure the held-out days (benchmarks/data/heldout_days)")
    parser.add_argument("-v", action="store_true", help="print every stranger found")
    arguments = parser.parse_args()
    days = news_days(HELD_OUT) if arguments.held_out else news_days()
    if arguments.days:
        days = [day for day in days if day.name in arguments.days.split(",")]
    results: dict[str, str] = {}
    if arguments.grouping:
        started = time.monotonic()
        print(f"Grouping, leave one day out ({load()}):")
        results.update(grouping_cross_validation(news_days()))
        results["grouping cross-validation s"] = f"{time.monotonic() - started:.1f}"
    if arguments.scale:
        results.update(grouping_scale(news_days()))
    total, before = Figures(), Figures()
    started = time.monotonic()
    with serving(days) as base, tempfile.TemporaryDirectory(prefix="briefing-daily-editor-") as folder:
        for day in days:
            told, minutes_long, elapsed = run_day(day, base, Path(folder), arguments.minutes, arguments.plan)
            figures = measure(day, told, minutes_long, arguments.minutes)
            old = measure(day, baseline_order(day), None, arguments.minutes)
            total.add(figures)
            before.add(old)
            print_figures(f"{day.name} ({elapsed:.1f} s, {load()})", figures, arguments.minutes, arguments.plan)
    elapsed = time.monotonic() - started
    print_figures("baseline, sources' order (order figures only)", before, arguments.minutes, True)
    print_figures("total", total, arguments.minutes, arguments.plan)
    results["days"] = str(total.days)
    results["top stories told"] = f"{total.top_told}/{total.top_total}"
    results["stories told more than once"] = str(total.told_twice)
    results["lead among the most-covered"] = f"{total.lead_most_covered}/{total.days}"
    results["more-covered before less-covered"] = f"{total.more_before_fewer}/{total.more_pairs}"
    results["baseline more-covered before less-covered"] = f"{before.more_before_fewer}/{before.more_pairs}"
    results["several-source before single-source"] = f"{total.multi_before_single}/{total.multi_pairs}"
    results["baseline several-source before single-source"] = f"{before.multi_before_single}/{before.multi_pairs}"
    results["key facts said"] = f"{total.facts_said}/{total.facts_total}"
    results["clutter said"] = str(total.clutter_said)
    results["disagreeing figures settled (newest said, older only credited)"] = (
        f"{total.figures_settled}/{total.figures_disagreeing}")
    results["disagreeing figures both said as if true"] = str(total.figures_contradicting)
    results["episodes within 8 % of --minutes"] = f"{total.minutes_ok}/{total.days}"
    results["strangers (surname alone at first mention)"] = str(total.strangers)
    results["pronoun strangers"] = str(total.pronoun_strangers)
    results["tellings without a stranger"] = (f"{total.tellings_without_strangers}/{total.tellings} "
                                              f"({total.tellings_without_strangers / max(1, total.tellings):.1%})")
    results["days without a stranger"] = f"{total.days_without_strangers}/{total.days}"
    results["run s"] = f"{elapsed:.1f}"
    results["load average"] = load()
    for name, value in results.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
