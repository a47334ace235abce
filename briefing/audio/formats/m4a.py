"""M4A: AAC in an MP4 file, with MP4 chapters and the cover embedded, all written by ffmpeg.

The audio is encoded once by ffmpeg's own AAC encoder (one process: AAC frames overlap, so the cut
at a pause that lets MP3 chunks be joined does not apply). The tags, the chapters and the cover are
then written by remuxing the audio unchanged (``-c copy``) with an FFMETADATA file and the PNG: ffmpeg
writes the chapters both as a QuickTime chapter track (Apple Podcasts, iOS, macOS) and as Nero
``chpl`` chapters (most other players), the cover as the ``covr`` atom, and moves the index to the
front of the file (``+faststart``) so a player can start before the download ends.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from briefing.audio.chapters import Chapter, milliseconds
from briefing.errors import BriefingError
from briefing.audio.formats.base import OutputFormat, Pcm, Tags
from briefing.audio.formats.ffmpeg import ffmpeg_path, last_line, run_ffmpeg
from briefing.system.fsutil import atomic_path
from briefing.system.textsafety import strip_controls_inline

# The MP3's rate. ffmpeg's AAC encoder overshoots a -2 dBFS ceiling more than LAME does: on the example
# with the classic voice its true peak was -0.5 dBTP at 64 kbit/s, -1.0 at 80 and -1.2 to -1.4 at 96
# (the MP3: -2.4); hence also the lower ceiling below.
BITRATE = "96k"
MUXER = "ipod"  # ffmpeg's name for the .m4a flavour of MP4 (brand "M4A "), as Apple's players expect
# FFMETADATA treats these as syntax; a value holding one escapes it with a backslash.
_META_SPECIAL = str.maketrans({char: "\\" + char for char in "=;#\\\n"})


def encode(pcm: Pcm, path: Path, jobs: int) -> None:
    """Mono AAC at 44.1 kHz in an M4A file; one core, whatever ``jobs`` allows."""
    from briefing.audio.assemble import SAMPLE_RATE_OUT  # numpy only when encoding: the CLI imports formats

    chain = f"aresample={SAMPLE_RATE_OUT}" + (f",{pcm.filters}" if pcm.filters else "")
    command = [ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
               "-f", "s16le", "-ar", str(pcm.sample_rate), "-ac", "1", "-i", "pipe:0", "-af", chain,
               "-ar", str(SAMPLE_RATE_OUT), "-ac", "1", "-c:a", "aac", "-b:a", BITRATE,
               "-movflags", "+faststart", "-f", MUXER, str(path)]
    run_ffmpeg(command, pcm.read(0, pcm.samples), "M4A encoding failed")


def write_tags(path: Path, tags: Tags) -> None:
    """Replace the file's tags, chapters and cover; the audio is copied as it is."""
    with tempfile.TemporaryDirectory(prefix="briefing-tags-") as work:
        metadata = Path(work) / "metadata.txt"
        metadata.write_text(ffmetadata(tags), encoding="utf-8")
        inputs = ["-i", str(path), "-f", "ffmetadata", "-i", str(metadata)]
        maps = ["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"]
        if tags.cover is not None:
            inputs += ["-i", str(tags.cover)]
            maps += ["-map", "2:v", "-disposition:v:0", "attached_pic"]
        with atomic_path(path) as remuxed, tempfile.TemporaryFile() as errors:
            command = [ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *inputs, *maps,
                       "-c", "copy", "-movflags", "+faststart", "-f", MUXER, str(remuxed)]
            if subprocess.run(command, stdin=subprocess.DEVNULL, stderr=errors).returncode != 0:
                raise BriefingError(f"M4A tagging failed: {last_line(errors)}")


def ffmetadata(tags: Tags) -> str:
    """The FFMETADATA file of the tags and chapters (times in milliseconds)."""
    lines = [";FFMETADATA1"]
    for key, value in (("title", tags.title), ("artist", tags.artist), ("album", tags.album),
                       ("date", tags.date), ("comment", tags.comment), ("genre", "Podcast")):
        if value:
            lines.append(f"{key}={_meta_value(value)}")
    for chapter in tags.chapters:
        lines += _chapter_lines(chapter)
    return "\n".join(lines) + "\n"


def _chapter_lines(chapter: Chapter) -> list[str]:
    start, end = milliseconds(chapter.start_s), milliseconds(chapter.end_s)
    return ["", "[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={max(start, end)}",
            f"title={_meta_value(chapter.title)}"]


def _meta_value(text: str) -> str:
    return strip_controls_inline(text).translate(_META_SPECIAL)




# audio/mp4 is the registered type (RFC 4337) that Apple's podcast specification lists for .m4a
# enclosures and that browsers play; audio/x-m4a is Apple's older private alias.
# AAC keeps the input's loudness (no aim above the target), but overshoots the ceiling by about 1.5 dB.
FORMAT = OutputFormat(name="m4a", suffix=".m4a", media_type="audio/mp4", label="M4A",
                      encode=encode, write_tags=write_tags, peak_ceiling_dbfs=-3.0)
