"""The one place that runs the stages in order: read → clean → select → script → speak → assemble → publish."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import threading
import unicodedata
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from briefing.clean import clean
from briefing.errors import BriefingError
from briefing.fsutil import atomic_path
from briefing.model import Article, Episode, Paragraph, Script
from briefing.readers import read_source
from briefing.script import build_script
from briefing.select import Budget, select
from briefing.voices import VoiceProfile

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderOptions:
    profile: VoiceProfile
    engine: str | None = None  # overrides the profile's engine
    chime: bool = False


@dataclass
class Rendered:
    """The files of a finished briefing, all beside the MP3."""

    audio: Path
    script: Script
    duration_s: float
    loudness_gain_db: float
    side_files: dict[str, Path] = field(default_factory=dict)


def load_article(source: str, format: str | None = None) -> Article:
    return clean(read_source(source, format))


def summarise(article: Article, budget: Budget) -> list[Paragraph]:
    return select(article, budget)


def make_script(article: Article, budget: Budget, profile: VoiceProfile, date: str | None = None) -> Script:
    chosen = summarise(article, budget)
    return build_script(article, chosen, profile.pauses, drop_conversions=profile.drop_conversions, date=date)


def slugify(text: str, max_length: int = 60) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "briefing"


def default_output(title: str, output_dir: Path) -> Path:
    return output_dir / f"{slugify(title)}.mp3"


def side_path(audio: Path, suffix: str) -> Path:
    return audio.with_name(audio.stem + suffix)


def render(
    script: Script, options: RenderOptions, output: Path, progress: Progress | None = None, workers: int = 1
) -> Rendered:
    """Speak every segment, assemble, normalise, export; write the MP3 and its side files atomically."""
    from briefing import audio

    segments = script.segments()
    if not segments:
        raise BriefingError(f"{script.source}: nothing to narrate")
    assembler = _assemble(script, options, progress, workers)
    episode_audio, trial_loudness = assembler.finish()
    gain = audio.normalising_gain(episode_audio, trial_loudness)
    duration = len(episode_audio) / 1000.0
    side = _write_files(script, options.profile, output, episode_audio, gain, duration)
    return Rendered(audio=output, script=script, duration_s=duration, loudness_gain_db=gain, side_files=side)


def _assemble(script: Script, options: RenderOptions, progress: Progress | None, workers: int):
    from briefing import audio
    from briefing.speak import speak_all

    profile = options.profile
    segments = script.segments()
    speeches = speak_all([s.text for s in segments], options.engine or profile.engine, profile.settings, workers)
    section_starts = {id(section.segments[0]) for section in script.sections[1:] if section.segments}
    assembler = None
    for done, (segment, speech) in enumerate(zip(segments, speeches), start=1):
        if assembler is None:
            assembler = audio.Assembler(speech.sample_rate, chime=options.chime)
        if id(segment) in section_starts:
            assembler.add_section_chime()
        assembler.add_speech(segment, speech)
        if progress:
            progress(done, len(segments))
    return assembler


def _write_files(script: Script, profile: VoiceProfile, output: Path, episode_audio, gain: float,
                 duration: float) -> dict[str, Path]:
    """Side files first, the cover drawn while ffmpeg encodes, the MP3 renamed into place last."""
    from briefing import audio, chapters, cover

    date_text = script.date or dt.date.today().isoformat()
    side = {
        "text": side_path(output, ".txt"),
        "timing": side_path(output, ".json"),
        "transcript": side_path(output, ".vtt"),
        "chapters": side_path(output, ".chapters.json"),
        "cover": side_path(output, ".png"),
    }
    chapter_list = chapters.chapter_list(script, duration)
    timing = script.to_json() | {"duration": round(duration, 3), "voice": profile.name}
    with ExitStack() as stack:  # every file under a temporary name until all succeeded; the MP3 appears last
        mp3_tmp = stack.enter_context(atomic_path(output))
        tmp = {key: stack.enter_context(atomic_path(path)) for key, path in side.items()}
        drawing = _in_thread(cover.make_cover, script.title, _spoken_date(date_text), tmp["cover"])
        try:
            audio.export_mp3(episode_audio, mp3_tmp, audio.Tags(title=script.title, date=date_text), gain)
        finally:
            drawing.join()  # before the temporary files are cleaned up, even when encoding failed
        if drawing.error:
            raise drawing.error
        # The cover first: its save grows the tag, so the chapters' save then fits without moving the audio.
        cover.embed_cover(mp3_tmp, tmp["cover"])
        chapters.write_id3_chapters(mp3_tmp, chapter_list)
        # Plain writes: atomic_path already renames every file into place together.
        tmp["timing"].write_text(json.dumps(timing, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp["text"].write_text(script.to_text(), encoding="utf-8")
        tmp["transcript"].write_text(chapters.vtt_text(script), encoding="utf-8")
        tmp["chapters"].write_text(chapters.chapters_json_text(chapter_list, script.title), encoding="utf-8")
    return side


class _Task(threading.Thread):
    def __init__(self, function, *args) -> None:
        super().__init__(daemon=True)
        self._function, self._args, self.error = function, args, None

    def run(self) -> None:
        try:
            self._function(*self._args)
        except BaseException as error:  # re-raised by the caller after join()
            self.error = error


def _in_thread(function, *args) -> _Task:
    task = _Task(function, *args)
    task.start()
    return task


def _spoken_date(iso_date: str) -> str:
    try:
        return dt.date.fromisoformat(iso_date[:10]).strftime("%A %-d %B %Y")
    except ValueError:
        return iso_date


def episode_guid(source: str) -> str:
    """Stable for the same article: the absolute path of a file, else the URL or given key as it is."""
    if source.startswith(("http://", "https://", "daily:", "stdin:")):
        key = source
    else:
        key = str(Path(source).resolve())
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "briefing:" + key))


def publish_rendered(rendered: Rendered, library_dir: Path, *, source: str, voice: str, guid: str,
                     kind: str = "article", description: str = "") -> Episode:
    """Give the files content-addressed names in the library (new audio, new URL) and record the episode."""
    from briefing.library import EPISODES_DIR, publish

    digest = _file_digest(rendered.audio)[:10]
    stem = f"{slugify(rendered.script.title, 48)}-{digest}"
    episodes_dir = library_dir / EPISODES_DIR
    episodes_dir.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for key, path in [("audio", rendered.audio)] + list(rendered.side_files.items()):
        suffix = path.name[len(rendered.audio.stem):]
        target = episodes_dir / f"{stem}{suffix}"
        _link_or_copy(path, target)
        names[key] = str(target.relative_to(library_dir))
    episode = Episode(
        guid=guid,
        title=rendered.script.title,
        published=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        audio_path=names["audio"],
        size_bytes=(library_dir / names["audio"]).stat().st_size,
        duration_s=round(rendered.duration_s, 3),
        source=source,
        voice=voice,
        description=description or _description(rendered.script),
        transcript_path=names.get("transcript"),
        chapters_path=names.get("chapters"),
        cover_path=names.get("cover"),
        script_path=names.get("text"),
        kind=kind,
    )
    publish(library_dir, episode)
    return episode


def _description(script: Script) -> str:
    lede = next((s for s in script.sections if s.kind in ("lede", "story")), None)
    return " ".join(segment.text for segment in lede.segments) if lede else script.title


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link costs no space; across file systems fall back to an atomic copy."""
    if target.exists():
        return
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copyfile(source, temporary)
    os.replace(temporary, target)
