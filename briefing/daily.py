"""The daily briefing: the day's new articles from ``[sources]`` as one episode of several stories.

The episode is an intro with the date, a headline round-up (one line per story: its title), each
story as its own section (its title, then its lede and key paragraphs) and an outro. Every section
is one chapter, so each story is a chapter titled with its headline.

Order of importance (the order of the round-up and of the stories):
  1. the rank of the story's source: the order the sources are written in ``[sources]``;
  2. within one source, newest first: an inbox file by modification time, a feed item by its
     published (else updated) date; undated feed items, explicit files and URLs keep their order;
  3. with ``--update``, the stories already in the day's episode keep their places and the new ones
     follow, ordered by 1 and 2.
Near-duplicates: a story whose title and lede are similar (TF-IDF cosine ≥ ``DUPLICATE_SIMILARITY``)
to a more important one is merged into it — not read, but remembered as used, so it is never read
later either.

Budget: ``minutes`` × the voice's words a minute, corrected (``fit_day``) until the script's
estimated playing time, pauses included, is nearest ``minutes``. The intro, round-up and outro are
paid for first; then stories are
taken in order while each can still have ``MIN_STORY_WORDS``; the rest is shared fairly
(max-min: a story shorter than its equal share keeps all of it and the remainder is split between
the others), and what a story's selection leaves unused goes to the most important stories that
were cut. A story always says its title and at least one sentence. Stories that do not fit are left
out and stay unread, for a later briefing.

Idempotence (one episode per date in the feed; its GUID from the library's identity, the date and
the stories told, see ``briefing.identity``):
  - the first run for a date reads the new articles and publishes;
  - a later run for the same date without ``--update`` re-renders the same stories from their
    stored text (no source is read again) and replaces the episode under the same GUID;
  - with ``--update`` it reads new articles and rebuilds the day's episode from the stored stories
    plus the new ones. The stories already told say word for word what they said, with the same
    pauses (the day's fit, ``DayFit``, is stored with them) and loudness: only the intro, the
    headlines and the new stories are spoken and encoded again. The new ones get the share of the
    budget the day's fit gives a story, so the episode grows by them. An episode that tells new
    stories gets a new GUID and the day's earlier item leaves the feed, so podcast apps download it
    (gPodder ignores new audio under a GUID it has); the earlier audio keeps answering for
    ``[channel] keep_replaced_hours``.
The articles are recorded as used only after the episode is published: a run killed before that
leaves them unread; one killed just after is repaired by the next run, which republishes them.
A story the engine cannot speak (it fails, or its process crashes, on one of the story's sentences)
is reported, left out and remembered as rejected, so no later run tries it again; the episode is
rendered again without it.

This module owns choosing, ordering, budgeting and scripting the day. Reading sources is
``sources``, rendering and publishing ``pipeline``, the library lock ``locking``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefing import identity, objectstore, pipeline
from briefing.config import Config, load_config
from briefing.cores import cpu_count, map_forked
from briefing.engines import VoiceSettings
from briefing.errors import BriefingError, NothingToBrief, QuietDay
from briefing.fsutil import remove_stale_leftovers
from briefing.speech.lexicon import load_lexicon
from briefing.library import EPISODES_DIR, Library, UsedArticle
from briefing.locking import library_lock
from briefing.model import Article, Episode, Paragraph, Script, Section, Segment, web_link
from briefing.script import (
    DAILY_GREETING,
    Framing,
    as_sentence,
    close_sections,
    estimated_seconds,
    intro_section,
    outro_section,
    pause_stretch,
    repeats_opening,
    Spoken,
    segment,
    spoken_sentences,
    stretch_pauses,
)
from briefing.select import WORDS_PER_MINUTE, Budget, select, split_ahead
from briefing.similarity import cosine, terms, tfidf
from briefing.sources import Candidate, gather, settings_from_config
from briefing.speak import SegmentError, SpeechPool
from briefing.voices import Pauses, asked_profile

DEFAULT_MINUTES = 8.0
FIT_ATTEMPTS = 4
FIT_TOLERANCE = 0.02  # of the asked length: close enough to stop fitting
DUPLICATE_SIMILARITY = 0.45
MIN_STORY_WORDS = 30
# Choosing a story's sentences takes about 1.5 ms, a forked copy to share it out about 10 ms.
MIN_STORIES_TO_SHARE = 16

# Exit codes of `briefing daily` (also in its --help).
EXIT_OK = 0
EXIT_SOME_SOURCES_FAILED = 3  # the episode was published; some sources were skipped
# 1: no episode (NothingToBrief: every source failed, or rendering failed; nothing new is QuietDay, 0);
# 75: another run holds the library lock (errors.LibraryBusy); 2: usage or settings errors.

Report = Callable[[str], None]  # one line for stderr: a skipped source, or a note on what is done


@dataclass(frozen=True)
class Story:
    key: str
    article: Article
    merged: tuple[str, ...] = ()  # keys of near-duplicates merged into this story
    merged_articles: tuple[Article, ...] = ()
    told: tuple[Spoken, ...] | None = None  # what the day's episode said after the title; None: not told yet


@dataclass(frozen=True)
class DayFit:
    """How the day's episode was fitted to its length: an update keeps it, so what was said stays as said."""

    pace: float  # the words a minute the stories' shares were budgeted at
    pause_stretch: float  # the factor on every pause
    gain_db: float | None = None  # the loudness gain the episode was rendered with


