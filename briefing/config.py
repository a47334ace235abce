"""Library settings: ``<library>/briefing.toml`` → environment (``BRIEFING_*``) → CLI options.

Owns reading and validating the file into one frozen, typed settings object (``Config``); a stage
reads its part of it, never the file. It does not decide where the library is (see
``library.store.resolve_library_dir``); ``channel.Channel`` resolves both once per command.

Every table and key the file may hold is in ``SCHEMA``, with its type and range; ``load_config``
checks the whole file against it, then turns each table into its typed part (what a value means,
such as a feed's address, is still the stage's to check). A setting that is unknown, of the wrong
type or out of range is a ``SettingsError``: one line naming the key (and the known key it was
probably meant to be), exit code 2 like a bad option. A stage adding a setting adds it to ``SCHEMA``
and to its typed part.
"""

from __future__ import annotations

import difflib
import math
import os
import string
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from briefing.errors import UsageError
from briefing.system.fsutil import read_toml
from briefing.audio.formats import DEFAULT_FORMAT, format_names

CONFIG_NAME = "briefing.toml"
BASE_URL_ENV = "BRIEFING_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
SOURCE_LIST_KEYS = ("inbox", "feeds", "urls", "files")

if TYPE_CHECKING:
    from briefing.text.script import Framing
# [channel] image: the first bytes of each kind of image podcast directories accept.
IMAGE_SIGNATURES = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}
MAX_CONFIG_BYTES = 1024 * 1024  # a hand-written settings file; more is a mistaken file


class SettingsError(UsageError):
    """``briefing.toml`` cannot be used as it is: exit code 2, like a bad option."""


@dataclass(frozen=True)
class Setting:
    """One key's type and, for numbers, its range (``low`` excluded when ``above``); for text, its choices."""

    kind: Literal["text", "flag", "whole", "number", "texts", "text list", "weights"]
    low: float | None = None
    high: float | None = None
    above: bool = False  # the value must be greater than ``low``, not equal to it
    choices: tuple[str, ...] = ()  # when given, the only texts allowed

    def problem(self, value: Any) -> str | None:
        """Why ``value`` does not fit, as the end of a sentence; None when it does."""
        if self.kind == "text":
            if not isinstance(value, str):
                return "must be a string"
            if self.choices and value not in self.choices:
                return f"must be one of: {', '.join(self.choices)}, got {value!r}"
            return None
        if self.kind == "flag":
            return None if isinstance(value, bool) else "must be true or false"
        if self.kind == "weights":
            if not isinstance(value, dict):
                return "must be a table of names and numbers"
            return next((f"{name!r} {problem}" for name, weight in value.items()
                         if (problem := self._number_problem(weight))), None)
        if self.kind in ("texts", "text list"):
            values = [value] if self.kind == "texts" and isinstance(value, str) else value
            if isinstance(values, list) and all(isinstance(v, str) and v.strip() for v in values):
                return None
            return ("must be a string or a list of strings" if self.kind == "texts"
                    else "must be a list of non-empty strings")
        return self._number_problem(value)

    def _number_problem(self, value: Any) -> str | None:
        whole = self.kind == "whole"
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            return "must be a whole number" if whole else "must be a number"
        if not math.isfinite(value):
            return "must be a finite number"
        too_low = self.low is not None and (value <= self.low if self.above else value < self.low)
        if too_low or (self.high is not None and value > self.high):
            return f"must be {self._range()}, got {value!r}"
        return None

    def _range(self) -> str:
        low = None if self.low is None else f"{self.low:g}"
        if self.high is None:
            return f"greater than {low}" if self.above else f"at least {low}"
        return f"greater than {low} and at most {self.high:g}" if self.above else f"from {low} to {self.high:g}"


