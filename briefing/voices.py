"""Voice profiles: ``voices/<name>.toml`` chooses the engine, its voice, rate, pitch and the pauses."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from briefing.engines.base import VoiceSettings
from briefing.errors import UsageError

DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class Pauses:
    sentence_ms: int = 250
    paragraph_ms: int = 600
    section_ms: int = 1500


@dataclass(frozen=True)
class VoiceProfile:
    name: str
    engine: str = "pyttsx3"
    settings: VoiceSettings = field(default_factory=VoiceSettings)
    pauses: Pauses = field(default_factory=Pauses)
    drop_conversions: bool = False
    description: str = ""


def voices_dir() -> Path:
    override = os.environ.get("BRIEFING_VOICES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "voices"


def profile_names() -> list[str]:
    return sorted(path.stem for path in voices_dir().glob("*.toml"))


def load_profile(name_or_path: str | None = None) -> VoiceProfile:
    """Load a profile by name (``voices/NAME.toml``) or by the path of a TOML file."""
    name_or_path = name_or_path or DEFAULT_PROFILE
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = voices_dir() / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(profile_names()) or "none"
        raise UsageError(f"{path}: no such voice profile (known profiles: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not a valid voice profile: {error}") from None
    return profile_from_dict(path.stem, data, path)


def profile_from_dict(name: str, data: dict, source: Path | str = "voice profile") -> VoiceProfile:
    pauses = data.get("pauses", {})
    if not isinstance(pauses, dict):
        raise UsageError(f"{source}: [pauses] must be a table of milliseconds")
    return VoiceProfile(
        name=name,
        engine=_text(data, "engine", source) or "pyttsx3",
        settings=VoiceSettings(
            voice=_text(data, "voice", source),
            rate=_number(data, "rate", source),
            pitch=_number(data, "pitch", source),
            model=_text(data, "model", source),
        ),
        pauses=Pauses(
            sentence_ms=_number(pauses, "sentence_ms", source, Pauses.sentence_ms),
            paragraph_ms=_number(pauses, "paragraph_ms", source, Pauses.paragraph_ms),
            section_ms=_number(pauses, "section_ms", source, Pauses.section_ms),
        ),
        drop_conversions=bool(data.get("drop_conversions", False)),
        description=_text(data, "description", source) or "",
    )


def _text(table: dict, key: str, source: Path | str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{source}: {key} must be text, not {value!r}")
    return value


def _number(table: dict, key: str, source: Path | str, default: int | None = None) -> int | None:
    value = table.get(key, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise UsageError(f"{source}: {key} must be a whole number of at least 0, not {value!r}")
    return value
