"""The daily briefing: the day's new articles from ``[sources]`` as one bulletin of stories.

The day is made as a news editor makes it (the rules are in ``briefing.daily.editor``):
  1. stories, not articles: the new articles are grouped by what independent coverage of one event
     shares (``editor.stories``); an article about a story already told today joins it;
  2. importance: the stories are ranked by how many sources cover them, then where the sources put
     them, how recent they are and the order of ``[sources]`` (``editor.rank``); with ``--update``
     the stories already in the day's episode keep their places and the new ones follow;
  3. one telling per story: the lede from its most complete article, sentences of the others only
     for facts not yet said, and who reported it (``editor.tell``);
  4. a bulletin's shape: the top stories (those several sources cover) get room and the headlines;
     the rest follow in brief while time allows; what does not fit stays unread (``editor.bulletin``).

The episode is an intro with the date, the headline round-up, each story as its own section (one
chapter, titled with its headline, linking to its lede article) and an outro.

Budget: ``minutes`` × the voice's words a minute, corrected (``fit_day``) until the script's
estimated playing time, pauses included, is nearest ``minutes``.

Idempotence (one episode per date in the feed; its GUID from the library's identity, the date and
the stories told, see ``briefing.library.identity``):
  - the first run for a date reads the new articles and publishes;
  - a later run for the same date without ``--update`` re-renders the same stories from their
    stored text (no source is read again) and replaces the episode under the same GUID;
  - with ``--update`` it reads new articles and rebuilds the day's episode from the stored stories
    plus the new ones (a new article about a story already told joins it: remembered as used, its
    story not told again). The stories already told say word for word what they said, with the same
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

This module owns running the day: planning it with the editor, scripting, and remembering what was
told. Reading sources is ``sources``, rendering and publishing ``pipeline``, the library lock ``locking``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from briefing import pipeline
from briefing.library import identity
from briefing.library import objectstore
from briefing.channel import Channel
from briefing.system.cores import cpu_count, map_forked
from briefing.audio.engines import VoiceSettings
from briefing.errors import EXIT_PARTLY_DONE, BriefingError, NothingToBrief, QuietDay
from briefing.system.fsutil import remove_stale_leftovers
from briefing.text.speech.lexicon import load_lexicon
from briefing.library.store import EPISODES_DIR, Library, UsedArticle
from briefing.library.locking import library_lock
from briefing.library.publish import refuse_foreign_files
from briefing.model import Article, Episode, Paragraph, Script, Section, Segment, web_link
from briefing.text.script import (
    DAILY_GREETING,
    Framing,
    as_sentence,
    close_sections,
    estimated_seconds,
    intro_section,
    outro_section,
    repeats_opening,
    Spoken,
    segment,
    spoken_sentences,
    stretch_pauses,
)
from briefing.daily.editor import bulletin, rank, tell
from briefing.daily.editor.bulletin import IN_BRIEF
from briefing.daily.editor.rank import Coverage, Signals
from briefing.daily.editor.stories import Item, group
from briefing.text.fitting import fit_length, speaking_pace
from briefing.text.selection import WORDS_PER_MINUTE, Budget, select, split_ahead
from briefing.text.sentences import split_sentences
from briefing.text.speech.shouting import acronyms_in
from briefing.daily.sources import Candidate, SourceSettings, gather, source_settings
from briefing.audio.speak import SegmentError, SpeechPool
from briefing.voices import Pauses, asked_profile

DEFAULT_MINUTES = 8.0
Told = TypeVar("Told", bound=str)  # a sentence as written, or as it is said (``Spoken``)
DAY_FIT_ATTEMPTS = 4  # each plans every story's telling: fewer than one article's
MAX_SENTENCES_OFFERED = 40  # of each other article of a story, for its telling: bounded work per story
# Choosing a story's sentences takes about 1.5 ms, a forked copy to share it out about 10 ms.
MIN_STORIES_TO_SHARE = 16

# Exit codes of `briefing daily` (also in its --help).
# 1: no episode (NothingToBrief: every source failed, or rendering failed; nothing new is QuietDay, 0);
# 75: another run holds the library lock (errors.LibraryBusy); 2: usage or settings errors.

Report = Callable[[str], None]  # one line for stderr: a skipped source, or a note on what is done


@dataclass(frozen=True)
class Story:
    key: str
    article: Article  # the lede article: its telling leads the story
    merged: tuple[str, ...] = ()  # keys of the story's other articles (its other sources, later arrivals)
    merged_articles: tuple[Article, ...] = ()
    told: tuple[Spoken, ...] | None = None  # what the day's episode said after the title; None: not told yet
    coverage: tuple[Coverage, ...] = ()  # who published the lede, then each merged article, and where
    brief: bool = False  # told in brief: one or two sentences, not in the headlines
    arrived: tuple[Article, ...] = ()  # articles that joined it after it was told: their news, an update line
    signals: Signals | None = None  # why it ranks where it does
    needs: bulletin.Needs | None = None  # what it asked of the day's bulletin, as stored; None: not known

    @property
    def names(self) -> list[str]:
        """The names of the outlets that reported it, in the order of [sources]."""
        ordered = sorted(self.coverage, key=lambda c: c.source_rank)
        return list(dict.fromkeys(c.name or c.outlet for c in ordered))

    @property
    def credits(self) -> list[str]:
        """The outlets' own names (a feed's title) for "reported by …"; files and folders have none."""
        ordered = sorted(self.coverage, key=lambda c: c.source_rank)
        return list(dict.fromkeys(c.name for c in ordered if c.name))

    @property
    def link(self) -> str | None:
        return next((c.link for c in self.coverage if c.link), None)

    @property
    def multi_source(self) -> bool:
        return len({c.outlet for c in self.coverage}) > 1


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
    adopt: bool = False  # a first run may replace a feed, page or cover briefing did not write


@dataclass
class DailyResult:
    episode: Episode
    stories: list[Story]
    left_out: list[Story] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    uploaded: objectstore.UploadReport | None = None  # what went to object storage ([publish]), when it did
    warnings: list[str] = field(default_factory=list)  # what failed once the episode was in the feed

    @property
    def exit_code(self) -> int:
        return EXIT_PARTLY_DONE if self.failures else 0  # published; some sources were skipped

    def summary(self) -> str:
        """``Briefing for …: 2 stories, 1:19``."""
        minutes, seconds = divmod(round(self.episode.duration_s), 60)
        count = "1 story" if len(self.stories) == 1 else f"{len(self.stories)} stories"
        return f"{self.episode.title}: {count}, {minutes}:{seconds:02d}"


def run_daily(channel: Channel, options: DailyOptions, *, report: Report = lambda line: None,
              progress: pipeline.Progress | None = None, note: Report | None = None,
              standing_pool: Callable[[str, VoiceSettings, int | None], SpeechPool] | None = None,
              fetch_stage: Callable[[], AbstractContextManager[object]] = nullcontext) -> DailyResult:
    """Make and publish ``options.date``'s briefing into ``channel``, holding the library lock throughout.

    Problems (a skipped source or story) go to ``report``; notes on what is done to ``note`` (default:
    ``report`` too). ``standing_pool`` gives speech workers the caller owns (started before this run,
    or a fleet worker's that outlast it), for the engine, voice settings and number of workers asked;
    without it the run starts its own. The sources are read inside ``fetch_stage()`` (a fleet's task
    gives up its worker's slot there, so waiting on slow sources does not hold a synthesis worker).
    """
    note = note or report
    library_dir, config = channel.folder, channel.settings
    date = options.date.isoformat()
    pool: SpeechPool | None = None
    with library_lock(library_dir, wait=options.wait), ExitStack() as stack:
        refuse_foreign_files(library_dir, options.adopt, config=config, library=channel.stored_library())
        remove_stale_leftovers(library_dir, library_dir / EPISODES_DIR)
        # a [publish] that cannot work is refused first
        objectstore.publish_target(library_dir, config, library=channel.stored_library())
        options = replace(options, framing=config.channel.framing())
        settings = source_settings(config, library_dir)
        library = channel.library
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
            stories = stories_of_day(stories, order_candidates(gathered.candidates), settings)
        while True:
            if not stories:
                _nothing_to_tell(date, failures)
            try:
                plan, script, fit = fit_day(stories, options, library_dir, kept, previous)
            except BriefingError:
                raise
            except Exception as error:  # a bug a story's text runs into: that story is left out, not the day
                unscriptable = _story_failing_script(stories, options, library_dir)
                if unscriptable is None:
                    raise
                reason = f"its script could not be made ({type(error).__name__})"
                report(f"Skipped: {unscriptable.article.source}: {reason}")
                failures.append(f"{unscriptable.article.source}: {reason}")
                _reject(library, unscriptable, reason)
                stories = [story for story in stories if story is not unscriptable]
                continue
            guid, replaces = day_identity(library, date, [story.key for story, _ in plan], stored_keys)
            try:
                episode, gain, warnings = _render_and_publish(channel, script, options, progress, pool,
                                                              kept.gain_db if kept else None, guid, replaces)
                break
            except SegmentError as error:
                unspeakable = _story_saying(script, plan, error.text)
                if unspeakable is None:  # the intro or outro: no story to leave out
                    raise
                report(f"Skipped: {unspeakable.article.source}: {error.message}")
                failures.append(f"{unspeakable.article.source}: {error.message}")
                _reject(library, unspeakable, error.message)
                stories = [story for story in stories if story.key != unspeakable.key]
        try:
            library.set_used_articles(date, used_rows(date, plan, replace(fit, gain_db=gain)))
        except BriefingError as error:  # published all the same: the next run may read these articles again
            warnings.append(f"the articles read are not remembered: {error.message}")
        uploaded = _upload(channel)
    read = {story.key for story, _ in plan}
    left_out = [story for story in stories if story.key not in read]
    return DailyResult(episode, [story for story, _ in plan], left_out, failures, uploaded, warnings)


def _nothing_to_tell(date: str, failures: list[str]) -> None:
    """No story for the day: a quiet day when nothing failed (not an error), else the failures."""
    if not failures:
        raise QuietDay(f"Nothing new for {date}: no new articles in the sources, so no episode.")
    raise NothingToBrief(f"nothing to brief for {date}: {len(failures)} source(s) failed")


def _upload(channel: Channel) -> objectstore.UploadReport | None:
    """Upload the published library to ``[publish] url`` (under the lock, once the day is recorded)."""
    try:
        return objectstore.upload_library(channel.folder, channel.settings, library=channel.library)
    except BriefingError as error:
        raise BriefingError(f"{error.message} (published in {channel.folder}; `briefing feed` uploads it again)") from None


@dataclass(frozen=True)
class PlannedStory:
    story: Story
    body: list[str]
    seconds: float  # its estimated share of the episode, pauses included


@dataclass
class DayPlan:
    """The editor's view of a day: what would be told, how long, and what is left out."""

    date: dt.date
    minutes: float
    seconds: float  # the whole episode's estimated length
    told: list[PlannedStory]
    left_out: list[Story]
    failures: list[str] = field(default_factory=list)


def plan_daily(channel: Channel, options: DailyOptions, *, report: Report = lambda line: None) -> DayPlan:
    """What ``run_daily`` would tell for ``options.date``, planned but not rendered, published or
    remembered (the sources are read; nothing is recorded as used)."""
    library_dir = channel.folder
    date = options.date.isoformat()
    with library_lock(library_dir, wait=options.wait):
        options = replace(options, framing=channel.settings.channel.framing())
        settings = source_settings(channel.settings, library_dir)
        library = channel.library
        stored = library.used_articles(date)
        stories = stories_from_used(stored)
        kept = day_fit_of(stored) if options.update else None
        failures: list[str] = []
        if stories and not options.update:
            stories = [replace(story, told=None) for story in stories]
        else:
            gathered = gather(settings, library, lambda problem: report(f"Skipped: {problem}"))
            failures = gathered.failures
            stories = stories_of_day(stories, order_candidates(gathered.candidates), settings)
    if not stories:
        _nothing_to_tell(date, failures)
    stories = _with_signals(stories, len(settings.specs))
    plan, script, _ = fit_day(stories, options, library_dir, kept)
    pace = speaking_pace(options.render.profile)
    sections = [section for section in script.sections if section.kind == "story"]
    told = [PlannedStory(story, body, estimated_seconds(replace(script, sections=[section]), pace))
            for (story, body), section in zip(plan, sections)]
    planned = {story.key for story, _ in plan}
    return DayPlan(options.date, options.minutes, estimated_seconds(script, pace), told,
                   [story for story in stories if story.key not in planned], failures)


def _with_signals(stories: list[Story], source_count: int) -> list[Story]:
    """Every story with its ranking signals (the stored ones get theirs again), in the same order."""
    signals = rank.signals([story_coverage(story) for story in stories], source_count)
    return [story if story.signals else replace(story, signals=signal) for story, signal in zip(stories, signals)]


# ---- ordering and duplicates -------------------------------------------------------------------

def order_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """Source rank first, then newest first; undated ones after the dated, in the order found."""
    indexed = list(enumerate(candidates))
    indexed.sort(key=lambda pair: (pair[1].rank, pair[1].timestamp is None, -(pair[1].timestamp or 0), pair[0]))
    return [candidate for _, candidate in indexed]


def stories_of_day(kept: list[Story], candidates: list[Candidate], settings: SourceSettings) -> list[Story]:
    """``kept`` (the day's stories already made, in their order) then the new articles as stories, ranked.

    New articles are grouped with each other and with the kept stories (see ``editor.stories``); one
    that joins a kept story is added to it, so it is remembered as used but its story is not told again."""
    if not candidates:
        return list(kept)
    items = [Item(article, coverage.outlet, coverage.timestamp, told=story.key)
             for story in kept for article, coverage in zip(_articles(story), story_coverage(story))]
    offset = len(items)
    found = [(candidate.key, candidate.article, coverage_of(candidate, settings)) for candidate in candidates]
    items += [Item(article, coverage.outlet, coverage.timestamp) for _, article, coverage in found]
    stories = list(kept)
    place = {story.key: index for index, story in enumerate(kept)}
    fresh: list[Story] = []
    for members in group(items):
        joining = [found[index - offset] for index in members if index >= offset]
        told = next((items[index].told for index in members if index < offset), None)
        if not joining:
            continue
        if told is None:
            fresh.append(_new_story(joining))
            continue
        story = stories[place[told]]
        stories[place[told]] = replace(
            story, merged=story.merged + tuple(key for key, _, _ in joining),
            merged_articles=story.merged_articles + tuple(article for _, article, _ in joining),
            coverage=story_coverage(story) + tuple(coverage for _, _, coverage in joining),
            arrived=story.arrived + tuple(article for _, article, _ in joining))
    return stories + ranked(fresh, len(settings.specs))


def coverage_of(candidate: Candidate, settings: SourceSettings) -> Coverage:
    outlet = candidate.outlet or candidate.origin
    link = candidate.origin if candidate.origin.startswith(("http://", "https://")) else None
    return Coverage(outlet, candidate.outlet_name, candidate.position, candidate.timestamp, candidate.rank,
                    settings.weight_of(outlet, candidate.outlet_name), link)


def ranked(stories: list[Story], source_count: int) -> list[Story]:
    """The stories most important first, each with the signals that put it there."""
    signals = rank.signals([story_coverage(story) for story in stories], source_count)
    return [replace(stories[index], signals=signals[index]) for index in rank.ranked(signals)]


def _new_story(articles: list[tuple[str, Article, Coverage]]) -> Story:
    lede = tell.lede_choice([article for _, article, _ in articles], [coverage.timestamp for _, _, coverage in articles])
    others = articles[:lede] + articles[lede + 1:]
    key, article, coverage = articles[lede]
    return Story(key, article, tuple(k for k, _, _ in others), tuple(a for _, a, _ in others),
                 coverage=(coverage,) + tuple(c for _, _, c in others))


def _articles(story: Story) -> tuple[Article, ...]:
    return (story.article,) + story.merged_articles


def story_coverage(story: Story) -> tuple[Coverage, ...]:
    """The story's coverage, one per article; a story stored before briefing kept it gets a plain one."""
    if len(story.coverage) == 1 + len(story.merged_articles):
        return story.coverage
    return tuple(Coverage(article.source, None, 0, None, 0) for article in _articles(story))


# ---- budget ------------------------------------------------------------------------------------

def plan_budget(stories: list[Story], minutes: float, date: dt.date,
                words_per_minute: float = WORDS_PER_MINUTE, processes: int = 1,
                framing: Framing = Framing()) -> list[tuple[Story, list[str]]]:
    """The stories that fit, each marked top or brief, and the sentences of its body (title not included).

    A story already told keeps what it said (and its place: the told come first); the others are
    shaped into a bulletin (``editor.bulletin``) as if the day were planned afresh. Their sentences are
    split on ``processes`` cores first, and their tellings made on as many when there are enough."""
    total = max(1, int(minutes * words_per_minute))
    untold = [article for story in stories if story.told is None for article in _articles(story)]
    split_ahead(untold, processes)
    # Planned as if afresh: a story already told keeps what it said, a new one gets the share it would
    # have had (so an update makes the episode longer by the new stories).
    needs = [_needs_of(story) for story in stories]
    slots = bulletin.shape(needs, max(1, total - _fixed_words(date, framing)))
    planned = {slot.index for slot in slots}
    slots = sorted(slots + [bulletin.Slot(index, story.brief, 0) for index, story in enumerate(stories)
                            if story.told is not None and index not in planned], key=lambda slot: slot.index)
    chosen = [replace(stories[slot.index], brief=slot.brief, needs=needs[slot.index]) if stories[slot.index].told is None
              else replace(stories[slot.index], needs=needs[slot.index]) for slot in slots]
    sharing = processes if len(chosen) - sum(story.told is not None for story in chosen) >= MIN_STORIES_TO_SHARE else 1
    bodies: list[list[str]] = map_forked(_story_body, [(story, slot.words) for story, slot in zip(chosen, slots)], sharing)
    return list(zip(chosen, bodies))


def _needs_of(story: Story) -> bulletin.Needs:
    """What the story asks of the bulletin: as stored when it took no new article since (an update
    then plans the told stories without telling them again), else worked out."""
    if story.needs is not None and not story.arrived:
        return story.needs
    return _needs(replace(story, told=None))


def _needs(story: Story) -> bulletin.Needs:
    title_words = len(story.article.title.split())
    credit = tell.attribution(story.credits) if story.multi_source else None
    overhead = 2 * title_words + len((credit or "").split())
    if story.multi_source:  # what its telling can say (repeats left out), not the sum of its articles
        material = _words(_story_body((story, sum(_body_words(article) for article in _articles(story)))))
    else:
        material = _body_words(story.article)
    return bulletin.Needs(story.multi_source, material, overhead, _brief_words(story.article))


def _story_body(story_and_share: tuple[Story, int]) -> list[str]:
    story, share = story_and_share
    if story.told is not None and not story.arrived:
        return list(story.told)
    articles = [_sentences_of(article) for article in _articles(story)]  # for first mentions in full
    if story.told is not None:
        told: list[str] = list(story.told)
        names = [coverage.name for coverage in story_coverage(story)[-len(story.arrived):]]
        arrived = articles[-len(story.arrived):]  # the articles that joined come last
        news: list[str] = tell.introduced(tell.update(told, arrived, bulletin.BRIEF_MAX_WORDS, names), articles, told)
        credited = bool(told) and told[-1].startswith(tell.CREDIT)  # the news goes before "Reported by …"
        return told[:-1] + news + told[-1:] if credited else told + news
    if story.brief:
        return tell.introduced(_brief_sentences(story.article), articles)
    others = articles[1:]
    lede = (tell.corroborated(articles[0], others, share) if others
            else _story_sentences(story.article, share))
    sources = [tell.Source(coverage.name, coverage.timestamp) for coverage in story_coverage(story)]
    body: list[str] = tell.telling(story.article.title, lede, others, share, sources) or lede[:1]
    credit = tell.attribution(story.credits) if story.multi_source else None
    return tell.introduced(body, articles) + (spoken_sentences(credit) if credit else [])


def _story_sentences(article: Article, words: int) -> list[str]:
    """Sentences of the chosen paragraphs within ``words``; never fewer than the lede's first."""
    chosen = [p for p in select(article, Budget(max(1, words))) if not p.is_heading]
    sentences: list[str] = []
    used = 0
    said = _sentences_said(article)
    for paragraph in chosen:
        for sentence in said(tell.without_dateline(paragraph.text)):
            count = len(sentence.split())
            if sentences and used + count > words:
                return sentences
            sentences.append(sentence)
            used += count
    return sentences


def _sentences_of(article: Article) -> list[str]:
    """An article's sentences in its order, for another article's telling to take new facts from."""
    sentences: list[str] = []
    said = _sentences_said(article)
    for paragraph in article.paragraphs:
        if not paragraph.is_heading:
            sentences += said(tell.without_dateline(paragraph.text))
        if len(sentences) >= MAX_SENTENCES_OFFERED:
            break
    return sentences[:MAX_SENTENCES_OFFERED]


def _brief_sentences(article: Article) -> list[str]:
    """One or two sentences from the top of the article: what a story told in brief says."""
    return _top_sentences(article, _sentences_said(article))


def _sentences_said(article: Article) -> Callable[[str], list[Spoken]]:
    """``spoken_sentences`` with the article's own acronyms ('the WAG'), kept inside shouted text
    of any of its paragraphs as ``make`` keeps them."""
    return functools.partial(spoken_sentences, acronyms=acronyms_in(" ".join(p.text for p in article.paragraphs)))


def _brief_words(article: Article) -> int:
    """The words of ``_brief_sentences``, counted from the written sentences (no speech rules run)."""
    return _words(_top_sentences(article, split_sentences))


def _top_sentences(article: Article, split: Callable[[str], Sequence[Told]]) -> list[Told]:
    sentences: list[Told] = []
    for paragraph in article.paragraphs:
        if paragraph.is_heading:
            continue
        for sentence in split(tell.without_dateline(paragraph.text)):
            if sentences and (len(sentences) == 2 or _words(sentences + [sentence]) > bulletin.BRIEF_MAX_WORDS):
                return sentences
            sentences.append(sentence)
    return sentences


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
    pace, target = speaking_pace(profile), options.minutes * 60.0
    processes = options.workers or cpu_count()

    def build(budgeted: float) -> tuple[list[tuple[Story, list[str]]], Script]:
        plan = plan_budget(stories, options.minutes, options.date, budgeted, processes, options.framing)
        return plan, build_daily_script(options.date, plan, profile.pauses, profile.drop_conversions, options.framing)

    if kept is not None and any(story.told is not None for story in stories):
        plan, script = build(kept.pace)
        fit = DayFit(kept.pace, kept.pause_stretch)
        stretch_pauses(script, fit.pause_stretch)
    else:
        fitted = fit_length(build, pace, target, previous.pace if previous is not None else None, DAY_FIT_ATTEMPTS)
        plan, script, fit = fitted.built, fitted.script, DayFit(fitted.budget, fitted.pause_stretch)
    load_lexicon(library_dir).respell_script(script)
    return plan, script, fit


def _fixed_words(date: dt.date, framing: Framing = Framing()) -> int:
    return len((_intro_text(date, 12, 12, framing) + " " + framing.outro_text(date)).split())


def _body_words(article: Article) -> int:
    return sum(p.word_count for p in article.paragraphs if not p.is_heading)


def _words(sentences: Sequence[str]) -> int:
    return sum(len(sentence.split()) for sentence in sentences)


# ---- the script --------------------------------------------------------------------------------

def build_daily_script(date: dt.date, plan: list[tuple[Story, list[str]]], pauses: Pauses,
                       drop_conversions: bool = False, framing: Framing = Framing()) -> Script:
    """Intro, the headlines (the top stories' titles), the top stories, the rest in brief, outro.

    Every story is its own section (a chapter titled with its headline, linking to its lede article);
    a story in brief says no title, and the first of them opens with "In brief"."""
    def spoken(text: str) -> list[Spoken]:
        return spoken_sentences(text, drop_conversions=drop_conversions)

    top = [story for story, _ in plan if not story.brief]
    headlines = Section("headlines", None, [
        segment(line, None, pauses.paragraph_ms) for story in top for line in spoken(as_sentence(headline(story)))
    ])
    sections = [intro_section(_intro_text(date, len(top), len(plan) - len(top), framing)), headlines]
    in_brief = False
    for story, body in plan:
        title = story.article.title
        if story.brief:
            segments = [] if in_brief else _segments(spoken(IN_BRIEF), pauses.sentence_ms)
            in_brief = True
        else:
            opening = getattr(body[0], "display", body[0]) if body else ""
            segments = [] if repeats_opening(title, opening) else _segments(spoken(as_sentence(headline(story))),
                                                                            pauses.sentence_ms)
            if segments:
                segments[-1].pause_after_ms = pauses.paragraph_ms
        segments += _segments(body, pauses.sentence_ms)
        sections.append(Section("story", title, segments, url=web_link(story.link or story.article.source)))
    sections.append(outro_section(framing.outro_text(date)))
    return Script(title=episode_title(date), sections=close_sections(sections, pauses),
                  source=f"daily:{date.isoformat()}", date=date.isoformat())


def headline(story: Story) -> str:
    """The story's title as said (in the round-up and before the story): a person it names by surname
    alone is named in full, as its articles name them ("Council leader Martin Greaves quits")."""
    return tell.headline(story.article.title, [_sentences_of(article) for article in _articles(story)])


def _segments(sentences: Sequence[str], pause_ms: int) -> list[Segment]:
    return [segment(sentence, None, pause_ms) for sentence in sentences]


def episode_title(date: dt.date) -> str:
    return f"Briefing for {date:%A} {date.day} {date:%B %Y}"


def _intro_text(date: dt.date, stories: int, briefs: int = 0, framing: Framing = Framing()) -> str:
    count = "One story" if stories == 1 else f"{_COUNTS.get(stories, str(stories))} stories"
    if briefs:
        count = count.replace("stor", "top stor", 1) + f", and {_COUNTS.get(briefs, str(briefs)).lower()} more in brief"
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
        if section.kind == "headlines":  # one line per top story, in the plan's order
            top = [story for story, _ in plan if not story.brief]
            return top[min(texts.index(text), len(top) - 1)] if top else None
    return None


def _story_failing_script(stories: list[Story], options: DailyOptions, library_dir: Path) -> Story | None:
    """The first story whose script, made alone, fails other than with a user's error; None if none does."""
    profile = options.render.profile
    lexicon = load_lexicon(library_dir)
    for story in stories:
        try:
            plan = plan_budget([story], options.minutes, options.date, framing=options.framing)
            lexicon.respell_script(build_daily_script(options.date, plan, profile.pauses, profile.drop_conversions,
                                                      options.framing))
        except BriefingError:
            continue
        except Exception:  # noqa: BLE001 - any failure of this story's text is the one being looked for
            return story
    return None


def _reject(library: Library, story: Story, reason: str) -> None:
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


def _render_and_publish(channel: Channel, script: Script, options: DailyOptions,
                        progress: pipeline.Progress | None, pool: SpeechPool | None,
                        keep_gain_db: float | None, guid: str,
                        replaces: tuple[str, ...]) -> tuple[Episode, float, list[str]]:
    headlines = "; ".join(s.heading for s in script.sections if s.kind == "story" and s.heading)
    made = pipeline.publish_script(script, pipeline.MakeOptions(
        voice=options.render.profile, engine=options.render.engine, chime=options.render.chime,
        audio=options.render.audio,
        workers=options.workers, library=channel.folder, kind="daily", description=f"Today: {headlines.rstrip('.')}.",
        keep_gain_db=keep_gain_db, adopt=options.adopt, guid=guid, replaces=replaces,
    ), channel, progress=progress, pool=pool)
    assert made.episode is not None
    return made.episode, made.gain_db, list(made.warnings)


def used_rows(date: str, plan: list[tuple[Story, list[str]]], fit: DayFit | None = None) -> list[UsedArticle]:
    rows = []
    for position, (story, body) in enumerate(plan):
        told = None if fit is None else json.dumps({
            "said": [[str(sentence), getattr(sentence, "display", str(sentence))] for sentence in body],
            "pace": fit.pace, "pause_stretch": fit.pause_stretch, "gain_db": fit.gain_db,
            "brief": story.brief, "needs": None if story.needs is None else asdict(story.needs)}, ensure_ascii=False)
        coverages = story_coverage(story)
        rows.append(UsedArticle(story.key, date, position, story.article.source, story.article.title,
                                article_to_json(story.article, coverages[0]), told=told))
        for key, article, coverage in zip(story.merged, story.merged_articles, coverages[1:]):
            rows.append(UsedArticle(key, date, position, article.source, article.title,
                                    article_to_json(article, coverage), merged_into=story.key))
    return rows


def stories_from_used(rows: list[UsedArticle]) -> list[Story]:
    stories: dict[str, Story] = {}
    for row in rows:
        if row.merged_into is None:
            said = _told(row)
            stories[row.key] = Story(row.key, article_from_json(row.article), told=None if said is None else tuple(
                Spoken(text, display) for text, display in said["said"]),
                coverage=(coverage_from_json(row.article),), brief=bool(said and said.get("brief")),
                needs=_stored_needs(said))
    for row in rows:
        story = stories.get(row.merged_into or "")
        if story is not None:
            stories[story.key] = replace(story, merged=story.merged + (row.key,),
                                         merged_articles=story.merged_articles + (article_from_json(row.article),),
                                         coverage=story.coverage + (coverage_from_json(row.article),))
    return list(stories.values())


def day_fit_of(rows: list[UsedArticle]) -> DayFit | None:
    """How the day's stored episode was fitted (None for a day stored before briefing kept it)."""
    told = next((said for said in map(_told, rows) if said is not None), None)
    if told is None:
        return None
    return DayFit(float(told["pace"]), float(told["pause_stretch"]),
                  None if told["gain_db"] is None else float(told["gain_db"]))


def _stored_needs(said: dict | None) -> bulletin.Needs | None:
    """A told story's stored needs; None when they were not stored (an older briefing) or are unreadable."""
    stored = (said or {}).get("needs")
    if not isinstance(stored, dict):
        return None
    try:
        return bulletin.Needs(bool(stored["multi_source"]), int(stored["top_words"]), int(stored["top_overhead"]),
                              int(stored["brief_words"]))
    except (KeyError, TypeError, ValueError):
        return None


def _told(row: UsedArticle) -> dict | None:
    return None if row.told is None else json.loads(row.told)


def article_to_json(article: Article, coverage: Coverage | None = None) -> str:
    data: dict[str, object] = {
        "title": article.title, "source": article.source, "format": article.format, "byline": article.byline,
        "paragraphs": [[p.text, p.source, p.section, p.is_heading] for p in article.paragraphs],
    }
    if coverage is not None:
        data["coverage"] = asdict(coverage)
    return json.dumps(data, ensure_ascii=False)


def coverage_from_json(stored: str) -> Coverage:
    """Who published a stored article and where; a plain one for an article stored before briefing kept it."""
    data = json.loads(stored)
    known = data.get("coverage")
    if not isinstance(known, dict):
        return Coverage(data["source"], None, 0, None, 0)

    def text(name: str) -> str | None:
        value = known.get(name)
        return value if isinstance(value, str) else None

    def number(name: str) -> float | None:
        value = known.get(name)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    return Coverage(text("outlet") or data["source"], text("name"), int(number("position") or 0), number("timestamp"),
                    int(number("source_rank") or 0), 1.0 if number("weight") is None else known["weight"], text("link"))


def article_from_json(text: str) -> Article:
    data = json.loads(text)
    paragraphs = [Paragraph(text=t, source=s, section=k, is_heading=h) for t, s, k, h in data["paragraphs"]]
    return Article(title=data["title"], paragraphs=paragraphs, source=data["source"], format=data["format"],
                   byline=data["byline"])