@dataclass(frozen=True)
class DailyOptions:
    date: dt.date
    render: pipeline.RenderOptions
    minutes: float = DEFAULT_MINUTES
    update: bool = False
    workers: int | None = None
    wait: bool | float = False  # for the library lock: True or seconds (``locking.library_lock``)
    framing: Framing = Framing()  # the show's name, intro and outro: run_daily takes them from [channel]


@dataclass
class DailyResult:
    episode: Episode
    stories: list[Story]
    left_out: list[Story] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    uploaded: objectstore.UploadReport | None = None  # what went to object storage ([publish]), when it did

    @property
    def exit_code(self) -> int:
        return EXIT_SOME_SOURCES_FAILED if self.failures else EXIT_OK

    def summary(self) -> str:
        """``Briefing for …: 2 stories, 1:19``."""
        minutes, seconds = divmod(round(self.episode.duration_s), 60)
        count = "1 story" if len(self.stories) == 1 else f"{len(self.stories)} stories"
        return f"{self.episode.title}: {count}, {minutes}:{seconds:02d}"


def run_daily(library_dir: Path, options: DailyOptions, *, report: Report = lambda line: None,
              progress: pipeline.Progress | None = None, note: Report | None = None,
              standing_pool: Callable[[str, VoiceSettings, int | None], SpeechPool] | None = None,
              fetch_stage: Callable[[], AbstractContextManager[object]] = nullcontext) -> DailyResult:
    """Make and publish ``options.date``'s briefing, holding the library lock throughout.

    Problems (a skipped source or story) go to ``report``; notes on what is done to ``note`` (default:
    ``report`` too). ``standing_pool`` gives speech workers the caller owns (started before this run,
    or a fleet worker's that outlast it), for the engine, voice settings and number of workers asked;
    without it the run starts its own. The sources are read inside ``fetch_stage()`` (a fleet's task
    gives up its worker's slot there, so waiting on slow sources does not hold a synthesis worker).
    """
    note = note or report
    library_dir = Path(library_dir)
    date = options.date.isoformat()
    pool: SpeechPool | None = None
    with library_lock(library_dir, wait=options.wait), ExitStack() as stack:
        remove_stale_leftovers(library_dir, library_dir / EPISODES_DIR)
        config = load_config(library_dir)
        objectstore.publish_target(library_dir, config)  # a [publish] that cannot work is refused first
        options = replace(options, framing=Framing.of(config.channel))
        settings = settings_from_config(config.raw, library_dir, str(library_dir / "briefing.toml"))
        with Library.open(library_dir) as library:
            stored = library.used_articles(date)
            stories = stories_from_used(stored)
            stored_keys = {story.key for story in stories}
            kept = day_fit_of(stored) if options.update else None
            previous = None if options.update else day_fit_of(stored)
            failures: list[str] = []
            if stories and not options.update:
                stories = [replace(story, told=None) for story in stories]  # fitted afresh
                note(f"Re-rendering the briefing for {date} from its {len(stories)} stories "
                       "(--update adds new articles)")
            else:
                # New articles mean new speech: the engine loads while they are gathered and the day planned.
                engine_name, voice_settings = _engine_of(options.render)
                pool = (standing_pool(engine_name, voice_settings, options.workers) if standing_pool else
                        stack.enter_context(SpeechPool(engine_name, voice_settings, options.workers)))
                with fetch_stage():
                    gathered = gather(settings, library, lambda problem: report(f"Skipped: {problem}"))
                failures = gathered.failures
                stories = merge_duplicates(stories, order_candidates(gathered.candidates))
        while True:
            if not stories:
                if not failures:
                    raise QuietDay(f"Nothing new for {date}: no new articles in the sources, so no episode.")
                raise NothingToBrief(f"nothing to brief for {date}: {len(failures)} source(s) failed")
            plan, script, fit = fit_day(stories, options, library_dir, kept, previous)
            with Library.open(library_dir) as library:
                guid, replaces = day_identity(library, date, [story.key for story, _ in plan], stored_keys)
            try:
                episode, gain = _render_and_publish(library_dir, script, options, progress, pool,
                                                    kept.gain_db if kept else None, guid, replaces)
                break
            except SegmentError as error:
                unspeakable = _story_saying(script, plan, error.text)
                if unspeakable is None:  # the intro or outro: no story to leave out
                    raise
                report(f"Skipped: {unspeakable.article.source}: {error.message}")
                failures.append(f"{unspeakable.article.source}: {error.message}")
                _reject(library_dir, unspeakable, error.message)
                stories = [story for story in stories if story is not unspeakable]
        with Library.open(library_dir) as library:
            library.set_used_articles(date, used_rows(date, plan, replace(fit, gain_db=gain)))
        uploaded = _upload(library_dir, config)
    read = {story.key for story, _ in plan}
    left_out = [story for story in stories if story.key not in read]
    return DailyResult(episode, [story for story, _ in plan], left_out, failures, uploaded)


