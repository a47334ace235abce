"""Library settings: ``<library>/briefing.toml`` → environment (``BRIEFING_*``) → CLI options.

Owns reading and validating the file into one frozen settings object. It does not decide where the
library is (see ``library.resolve_library_dir``) and keeps other stages' tables in ``Config.raw``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from briefing.errors import InputError, UsageError

CONFIG_NAME = "briefing.toml"
BASE_URL_ENV = "BRIEFING_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class ChannelSettings:
    """What the feed and the web page say about the podcast as a whole."""

    title: str = "Briefing"
    author: str = "briefing"
    description: str = "Narrated news briefings."
    language: str = "en-gb"
    image: str | None = None  # relative to the library folder
    base_url: str = DEFAULT_BASE_URL
    category: str = "News"
    explicit: bool = False
    email: str | None = None

    @property
    def feed_url(self) -> str:
        return self.base_url + "feed.xml"


@dataclass(frozen=True)
class Config:
    channel: ChannelSettings = field(default_factory=ChannelSettings)
    raw: dict[str, Any] = field(default_factory=dict)
    base_url_chosen: bool = False  # False: the built-in default, which `serve` may replace


def load_config(library_dir: Path, base_url: str | None = None) -> Config:
    """Read ``briefing.toml`` (if any), then apply ``BRIEFING_BASE_URL`` and then ``base_url``."""
    path = Path(library_dir) / CONFIG_NAME
    raw = _read_toml(path)
    channel = _channel_from(raw.get("channel", {}), path)
    source: Path | str = path
    for name, override in ((BASE_URL_ENV, os.environ.get(BASE_URL_ENV)), ("--base-url", base_url)):
        if override:
            channel, source = replace(channel, base_url=override), name
    channel = replace(channel, base_url=normalise_base_url(channel.base_url, source))
    chosen = source != path or "base_url" in raw.get("channel", {})
    return Config(channel=channel, raw=raw, base_url_chosen=chosen)


def normalise_base_url(url: str, source: Path | str = "--base-url") -> str:
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"{source}: base_url must start with http:// or https://, got {url!r}")
    # Enclosure URLs are joined onto it, so it must name a folder.
    return url if url.endswith("/") else url + "/"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML ({error})") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def _channel_from(table: Any, path: Path) -> ChannelSettings:
    if not isinstance(table, dict):
        raise InputError(f"{path}: [channel] must be a table")
    known = {f.name: f for f in fields(ChannelSettings)}
    for key, value in table.items():
        if key not in known:
            raise InputError(f"{path}: unknown setting channel.{key}")
        expected = bool if key == "explicit" else str
        if not isinstance(value, expected):
            raise InputError(f"{path}: channel.{key} must be a {expected.__name__}")
    return ChannelSettings(**table)
