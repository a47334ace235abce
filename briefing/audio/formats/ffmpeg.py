"""ffmpeg as the formats run it: found on the PATH, PCM written to its standard input, its last complaint
as the error."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from typing import IO

from briefing.errors import BriefingError


def ffmpeg_path() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise BriefingError("ffmpeg is not installed (Debian/Ubuntu: apt-get install ffmpeg)")
    return path


def run_ffmpeg(command: list[str], stdin: Iterable[bytes], failure: str) -> None:
    """Run ``command`` with the blocks of ``stdin`` written to it; BriefingError "failure: ffmpeg's
    last line" when it fails."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: ffmpeg never blocks on what it says
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        assert process.stdin is not None
        try:
            for block in stdin:
                process.stdin.write(block)
            process.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped early: its exit status and message say why
        finally:
            status = process.wait()
        if status != 0:
            raise BriefingError(f"{failure}: {last_line(errors)}")


def last_line(errors: IO[bytes]) -> str:
    """The last line ffmpeg wrote to ``errors``, the file its standard error went to."""
    errors.seek(0)
    lines = errors.read().decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else "ffmpeg failed"
