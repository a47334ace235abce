"""The local HTTP server: the library's published files, read-only, and nothing else.

Starlette's FileResponse under uvicorn serves the files: it writes single, suffix, open and
multi-range answers, 416 with ``bytes */SIZE`` and If-Range, and streams asynchronously so many slow
clients cost no threads. Our own small code decides what may be served: only what is published
(``Published``: the feed, the page, the channel cover, each recorded episode's audio and side
files, and a replaced episode's files through their grace period), never a hidden file, nothing whose real path is not itself published; it checks Range headers
by RFC 9110's grammar first (an invalid one is ignored, a 200), sets content types and CORS, answers
conditional GETs, and reads each chunk with one ``os.pread`` in a worker thread. The bounds that
keep the server from being starved (header deadline and size, connections, log) are in
``server_guard``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import stat
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path, PurePosixPath

import anyio
import uvicorn
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from briefing.config import Config, load_config
from briefing.errors import BriefingError
from briefing.library.layout import FEED_NAME, PAGE_NAME
from briefing.library.media_types import media_type
from briefing.library.publish import published_paths, render_for_server
from briefing.library.store import DB_NAME, Library
from briefing.model import Episode
from briefing.server.guard import (
    SERVER_LOGGER,
    ServerLimits,
    connection_capacity,
    guarded_protocol,
    limit_logging,
    raise_file_limit,
)

# Files that change in place: clients should revalidate (cheaply, with the ETag) every time.
REVALIDATE = {".xml", ".html", ".xsl", ".css"}
logger = logging.getLogger(SERVER_LOGGER)


class Published:
    """The library-relative paths the server may answer: what the feed and the page publish.

    Derived from the database and the generated files, and derived again whenever ``feed.xml`` or
    the database changes (a few ``stat`` calls per request tell), so an inbox, notes, settings or
    anything else that happens to sit in the library folder is never served. With ``serving`` (the
    server's own address), ``rendered`` holds the feed and the page rendered for it when no address is
    configured: ``feed.xml`` names one server, and another on the library must not send its
    listeners there.
    """

    def __init__(self, root: Path, serving: str | None = None) -> None:
        self.root = root
        self.serving = serving
        self.paths: frozenset[str] = frozenset()
        self.rendered: dict[str, bytes] = {}
        self._signature: tuple[tuple[int, int, int], ...] | None = None
        self._lock = anyio.Lock()

    async def current(self) -> frozenset[str]:
        if self._signature != self._stat():
            async with self._lock:  # one reading of the database at a time, outside the event loop
                signature = self._stat()
                if self._signature != signature:
                    self.paths, self.rendered = await anyio.to_thread.run_sync(self._read)
                    self._signature = signature
        return self.paths

    def _stat(self) -> tuple[tuple[int, int, int], ...]:
        signature = []
        for name in (FEED_NAME, DB_NAME, DB_NAME + "-wal"):
            try:
                found = os.stat(self.root / name)
                signature.append((found.st_ino, found.st_size, found.st_mtime_ns))
            except OSError:
                signature.append((0, 0, 0))
        return tuple(signature)

    def _read(self) -> tuple[frozenset[str], dict[str, bytes]]:
        try:
            config: Config | None = load_config(self.root)
        except BriefingError:
            config = None
        episodes: list[Episode] = []
        replaced: list[str] = []
        rendered: dict[str, bytes] = {}
        if (self.root / DB_NAME).is_file():
            try:
                with Library.open(self.root, create=False) as library:
                    episodes, replaced = library.episodes(), library.replaced_files()
                    if self.serving and config is not None:
                        rendered = render_for_server(library, config, self.serving)
            except BriefingError as error:
                logger.warning("%s: serving no episodes (%s)", self.root / DB_NAME, error.message)
                episodes, replaced, rendered = [], [], {}
        # Replaced episodes' files answer until their grace period ends (see publish).
        paths = published_paths(episodes, config.channel.image if config else None, replaced)
        return frozenset(filter(None, (_normal(path) for path in paths))), rendered


def _normal(relative: str) -> str | None:
    parts = [part for part in PurePosixPath(relative).parts if part not in ("", ".")]
    return None if not parts or parts[0] == "/" or ".." in parts else "/".join(parts)


class _Pread:
    """The slice of anyio's AsyncFile that FileResponse uses, at one worker-thread hop per read.

    anyio's file makes a hop for open, seek, read and close: four per range request, which made
    short range requests slower than http.server. Opening and seeking a local file do not block.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._fd = os.open(path, os.O_RDONLY)
        self._position = 0

    async def seek(self, position: int) -> None:
        self._position = position

    async def read(self, size: int) -> bytes:
        chunk = await anyio.to_thread.run_sync(os.pread, self._fd, size, self._position)
        self._position += len(chunk)
        return chunk

    def close(self) -> None:
        os.close(self._fd)


class LibraryFileResponse(FileResponse):
    # Starlette still parses the ranges and writes the headers; only the reading is ours. Should
    # Starlette drop this private hook, its own reading takes over unchanged.
    @asynccontextmanager
    async def _open_file(self) -> AsyncIterator[_Pread]:  # type: ignore[override]
        file = _Pread(self.path)
        try:
            yield file
        finally:
            file.close()


class LibraryApp:
    """An ASGI app serving the published files of one library folder."""

    def __init__(self, library_dir: Path, serving: str | None = None) -> None:
        self.root = Path(os.path.realpath(library_dir))
        self.published = Published(self.root, serving)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan and websockets: nothing to set up, nothing to accept
        response = self.respond(scope, await self.published.current(), self.published.rendered)
        if isinstance(response, FileResponse) and response.stat_result is not None:
            scope = with_valid_range(scope, response.stat_result.st_size)
        await response(scope, receive, send)

    def respond(self, scope: Scope, published: frozenset[str], rendered: dict[str, bytes] | None = None) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse("Method Not Allowed", 405, headers={"Allow": "GET, HEAD"})
        found = self.find(scope["path"], published)
        if found is None:
            return PlainTextResponse("Not Found", 404, headers={"Cache-Control": "no-store"})
        path, stat_result = found
        headers = {"Access-Control-Allow-Origin": "*"}
        if path.suffix in REVALIDATE:
            headers["Cache-Control"] = "no-cache"
        body = (rendered or {}).get(path.relative_to(self.root).as_posix())
        if body is not None:
            return _rendered_response(scope, body, path, stat_result, headers)
        response = LibraryFileResponse(path, headers=headers, media_type=media_type(path),
                                stat_result=stat_result)
        if not_modified(dict(_request_headers(scope)), response.headers["etag"], stat_result.st_mtime):
            keep = ("etag", "last-modified", "cache-control", "access-control-allow-origin")
            return Response(status_code=304, headers={k: response.headers[k] for k in keep
                                                      if k in response.headers})
        return response

    def find(self, url_path: str, published: frozenset[str]) -> tuple[Path, os.stat_result] | None:
        """The published regular file that ``url_path`` (already percent-decoded) names, or None."""
        parts = [part for part in url_path.split("/") if part]
        if not parts:
            parts = [PAGE_NAME]
        if any(part.startswith(".") or "\\" in part or "\0" in part for part in parts):
            return None  # hidden and temporary files, "..", and Windows-style separators
        if "/".join(parts) not in published:
            return None
        real = Path(os.path.realpath(self.root.joinpath(*parts)))
        if not real.is_relative_to(self.root) or real.relative_to(self.root).as_posix() not in published:
            return None  # a symlink leading out of the published files: to the database, the settings, elsewhere
        try:
            stat_result = real.stat()
        except (OSError, ValueError):
            return None
        return (real, stat_result) if stat.S_ISREG(stat_result.st_mode) else None


def _rendered_response(scope: Scope, body: bytes, path: Path, stat_result: os.stat_result,
                       headers: dict[str, str]) -> Response:
    """``body`` in place of the file at ``path``: whole (a Range is ignored, as RFC 9110 allows), with
    an ETag of its own bytes and the file's time."""
    etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    headers = {**headers, "ETag": etag, "Last-Modified": formatdate(stat_result.st_mtime, usegmt=True)}
    if not_modified(dict(_request_headers(scope)), etag, stat_result.st_mtime):
        return Response(status_code=304, headers=headers)
    return Response(body, headers=headers, media_type=media_type(path))


_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")


def with_valid_range(scope: Scope, size: int) -> Scope:
    """``scope`` with its Range header checked by RFC 9110 §14.1.2 before Starlette reads it.

    An invalid header (another unit, a malformed or backwards range) is dropped, so the full file
    is sent (§14.2); of a valid one only the satisfiable ranges are kept, and when there are none
    one unsatisfiable range is kept, for Starlette's 416. Starlette alone answers 400 to some
    invalid headers and 416 when any one range is unsatisfiable.
    """
    headers = scope["headers"]
    values = [value for name, value in headers if name.lower() == b"range"]
    if not values:
        return scope
    ranges = _satisfiable(values[0].decode("latin-1"), size) if len(values) == 1 else None
    kept = [(name, value) for name, value in headers if name.lower() != b"range"]
    if ranges is not None:
        kept.append((b"range", ("bytes=" + ",".join(ranges or [f"{size}-"])).encode("ascii")))
    return {**scope, "headers": kept}


def _satisfiable(header: str, size: int) -> list[str] | None:
    """The satisfiable ranges of a valid ``bytes`` Range header, or None when it is invalid."""
    unit, equals, specs = header.partition("=")
    if not equals or unit.lower() != "bytes":
        return None
    ranges, valid = [], False
    for spec in specs.split(","):
        spec = spec.strip(" \t")
        if not spec:
            continue  # empty list elements are allowed (RFC 9110 §5.6.1.2)
        match = _RANGE_SPEC.fullmatch(spec)
        if match is None or not any(match.groups()):
            return None
        first, last = (_number(digits) if digits else None for digits in match.groups())
        if first is not None and last is not None and last < first:
            return None
        valid = True
        if first is not None and first < size:
            ranges.append(f"{first}-{'' if last is None else last}")
        elif first is None and last:
            ranges.append(f"-{last}")
    return ranges if valid else None


def _number(digits: str) -> int:
    # int() refuses more than 4300 digits; anything past 18 is beyond every file anyway.
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else 10**18


def not_modified(request: dict[str, str], etag: str, mtime: float) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if "if-none-match" in request:
        tags = [tag.strip().removeprefix("W/") for tag in request["if-none-match"].split(",")]
        return "*" in tags or etag in tags
    if "if-modified-since" in request:
        try:
            since = parsedate_to_datetime(request["if-modified-since"]).timestamp()
        except (TypeError, ValueError):
            return False
        return int(mtime) <= since
    return False


def _request_headers(scope: Scope) -> Iterator[tuple[str, str]]:
    for name, value in scope["headers"]:
        yield name.decode("latin-1").lower(), value.decode("latin-1")


def _config(library_dir: Path, host: str, port: int, limits: ServerLimits, serving: str | None) -> uvicorn.Config:
    capacity = connection_capacity(limits, raise_file_limit())
    config = uvicorn.Config(LibraryApp(library_dir, serving), host=host, port=port, lifespan="off",
                            http=guarded_protocol(limits, capacity), ws="none",
                            timeout_keep_alive=limits.keep_alive_s, access_log=False,
                            log_level="warning", server_header=False, timeout_graceful_shutdown=2)
    limit_logging()  # after uvicorn has configured its loggers
    return config


def _check(library_dir: Path) -> None:
    if not Path(library_dir).is_dir():
        raise BriefingError(f"{library_dir}: no such library folder")


def serve(library_dir: Path, host: str = "127.0.0.1", port: int = 8000,
          limits: ServerLimits = ServerLimits(), serving: str | None = None) -> None:
    """Serve until Ctrl-C (uvicorn turns SIGINT/SIGTERM into a clean shutdown); ``serving``: the
    address clients reach it at, which the feed and page it answers name unless one is configured."""
    _check(library_dir)
    try:
        listener = bind(host, port)
    except OSError as error:
        raise BriefingError(f"cannot listen on {host}:{port} ({error.strerror})") from None
    try:
        uvicorn.Server(_config(library_dir, host, port, limits, serving)).run(sockets=[listener])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it has already handled by shutting down
    finally:
        listener.close()


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(2048)
    return listener


@dataclass(frozen=True)
class Running:
    url: str
    port: int


@contextmanager
def running(library_dir: Path, host: str = "127.0.0.1", port: int = 0,
            limits: ServerLimits = ServerLimits()) -> Iterator[Running]:
    """Serve in a background thread (port 0 picks a free one) for as long as the block runs."""
    _check(library_dir)
    listener = bind(host, port)
    port = listener.getsockname()[1]
    server = uvicorn.Server(_config(library_dir, host, port, limits, None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise BriefingError(f"the server on {host}:{port} stopped while starting")
            threading.Event().wait(0.01)
        yield Running(url=f"http://{host}:{port}/", port=port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
