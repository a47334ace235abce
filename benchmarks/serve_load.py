"""`briefing serve` under a slow-header attack: do ordinary listeners still get their episode?

Run: .venv/bin/python benchmarks/serve_load.py   (about 40 s; 127.0.0.1 only, a temporary library)

Starts `briefing serve` in its own process on a library with one published episode (a 20 s tone
made by ffmpeg, random bytes if ffmpeg is missing). Then, from one asyncio client:
1. baseline: 100 ordinary requests for the episode's audio at the same time, nothing else going on;
2. attack: 1,000 connections that send a request line and then one more header line a second,
   never the blank line that ends the headers, each reopened when the server closes it (at most
   5,000 opens in all), held for 25 s; 100 ordinary requests at once 3 s into it and again 15 s
   into it (after the server's 10 s header deadline has closed the first wave).
3. slow readers (issue 25): 1,030 connections that each ask for a 50 MB episode and read nothing
   (a receive buffer of 8 KB each, so the kernel holds little for them), each closed and reopened
   every 25 s, for 40 s; 100 ordinary `GET /feed.xml` at once 3, 15 and 30 s into it.
An ordinary request succeeds when it gets 200 and the whole file within 2 s. Prints the latency of
the ordinary requests with and without the attack and their ratio, the server's peak RSS (VmHWM)
and the size of everything it wrote to stdout and stderr. Ends with `name: value` lines.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from briefing.library.publish import publish  # noqa: E402
from briefing.model import Episode  # noqa: E402

SLOW_CONNECTIONS = 1_000
MAX_SLOW_OPENS = 5_000
ORDINARY = 100
ATTACK_S = 25.0
WAVES_AT_S = (3.0, 15.0)
DEADLINE_S = 2.0
AUDIO = "episodes/load-test.mp3"
BIG_AUDIO = "episodes/big.mp3"
BIG_BYTES = 50 * 1024 * 1024
SLOW_READERS = 1_030
SLOW_READER_BUFFER = 8 * 1024
SLOW_READER_HOLD_S = 25.0
SLOW_READ_ATTACK_S = 40.0
SLOW_READ_WAVES_AT_S = (3.0, 15.0, 30.0)


def make_library(directory: Path) -> int:
    audio = directory / AUDIO
    audio.parent.mkdir(parents=True)
    if shutil.which("ffmpeg"):
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                        "sine=frequency=440:duration=20", "-b:a", "64k", str(audio)], check=True)
    else:
        audio.write_bytes(os.urandom(160_000))
    size = audio.stat().st_size
    publish(directory, Episode(guid="urn:bench:load", title="Load test", published="2025-03-01T07:00:00+00:00",
                               audio_path=AUDIO, size_bytes=size, duration_s=20.0, source="bench",
                               voice="bench"))
    with (directory / BIG_AUDIO).open("wb") as big:  # its bytes do not matter, only that it takes long to send
        for _ in range(BIG_BYTES // (1 << 20)):
            big.write(os.urandom(1 << 20))
    publish(directory, Episode(guid="urn:bench:big", title="A long one", published="2025-03-02T07:00:00+00:00",
                               audio_path=BIG_AUDIO, size_bytes=BIG_BYTES, duration_s=6500.0, source="bench",
                               voice="bench"))
    return size


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(library: Path, port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "briefing", "serve", "--library", str(library),
                                    "--port", str(port)], stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"briefing serve did not start; its log:\n{log.read_text(errors='replace')}")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def ordinary_request(port: int, size: int) -> float | None:
    """Seconds to fetch the whole audio file, or None when it failed or took longer than the deadline."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(DEADLINE_S):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET /{AUDIO} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            answer = await reader.read(-1)
            writer.close()
    except (OSError, TimeoutError):
        return None
    head, _, body = answer.partition(b"\r\n\r\n")
    return time.perf_counter() - started if head.startswith(b"HTTP/1.1 200") and len(body) == size else None


async def wave(port: int, size: int) -> list[float | None]:
    return list(await asyncio.gather(*(ordinary_request(port, size) for _ in range(ORDINARY))))


class Attack:
    """SLOW_CONNECTIONS connections that never finish their headers, reopened when closed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.opened = 0
        self.closed_by_server = 0
        self.stop = asyncio.Event()

    async def hold_one(self) -> None:
        while not self.stop.is_set() and self.opened < MAX_SLOW_OPENS:
            self.opened += 1
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(b"GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                while not self.stop.is_set():
                    try:
                        await asyncio.wait_for(reader.read(4096), timeout=1.0)
                        break  # the server answered or closed: reopen
                    except TimeoutError:
                        writer.write(b"X-Still-Coming: 1\r\n")
                        await writer.drain()
                writer.close()
            except OSError:
                pass
            if not self.stop.is_set():
                self.closed_by_server += 1
                await asyncio.sleep(0.05)


async def run(port: int, size: int) -> tuple[list[float | None], list[float | None], Attack]:
    baseline = await wave(port, size)
    attack = Attack(port)
    holders = []
    for _ in range(SLOW_CONNECTIONS):  # opened in a burst, as an attacker would
        holders.append(asyncio.create_task(attack.hold_one()))
    started = time.monotonic()
    attacked: list[float | None] = []
    for at in WAVES_AT_S:
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        attacked += await wave(port, size)
    await asyncio.sleep(max(0.0, started + ATTACK_S - time.monotonic()))
    attack.stop.set()
    await asyncio.wait(holders, timeout=5)
    return baseline, attacked, attack


async def feed_request(port: int) -> float | None:
    """Seconds to fetch the whole feed, or None when it failed or took longer than the deadline."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(DEADLINE_S):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = await reader.read(-1)
            writer.close()
    except (OSError, TimeoutError):
        return None
    head, _, body = answer.partition(b"\r\n\r\n")
    return time.perf_counter() - started if head.startswith(b"HTTP/1.1 200") and b"</rss>" in body else None