def _upload(library_dir: Path, config: Config) -> objectstore.UploadReport | None:
    """Upload the published library to ``[publish] url`` (under the lock, once the day is recorded)."""
    try:
        return objectstore.upload_library(library_dir, config)
    except BriefingError as error:
        raise BriefingError(f"{error.message} (published in {library_dir}; `briefing feed` uploads it again)") from None


# ---- ordering and duplicates -------------------------------------------------------------------

def order_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """Source rank first, then newest first; undated ones after the dated, in the order found."""
    indexed = list(enumerate(candidates))
    indexed.sort(key=lambda pair: (pair[1].rank, pair[1].timestamp is None, -(pair[1].timestamp or 0), pair[0]))
    return [candidate for _, candidate in indexed]


def merge_duplicates(kept: list[Story], candidates: list[Candidate]) -> list[Story]:
    """Append ``candidates`` to ``kept`` as stories, merging each near-duplicate into the earlier story."""
    stories = list(kept)
    if not candidates:
        return stories
    texts = [_identity_text(s.article) for s in stories] + [_identity_text(c.article) for c in candidates]
    vectors = tfidf([terms(text) for text in texts])
    kept_vectors = vectors[: len(stories)]
    for candidate, vector in zip(candidates, vectors[len(stories):]):
        similarities = [cosine(vector, other) for other in kept_vectors]
        best = max(range(len(similarities)), key=similarities.__getitem__, default=None)
        if best is not None and similarities[best] >= DUPLICATE_SIMILARITY:
            story = stories[best]
            stories[best] = replace(story, merged=story.merged + (candidate.key,),
                                    merged_articles=story.merged_articles + (candidate.article,))
        else:
            stories.append(Story(candidate.key, candidate.article))
            kept_vectors.append(vector)
    return stories


def _identity_text(article: Article) -> str:
    lede = next((p.text for p in article.paragraphs if p.section == "lede"), "")
    return f"{article.title}. {lede}"


# ---- budget ------------------------------------------------------------------------------------

