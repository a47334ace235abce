"""Where the library is published: one rule for the base URL, and the podcast's one identity.

The base URL that the feed and the page use is, first found:

1. the configured one (``--base-url``, ``$BRIEFING_BASE_URL``, ``[channel] base_url``);
2. the one ``briefing feed --base-url`` stored in the library (``BASE_URL_KEY`` in its meta table;
   ``briefing feed --clear`` forgets it);
3. the address of a ``briefing serve`` running on the library: each records its own in
   ``.server-<pid>.json`` while it runs and deletes it when it stops (a dead server's record is
   ignored); of several, the one started first writes ``feed.xml``, and each server answers the
   feed and the page rendered for its own address (``publish.render_for_server``);
4. the built-in ``http://127.0.0.1:8000/``.

A server listening on every interface is recorded at the machine's LAN address, which clients can
reach. The ``podcast:guid`` is claimed once, from the first feed URL the user configured (1 or 2)
that is public (a UUIDv5, as the podcast namespace specifies), and never changes after; until then
the feed claims none, so a library tried out on 127.0.0.1, or on the README's example.org, does not take an identity that directories would key subscriptions on.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from briefing.config import DEFAULT_BASE_URL, ChannelSettings, Config
from briefing.library.feed import podcast_guid
from briefing.library.layout import FEED_NAME
from briefing.library.store import FEED_GUID_KEY
from briefing.system.fsutil import atomic_write_text, host_tag
from briefing.system.processes import process_alive, process_start

SERVER_FILE = ".server.json"  # an older briefing's one record; hidden, so never served
SERVER_RECORDS = ".server-*.json"  # one per running server
BASE_URL_KEY = "base_url"
GUID_KEY = FEED_GUID_KEY  # "" once a feed is written, the guid once claimed
# What every library claimed before the guid waited for a public URL: the built-in default's guid.
_UNCLAIMED = {"", podcast_guid(DEFAULT_BASE_URL + FEED_NAME)}
_EVERY_INTERFACE = {"", "0.0.0.0", "::"}
# RFC 2606: the documentation domains (the README's examples use example.org) and the testing TLDs,
# never a real podcast's address. (The .example TLD is left to tests that stand for a public host.)
_RESERVED_NAMES = ("test", "invalid")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
# RFC 5737's documentation address is never routed; connecting a UDP socket sends nothing, it only
# asks the kernel which local address a packet would leave from.
_UNROUTED = ("192.0.2.1", 9)


class MetaStore(Protocol):
    """The part of ``library.Library`` this module uses."""

    def setdefault_meta(self, key: str, default: str) -> str: ...

    def set_meta(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class Address:
    """The base URL the module's rule chose, where it came from, and whether the user chose it."""

    base_url: str
    origin: str
    configured: bool  # set by the user (1 or 2 of the rule), not a running server's or the default


def resolve(config: Config, stored_base_url: str | None, library_dir: Path, serving: str | None = None) -> Address:
    """The base URL by the module's rule; ``stored_base_url``: what ``feed --base-url`` stored;
    ``serving``: the address of the server asking, which takes the place of step 3 for what it serves."""
    if config.base_url_chosen:
        return Address(config.channel.base_url, config.base_url_origin, True)
    if stored_base_url:
        return Address(stored_base_url, "stored by `briefing feed --base-url` (`--clear` forgets it)", True)
    served = serving or running_server_url(library_dir)
    if served:
        return Address(served, "the running `briefing serve`", False)
    return Address(DEFAULT_BASE_URL, "the built-in default (nothing configured, no server running)", False)


def published_channel(config: Config, stored_base_url: str | None, library_dir: Path) -> ChannelSettings:
    """The channel settings with the base URL chosen by the module's rule."""
    return replace(config.channel, base_url=resolve(config, stored_base_url, library_dir).base_url)


def claim_podcast_guid(store: MetaStore, feed_url: str, configured: bool = True) -> str | None:
    """The podcast's guid: kept once claimed, claimed from ``feed_url`` if configured and public, else None."""
    stored = store.setdefault_meta(GUID_KEY, "")  # stored even empty: it tells a library that wrote a feed
    if stored not in _UNCLAIMED:
        return stored
    if not configured or not is_public(feed_url):
        return None
    claimed = podcast_guid(feed_url)
    store.set_meta(GUID_KEY, claimed)
    return claimed


def unclaimed_guids() -> set[str]:
    """Guid values that mean "not claimed yet" (an older briefing stored the default address's)."""
    return set(_UNCLAIMED)


def is_public(url: str) -> bool:
    """Whether ``url`` names a host on the internet: not loopback, a private network or a .local name."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".home.arpa", ".lan")):
        return False
    if host.rsplit(".", 1)[-1] in _RESERVED_NAMES or any(host == d or host.endswith("." + d) for d in _RESERVED_DOMAINS):
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
    """Record ``url`` as this server's address for as long as the block runs (its own file)."""
    path = Path(library_dir) / f".server-{host_tag()}-{os.getpid()}.json".replace("/", "_")
    record = {"url": url, "pid": os.getpid(), "host": host_tag(), "started": process_start(os.getpid()),
              "since": time.time()}
    atomic_write_text(path, json.dumps(record))
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def running_server_url(library_dir: Path) -> str | None:
    """The base URL of the first-started server running on the library, unless every one is gone."""
    live = []
    for path in [Path(library_dir) / SERVER_FILE, *Path(library_dir).glob(SERVER_RECORDS)]:
        record = _read_record(path)
        if record is not None and _live_url(record):
            live.append((float(record.get("since", 0) or 0), record["url"]))
    return min(live)[1] if live else None


def _live_url(record: dict) -> bool:
    url, pid, started = record.get("url"), record.get("pid"), record.get("started")
    if not isinstance(url, str) or not url.startswith("http://") or not url.endswith("/"):
        return False
    return record.get("host") != host_tag() or process_alive(pid, started if isinstance(started, str) else None)


def _read_record(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