class SlowReaders:
    """SLOW_READERS connections that ask for the big episode and read none of it, each reopened every
    SLOW_READER_HOLD_S (whether or not the server dropped it meanwhile)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.opened = 0
        self.stop = asyncio.Event()

    async def hold_one(self) -> None:
        while not self.stop.is_set():
            self.opened += 1
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SLOW_READER_BUFFER)  # before connect: bounded
            sock.setblocking(False)
            try:
                await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", self.port))
                await asyncio.get_running_loop().sock_sendall(
                    sock, f"GET /{BIG_AUDIO} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                try:
                    await asyncio.wait_for(self.stop.wait(), timeout=SLOW_READER_HOLD_S)
                except TimeoutError:
                    pass
            except OSError:
                await asyncio.sleep(0.5)
            finally:
                sock.close()


async def run_slow_readers(port: int) -> tuple[list[float | None], list[float | None], SlowReaders]:
    baseline = list(await asyncio.gather(*(feed_request(port) for _ in range(ORDINARY))))
    readers = SlowReaders(port)
    holders = [asyncio.create_task(readers.hold_one()) for _ in range(SLOW_READERS)]
    started = time.monotonic()
    attacked: list[float | None] = []
    for at in SLOW_READ_WAVES_AT_S:
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        attacked += await asyncio.gather(*(feed_request(port) for _ in range(ORDINARY)))
    await asyncio.sleep(max(0.0, started + SLOW_READ_ATTACK_S - time.monotonic()))
    readers.stop.set()
    await asyncio.wait(holders, timeout=5)
    return baseline, attacked, readers


def summary(latencies: list[float | None]) -> tuple[int, float, float, float]:
    done = sorted(latency for latency in latencies if latency is not None)
    if not done:
        return 0, float("nan"), float("nan"), float("nan")
    p95 = done[min(len(done) - 1, int(0.95 * len(done)))]
    return len(done), statistics.median(done) * 1000, p95 * 1000, done[-1] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        library, log = Path(scratch) / "library", Path(scratch) / "serve.log"
        size = make_library(library)
        port = free_port()
        server = start_server(library, port, log)  # with the open-files limit this shell gave us
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))  # the attacker's own sockets
        try:
            baseline, attacked, attack = asyncio.run(run(port, size))
            feed_baseline, feed_attacked, readers = asyncio.run(run_slow_readers(port))
            rss = peak_rss_mb(server.pid)
            alive = server.poll() is None
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        log_bytes = log.stat().st_size
        tail = log.read_text(errors="replace").splitlines()[-5:]
    base_ok, base_p50, base_p95, base_max = summary(baseline)
    ok, p50, p95, worst = summary(attacked)
    print(f"episode file: {size} bytes; baseline: {ORDINARY} concurrent requests; attack: {SLOW_CONNECTIONS} "
          f"slow-header connections for {ATTACK_S:.0f} s, {len(WAVES_AT_S)} waves of {ORDINARY} requests")
    print(f"slow connections opened {attack.opened}, closed by the server {attack.closed_by_server}")
    print("last lines of the server's log:", *tail, sep="\n  ")
    print(f"baseline ok: {base_ok}/{len(baseline)}")
    print(f"baseline p50 ms: {base_p50:.1f}")
    print(f"baseline max ms: {base_max:.1f}")
    print(f"under attack ok within {DEADLINE_S:.0f} s: {ok}/{len(attacked)}")
    print(f"under attack p50 ms: {p50:.1f}")
    print(f"under attack p95 ms: {p95:.1f}")
    print(f"under attack max ms: {worst:.1f}")
    print(f"max latency ratio attack/baseline: {worst / base_max:.2f}")
    feed_base_ok, feed_base_p50, _, feed_base_max = summary(feed_baseline)
    feed_ok, feed_p50, feed_p95, feed_worst = summary(feed_attacked)
    print(f"slow readers: {SLOW_READERS} connections asking for a {BIG_BYTES >> 20} MB episode, reading "
          f"nothing, reopened every {SLOW_READER_HOLD_S:.0f} s for {SLOW_READ_ATTACK_S:.0f} s "
          f"({readers.opened} opens); {len(SLOW_READ_WAVES_AT_S)} waves of {ORDINARY} GET /feed.xml")
    print(f"feed baseline ok: {feed_base_ok}/{len(feed_baseline)}")
    print(f"feed baseline p50 ms: {feed_base_p50:.1f}")
    print(f"feed under slow readers ok within {DEADLINE_S:.0f} s: {feed_ok}/{len(feed_attacked)}")
    print(f"feed under slow readers share ok: {100 * feed_ok / max(1, len(feed_attacked)):.1f} %")
    print(f"feed under slow readers p50 ms: {feed_p50:.1f}")
    print(f"feed under slow readers p95 ms: {feed_p95:.1f}")
    print(f"feed under slow readers max ms: {feed_worst:.1f}")
    print(f"load average: {' '.join(f'{value:.1f}' for value in os.getloadavg())}")
    print(f"server alive after attack: {'yes' if alive else 'no'}")
    print(f"server peak rss MB: {rss:.1f}")
    print(f"server log bytes: {log_bytes}")


if __name__ == "__main__":
    main()
