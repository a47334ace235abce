"""The one place that runs the stages in order: read → clean → select → script → speak → assemble → publish."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import stat
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mutagen import MutagenError

from briefing.audio.cache import RenderCache
from briefing.channel import Channel
from briefing.text.clean import clean
from briefing.errors import BriefingError, UsageError
from briefing.library import identity
from briefing.audio.formats import FORMATS, OutputFormat, format_of, output_format
from briefing.system.fsutil import (
    PUBLIC_FILE_MODE,
    atomic_path,
    clone_or_copy,
    remove_stale_leftovers,
    temporary_folder,
    temporary_name,
)
from briefing.text.speech.lexicon import load_lexicon
from briefing.model import Article, Episode, Paragraph, PieceGrid, Script
from briefing.library.objectstore import UploadReport, publish_target
from briefing.readers import ReadOptions, read_source, require_article_text
from briefing.text.fitting import Fitted, fit_length, speaking_pace
from briefing.text.script import Framing, build_script
from briefing.text.selection import Budget, select
from briefing.library.sidefiles import side_names, side_path, side_paths
from briefing.system.textsafety import headline, strip_controls
from briefing.voices import VoiceProfile, asked_profile, fallback_profile, load_profile

if TYPE_CHECKING:
    from briefing.audio.speak import SpeechPool
    from briefing.library.store import Library

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderOptions:
    profile: VoiceProfile
    engine: str | None = None  # overrides the profile's engine
    chime: bool = False
    album: str = "Briefing"  # the album tag: the channel's title ([channel] title)
    audio: str | None = None  # the output format's name; None: the default format
    keep_gain_db: float | None = None  # an earlier version's gain, kept if still near the aim (audio.normalising_gain)


@dataclass
class Rendered:
    """The files of a finished briefing, all beside the audio file."""

    audio: Path
    script: Script
    duration_s: float
    side_files: dict[str, Path] = field(default_factory=dict)
    profile: VoiceProfile | None = None  # the profile that actually spoke (the fallback, if it had to)
    gain_db: float = 0.0  # the loudness gain applied
    uploaded: UploadReport | None = None  # what went to object storage ([publish]), when it did


def load_article(source: str, options: ReadOptions | str | None = None) -> Article:
    """Read and clean one article; ``options`` may be just a format name."""
    article = clean(read_source(source, options))
    require_article_text((p.text for p in article.paragraphs if not p.is_heading), article.source)
    return article


def summarise(article: Article, budget: Budget) -> list[Paragraph]:
    return select(article, budget)


def make_script(article: Article, budget: Budget, profile: VoiceProfile, date: str | None = None,
                library_dir: Path | None = None, framing: Framing = Framing()) -> Script:
    """The narration script; its spoken text respelled by the lexicon (shipped, then ``library_dir``'s)."""
    chosen = summarise(article, budget)
    script = build_script(article, chosen, profile.pauses, drop_conversions=profile.drop_conversions, date=date,
                          framing=framing)
    load_lexicon(library_dir).respell_script(script)
    return script


def slugify(text: str, max_length: int = 60) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "briefing"


def default_output(title: str, output_dir: Path, audio: str | None = None) -> Path:
    return output_dir / f"{slugify(title)}{output_format(audio).suffix}"


def check_outputs(output: Path) -> None:
    """Refuse to replace anything but a regular file: the rename would swap a device or FIFO for an episode."""
    for path in [output, *side_paths(output).values()]:
        try:
            mode = path.stat().st_mode  # follows a symlink to what it names
        except FileNotFoundError:
            continue
        except OSError as error:
            raise BriefingError(f"{path}: cannot write here: {error.strerror}") from None
        if not stat.S_ISREG(mode):
            raise BriefingError(f"{path}: exists and is not a regular file; choose another output")


def render(
    script: Script, options: RenderOptions, output: Path, progress: Progress | None = None,
    workers: int | None = None, *, cache: RenderCache | None = None, pool: SpeechPool | None = None,
) -> Rendered:
    """Speak every segment, assemble, normalise, export; write the audio and its side files atomically.

    ``workers`` speech processes (default: one per core other programs leave free, or those already
    started in ``pool``) share the segments; clips in ``cache`` are not spoken again. When the
    profile's engine cannot load, the classic voice speaks instead.
    """
    from briefing.audio import assemble as audio
    from briefing.audio.speak import EngineUnavailable

    check_outputs(output)  # before the slow part, so a bad -o fails at once
    if not script.segments():
        raise BriefingError(f"{script.source}: nothing to narrate")
    profile = asked_profile(options.profile, options.engine)
    audio_format = output_format(options.audio)
    # Pieces an encoder could take from the cache another time; without a cache, cut where it is quickest.
    grid = audio_format.piece_grid if cache is not None else None
    try:
        episode_audio = _assemble(script, profile, options.chime, progress, workers, cache, pool, grid)
    except EngineUnavailable as error:  # checked in the worker, so the engine loads once per process
        profile = fallback_profile(profile, error, options.engine)
        episode_audio = _assemble(script, profile, options.chime, progress, workers, cache, grid=grid)
    try:
        gain = audio.normalising_gain(episode_audio, audio_format.encoder_loss_lu, audio_format.peak_ceiling_dbfs,
                                      keep=options.keep_gain_db)
        duration = episode_audio.duration_s
        try:
            side = _write_files(script, profile, output, episode_audio, gain, duration, options.album,
                                audio_format, workers, cache)
        except (OSError, MutagenError) as error:  # permission denied, read-only or full disk: nothing renamed
            raise BriefingError(f"{output}: cannot write: {_reason(error)}") from None
    finally:
        episode_audio.close()
    if cache is not None:
        cache.evict()
    return Rendered(audio=output, script=script, duration_s=duration, side_files=side,
                    profile=profile, gain_db=gain)


def _assemble(script: Script, profile: VoiceProfile, chime: bool, progress: Progress | None, workers: int | None,
              cache: RenderCache | None, pool: SpeechPool | None = None, grid: PieceGrid | None = None):
    from briefing.audio import assemble as audio
    from briefing.audio.speak import speak_all

    segments = script.segments()
    speeches = speak_all([s.text for s in segments], profile.engine, profile.settings, workers, cache=cache,
                         pool=pool)
    section_starts = {id(section.segments[0]) for section in script.sections[1:] if section.segments}
    assembler = None
    for done, (segment, speech) in enumerate(zip(segments, speeches), start=1):
        if assembler is None:
            assembler = audio.Assembler(speech.sample_rate, chime=chime, grid=grid)
        if id(segment) in section_starts:
            assembler.start_section()
        assembler.add_speech(segment, speech)
        if progress:
            progress(done, len(segments))
    assert assembler is not None
    return assembler.finish()


def _write_files(script: Script, profile: VoiceProfile, output: Path, episode_audio, gain: float,
                 duration: float, album: str, audio_format: OutputFormat, jobs: int | None = None,
                 cache: RenderCache | None = None) -> dict[str, Path]:
    """Side files first, the cover drawn while ffmpeg encodes, the audio renamed into place last."""
    from briefing.audio import chapters
    from briefing.audio import cover
    from briefing.audio import formats

    date_text = script.date or dt.date.today().isoformat()
    side = side_paths(output)
    chapter_list = chapters.chapter_list(script, duration)
    timing = script.to_json() | {"duration": round(duration, 3), "voice": profile.name, "engine": profile.engine,
                                 "engine_voice": profile.settings.voice or profile.settings.model}
    with ExitStack() as stack:  # every file under a temporary name until all succeeded; the audio appears last
        audio_tmp = stack.enter_context(atomic_path(output))
        tmp = {key: stack.enter_context(atomic_path(path)) for key, path in side.items()}
        # The show's name above the episode's title, so the art says whose episode it is.
        drawing = _in_thread(functools.partial(cover.make_cover, subtitle=album), script.title,
                             _spoken_date(date_text), tmp["cover"])
        try:
            formats.encode(episode_audio, audio_tmp, gain, audio_format, jobs,
                           cache.encoded if cache is not None else None)
        finally:
            drawing.join()  # before the temporary files are cleaned up, even when encoding failed
        if drawing.error:
            raise drawing.error
        audio_format.write_tags(audio_tmp, formats.Tags(title=script.title, date=date_text, album=album,
                                                         chapters=tuple(chapter_list), cover=tmp["cover"]))
        # Plain writes: atomic_path already renames every file into place together.
        # A lone surrogate becomes its JSON escape rather than stopping the write.
        tmp["timing"].write_text(json.dumps(timing, indent=2, ensure_ascii=False) + "\n", encoding="utf-8",
                                 errors="backslashreplace")
        tmp["text"].write_text(strip_controls(script.to_text(display=True)), encoding="utf-8")  # served: people read it
        tmp["transcript"].write_text(chapters.vtt_text(script), encoding="utf-8")
        tmp["chapters"].write_text(chapters.chapters_json_text(chapter_list, script.title), encoding="utf-8")
    return side


class _Task(threading.Thread):
    def __init__(self, function, *args) -> None:
        super().__init__(daemon=True)
        self._function, self._args = function, args
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._function(*self._args)
        except BaseException as error:  # re-raised by the caller after join()
            self.error = error


def _reason(error: BaseException) -> str:
    # mutagen wraps the OSError of a failed save; its strerror says it best ("No space left on device").
    cause = error.__context__ if isinstance(error, MutagenError) else error
    return getattr(cause, "strerror", None) or str(error)


def _in_thread(function, *args) -> _Task:
    task = _Task(function, *args)
    task.start()
    return task


def _spoken_date(iso_date: str) -> str:
    try:
        return dt.date.fromisoformat(iso_date[:10]).strftime("%A %-d %B %Y")
    except ValueError:
        return iso_date


def publish_rendered(rendered: Rendered, channel: Channel, *, source: str, voice: str, guid: str,
                     kind: str = "article", description: str = "", replaces: Iterable[str] = (),
                     link: bool = False) -> tuple[Episode, list[str]]:
    """Give the files content-addressed names in the library (new audio, new URL) and record the episode
    in place of the episodes ``replaces`` names. The caller holds the library lock.

    ``link``: the rendered files are a work copy deleted after this, so a hard link may stand for a
    copy; otherwise (the user's ``-o`` file) the library gets its own copy (a reflink where the file
    system has them), so changing either file never changes the other.

    Returns the episode and warning lines (see ``publish.publish``): it is in the feed even when there are some.
    """
    from briefing.library.store import EPISODES_DIR
    from briefing.library.publish import publish, remove_files

    library_dir = channel.folder
    library = channel.library  # a lost or damaged library is refused before any file is added
    digest = _file_digest(rendered.audio)[:10]
    episodes_dir = library_dir / EPISODES_DIR
    episodes_dir.mkdir(parents=True, exist_ok=True)
    audio = episodes_dir / f"{slugify(rendered.script.title, 48)}-{digest}{rendered.audio.suffix}"
    placed = {"audio": (rendered.audio, audio)}
    placed |= {side: (path, side_path(audio, side)) for side, path in rendered.side_files.items()}
    names: dict[str, str] = {}
    written: list[Path] = []  # the files this publish adds: removed again if it fails
    try:
        for key, (path, target) in placed.items():
            if _place(path, target, link):
                written.append(target)
            names[key] = str(target.relative_to(library_dir))
    except BriefingError:
        remove_files(written)
        raise
    episode = Episode(
        guid=guid,
        title=rendered.script.title,
        published=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        audio_path=names["audio"],
        size_bytes=(library_dir / names["audio"]).stat().st_size,
        duration_s=round(rendered.duration_s, 3),
        source=source,
        voice=rendered.profile.speaker if rendered.profile else voice,
        description=description or _description(rendered.script),
        transcript_path=names.get("transcript"),
        chapters_path=names.get("chapters"),
        cover_path=names.get("cover"),
        script_path=names.get("text"),
        kind=kind,
        timing_path=names.get("timing"),
    )
    return episode, publish(library_dir, episode, written, replaces, config=channel.settings, library=library)


def _description(script: Script) -> str:
    lede = next((s for s in script.sections if s.kind in ("lede", "story")), None)
    return " ".join(segment.display for segment in lede.segments) if lede else script.title


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _place(source: Path, target: Path, link: bool) -> bool:
    """Put ``source`` at ``target`` whole: a hard link (no space) when ``link``, else, or across file
    systems, a copy. A target already there has this content (its name holds the content's hash):
    False, nothing written."""
    if target.exists():
        return False
    temporary = temporary_name(target)
    try:
        linked = False
        if link:
            try:
                os.link(source, temporary)
                linked = True
            except OSError:
                pass  # another file system: copy
        if not linked:
            clone_or_copy(source, temporary)
            os.chmod(temporary, PUBLIC_FILE_MODE)  # served, whatever the umask
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise BriefingError(f"{target}: cannot write: {error.strerror or error}") from None
    return True


# ---- the one make path: article (or a ready script) → episode, published ---------------------------

# Budgets tried when fitting a length in minutes: each is a selection and a script, no audio.
MIN_BUDGET_WORDS = 1  # the selection still says the lede's first sentence


@dataclass(frozen=True)
class MakeOptions:
    """How ``make_episode`` makes an episode; every field defaults as ``briefing make`` does.

    Length: ``minutes`` (fitted to the voice's measured pace), else ``max_words`` of the article,
    else ``everything`` (the whole cleaned article), else 250 words.
    """

    minutes: float | None = None
    max_words: int | None = None
    everything: bool = False
    voice: str | VoiceProfile | None = None  # a profile name, a TOML path or a loaded profile
    engine: str | None = None  # overrides the profile's engine
    chime: bool = False
    workers: int | None = None  # speech processes; None: one per core
    format: str | None = None  # the input format (default: detect)
    allow_private_urls: bool = False
    drop: tuple[str, ...] = ()  # CSS selectors removed before extraction, besides [extract] drop
    title: str | None = None  # instead of the article's own (standard input has none)
    library: Path | str | None = None  # default: $BRIEFING_HOME, else ./output
    output: Path | str | None = None  # the audio file (default: published into the library only)
    audio: str | None = None  # the output format; default: the output's suffix, else [channel] audio
    publish: bool = True
    kind: str = "article"  # recorded with the episode: "article" or "daily"
    description: str = ""  # the feed item's text (default: the lede as narrated)
    upload: bool = True  # then upload to [publish] url, if any; False when the caller uploads (daily)
    wait: float = 600.0  # seconds to wait for another holder of the library lock before LibraryBusy
    keep_gain_db: float | None = None  # an earlier version's gain, kept if still near the aim
    adopt: bool = False  # a first run may replace a feed, page or cover briefing did not write
    guid: str | None = None  # the episode's GUID; default: from its content (see briefing.library.identity)
    replaces: tuple[str, ...] = ()  # GUIDs of episodes this one takes the place of in the feed

    def budget(self) -> Budget:
        if (self.max_words is not None) + (self.minutes is not None) + self.everything > 1:
            raise UsageError("choose one of minutes, max_words and everything")
        return Budget.from_options(self.max_words, None, self.everything)

    def profile(self) -> VoiceProfile:
        return self.voice if isinstance(self.voice, VoiceProfile) else load_profile(self.voice)


@dataclass(frozen=True)
class MadeEpisode:
    """What ``make_episode`` made: the script, where its audio is, and the published record."""

    script: Script
    audio: Path  # the output file, else the published file in the library's episodes/ folder
    duration_s: float
    episode: Episode | None  # None when not published
    gain_db: float = 0.0  # the loudness gain applied
    uploaded: UploadReport | None = None  # what went to object storage ([publish]), when it did
    warnings: tuple[str, ...] = ()  # what failed after the episode was published (it is in the feed)


def make_episode(source: str | Script, options: MakeOptions | None = None, *,
                 progress: Progress | None = None, pool: SpeechPool | None = None,
                 channel: Channel | None = None) -> MadeEpisode:
    """Make one episode of ``source`` (a file, ``-`` for standard input, a URL, or a ready Script) and publish it.

    Reads, cleans, selects and scripts the article, renders the audio with its side files, then —
    holding the library lock — records the episode, regenerates the feed and page, and retires the
    episodes ``[channel] keep`` / ``keep_days`` no longer keep. Raises ``BriefingError``s. Speech
    workers the caller started early (``pool``) are used if they suit the voice. A caller making
    several episodes resolves the ``channel`` once (``Channel.resolve(options.library)``) and passes it.
    """
    options = options or MakeOptions()
    if channel is not None:
        return _make(source, options, channel, progress, pool)
    with Channel.resolve(options.library) as resolved:
        return _make(source, options, resolved, progress, pool)


def _make(source: str | Script, options: MakeOptions, channel: Channel, progress: Progress | None,
          pool: SpeechPool | None) -> MadeEpisode:
    from briefing.library.locking import library_lock
    from briefing.library.objectstore import upload_library
    from briefing.library.publish import refuse_foreign_files
    from briefing.library.store import EPISODES_DIR

    library_dir, config = channel.folder, channel.settings
    if options.output is not None:  # before the slow part, so a bad -o fails at once
        # Unpublished, the library folder is where the audio goes by default: only its episodes are out of bounds.
        check_output(Path(options.output), [] if isinstance(source, Script) else [source],
                     library_dir if options.publish else library_dir / EPISODES_DIR)
    if options.publish:  # before anything is written, and before the slow part
        refuse_foreign_files(library_dir, options.adopt, config=config, library=channel.stored_library())
    remove_stale_leftovers(library_dir, library_dir / EPISODES_DIR)
    if options.publish and options.upload:
        # a [publish] that cannot work is refused before rendering
        publish_target(library_dir, config, library=channel.stored_library())
    profile = options.profile() if options.voice is not None else load_profile(config.channel.voice)
    article: Article | None = None
    if isinstance(source, Script):
        script = source
    else:
        script, article = _script_of(source, options, profile, channel)
    with _rendered(script, options, channel, profile, source, progress, pool) as rendered:
        if not options.publish:
            return MadeEpisode(script, rendered.audio, rendered.duration_s, None, rendered.gain_db)
        with library_lock(library_dir, wait=options.wait):  # one publisher at a time
            episode, warnings = _publish(rendered, source, article, options, channel, profile)
            uploaded = upload_library(library_dir, config, library=channel.library) if options.upload else None
    audio = rendered.audio if options.output is not None else library_dir / episode.audio_path
    return MadeEpisode(script, audio, rendered.duration_s, episode, rendered.gain_db, uploaded, tuple(warnings))


def publish_script(script: Script, options: MakeOptions, channel: Channel, *,
                   progress: Progress | None = None, pool: SpeechPool | None = None) -> MadeEpisode:
    """Render a ready ``script`` and publish it into ``channel``, as ``make_episode`` does, for a caller
    that holds the library lock for a longer job (the daily run); nothing is uploaded."""
    profile = options.profile() if options.voice is not None else load_profile(channel.settings.channel.voice)
    with _rendered(script, options, channel, profile, script, progress, pool) as rendered:
        episode, warnings = _publish(rendered, script, None, options, channel, profile)
    return MadeEpisode(script, channel.folder / episode.audio_path, rendered.duration_s, episode,
                       rendered.gain_db, None, tuple(warnings))


@contextmanager
def _rendered(script: Script, options: MakeOptions, channel: Channel, profile: VoiceProfile,
              source: str | Script, progress: Progress | None, pool: SpeechPool | None) -> Iterator[Rendered]:
    """The script rendered where ``options`` ask (a published episode's work copy is deleted after the block)."""
    from briefing.audio.cache import open_cache

    settings = channel.settings.channel
    render_options = RenderOptions(profile=profile, engine=options.engine, chime=options.chime,
                                   album=settings.title, audio=_audio_format(options, settings.audio).name,
                                   keep_gain_db=options.keep_gain_db)
    with _render_target(options, script, channel.folder, render_options.audio, source) as target:
        # --no-publish leaves the library alone: its speech cache too
        cache = open_cache(channel.folder, settings.cache_mb, settings.cache_dir) if options.publish else None
        yield render(script, render_options, target, progress, workers=options.workers, cache=cache, pool=pool)


def _script_of(source: str, options: MakeOptions, profile: VoiceProfile,
               channel: Channel) -> tuple[Script, Article]:
    budget = options.budget()
    article = load_article(source, ReadOptions(
        format=options.format, drop=(*channel.settings.drop, *options.drop),
        allow_private_urls=options.allow_private_urls))
    if options.title is not None and options.title.strip():
        article = replace(article, title=headline(options.title))
    framing = channel.settings.channel.framing()
    if options.minutes is not None:
        return fit_script(article, options.minutes, profile, channel.folder, framing=framing), article
    return make_script(article, budget, profile, library_dir=channel.folder, framing=framing), article


def fit_script(article: Article, minutes: float, profile: VoiceProfile, library_dir: Path | None = None,
               date: str | None = None, framing: Framing = Framing()) -> Script:
    """The script that plays nearest ``minutes`` at the voice's pace, intro, outro and pauses included
    (``text.fitting``)."""
    return _fitted(article, minutes, profile, library_dir, date, framing).script


def fitted_budget(article: Article, minutes: float, profile: VoiceProfile, framing: Framing = Framing()) -> Budget:
    """The word budget whose script plays nearest ``minutes`` at the voice's pace: what ``make --minutes``
    says of the article, which ``extract --minutes`` shows."""
    return _fitted(article, minutes, profile, None, None, framing).built


def _fitted(article: Article, minutes: float, profile: VoiceProfile, library_dir: Path | None,
            date: str | None, framing: Framing) -> Fitted[Budget]:
    def build(words_a_minute: float) -> tuple[Budget, Script]:
        budget = Budget(max(MIN_BUDGET_WORDS, round(minutes * words_a_minute)))
        return budget, make_script(article, budget, profile, date=date, library_dir=library_dir, framing=framing)

    return fit_length(build, speaking_pace(profile), minutes * 60.0)


@contextmanager
def _render_target(options: MakeOptions, script: Script, library_dir: Path, audio: str | None,
                   source: str | Script) -> Iterator[Path]:
    """Where to render: the output asked for; unpublished, the library folder; else a work folder.

    A published episode lives in ``episodes/`` only: its work copy is deleted once it is published.
    """
    if options.output is not None:
        target = Path(options.output)
    elif not options.publish:
        target = default_output(script.title, library_dir, audio)
        check_output(target, [] if isinstance(source, Script) else [source])
    else:
        with temporary_folder("render") as work:
            yield default_output(script.title, work, audio)
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BriefingError(f"{target}: cannot write here: {error.strerror}") from None
    yield target


def _audio_format(options: MakeOptions, channel_audio: str) -> OutputFormat:
    """The format asked for, else the one the output file's name ends in, else the channel's."""
    named = format_of(options.output) if options.output is not None else None
    chosen = output_format(options.audio or (named.name if named else channel_audio))
    if named is not None and named is not chosen:
        raise UsageError(f"{options.output}: the name ends in {named.suffix}, but the audio format is {chosen.name}")
    return chosen


def _publish(rendered: Rendered, source: str | Script, article: Article | None, options: MakeOptions,
             channel: Channel, profile: VoiceProfile) -> tuple[Episode, list[str]]:
    """Record the rendered episode and retire what the channel no longer keeps; under the library lock."""
    from briefing.library.retention import apply_retention

    named = source.source if isinstance(source, Script) else source
    guid = options.guid or _content_guid(channel.library, rendered.script, article, named)
    episode, warnings = publish_rendered(rendered, channel, source=named, voice=profile.name, guid=guid,
                                         kind=options.kind, description=options.description,
                                         replaces=options.replaces, link=options.output is None)
    try:
        apply_retention(channel.folder, channel.settings, published=episode.guid, library=channel.library)
    except BriefingError as error:  # the episode is in the feed: a user must not take it for lost
        warnings.append(f"older episodes not retired yet: {error.message}")
    return episode, warnings


def _content_guid(library: Library, script: Script, article: Article | None, source: str) -> str:
    """The GUID of what the episode is (``briefing.library.identity``); an episode an earlier briefing recorded
    under its input's path keeps that GUID when the same article (by its title) is made again."""
    # Standard input had no name: the article's title stood for it.
    earlier_key = f"stdin:{script.title}" if source == "-" else source
    earlier = library.get(identity.legacy_guid(earlier_key))
    if earlier is not None and earlier.title == script.title:
        return earlier.guid
    digest = identity.article_digest(article) if article is not None else identity.script_digest(script)
    return identity.article_guid(library.identity(), digest)


# ---- what -o may name -------------------------------------------------------------------------------

# A timing file holds these keys (its public contract): the mark that briefing wrote the files beside it.
_TIMING_MARK = {"title", "sections", "duration", "voice"}
_MAX_TIMING_BYTES = 64 << 20  # an hour-long episode's is well under 1 MB


def check_output(output: Path, sources: Iterable[str], library_dir: Path | None = None) -> None:
    """Refuse (``UsageError``, exit 2) an output that is not a new audio file of briefing's own.

    Refused: a name with no audio format's suffix; a folder; a symbolic link (at the name or at one of
    its side files); the article being read or one of its side-file names; a file inside ``library_dir``
    (the library, which keeps its own copy in ``episodes/``); and a name where something already lies
    that briefing did not write. Files briefing wrote there before (its timing file says so) are replaced.
    """
    if output.is_dir():
        raise UsageError(f"{output}: is a folder; name the audio file to write")
    names = [output, *side_paths(output).values()]
    for read in (Path(source) for source in sources if _is_file_source(source)):
        for name in names:
            if _same_file(name, read):
                raise UsageError(f"{name}: is the article being read; choose another output")
    for name in names:
        if name.is_symlink():
            raise UsageError(f"{name}: is a symbolic link; name the file itself")
    if format_of(output) is None:
        known = " or ".join(f"{fmt.suffix}" for fmt in FORMATS.values())
        raise UsageError(f"{output}: not an audio file name; end it in {known}")
    if library_dir is not None and _is_inside(output, library_dir):
        raise UsageError(f"{output}: is inside the library ({library_dir}), which keeps its own copy of each "
                         "episode; choose a file outside it")
    existing = [name for name in names if os.path.lexists(name)]
    if existing and not _written_by_briefing(output):
        raise UsageError(f"{existing[0]}: exists and briefing did not write it; choose another output")


def _is_file_source(source: str) -> bool:
    return source != "-" and not source.startswith(("http://", "https://"))


def _same_file(name: Path, other: Path) -> bool:
    if os.path.realpath(name) == os.path.realpath(other):
        return True
    try:
        return os.path.samefile(name, other)  # a hard link of the input
    except OSError:
        return False


def _is_inside(path: Path, folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def _written_by_briefing(audio: Path) -> bool:
    """Whether a timing file of briefing's lies beside ``audio`` (under its name, or an older briefing's)."""
    for timing in side_names(audio, "timing"):
        try:
            if not timing.is_file() or timing.stat().st_size > _MAX_TIMING_BYTES:
                continue
            data = json.loads(timing.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and _TIMING_MARK <= data.keys():
            return True
    return False