_TEXT, _FLAG = Setting("text"), Setting("flag")
SCHEMA: dict[str, dict[str, Setting]] = {
    "channel": {
        "title": _TEXT, "author": _TEXT, "description": _TEXT, "language": _TEXT, "image": _TEXT,
        "base_url": _TEXT, "category": _TEXT, "explicit": _FLAG, "email": _TEXT,
        "owner_name": _TEXT, "owner_email": _TEXT,
        "keep": Setting("whole", 1, 1_000_000),  # episodes kept in the feed
        "keep_days": Setting("number", 0, 36_500, above=True),
        "audio": Setting("text", choices=format_names()),  # the output format's name
        "cache_mb": Setting("number", 0, 1_000_000),  # the cache of speech and encoded pieces; 0 turns it off
        "voice": _TEXT,  # the voice profile of the channel's episodes (a name or a TOML path)
        "minutes": Setting("number", 0.5, 180),  # the daily episode's length
        "intro": _TEXT, "outro": _TEXT,  # what is said first and last; {title} and {date} are filled in
        "locked": _FLAG,  # podcast:locked: directories may not import the show under another owner
        # How long a replaced episode's audio keeps answering after the feed stops naming it.
        "keep_replaced_hours": Setting("number", 0, 8760),
        "cache_dir": _TEXT,  # that cache's folder (relative: to the library); one for a fleet's channels shares it
    },
    "sources": {
        "inbox": Setting("texts"), "feeds": Setting("texts"), "urls": Setting("texts"), "files": Setting("texts"),
        "timeout_s": Setting("number", 0, 3600, above=True),  # per fetch, the whole request
        "total_timeout_s": Setting("number", 0, 86_400, above=True),  # all sources of one daily run
        "max_bytes": Setting("whole", 1, 1 << 30),
        "max_items": Setting("whole", 1, 10_000),
        "allow_private_urls": _FLAG,
        "follow_symlinks": _FLAG,  # true: the inbox also reads files its symlinks point to outside it
        # a source's weight in the day's ranking (default 1), by its entry as written or its name
        "weights": Setting("weights", 0, 100),
    },
    "extract": {"drop": Setting("text list")},  # CSS selectors removed before extraction
    # Where the channel's public files are uploaded (e.g. s3://bucket/prefix); endpoint_url: a non-AWS
    # S3 server; delete_removed: delete the objects of episodes that left the feed.
    "publish": {"url": _TEXT, "endpoint_url": _TEXT, "delete_removed": _FLAG},
}


@dataclass(frozen=True)
class ChannelSettings:
    """What the feed and the web page say about the podcast as a whole."""

    title: str = "Briefing"
    author: str = "briefing"
    description: str = "Narrated news briefings."
    language: str = "en-us"  # when not configured: the voice's (the default voice is American)
    image: str | None = None  # relative to the library folder
    base_url: str = DEFAULT_BASE_URL
    category: str = "News"
    explicit: bool = False
    email: str | None = None
    owner_name: str | None = None  # itunes:owner, which Apple uses to verify ownership; else author
    owner_email: str | None = None  # else email
    audio: str = DEFAULT_FORMAT  # the output format of new episodes
    voice: str | None = None  # the voice profile; None: the default
    minutes: float | None = None  # the daily episode's length; None: daily's default
    intro: str | None = None  # templates with {title} and {date}; None: the built-in sentences
    outro: str | None = None
    locked: bool = False
    title_configured: bool = False  # False: the built-in title, which the narration calls "your briefing"
    keep_replaced_hours: float = 48.0  # a replaced episode's files answer this long after the feed drops them
    keep: int | None = None  # the newest N episodes stay in the feed
    keep_days: float | None = None  # episodes published within D days stay
    cache_mb: float | None = None  # the speech cache's size; 0 turns it off; None: the cache's default
    cache_dir: str | None = None  # the speech cache's folder, relative to the library; None: the default

    def framing(self) -> Framing:
        """What the show says around the news: its name (when configured), its intro and outro."""
        from briefing.text.script import Framing  # the script stage, loaded only by what scripts

        return Framing(self.title if self.title_configured else None, self.intro, self.outro)


@dataclass(frozen=True)
class SourcesSettings:
    """``[sources]`` as written: each entry with its key in the file's order (the first is the most
    important), the fetch limits set (None: the daily run's defaults) and the weights pinned."""

    entries: tuple[tuple[str, str], ...] = ()  # (inbox | feeds | urls | files, what was written)
    timeout_s: float | None = None
    total_timeout_s: float | None = None
    max_bytes: int | None = None
    max_items: int | None = None
    allow_private_urls: bool = False
    follow_symlinks: bool = False
    weights: tuple[tuple[str, float], ...] = ()  # a source (entry or name) and its weight in the ranking


