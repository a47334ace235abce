"""What keeps the HTTP server from being starved: bounds on every connection and on the log.

uvicorn (with httptools, its fastest parser) has no deadline for request headers (its keep-alive
timer starts only after a first response), no bound on their size (httptools keeps an unfinished
header in memory however long it grows) and accepts connections without bound. ``GuardedProtocol``
adds them: each connection must finish a request's headers within ``header_timeout_s`` of becoming
ready for it; more than ``max_header_bytes`` before the end of the headers is answered 431 and the
connection closed, before the parser buffers it; at most ``capacity`` connections are open, and a
new one pushes out the connection that has waited longest for a request, so clients that never
finish their headers cannot keep others out. A client that reads nothing of a response for
``write_stall_timeout_s`` is dropped too. Slow readers cannot hold the server either:
a response its client reads slower than ``min_read_bytes_per_s`` (measured over each
``read_window_s``, once the socket's buffers are full) is dropped, and when every place is taken by
answers the slowest reader makes room for a newcomer, else the oldest connection of a client holding
more than ``max_per_client``. The log keeps a few records per message a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import logging
import resource
import socket
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from briefing.server.uvicorn_internals import HttpToolsProtocol, answer_pending

# Descriptors kept free of connections: the database, the log, and the files being sent.
FD_RESERVE = 64
# A client sends its request as soon as it has connected; one waiting longer than this for a first
# request (or the next on a kept-alive connection) is the first to make room for a newcomer.
REQUEST_PROMPTLY_S = 1.0


@dataclass(frozen=True)
class ServerLimits:
    header_timeout_s: float = 10.0  # from the connection (or the previous response) to the blank line
    max_header_bytes: int = 32 * 1024  # request line and headers together
    max_connections: int = 1024
    write_stall_timeout_s: float = 30.0
    keep_alive_s: int = 5  # an idle connection between requests
    max_per_client: int = 32  # connections from one address: a podcast app opens a few
    # A listener on a poor mobile link still reads 64 kbit/s episodes faster than they play (8 KB/s).
    min_read_bytes_per_s: int = 4096
    read_window_s: float = 10.0


def raise_file_limit() -> int:
    """Raise the soft limit of open files to the hard limit; return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (OSError, ValueError):
            return soft
        return target
    return soft


