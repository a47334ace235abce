"""Output formats: one module per audio format, registered in ``FORMATS``, and the export they share.

A format is one module declaring ``FORMAT = OutputFormat(...)`` (see ``formats/base.py``): its name,
suffix, media type, its encoder and its tag writer. ``encode`` levels an assembled episode (gain,
limiter, de-esser) and hands it to the format's encoder. Everything else that must know about formats (the
feed's enclosure type, the server's content types, file names, the library's audio files) asks here.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.system.cores import cpu_count
from briefing.errors import UsageError
from briefing.audio.formats import m4a, mp3
from briefing.audio.formats.base import OutputFormat, Pcm, Tags

if TYPE_CHECKING:
    from briefing.audio.assemble import EpisodeAudio
    from briefing.audio.cache import EncodedPieces

FORMATS: dict[str, OutputFormat] = {fmt.name: fmt for fmt in (mp3.FORMAT, m4a.FORMAT)}
DEFAULT_FORMAT = mp3.FORMAT.name

__all__ = ["DEFAULT_FORMAT", "FORMATS", "OutputFormat", "Pcm", "Tags", "audio_media_type", "audio_suffixes",
           "encode", "format_names", "format_of", "media_types", "output_format"]


def format_names() -> tuple[str, ...]:
    """The registered formats: the choices of ``--audio`` and ``[channel] audio``."""
    return tuple(FORMATS)


def output_format(name: str | None = None) -> OutputFormat:
    """The format called ``name``; the default format for None."""
    found = FORMATS.get(name or DEFAULT_FORMAT)
    if found is None:
        raise UsageError(f"unknown audio format {name!r}; choose one of: {', '.join(format_names())}")
    return found


def format_of(path: Path | str) -> OutputFormat | None:
    """The format whose suffix ``path`` ends in, if any."""
    suffix = Path(path).suffix.lower()
    return next((fmt for fmt in FORMATS.values() if fmt.suffix == suffix), None)


def audio_media_type(path: Path | str) -> str:
    """The enclosure type of an episode's audio file, by its suffix (a library may hold several formats)."""
    found = format_of(path)
    if found is not None:
        return found.media_type
    guessed = mimetypes.guess_type(Path(path).name)[0]
    return guessed if guessed and guessed.startswith("audio/") else "application/octet-stream"


def audio_suffixes() -> tuple[str, ...]:
    return tuple(fmt.suffix for fmt in FORMATS.values())


def media_types() -> dict[str, str]:
    """Suffix to media type, for every format."""
    return {fmt.suffix: fmt.media_type for fmt in FORMATS.values()}


def encode(episode: EpisodeAudio, path: Path, gain_db: float, audio_format: OutputFormat,
           jobs: int | None = None, store: EncodedPieces | None = None) -> None:
    """Encode the episode with the gain, the limiter and the de-esser on up to ``jobs`` cores (default:
    all), reusing pieces encoded before that ``store`` holds."""
    from briefing.audio import assemble as audio

    read, identity = audio.levelled_pcm(episode, gain_db, audio_format.peak_ceiling_dbfs)
    pcm = Pcm(read, episode.sample_rate, episode.samples, tuple(episode.silences), audio.DE_ESSER,
              tuple(episode.cuts), identity, store)
    audio_format.encode(pcm, path, jobs or cpu_count())