def plan_budget(stories: list[Story], minutes: float, date: dt.date,
                words_per_minute: float = WORDS_PER_MINUTE, processes: int = 1) -> list[tuple[Story, list[str]]]:
    """The stories that fit and, for each, the sentences of its body to read (title not included).

    A story already told keeps what it said (and its place: the told come first); the others share the
    budget as if the day were planned afresh. Their sentences are split on ``processes`` cores first."""
    total = max(1, int(minutes * words_per_minute))
    count = len(stories)
    told = sum(story.told is not None for story in stories)
    while count > max(1, told) and _fixed_words(stories[:count], date) + count * MIN_STORY_WORDS > total:
        count -= 1
    chosen = stories[:count]
    untold = [story.article for story in chosen if story.told is None]
    split_ahead(untold, processes)
    available = max(count, total - _fixed_words(chosen, date))
    shares = fair_shares([_body_words(story.article) for story in chosen], available)
    sharing = processes if len(untold) >= MIN_STORIES_TO_SHARE else 1
    bodies: list[list[str]] = map_forked(_story_body, list(zip(chosen, shares)), sharing)
    slack = available - sum(_words(body) for body in bodies)
    for index, story in enumerate(chosen):  # unused words go to the most important cut stories
        if slack <= 0:
            break
        if story.told is None and _words(bodies[index]) < _body_words(story.article):
            longer = _story_sentences(story.article, shares[index] + slack)
            slack -= _words(longer) - _words(bodies[index])
            bodies[index] = longer
    return list(zip(chosen, bodies))


def fit_day(stories: list[Story], options: DailyOptions, library_dir: Path,
            kept: DayFit | None = None, previous: DayFit | None = None,
            ) -> tuple[list[tuple[Story, list[str]]], Script, DayFit]:
    """The plan and script that play nearest ``options.minutes``, and how they were fitted.

    The words a minute the plan budgets start at the voice's pace, and each attempt corrects them by
    the estimate's error (the pauses between stories and headlines cost time that words do not
    show); the pauses of the script chosen are then stretched to land on the length. With stories
    already told and the fit ``kept`` from their episode, nothing is fitted again: the told stories
    say what they said with the same pauses, and the new ones follow with the share that fit gives
    them (an update makes the episode longer by the new stories). Re-rendering a day fitted before
    (``previous``) tries its pace first, so a change of a few milliseconds in the estimate does not
    pick other sentences.
    """
    profile = options.render.profile
    pace, target = pipeline.speaking_pace(profile), options.minutes * 60.0
    processes = options.workers or cpu_count()
    if kept is not None and any(story.told is not None for story in stories):
        plan = plan_budget(stories, options.minutes, options.date, kept.pace, processes)
        script = build_daily_script(options.date, plan, profile.pauses, profile.drop_conversions, options.framing)
        fit = DayFit(kept.pace, kept.pause_stretch)
    else:
        budgeted = previous.pace if previous is not None else pace
        best: tuple[float, float, list[tuple[Story, list[str]]], Script] | None = None
        for _ in range(FIT_ATTEMPTS):
            plan = plan_budget(stories, options.minutes, options.date, budgeted, processes)
            script = build_daily_script(options.date, plan, profile.pauses, profile.drop_conversions, options.framing)
            miss = pipeline.length_miss(script, pace, target)
            if best is None or miss < best[0]:
                best = (miss, budgeted, plan, script)
            if miss < FIT_TOLERANCE * target:
                break
            budgeted *= target / estimated_seconds(script, pace)
        assert best is not None
        _, budgeted, plan, script = best
        fit = DayFit(budgeted, pause_stretch(script, pace, target))
    stretch_pauses(script, fit.pause_stretch)
    load_lexicon(library_dir).respell_script(script)
    return plan, script, fit


def fair_shares(wants: list[int], available: int) -> list[int]:
    """Max-min fair split of ``available`` words between stories wanting ``wants`` words."""
    shares = [0] * len(wants)
    left, remaining = available, sorted(range(len(wants)), key=wants.__getitem__)
    while remaining:
        equal = left // len(remaining)
        index = remaining.pop(0)
        shares[index] = min(wants[index], equal)
        left -= shares[index]
    return shares


def _story_body(story_and_share: tuple[Story, int]) -> list[str]:
    story, share = story_and_share
    return list(story.told) if story.told is not None else _story_sentences(story.article, share)


