"""A real HTTP server on 127.0.0.1 for tests and benchmarks whose sources are web pages.

Each request is answered in a thread of its own by a function of its path, so an answer may wait
(a slow or hanging source) while others are served.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A body and its Content-Type, or an HTTP error status.
Answer = tuple[bytes, str] | int


@contextmanager
def serving(answer: Callable[[str], Answer]) -> Iterator[str]:
    """Serve ``answer(path)`` for every GET until the block ends; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            reply = answer(self.path)
            if isinstance(reply, int):
                self.send_error(reply)
                return
            body, kind = reply
            try:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped waiting (its timeout is what the test is about)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with served(server):
        yield f"http://127.0.0.1:{server.server_port}"


@contextmanager
def served(server: ThreadingHTTPServer) -> Iterator[None]:
    """``server`` answers from a background thread while the block runs; stopped and closed after."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def never_answering() -> Iterator[str]:
    """A URL on 127.0.0.1 whose server accepts connections (the kernel does) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/story"
    finally:
        listener.close()