@dataclass(frozen=True)
class PublishSettings:
    """``[publish]``: where the public files are uploaded (None when the table is absent)."""

    url: str = ""
    endpoint_url: str = ""
    delete_removed: bool = False


@dataclass(frozen=True)
class Config:
    channel: ChannelSettings = field(default_factory=ChannelSettings)
    sources: SourcesSettings = field(default_factory=SourcesSettings)
    drop: tuple[str, ...] = ()  # [extract] drop: CSS selectors removed from every page before extraction
    publish: PublishSettings | None = None
    base_url_chosen: bool = False  # False: the built-in default, which `serve` may replace
    base_url_origin: str = ""  # where a chosen base URL came from: the file, $BRIEFING_BASE_URL or --base-url
    path: Path = Path(CONFIG_NAME)  # the settings file, for messages

    @property
    def has_sources(self) -> bool:
        """Whether ``[sources]`` names any inbox, feed, page or file for ``daily`` to read."""
        return bool(self.sources.entries)


def load_config(library_dir: Path, base_url: str | None = None) -> Config:
    """Read ``briefing.toml`` (if any), then apply ``BRIEFING_BASE_URL`` and then ``base_url``."""
    path = Path(library_dir) / CONFIG_NAME
    return parse_config(_read_toml(path), Path(library_dir), base_url, path)


def parse_config(raw: dict[str, Any], library_dir: Path, base_url: str | None = None,
                 path: Path | None = None) -> Config:
    """The settings a parsed ``briefing.toml`` (``raw``) gives the library in ``library_dir``, checked."""
    path = path or Path(library_dir) / CONFIG_NAME
    validate(raw, path)
    channel = _channel_from(raw.get("channel", {}), path)
    sources = _sources_from(raw.get("sources", {}), path)
    problem = image_problem(channel.image, Path(library_dir), sources) if channel.image is not None else None
    if problem:
        raise SettingsError(f"{path}: channel.image {problem}")
    source: Path | str = path
    for name, override in ((BASE_URL_ENV, os.environ.get(BASE_URL_ENV)), ("--base-url", base_url)):
        if override:
            channel, source = replace(channel, base_url=override), name
    channel = replace(channel, base_url=normalise_base_url(channel.base_url, source))
    chosen = source != path or "base_url" in raw.get("channel", {})
    origin = f"{path} [channel] base_url" if source == path else f"${BASE_URL_ENV}" if source == BASE_URL_ENV else str(source)
    publish = PublishSettings(**raw["publish"]) if "publish" in raw else None
    return Config(channel=channel, sources=sources, drop=tuple(raw.get("extract", {}).get("drop", ())),
                  publish=publish, base_url_chosen=chosen, base_url_origin=origin if chosen else "", path=path)


def _sources_from(table: dict[str, Any], path: Path) -> SourcesSettings:
    entries: list[tuple[str, str]] = []
    for key, value in table.items():
        if key in SOURCE_LIST_KEYS:
            for location in [value] if isinstance(value, str) else value:
                if key in ("feeds", "urls") and not location.startswith(("http://", "https://")):
                    raise SettingsError(f"{path}: {location!r} in sources.{key} must start with http:// or https://")
                entries.append((key, location))
    options = {key: value for key, value in table.items() if key not in SOURCE_LIST_KEYS and key != "weights"}
    weights = tuple((name, float(weight)) for name, weight in table.get("weights", {}).items())
    return SourcesSettings(entries=tuple(entries), weights=weights, **options)


def image_problem(image: str, library_dir: Path, sources: SourcesSettings) -> str | None:
    """Why ``image`` cannot be the channel's published image; None when it can.

    It is published as it is, so it must be a PNG or JPEG file inside the library folder (its real
    path too) and outside its inboxes: never the database, the settings, a log or an inbox file.
    """
    relative = PurePosixPath(image)
    if (not image.strip() or relative.is_absolute() or "\\" in image
            or any(part in ("..", ".") or part.startswith(".") for part in relative.parts)):
        return f"must be a path inside the library folder (no '..', nothing hidden), got {image!r}"
    signature = IMAGE_SIGNATURES.get(relative.suffix.lower())
    if signature is None:
        return f"must be a PNG or JPEG file (.png, .jpg, .jpeg), got {image!r}"
    path = library_dir / relative
    real = path.resolve()
    if not real.is_relative_to(library_dir.resolve()):
        return f"{image!r} leads out of the library folder"
    if any(real.is_relative_to(folder) for folder in _inboxes(sources, library_dir)):
        return f"{image!r} is in the inbox, which is never published"
    try:
        with open(real, "rb", opener=_nonblocking) as handle:
            if not os.path.isfile(real) or handle.read(len(signature)) != signature:
                return f"{image!r} is not a {relative.suffix.lstrip('.').upper()} image file"
    except OSError as error:
        return f"{image!r} cannot be read ({error.strerror})"
    return None