def _story_sentences(article: Article, words: int) -> list[str]:
    """Sentences of the chosen paragraphs within ``words``; never fewer than the lede's first."""
    chosen = [p for p in select(article, Budget(max(1, words))) if not p.is_heading]
    sentences: list[str] = []
    used = 0
    for paragraph in chosen:
        for sentence in spoken_sentences(paragraph.text):
            count = len(sentence.split())
            if sentences and used + count > words:
                return sentences
            sentences.append(sentence)
            used += count
    return sentences


def _fixed_words(stories: list[Story], date: dt.date) -> int:
    titles = sum(len(story.article.title.split()) for story in stories)
    return len((_intro_text(date, len(stories)) + " " + Framing().outro_text(date)).split()) + 2 * titles


def _body_words(article: Article) -> int:
    return sum(p.word_count for p in article.paragraphs if not p.is_heading)


def _words(sentences: list[str]) -> int:
    return sum(len(sentence.split()) for sentence in sentences)


# ---- the script --------------------------------------------------------------------------------

def build_daily_script(date: dt.date, plan: list[tuple[Story, list[str]]], pauses: Pauses,
                       drop_conversions: bool = False, framing: Framing = Framing()) -> Script:
    def spoken(text: str) -> list[Spoken]:
        return spoken_sentences(text, drop_conversions=drop_conversions)

    headlines = Section("headlines", None, [
        segment(line, None, pauses.paragraph_ms) for story, _ in plan for line in spoken(as_sentence(story.article.title))
    ])
    sections = [intro_section(_intro_text(date, len(plan), framing)), headlines]
    for story, body in plan:
        title = story.article.title
        opening = getattr(body[0], "display", body[0]) if body else ""
        segments = [] if repeats_opening(title, opening) else _segments(spoken(as_sentence(title)), pauses.sentence_ms)
        if segments:
            segments[-1].pause_after_ms = pauses.paragraph_ms
        segments += _segments(body, pauses.sentence_ms)
        sections.append(Section("story", story.article.title, segments, link=web_link(story.article.source)))
    sections.append(outro_section(framing.outro_text(date)))
    return Script(title=episode_title(date), sections=close_sections(sections, pauses),
                  source=f"daily:{date.isoformat()}", date=date.isoformat())


def _segments(sentences: Sequence[str], pause_ms: int) -> list[Segment]:
    return [segment(sentence, None, pause_ms) for sentence in sentences]


def episode_title(date: dt.date) -> str:
    return f"Briefing for {date:%A} {date.day} {date:%B %Y}"


def _intro_text(date: dt.date, stories: int, framing: Framing = Framing()) -> str:
    count = "One story" if stories == 1 else f"{_COUNTS.get(stories, str(stories))} stories"
    return f"{framing.intro_text(date, DAILY_GREETING)} {count} today."


_COUNTS = dict(enumerate("Zero One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve".split()))




# ---- rendering, publishing and the memory of used articles --------------------------------------

def _story_saying(script: Script, plan: list[tuple[Story, list[str]]], text: str) -> Story | None:
    """The story that says the segment ``text``: in its own section, or its line in the round-up."""
    by_title: dict[str, Story] = {}
    for story, _ in plan:
        by_title.setdefault(story.article.title, story)
    for section in script.sections:
        texts = [segment.text for segment in section.segments]
        if text not in texts:
            continue
        if section.kind == "story":
            return by_title.get(section.heading or "")
        if section.kind == "headlines":  # one line per story, in the plan's order
            return plan[min(texts.index(text), len(plan) - 1)][0]
    return None


def _reject(library_dir: Path, story: Story, reason: str) -> None:
    with Library.open(library_dir) as library:
        library.reject(story.key, story.article.source, reason)
        for key, article in zip(story.merged, story.merged_articles):
            library.reject(key, article.source, reason)


def _engine_of(render: pipeline.RenderOptions) -> tuple[str, VoiceSettings]:
    profile = asked_profile(render.profile, render.engine)
    return profile.engine, profile.settings


