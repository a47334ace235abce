"""The local HTTP server: the library folder's feed, page and episode files, read-only.

Starlette's FileResponse under uvicorn serves the files, because in this version it already gets
byte ranges right (single, suffix, open and multi-range, 416 with ``bytes */SIZE``, If-Range) and
streams asynchronously so many slow clients cost no threads; our own small code decides what may be
served (an extension allow-list, no hidden or temporary files, nothing whose real path leaves the
library, so no traversal and no symlinks out), sets content types and CORS, answers conditional
GETs, and reads each chunk with one ``os.pread`` in a worker thread. uvicorn uses httptools for
parsing when it is installed (faster), else h11.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

import anyio
import uvicorn
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from briefing.errors import BriefingError

MEDIA_TYPES = {
    ".mp3": "audio/mpeg",
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}
SPECIAL_TYPES = {"feed.xml": "application/rss+xml; charset=utf-8"}
# Files that change in place: clients should revalidate (cheaply, with the ETag) every time.
REVALIDATE = {".xml", ".html"}


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
    async def _open_file(self) -> AsyncIterator[_Pread]:
        file = _Pread(self.path)
        try:
            yield file
        finally:
            file.close()


class LibraryApp:
    """An ASGI app serving the allowed files of one library folder."""

    def __init__(self, library_dir: Path) -> None:
        self.root = Path(os.path.realpath(library_dir))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan and websockets: nothing to set up, nothing to accept
        response = self.respond(scope)
        await response(scope, receive, send)

    def respond(self, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse("Method Not Allowed", 405, headers={"Allow": "GET, HEAD"})
        found = self.find(scope["path"])
        if found is None:
            return PlainTextResponse("Not Found", 404, headers={"Cache-Control": "no-store"})
        path, stat_result = found
        headers = {"Access-Control-Allow-Origin": "*"}
        if path.suffix in REVALIDATE:
            headers["Cache-Control"] = "no-cache"
        response = LibraryFileResponse(path, headers=headers, media_type=media_type(path),
                                stat_result=stat_result)
        if not_modified(dict(_request_headers(scope)), response.headers["etag"], stat_result.st_mtime):
            keep = ("etag", "last-modified", "cache-control", "access-control-allow-origin")
            return Response(status_code=304, headers={k: response.headers[k] for k in keep
                                                      if k in response.headers})
        return response

    def find(self, url_path: str) -> tuple[Path, os.stat_result] | None:
        """The regular file that ``url_path`` (already percent-decoded) may serve, or None."""
        parts = [part for part in url_path.split("/") if part]
        if not parts:
            parts = ["index.html"]
        if any(part.startswith(".") or "\\" in part or "\0" in part for part in parts):
            return None  # hidden and temporary files, "..", and Windows-style separators
        if Path(parts[-1]).suffix.lower() not in MEDIA_TYPES:
            return None
        real = Path(os.path.realpath(self.root.joinpath(*parts)))
        if not real.is_relative_to(self.root):
            return None  # a symlink (or anything else) leading out of the library
        try:
            stat_result = real.stat()
        except (OSError, ValueError):
            return None
        return (real, stat_result) if stat.S_ISREG(stat_result.st_mode) else None


def media_type(path: Path) -> str:
    return SPECIAL_TYPES.get(path.name) or MEDIA_TYPES[path.suffix.lower()]


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


def _config(library_dir: Path, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(LibraryApp(library_dir), host=host, port=port, lifespan="off",
                          access_log=False, log_level="warning", server_header=False,
                          timeout_graceful_shutdown=2)


def _check(library_dir: Path) -> None:
    if not Path(library_dir).is_dir():
        raise BriefingError(f"{library_dir}: no such library folder")


def serve(library_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until Ctrl-C (uvicorn turns SIGINT/SIGTERM into a clean shutdown)."""
    _check(library_dir)
    try:
        listener = bind(host, port)
    except OSError as error:
        raise BriefingError(f"cannot listen on {host}:{port} ({error.strerror})") from None
    try:
        uvicorn.Server(_config(library_dir, host, port)).run(sockets=[listener])
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
def running(library_dir: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[Running]:
    """Serve in a background thread (port 0 picks a free one) for as long as the block runs."""
    _check(library_dir)
    listener = bind(host, port)
    port = listener.getsockname()[1]
    server = uvicorn.Server(_config(library_dir, host, port))
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
