"""Real-looking published episodes for the library, feed, page and server tests.

Real MP3s made by ffmpeg (one per distinct tone and length, cached for the test run), a WebVTT
transcript, a Podcasting 2.0 chapters file and a PNG cover, laid out as the pipeline lays them out:
``<library>/episodes/<slug>-<hash8>.<ext>``.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from briefing.model import Episode

CHAPTERS = [(0.0, "Headlines"), (6.5, "The story"), (14.0, "Analysis")]
CUES = [(0.0, 6.5, "Good morning, here is your briefing."), (6.5, 14.0, "Rates held <steady> & calm."),
        (14.0, 20.0, "That was the briefing.")]
_CACHE = Path(tempfile.mkdtemp(prefix="briefing-test-media-"))
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@functools.cache
def _tone(seconds: int, frequency: int) -> Path:
    path = _CACHE / f"tone-{seconds}-{frequency}.mp3"
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}",
            "-ac", "1", "-ar", "44100", "-b:a", "64k", str(path))
    return path


@functools.cache
def _cover() -> Path:
    path = _CACHE / "cover.png"
    _ffmpeg("-f", "lavfi", "-i", "color=c=0x1f5f8b:s=1400x1400", "-frames:v", "1", str(path))
    return path


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def make_mp3(path: Path, seconds: int = 20, frequency: int = 440) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_tone(seconds, frequency), path)
    return path


def vtt_text() -> str:
    def stamp(seconds: float) -> str:
        return f"00:{int(seconds) // 60:02d}:{seconds % 60:06.3f}"

    cues = [f"{n}\n{stamp(a)} --> {stamp(b)}\n{text}" for n, (a, b, text) in enumerate(CUES, 1)]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def chapters_json() -> str:
    chapters = [{"startTime": start, "title": title} for start, title in CHAPTERS]
    return json.dumps({"version": "1.2.0", "chapters": chapters}, indent=2)


def make_episode(
    library: Path,
    slug: str,
    published: str = "2025-03-01T07:00:00+00:00",
    *,
    guid: str | None = None,
    frequency: int = 440,
    seconds: int = 20,
    title: str | None = None,
    side_files: bool = True,
) -> Episode:
    """Write an episode's files into ``library/episodes`` and return its (unrecorded) Episode."""
    audio = _tone(seconds, frequency)
    digest = hashlib.sha256(audio.read_bytes() + slug.encode()).hexdigest()[:8]
    stem = f"episodes/{slug}-{digest}"
    make_mp3(library / f"{stem}.mp3", seconds, frequency)
    paths: dict[str, str] = {}
    if side_files:  # named after the whole audio name (briefing.library.sidefiles)
        (library / f"{stem}.mp3.vtt").write_text(vtt_text(), encoding="utf-8")
        (library / f"{stem}.mp3.chapters.json").write_text(chapters_json(), encoding="utf-8")
        (library / f"{stem}.mp3.txt").write_text("Good morning.\nThat was the briefing.\n", encoding="utf-8")
        shutil.copyfile(_cover(), library / f"{stem}.mp3.png")
        (library / f"{stem}.mp3.json").write_text(json.dumps({"title": title or slug, "duration": seconds}),
                                                  encoding="utf-8")
        paths = {"transcript_path": f"{stem}.mp3.vtt", "chapters_path": f"{stem}.mp3.chapters.json",
                 "script_path": f"{stem}.mp3.txt", "cover_path": f"{stem}.mp3.png", "timing_path": f"{stem}.mp3.json"}
    return Episode(
        guid=guid or f"urn:briefing:{slug}",
        title=title or f"Briefing: {slug.replace('-', ' ')}",
        published=published,
        audio_path=f"{stem}.mp3",
        size_bytes=(library / f"{stem}.mp3").stat().st_size,
        duration_s=float(seconds),
        source=f"https://news.example/{slug}",
        voice="espeak-en",
        description=f"A narrated briefing about {slug.replace('-', ' ')} & more.",
        kind="article",
        **paths,
    )


def make_library(library: Path, count: int = 3) -> list[Episode]:
    """A published library of ``count`` episodes (newest last in the returned list)."""
    from briefing.library.publish import publish

    episodes = []
    for number in range(count):
        episode = make_episode(library, f"story-{number}", f"2025-03-0{number + 1}T07:00:00+00:00",
                               frequency=440 + 110 * number)
        publish(library, episode)
        episodes.append(episode)
    return episodes


def require_debian_packages(commands: list[str], packages: list[str]) -> None:
    """Install ``packages`` with apt-get when a command is missing; skip only if that is impossible."""
    if all(shutil.which(command) for command in commands):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{', '.join(packages)} missing and apt-get cannot run here (not root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", *packages]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        result = subprocess.run(install, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"apt-get could not install {', '.join(packages)}: {result.stderr.strip()[-200:]}")
    missing = [command for command in commands if not shutil.which(command)]
    if missing:
        pytest.skip(f"{', '.join(packages)} installed but {', '.join(missing)} still missing")


# --- a real server and a real podcast client (gPodder's gpo) ---------------------------------------


def fetch_status(port: int, path: str = "/feed.xml") -> int:
    """The status a GET of ``path`` gets from the server on 127.0.0.1:``port``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"briefing serve did not listen on {port}")


def gpo(home: Path, *args: str) -> str:
    env = {**os.environ, "GPODDER_HOME": str(home / "gpodder"),
           "GPODDER_DOWNLOAD_DIR": str(home / "downloads"), "HOME": str(home)}
    result = subprocess.run(["gpo", *args], env=env, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
