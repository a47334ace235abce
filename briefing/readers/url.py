"""Articles from the web: one bounded HTTP GET (our User-Agent, a size limit, a whole-request deadline).

Redirects are followed here, at most ``MAX_REDIRECTS`` of them, so that every hop is checked: by
default an address that is not on the public internet (loopback, private, link-local, multicast,
reserved, unspecified; IPv4, IPv6 and IPv4 inside IPv6) is refused, because a feed item or a
redirect could otherwise make briefing read and publish a page from the user's own network.
``allow_private=True`` is the opt-in for reading an intranet. ``timeout_s`` bounds the whole
request, redirects, headers and body together.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpcore
import httpx

from briefing.system.version import VERSION
from briefing.errors import InputError
from briefing.readers.base import URL_MAX_BYTES, URL_TIMEOUT_S
from briefing.readers.decoding import decode_input
from briefing.readers.registry import READERS
from briefing.readers.netguard import Deadline, GuardedBackend, RefusedAddress

USER_AGENT = f"briefing/{VERSION} (+https://github.com/briefing/briefing; podcast briefing generator)"
MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PRIVATE_OPT_IN = "allow_private_urls = true in [sources], or --allow-private-urls, permits it"


class _CoreStream(httpx.SyncByteStream):
    def __init__(self, stream: httpcore.Response) -> None:
        self._response = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


class _GuardedTransport(httpx.BaseTransport):
    """httpx's transport, on a connection pool whose every connection goes through ``GuardedBackend``."""

    def __init__(self, backend: GuardedBackend) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=backend)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                             target=request.url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = self._pool.handle_request(core_request)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_CoreStream(response), extensions=response.extensions)

    def close(self) -> None:
        self._pool.close()


def fetch_bytes(url: str, *, timeout_s: float = URL_TIMEOUT_S, max_bytes: int = URL_MAX_BYTES,
                allow_private: bool = False) -> tuple[bytes, str]:
    """Return the body and its Content-Type, or raise InputError naming the URL and the problem."""
    deadline = Deadline(timeout_s)
    hop = url
    try:
        with httpx.Client(transport=_GuardedTransport(GuardedBackend(deadline, allow_private)), trust_env=False,
                          timeout=timeout_s, headers={"User-Agent": USER_AGENT}) as client:
            for _ in range(MAX_REDIRECTS + 1):
                _check_scheme(url, hop)
                with client.stream("GET", hop) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        hop = str(response.url.join(location))
                        continue
                    if response.status_code >= 300:
                        raise InputError(f"{_named(url, hop)}: HTTP {response.status_code} {response.reason_phrase}")
                    return _body(url, response, max_bytes), response.headers.get("content-type", "")
            raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects")
    except RefusedAddress as refused:
        where = refused.address if refused.host.strip("[]") == refused.address else \
            f"{refused.host} resolves to {refused.address}, which"
        raise InputError(f"{_named(url, hop)}: refused, {where} is a private or local address; "
                         f"{PRIVATE_OPT_IN}") from None
    except httpx.InvalidURL as error:
        raise InputError(f"{_named(url, hop)}: not a valid URL ({error})") from None
    except (httpx.TimeoutException, httpcore.TimeoutException):
        raise InputError(f"{url}: timed out after {timeout_s:.3g} s") from None
    except (httpx.HTTPError, httpcore.ConnectError, httpcore.NetworkError, httpcore.ProtocolError,
            httpcore.UnsupportedProtocol) as error:
        raise InputError(f"{_named(url, hop)}: cannot fetch: {error or type(error).__name__}") from None


def _check_scheme(url: str, hop: str) -> None:
    scheme = hop.partition(":")[0].lower()
    if scheme not in ("http", "https"):
        raise InputError(f"{_named(url, hop)}: unsupported URL scheme {scheme!r} (only http and https)")


def _named(url: str, hop: str) -> str:
    return url if hop == url else f"{url} (redirected to {hop})"


def _body(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise InputError(f"{url}: larger than {max_bytes // (1024 * 1024)} MB, not an article")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_url(url: str, *, timeout_s: float = URL_TIMEOUT_S, allow_private: bool = False) -> tuple[str, str | None]:
    """Fetch an article page; return its text and the format its Content-Type names (None: detect)."""
    body, content_type = fetch_bytes(url, timeout_s=timeout_s, allow_private=allow_private)
    return page_text(url, body, content_type)


def page_text(url: str, body: bytes, content_type: str) -> tuple[str, str | None]:
    """A fetched response as article text and its format, or InputError when it is not an article page."""
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    named = next((reader.name for reader in READERS if any(word in media_type for word in reader.media_types)), None)
    if media_type and named is None and not (media_type.startswith("text/") or "xml" in media_type):
        raise InputError(f"{url}: not an article page (Content-Type {media_type})")
    return decode_input(body, url, declared_charset=_charset(parameters)), named


def _charset(parameters: str) -> str | None:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
