"""Feed + page regeneration time, and the server's throughput against Python's http.server.

Run: .venv/bin/python benchmarks/feed_and_server.py   (about 30 s; everything in a temporary folder)

1. Regenerates feed.xml + index.html for 1,000 and 10,000 synthetic episodes (each with chapters,
   transcript and cover paths, sharing one set of real side files).
2. Serves one 64 KiB file with `briefing serve` (uvicorn + Starlette) and with
   `python -m http.server` (ThreadingHTTPServer + SimpleHTTPRequestHandler), each in its own
   process, and drives each for a fixed time from 8 client threads using http.client keep-alive
   connections: a `Range: bytes=0-65535` request for ours, a plain GET for http.server (it has no
   ranges, and closes the connection after each response: that is part of the baseline).
Ends with `name: value` lines.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from briefing.library.store import Library  # noqa: E402
from briefing.library.publish import regenerate  # noqa: E402
from briefing.model import Episode  # noqa: E402

PAYLOAD = 64 * 1024
CLIENT_THREADS = 8
SECONDS = 5.0


def synthetic_library(directory: Path, count: int) -> None:
    episodes = directory / "episodes"
    episodes.mkdir(parents=True)
    (episodes / "shared.mp3").write_bytes(os.urandom(PAYLOAD))
    (episodes / "shared.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:05.000\nHello.\n")
    (episodes / "shared.chapters.json").write_text(
        '{"version":"1.2.0","chapters":[{"startTime":0,"title":"One"},{"startTime":5,"title":"Two"}]}')
    template = Episode(guid="", title="", published="", audio_path="episodes/shared.mp3",
                       size_bytes=PAYLOAD, duration_s=312.0, source="https://news.example/a",
                       voice="bench", description="A synthetic episode for the benchmark.",
                       transcript_path="episodes/shared.vtt",
                       chapters_path="episodes/shared.chapters.json", cover_path="episodes/cover.png")
    with Library.open(directory) as library:
        for n in range(count):
            day, second = divmod(n, 86400)
            library.upsert(replace(template, guid=f"urn:bench:{n}", title=f"Briefing number {n}",
                                   published=f"2024-{1 + day % 12:02d}-01T{second // 3600 % 24:02d}:"
                                             f"{second // 60 % 60:02d}:{second % 60:02d}+00:00"))


def time_regeneration(count: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        synthetic_library(Path(scratch), count)
        started = time.perf_counter()
        regenerate(Path(scratch))
        return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"server did not start: {command}")


def requests_per_second(port: int, path: str, headers: dict[str, str], expect: int) -> float:
    counts, errors = [0] * CLIENT_THREADS, []
    deadline = time.monotonic() + SECONDS

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while time.monotonic() < deadline:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                if response.status != expect or len(body) != PAYLOAD:
                    errors.append(response.status)
                    return
                counts[index] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENT_THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"bad responses: {errors[:5]}")
    return sum(counts) / (time.perf_counter() - started)


def measure_servers() -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as scratch:
        library = Path(scratch)
        (library / "episodes").mkdir()
        (library / "episodes" / "bench.mp3").write_bytes(os.urandom(PAYLOAD))
        with Library.open(library) as opened:  # the server sends only what the library publishes
            opened.upsert(Episode(guid="urn:bench:rps", title="Bench", published="2025-01-01T00:00:00+00:00",
                                  audio_path="episodes/bench.mp3", size_bytes=PAYLOAD, duration_s=1.0,
                                  source="bench", voice="bench"))
        ours_port, theirs_port = free_port(), free_port()
        ours = start([sys.executable, "-m", "briefing", "serve", "--library", scratch,
                      "--port", str(ours_port)], ours_port)
        try:
            ours_rps = requests_per_second(ours_port, "/episodes/bench.mp3",
                                           {"Range": f"bytes=0-{PAYLOAD - 1}"}, 206)
        finally:
            ours.terminate()
            ours.wait()
        theirs = start([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                        scratch, str(theirs_port)], theirs_port)
        try:
            theirs_rps = requests_per_second(theirs_port, "/episodes/bench.mp3", {}, 200)
        finally:
            theirs.terminate()
            theirs.wait()
    return ours_rps, theirs_rps


def main() -> None:
    os.chdir(REPO)  # so `python -m briefing` finds this checkout
    figures = {}
    for count in (1_000, 10_000):
        figures[f"feed {count} episodes s"] = time_regeneration(count)
        print(f"regenerated feed.xml + index.html for {count} episodes", flush=True)
    ours, theirs = measure_servers()
    figures["server range rps"] = ours
    figures["http.server rps"] = theirs
    figures["server/http.server rps ratio"] = ours / theirs
    print(f"clients: {CLIENT_THREADS} threads, http.client keep-alive, {SECONDS:.0f} s per server, "
          f"{PAYLOAD} byte payload")
    for name, value in figures.items():
        print(f"{name}: {value:.3f}" if value < 100 else f"{name}: {value:.0f}")


if __name__ == "__main__":
    main()