def day_identity(library: Library, date: str, story_keys: list[str],
                 stored_keys: set[str]) -> tuple[str, tuple[str, ...]]:
    """The GUID of ``date``'s episode telling ``story_keys``, and the day's earlier items it replaces.

    The day's current item keeps its GUID unless the episode tells a story it did not (an update):
    then a new GUID, noted before publishing so that a run killed in between still has the next one
    replace every earlier item of the day. An item an earlier briefing published under the date
    alone (``identity.legacy_guid``) is the day's first.
    """
    earlier = [guid for guid in [identity.legacy_guid(f"daily:{date}"), *library.day_guids(date)]
               if library.get(guid) is not None]
    if earlier and set(story_keys) <= stored_keys:
        guid = earlier[-1]
    else:
        guid = identity.daily_guid(library.identity(), date, story_keys)
        library.note_day_guid(date, guid)
    return guid, tuple(other for other in dict.fromkeys(earlier) if other != guid)


def _render_and_publish(library_dir: Path, script: Script, options: DailyOptions,
                        progress: pipeline.Progress | None, pool: SpeechPool | None,
                        keep_gain_db: float | None, guid: str, replaces: tuple[str, ...]) -> tuple[Episode, float]:
    headlines = "; ".join(s.heading for s in script.sections if s.kind == "story" and s.heading)
    made = pipeline.make_episode(script, pipeline.MakeOptions(
        voice=options.render.profile, engine=options.render.engine, chime=options.render.chime,
        audio=options.render.audio,
        workers=options.workers, library=library_dir, kind="daily", description=f"Today: {headlines.rstrip('.')}.",
        lock=False,  # run_daily holds it for the whole run
        upload=False,  # run_daily uploads once the day is recorded
        keep_gain_db=keep_gain_db, guid=guid, replaces=replaces,
    ), progress=progress, pool=pool)
    assert made.episode is not None
    return made.episode, made.gain_db


def used_rows(date: str, plan: list[tuple[Story, list[str]]], fit: DayFit | None = None) -> list[UsedArticle]:
    rows = []
    for position, (story, body) in enumerate(plan):
        told = None if fit is None else json.dumps({
            "said": [[str(sentence), getattr(sentence, "display", str(sentence))] for sentence in body],
            "pace": fit.pace, "pause_stretch": fit.pause_stretch, "gain_db": fit.gain_db}, ensure_ascii=False)
        rows.append(UsedArticle(story.key, date, position, story.article.source, story.article.title,
                                article_to_json(story.article), told=told))
        for key, article in zip(story.merged, story.merged_articles):
            rows.append(UsedArticle(key, date, position, article.source, article.title,
                                    article_to_json(article), merged_into=story.key))
    return rows


def stories_from_used(rows: list[UsedArticle]) -> list[Story]:
    stories: dict[str, Story] = {}
    for row in rows:
        if row.merged_into is None:
            said = _told(row)
            stories[row.key] = Story(row.key, article_from_json(row.article), told=None if said is None else tuple(
                Spoken(text, display) for text, display in said["said"]))
    for row in rows:
        story = stories.get(row.merged_into or "")
        if story is not None:
            stories[story.key] = replace(story, merged=story.merged + (row.key,),
                                         merged_articles=story.merged_articles + (article_from_json(row.article),))
    return list(stories.values())


def day_fit_of(rows: list[UsedArticle]) -> DayFit | None:
    """How the day's stored episode was fitted (None for a day stored before briefing kept it)."""
    told = next((said for said in map(_told, rows) if said is not None), None)
    if told is None:
        return None
    return DayFit(float(told["pace"]), float(told["pause_stretch"]),
                  None if told["gain_db"] is None else float(told["gain_db"]))


def _told(row: UsedArticle) -> dict | None:
    return None if row.told is None else json.loads(row.told)


def article_to_json(article: Article) -> str:
    return json.dumps({
        "title": article.title, "source": article.source, "format": article.format, "byline": article.byline,
        "paragraphs": [[p.text, p.source, p.section, p.is_heading] for p in article.paragraphs],
    }, ensure_ascii=False)


def article_from_json(text: str) -> Article:
    data = json.loads(text)
    paragraphs = [Paragraph(text=t, source=s, section=k, is_heading=h) for t, s, k, h in data["paragraphs"]]
    return Article(title=data["title"], paragraphs=paragraphs, source=data["source"], format=data["format"],
                   byline=data["byline"])
