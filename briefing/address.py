"""Where the library is published: one rule for the base URL, and the podcast's one identity.

The base URL that the feed and the page use is, first found:

1. the configured one (``--base-url``, ``$BRIEFING_BASE_URL``, ``[channel] base_url``);
2. the one the last ``--base-url`` stored in the library (``BASE_URL_KEY`` in its meta table);
3. the address of the ``briefing serve`` running on the library, which it records in
   ``.server.json`` while it runs (a dead server's record is ignored);
4. the built-in ``http://127.0.0.1:8000/``.

A server listening on every interface is recorded at the machine's LAN address, which clients can
reach. The ``podcast:guid`` is claimed once, from the first public feed URL (a UUIDv5, as the
podcast namespace specifies), and never changes after; until then the feed claims none, so a library
tried out on 127.0.0.1 does not take an identity that directories would key subscriptions on.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from briefing.config import DEFAULT_BASE_URL, ChannelSettings, Config
from briefing.feed import FEED_NAME, podcast_guid
from briefing.fsutil import atomic_write_text, host_tag
from briefing.processes import process_alive, process_start

SERVER_FILE = ".server.json"  # hidden, so never served
BASE_URL_KEY = "base_url"
GUID_KEY = "podcast_guid"  # library.FEED_GUID_KEY: "" once a feed is written, the guid once claimed
# What every library claimed before the guid waited for a public URL: the built-in default's guid.
_UNCLAIMED = {"", podcast_guid(DEFAULT_BASE_URL + FEED_NAME)}
_EVERY_INTERFACE = {"", "0.0.0.0", "::"}
# RFC 5737's documentation address is never routed; connecting a UDP socket sends nothing, it only
# asks the kernel which local address a packet would leave from.
_UNROUTED = ("192.0.2.1", 9)


class MetaStore(Protocol):
    """The part of ``library.Library`` this module uses."""

    def meta(self, key: str, default: str) -> str: ...

    def set_meta(self, key: str, value: str) -> None: ...


def published_channel(config: Config, stored_base_url: str | None, library_dir: Path) -> ChannelSettings:
    """The channel settings with the base URL chosen by the module's rule.

    ``stored_base_url`` is the library's ``BASE_URL_KEY``: what the last ``--base-url`` said.
    """
    if config.base_url_chosen:
        return config.channel
    url = stored_base_url or running_server_url(library_dir) or DEFAULT_BASE_URL
    return replace(config.channel, base_url=url)


def claim_podcast_guid(store: MetaStore, feed_url: str) -> str | None:
    """The podcast's guid: kept once claimed, claimed from ``feed_url`` if public, else None."""
    stored = store.meta(GUID_KEY, "")  # stored even empty: it tells a library that wrote a feed
    if stored not in _UNCLAIMED:
        return stored
    if not is_public(feed_url):
        return None
    claimed = podcast_guid(feed_url)
    store.set_meta(GUID_KEY, claimed)
    return claimed


def is_public(url: str) -> bool:
    """Whether ``url`` names a host on the internet: not loopback, a private network or a .local name."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".home.arpa", ".lan")):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return "." in host  # a bare name ("nas") is resolved on the local network only


def server_url(host: str, port: int) -> str:
    """The base URL clients reach a server listening on ``host``:``port`` at."""
    if host in _EVERY_INTERFACE:
        host = lan_address()
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def lan_address() -> str:
    """This machine's address on its local network, else 127.0.0.1. Sends no packet."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_UNROUTED)
            found = probe.getsockname()[0]
        if _usable(found):
            return found
    except OSError:
        pass  # no route at all: ask the resolver for this host's name instead
    try:
        candidates = [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        candidates = []
    return next((address for address in candidates if _usable(address)), "127.0.0.1")


def _usable(address: str) -> bool:
    found = ipaddress.ip_address(address)
    return not (found.is_loopback or found.is_unspecified or found.is_link_local)


@contextmanager
def recorded_server(library_dir: Path, url: str) -> Iterator[None]:
    """Record ``url`` as the running server's address for as long as the block runs."""
    path = Path(library_dir) / SERVER_FILE
    record = {"url": url, "pid": os.getpid(), "host": host_tag(), "started": process_start(os.getpid())}
    atomic_write_text(path, json.dumps(record))
    try:
        yield
    finally:
        if _read_record(path) == record:  # another server started since owns the file now
            path.unlink(missing_ok=True)


def running_server_url(library_dir: Path) -> str | None:
    """The base URL the server running on the library recorded, unless that server is gone."""
    record = _read_record(Path(library_dir) / SERVER_FILE)
    if record is None:
        return None
    url, pid, started = record.get("url"), record.get("pid"), record.get("started")
    if not isinstance(url, str) or not url.startswith("http://") or not url.endswith("/"):
        return None
    if record.get("host") == host_tag() and not process_alive(pid, started if isinstance(started, str) else None):
        return None
    return url


def _read_record(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
