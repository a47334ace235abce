"""Uploading a library to object storage when nothing changed: one listing against a HEAD per object.

Starts ``moto_server`` (from ``moto[server]``, the test extra) on a free port of 127.0.0.1, makes a
library of N episodes (each a distinct small MP3 made by ffmpeg, with its side files), uploads it
once, then times a second upload with nothing new in the same run two ways:

- briefing's ``objectstore.upload_library``: one listing of the prefix, every object skipped by
  size or ETag (only the feed, whose ``lastBuildDate`` moved, is sent again when regenerated);
- the baseline, what briefing did before: asking for each episode object on its own (a HEAD each,
  through the same s3fs filesystem), then sending every other file.

Both are the median of ``REPEATS`` runs; the request counts come from moto's own request log. The
machine's load average is printed beside every timing. moto is a stand-in for S3 on loopback: the
ratio of requests carries over to S3, the milliseconds do not (S3 adds tens of ms a request).

Run: ``.venv/bin/python benchmarks/objectstore_upload.py`` (``BENCH_EPISODES=30`` by default).
Ends with ``name: value`` lines.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from briefing.library import objectstore
from briefing.model import Episode  # noqa: E402
from briefing.library.publish import publish  # noqa: E402

EPISODES = int(os.environ.get("BENCH_EPISODES", "30"))
REPEATS = 3
MOTO_SERVER = Path(sys.executable).parent / "moto_server"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}


def start_moto(folder: Path) -> tuple[subprocess.Popen, str, Path]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recording = folder / "requests.jsonl"
    env = {**os.environ, "MOTO_ENABLE_RECORDING": "True", "MOTO_RECORDER_FILEPATH": str(recording)}
    process = subprocess.Popen([str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=env, cwd=folder)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # ready when it answers
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("moto_server did not start")
            time.sleep(0.05)
    return process, endpoint, recording


def make_library(library: Path, endpoint: str) -> None:
    episodes = library / "episodes"
    episodes.mkdir(parents=True)
    (library / "briefing.toml").write_text(
        f'[channel]\ntitle = "Bench"\nbase_url = "{endpoint}/bench/show/"\n\n'
        f'[publish]\nurl = "s3://bench/show"\nendpoint_url = "{endpoint}"\n', encoding="utf-8")
    for number in range(EPISODES):
        stem = f"episodes/story-{number:03d}"
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                        f"sine=frequency={300 + number * 7}:duration=5", "-ac", "1", "-b:a", "32k",
                        str(library / f"{stem}.mp3")], check=True)
        (library / f"{stem}.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:05.000\nGood morning.\n", encoding="utf-8")
        (library / f"{stem}.chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": [
            {"startTime": 0, "title": "Story", "url": f"https://news.example/{number}"}]}), encoding="utf-8")
        publish(library, Episode(guid=f"g-{number}", title=f"Story {number}",
                                 published=f"2026-11-{1 + number % 28:02d}T06:00:00+00:00",
                                 audio_path=f"{stem}.mp3", size_bytes=(library / f"{stem}.mp3").stat().st_size,
                                 duration_s=5.0, source=f"https://news.example/{number}", voice="bench",
                                 transcript_path=f"{stem}.vtt", chapters_path=f"{stem}.chapters.json"))


def head_per_object(library: Path) -> int:
    """The baseline: a request per episode object, then every other file sent (the old way)."""
    import fsspec

    target = objectstore.publish_target(library)
    assert target is not None
    filesystem, root = fsspec.core.url_to_fs(target.url, **target.storage_options)
    sent = 0
    for relative in objectstore.public_files(library):
        local = library / relative
        if relative.startswith("episodes/"):
            try:
                if int(filesystem.info(f"{root}/{relative}")["size"]) == local.stat().st_size:
                    continue
            except FileNotFoundError:
                pass
        filesystem.put_file(str(local), f"{root}/{relative}")
        sent += 1
    return sent


def requests(recording: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in recording.read_text().splitlines():
        method = json.loads(line)["method"]
        counts[method] = counts.get(method, 0) + 1
    return counts


def timed(function, recording: Path) -> tuple[float, dict[str, int], float]:
    recording.write_text("")
    load = os.getloadavg()[0]
    started = time.perf_counter()
    function()
    return time.perf_counter() - started, requests(recording), load


def main() -> int:
    if not MOTO_SERVER.exists() or shutil.which("ffmpeg") is None:
        print("needs moto_server (pip install 'moto[server]') and ffmpeg")
        return 1
    os.environ.update(CREDENTIALS)
    with tempfile.TemporaryDirectory(prefix="briefing-bench-s3-") as work:
        process, endpoint, recording = start_moto(Path(work))
        try:
            import boto3

            boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="bench")
            library = Path(work) / "library"
            make_library(library, endpoint)
            objectstore.upload_library(library)  # the first upload: everything
            print(f"machine: {os.cpu_count()} cores; library: {EPISODES} episodes, "
                  f"{len(objectstore.public_files(library))} public files")
            ours, theirs = [], []
            for _ in range(REPEATS):
                ours.append(timed(lambda: objectstore.upload_library(library), recording))
                theirs.append(timed(lambda: head_per_object(library), recording))
            for name, runs in (("one listing", ours), ("a HEAD per object (baseline)", theirs)):
                for seconds, counts, load in runs:
                    print(f"  {name}: {seconds * 1000:.0f} ms, requests {counts}, load average {load:.2f}")
        finally:
            process.terminate()
            process.wait(timeout=15)
    ours_s, theirs_s = statistics.median(r[0] for r in ours), statistics.median(r[0] for r in theirs)
    ours_requests, theirs_requests = sum(ours[-1][1].values()), sum(theirs[-1][1].values())
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    print(f"unchanged_upload_ms: {ours_s * 1000:.0f}")
    print(f"baseline_upload_ms: {theirs_s * 1000:.0f}")
    print(f"upload_time_ratio: {ours_s / theirs_s:.3f}")
    print(f"unchanged_upload_requests: {ours_requests}")
    print(f"baseline_upload_requests: {theirs_requests}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