def connection_capacity(limits: ServerLimits, file_limit: int) -> int:
    # A connection being answered holds two descriptors: its socket and the file it sends.
    return max(1, min(limits.max_connections, (file_limit - FD_RESERVE) // 2))


class ConnectionGuard:
    """The open connections of one server, and which of them wait for a request (oldest first)."""

    def __init__(self, capacity: int, per_client: int | None = None) -> None:
        self.capacity = capacity
        # No client keeps more than a quarter of the places from others, whatever the setting.
        self.per_client = min(per_client or capacity, max(1, capacity // 4))
        self.evicted = 0
        self.refused = 0
        self._open: set[GuardedProtocol] = set()
        self._waiting: dict[GuardedProtocol, float] = {}  # since when, insertion-ordered: oldest first
        self._by_client: dict[str, dict[GuardedProtocol, None]] = {}  # insertion-ordered: oldest first

    def admit(self, connection: GuardedProtocol) -> bool:
        if len(self._open) >= self.capacity and not self._evict(self._victim()):
            self.refused += 1
            return False  # every connection is being answered, at a fair rate, to a fair share of clients
        self._open.add(connection)
        self._by_client.setdefault(connection.client_address, {})[connection] = None
        return True

    def _victim(self) -> GuardedProtocol | None:
        """Who makes room when every place is taken: the connection that has waited longest for a
        request, if longer than any client takes to send one; else the slowest reader; else the oldest
        connection of the client holding the most beyond its share; else the one waiting longest."""
        waiting = next(iter(self._waiting.items()), None)
        if waiting is not None and time.monotonic() - waiting[1] > REQUEST_PROMPTLY_S:
            return waiting[0]
        slowest = _slowest(self._open)
        if slowest is not None:
            return slowest
        busiest = max(self._by_client.values(), key=len, default={})
        if len(busiest) > self.per_client:
            return next(iter(busiest))
        return None if waiting is None else waiting[0]

    def _evict(self, connection: GuardedProtocol | None) -> bool:
        if connection is None:
            return False
        self.release(connection)
        reset(connection.transport)
        self.evicted += 1
        return True

    def waiting(self, connection: GuardedProtocol) -> None:
        self._waiting.pop(connection, None)
        self._waiting[connection] = time.monotonic()

    def answering(self, connection: GuardedProtocol) -> None:
        self._waiting.pop(connection, None)

    def release(self, connection: GuardedProtocol) -> None:
        self._open.discard(connection)
        self._waiting.pop(connection, None)
        mine = self._by_client.get(connection.client_address)
        if mine is not None:
            mine.pop(connection, None)
            if not mine:
                del self._by_client[connection.client_address]


def reset(transport: asyncio.Transport) -> None:
    """Close at once, discarding what the kernel still holds for the client (a reset, not a goodbye):
    otherwise megabytes queued for a client that does not read stay in memory until it does."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _slowest(connections: Iterable[GuardedProtocol]) -> GuardedProtocol | None:
    """The connection reading its answer slowest, if it reads below the minimum rate."""
    slow = [connection for connection in connections if connection.reads_slowly()]
    return min(slow, key=lambda connection: connection.read_rate(), default=None)


class CountingTransport:
    """A transport that counts what is written to it, so what the client has read can be measured."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self.written = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += len(data)
        self._transport.write(data)

    def read_so_far(self) -> int:
        return self.written - self._transport.get_write_buffer_size()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header deadline and size limit, a connection bound and a
    write-stall deadline (what it relies on of uvicorn's insides: ``uvicorn_internals``)."""

    guard: ClassVar[ConnectionGuard]
    limits: ClassVar[ServerLimits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_bytes = 0  # received since the last request's headers ended
        self._request_deadline: asyncio.TimerHandle | None = None
        self._write_deadline: asyncio.TimerHandle | None = None
        self._rate_check: asyncio.TimerHandle | None = None
        self._counting: CountingTransport | None = None
        self._window_start = (0.0, 0)  # (when, bytes read by then) of the current measuring window
        self._last_rate: float | None = None  # bytes a second read over the last full window
        self.client_address = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        peer = transport.get_extra_info("peername")
        self.client_address = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        self._counting = CountingTransport(transport)
        super().connection_made(self._counting)  # type: ignore[arg-type]
        if not self.guard.admit(self):
            transport.close()
            return
        self._await_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.release(self)
        for timer in (self._request_deadline, self._write_deadline, self._rate_check):
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    def read_rate(self) -> float:
        return self._last_rate if self._last_rate is not None else float("inf")

    def reads_slowly(self) -> bool:
        return self._last_rate is not None and self._last_rate < self.limits.min_read_bytes_per_s

    def _start_measuring(self) -> None:
        if self._rate_check is None and self._counting is not None:
            self._window_start = (self.loop.time(), self._counting.read_so_far())
            self._rate_check = self.loop.call_later(self.limits.read_window_s, self._check_rate)

    def _check_rate(self) -> None:
        """Every window while an answer is being sent: drop the connection if its client reads too slowly.
        Only a window the client's buffers held back counts: a short answer read at once is not slow."""
        self._rate_check = None
        if self._counting is None or self.transport.is_closing():
            return
        started, read_then = self._window_start
        read_now = self._counting.read_so_far()
        self._last_rate = (read_now - read_then) / max(self.loop.time() - started, 1e-3)
        if self._counting.get_write_buffer_size() > 0 and self.reads_slowly():
            self.guard.release(self)
            reset(self.transport)
            return
        if answer_pending(self):
            self._start_measuring()
        else:
            self._last_rate = None

    def data_received(self, data: bytes) -> None:
        # Counted before the parser sees it: httptools would keep an endless header in memory.
        self._header_bytes += len(data)
        if self._header_bytes > self.limits.max_header_bytes:
            self.send_error_response(http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._header_bytes = 0
        if answer_pending(self):
            self.guard.answering(self)  # a request arrived in time: its answer may take long
            self._start_measuring()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Unless a pipelined request is already being answered.
        if not self.transport.is_closing() and not answer_pending(self):
            self._await_request()

    def _await_request(self) -> None:
        if self._request_deadline is not None:
            self._request_deadline.cancel()
        self.guard.waiting(self)
        self._request_deadline = self.loop.call_later(self.limits.header_timeout_s, self._request_too_slow)

    def _request_too_slow(self) -> None:
        self._request_deadline = None
        if not answer_pending(self):
            self.guard.release(self)
            self.transport.close()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_deadline is None:
            self._write_deadline = self.loop.call_later(self.limits.write_stall_timeout_s, self.transport.abort)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None

    def send_400_response(self, msg: str) -> None:
        self.send_error_response(http.HTTPStatus.BAD_REQUEST)

    def send_error_response(self, status: http.HTTPStatus) -> None:
        """Answer a refused request (400, or 431 for headers too large) and close."""
        self.guard.release(self)
        body = status.phrase.encode("ascii")
        self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                             b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                             % (status.value, body, len(body), body))
        self.transport.close()


def guarded_protocol(limits: ServerLimits, capacity: int) -> type[GuardedProtocol]:
    """A protocol class for one server: its own guard, so two servers in one process do not share."""
    return type("GuardedProtocol", (GuardedProtocol,),
                {"guard": ConnectionGuard(capacity, limits.max_per_client), "limits": limits})


class LogLimit(logging.Filter):
    """Pass at most ``per_message`` records of each message, and ``overall`` in all, per ``window_s``.

    The first record let through after a window with losses says how many were dropped, so a flood
    of "Too many open files" or bad requests costs a few lines a minute, not megabytes.
    """

    def __init__(self, per_message: int = 5, overall: int = 30, window_s: float = 60.0) -> None:
        super().__init__()
        self.per_message, self.overall, self.window_s = per_message, overall, window_s
        self._window_start = time.monotonic()
        self._counts: dict[tuple[str, str], int] = {}
        self._passed = 0
        self._dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self._window_start >= self.window_s:
            self._window_start, self._counts, self._passed = now, {}, 0
        key = (record.name, str(record.msg)[:200])
        count = self._counts.get(key, 0) + 1
        if len(self._counts) < 1000 or key in self._counts:
            self._counts[key] = count
        if count > self.per_message or self._passed >= self.overall:
            self._dropped += 1
            return False
        self._passed += 1
        if self._dropped:
            record.msg = f"{record.msg} ({self._dropped} similar log records dropped before this one)"
            self._dropped = 0
        return True


SERVER_LOGGER = "uvicorn.error"  # uvicorn's own log, which the server's warnings join
LIMITED_LOGGERS = (SERVER_LOGGER, "asyncio")


def limit_logging() -> None:
    for name in LIMITED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, LogLimit) for existing in logger.filters):
            logger.addFilter(LogLimit())
