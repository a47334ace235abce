"""The library server under attack, over real sockets on 127.0.0.1: slow and huge headers, too many
connections, a client that reads nothing, a flood of bad requests, and the open-files limit."""

from __future__ import annotations

import http.client
import logging
import resource
import socket
import time

import pytest
from publishing import fetch_status, make_episode, make_library

from briefing.library.publish import publish
from briefing.server.app import running
from briefing.server.guard import ServerLimits

UNFINISHED = b"GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1\r\n"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    library = tmp_path_factory.mktemp("hardening") / "library"
    make_library(library, count=1)
    return library


def connect(port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(UNFINISHED)
    return client


def closed_by_server(client: socket.socket, within_s: float) -> bool:
    """Whether the server closes ``client`` within ``within_s`` (reading whatever it answers)."""
    client.settimeout(within_s)
    try:
        while client.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        pass  # reset by the server: closed too
    return True


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def test_headers_must_be_finished_within_the_header_timeout(library):
    with running(library, limits=ServerLimits(header_timeout_s=1.0)) as server:
        trickler, silent = connect(server.port), socket.create_connection(("127.0.0.1", server.port))
        started = time.monotonic()
        trickle_closed = False
        while time.monotonic() - started < 4 and not trickle_closed:
            try:
                trickler.sendall(b"X-Slow: 1\r\n")  # a byte now and then never resets the deadline
            except OSError:
                trickle_closed = True
            time.sleep(0.2)
        assert trickle_closed or closed_by_server(trickler, 0.5)
        assert time.monotonic() - started < 3
        assert closed_by_server(silent, 0.5)
        assert fetch_status(server.port) == 200


def test_a_keep_alive_connection_serves_requests_longer_than_the_header_timeout(library):
    with running(library, limits=ServerLimits(header_timeout_s=1.0, keep_alive_s=5)) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        for _ in range(4):
            connection.request("GET", "/feed.xml")
            response = connection.getresponse()
            assert response.status == 200 and response.read()
            time.sleep(0.5)  # 2 s in all on one connection, each request in time
        connection.close()


def test_pipelined_requests_are_all_answered(library):
    with running(library, limits=ServerLimits(header_timeout_s=1.0)) as server:
        client = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        client.sendall(b"GET /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n" * 3
                       + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answers = b""
        while data := client.recv(65536):
            answers += data
        client.close()
        assert answers.count(b"HTTP/1.1 200 OK") == 4


def test_headers_larger_than_the_limit_are_431(library):
    with running(library, limits=ServerLimits(max_header_bytes=16 * 1024)) as server:
        client = connect(server.port)
        try:
            client.sendall(b"X-Big: " + b"a" * 40 * 1024 + b"\r\n\r\n")
        except OSError:
            pass  # closed before all was sent; the answer is already waiting
        answer = client.recv(65536)
        client.close()
        assert answer.startswith(b"HTTP/1.1 431 ")
        big = {"X-Fine": "a" * 8 * 1024}
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", "/feed.xml", headers=big)
        assert connection.getresponse().status == 200
        connection.close()


def test_huge_headers_do_not_take_memory(library):
    chunk = b"X-Flood: " + b"a" * (1 << 20) + b"\r\n"
    with running(library) as server:
        before = rss_bytes()
        clients = [connect(server.port) for _ in range(4)]
        sent = [0] * 4
        deadline = time.monotonic() + 10
        for number, client in enumerate(clients):
            try:
                while sent[number] < 100 << 20 and time.monotonic() < deadline:
                    client.sendall(chunk)
                    sent[number] += len(chunk)
            except OSError:
                pass
        grown = rss_bytes() - before
        for client in clients:
            client.close()
        assert max(sent) < 100 << 20  # the server hung up long before 100 MiB
        assert grown < 40 << 20, f"grew {grown / 1e6:.0f} MB"
        assert fetch_status(server.port) == 200


def test_clients_that_never_finish_their_headers_cannot_keep_others_out(library):
    limits = ServerLimits(max_connections=20, header_timeout_s=30)
    with running(library, limits=limits) as server:
        slow = [connect(server.port) for _ in range(40)]
        started = time.monotonic()
        assert fetch_status(server.port) == 200
        assert time.monotonic() - started < 1.5
        pushed_out = sum(closed_by_server(client, 0.05) for client in slow)
        for client in slow:
            client.close()
        assert pushed_out >= 20  # never more than 20 open at once


def test_a_client_that_reads_nothing_is_dropped(tmp_path):
    library = tmp_path / "library"
    episode = make_episode(library, "long-read", seconds=900)  # about 7 MB: more than socket buffers hold
    publish(library, episode)
    size = (library / episode.audio_path).stat().st_size
    with running(library, limits=ServerLimits(write_stall_timeout_s=1.0)) as server:
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(("127.0.0.1", server.port))
        client.sendall(f"GET /{episode.audio_path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(3)
        received = 0
        client.settimeout(2)
        try:
            while data := client.recv(1 << 20):
                received += len(data)
        except OSError:
            pass
        client.close()
        assert received < size


def test_a_flood_of_bad_requests_logs_a_few_lines(library):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    with running(library) as server:
        logging.getLogger("uvicorn").addHandler(handler)  # after the server has configured logging
        try:
            for _ in range(300):
                client = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                client.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
                closed_by_server(client, 2)
                client.close()
        finally:
            logging.getLogger("uvicorn").removeHandler(handler)
    assert 1 <= len(records) <= 10


def test_serving_raises_the_open_files_limit_to_the_hard_limit(library):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowered = min(256, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    try:
        with running(library) as server:
            assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == hard or hard == resource.RLIM_INFINITY
            assert fetch_status(server.port) == 200
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, lowered), hard))


def _slow_reader(port: int, path: str) -> socket.socket:
    """A client that asks for ``path`` and reads none of it (a small receive buffer, so little is in flight)."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", port))
    client.sendall(f"GET /{path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return client


def test_slow_readers_of_a_long_episode_cannot_keep_others_out(tmp_path):
    library = tmp_path / "library"
    episode = make_episode(library, "long-read", seconds=900)  # about 7 MB: more than socket buffers hold
    publish(library, episode)
    limits = ServerLimits(max_connections=20, write_stall_timeout_s=600)  # 5 a client: a quarter of the places
    with running(library, limits=limits) as server:
        readers = [_slow_reader(server.port, episode.audio_path) for _ in range(40)]
        try:
            for _ in range(5):
                started = time.monotonic()
                assert fetch_status(server.port) == 200
                assert time.monotonic() - started < 1.5
        finally:
            for client in readers:
                client.close()


def test_a_response_read_below_the_minimum_rate_is_dropped(tmp_path):
    library = tmp_path / "library"
    episode = make_episode(library, "long-read", seconds=900)
    publish(library, episode)
    limits = ServerLimits(write_stall_timeout_s=600, read_window_s=1.0, min_read_bytes_per_s=64 * 1024)
    with running(library, limits=limits) as server:
        client = _slow_reader(server.port, episode.audio_path)
        time.sleep(0.5)
        started = time.monotonic()
        received = 0
        client.settimeout(10)
        try:
            while data := client.recv(1024):  # 1 KB every 0.1 s: 10 KB/s, below the minimum
                received += len(data)
                time.sleep(0.1)
        except OSError:
            pass
        client.close()
        assert time.monotonic() - started < 8  # dropped within a few windows, not at the write-stall limit
        assert received < (library / episode.audio_path).stat().st_size
