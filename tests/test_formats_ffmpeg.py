"""How the formats run ffmpeg: PCM fed on its standard input, and its own last word when it fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing.audio.formats.ffmpeg import ffmpeg_path, run_ffmpeg
from briefing.errors import BriefingError

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
READ_PCM = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le", "-ar", "8000", "-ac", "1",
            "-i", "pipe:0"]


def test_the_fed_pcm_is_what_ffmpeg_writes(tmp_path: Path) -> None:
    out = tmp_path / "out.raw"
    blocks = [bytes(range(256)) * 8] * 10
    run_ffmpeg([ffmpeg_path(), *READ_PCM, "-f", "s16le", str(out)], blocks, "copying failed")
    assert out.read_bytes() == b"".join(blocks)


def test_a_failure_names_the_step_and_ffmpegs_last_line_even_when_it_stops_reading(tmp_path: Path) -> None:
    endless = (bytes(65536) for _ in range(10_000))  # 650 MB: ffmpeg has quit long before
    with pytest.raises(BriefingError, match=r"^copying failed: ") as caught:
        run_ffmpeg([ffmpeg_path(), *READ_PCM, "-f", "no-such-muxer", str(tmp_path / "out")], endless, "copying failed")
    said = caught.value.message.removeprefix("copying failed: ")
    assert said and "\n" not in said and said != "ffmpeg failed"  # ffmpeg's own words, one line
