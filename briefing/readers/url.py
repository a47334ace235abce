"""Articles from the web: one bounded HTTP GET (timeout, size limit, our User-Agent)."""

from __future__ import annotations

from briefing import __version__
from briefing.errors import InputError

USER_AGENT = f"briefing/{__version__} (+https://github.com/briefing/briefing; podcast briefing generator)"
TIMEOUT_S = 15.0
MAX_BYTES = 10 * 1024 * 1024


def fetch_bytes(url: str, *, timeout_s: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """Return the body and its Content-Type, or raise InputError naming the URL and the problem."""
    import httpx

    try:
        with httpx.stream(
            "GET", url, timeout=timeout_s, follow_redirects=True, headers={"User-Agent": USER_AGENT}
        ) as response:
            if response.status_code >= 400:
                raise InputError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(f"{url}: larger than {max_bytes // (1024 * 1024)} MB, not an article")
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("content-type", "")
    except httpx.InvalidURL as error:
        raise InputError(f"{url}: not a valid URL ({error})") from None
    except httpx.TimeoutException:
        raise InputError(f"{url}: timed out after {timeout_s:g} s") from None
    except httpx.HTTPError as error:
        raise InputError(f"{url}: cannot fetch: {error}") from None


def fetch_url(url: str, *, timeout_s: float = TIMEOUT_S) -> tuple[str, str | None]:
    """Fetch an article page; return its text and the format its Content-Type names (None: detect)."""
    body, content_type = fetch_bytes(url, timeout_s=timeout_s)
    return page_text(url, body, content_type)


def page_text(url: str, body: bytes, content_type: str) -> tuple[str, str | None]:
    """A fetched response as article text and its format, or InputError when it is not an article page."""
    from briefing.readers import decode_input

    media_type = content_type.split(";")[0].strip().lower()
    if media_type and not (media_type.startswith("text/") or "json" in media_type or "xml" in media_type):
        raise InputError(f"{url}: not an article page (Content-Type {media_type})")
    text = decode_input(body, url)
    if "html" in media_type:
        return text, "html"
    if "json" in media_type:
        return text, "json"
    return text, None