def _inboxes(sources: SourcesSettings, library_dir: Path) -> list[Path]:
    return [(library_dir / Path(value).expanduser()).resolve() for key, value in sources.entries if key == "inbox"]


def _nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)  # a FIFO named as the image does not hang the command


def normalise_base_url(url: str, source: Path | str = "--base-url") -> str:
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"{source}: base_url must start with http:// or https://, got {url!r}")
    # Enclosure URLs are joined onto it, so it must name a folder.
    return url if url.endswith("/") else url + "/"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return read_toml(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return {}
    except ValueError as error:  # TOMLDecodeError and UnicodeDecodeError among them
        raise SettingsError(f"{path}: not valid TOML ({str(error).splitlines()[0]})") from None
    except OSError as error:
        raise SettingsError(f"{path}: cannot be read ({error.strerror})") from None


def validate(raw: dict[str, Any], path: Path | str = CONFIG_NAME) -> None:
    """Check every table and key of a parsed ``briefing.toml`` against ``SCHEMA``; raise SettingsError."""
    for name, table in raw.items():
        if name not in SCHEMA:
            raise SettingsError(f"{path}: unknown key {_top_level_name(name, table)}{_suggestion(name, table)}")
        if not isinstance(table, dict):
            raise SettingsError(f"{path}: [{name}] must be a table")
        for key, value in table.items():
            setting = SCHEMA[name].get(key)
            if setting is None:
                close = difflib.get_close_matches(key, SCHEMA[name], n=1)
                hint = f" (did you mean {name}.{close[0]}?)" if close else ""
                raise SettingsError(f"{path}: unknown key {name}.{key}{hint}")
            problem = setting.problem(value)
            if problem:
                raise SettingsError(f"{path}: {name}.{key} {problem}")


def _top_level_name(name: str, value: Any) -> str:
    return f"[{name}]" if isinstance(value, dict) else name


def _suggestion(name: str, value: Any) -> str:
    if isinstance(value, dict):
        close = difflib.get_close_matches(name, SCHEMA, n=1)
        return f" (did you mean [{close[0]}]?)" if close else ""
    homes = [table for table, keys in SCHEMA.items() if name in keys]
    return f" (it belongs under [{homes[0]}])" if homes else ""


def _channel_from(table: dict[str, Any], path: Path | str = CONFIG_NAME) -> ChannelSettings:
    """The validated ``[channel]`` table as ChannelSettings.

    The language defaults to the voice's, and one configured must be the voice's language (its
    region may differ: a British show in an American voice is still English).
    """
    from briefing.voices import load_profile

    known = {f.name for f in fields(ChannelSettings)} - {"title_configured"}
    settings = ChannelSettings(**{key: value for key, value in table.items() if key in known},
                               title_configured="title" in table)
    for key in ("intro", "outro"):
        _check_template(table.get(key), f"{path}: channel.{key}")
    spoken = load_profile(settings.voice).language
    if spoken is None:
        return settings
    if "language" not in table:
        return replace(settings, language=spoken)
    if _primary_language(settings.language) != _primary_language(spoken):
        voice = settings.voice or "default"
        raise SettingsError(f"{path}: channel.language {settings.language!r} is not what the voice {voice!r} "
                            f"speaks ({spoken}); choose a voice of that language or leave language out")
    return settings


def _primary_language(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def _check_template(template: str | None, where: str) -> None:
    """An intro or outro may name {title} and {date}, nothing else."""
    if template is None:
        return
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        raise SettingsError(f"{where}: {error} (write {{{{ and }}}} for a literal brace)") from None
    unknown = [name for name in names if name not in ("title", "date")]
    if unknown:
        raise SettingsError(f"{where}: unknown placeholder {{{unknown[0]}}} (known: {{title}}, {{date}})")
