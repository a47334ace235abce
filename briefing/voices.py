"""Voice profiles: ``voices/<name>.toml`` chooses the engine, its voice, rate, pitch and the pauses.

Also owns deciding which profile actually speaks: the chosen one when its engine loads, else the
classic pyttsx3 voice (``fallback_profile``, when the default voice's engine fails to load in a speech
worker), so a machine without the neural voice still narrates.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefing.model import VoiceSettings
from briefing.errors import EngineError, UsageError
from briefing.system.fsutil import read_toml

DEFAULT_PROFILE = "default"
# pyttsx3 driving espeak-ng: needs only system packages, so it speaks wherever briefing installs.
FALLBACK_PROFILE = "classic"
LEXICON_NAME = "lexicon"  # voices/lexicon.toml is the pronunciation lexicon, not a profile
# What a profile may ask, so no setting makes a run allocate without bound: espeak-ng's own range of
# words a minute and of pitch, and pauses up to ten seconds (a newsreader's longest is about two).
RATE_RANGE = (80, 450)
PITCH_RANGE = (0, 99)
PAUSE_RANGE_MS = (0, 10_000)
MAX_PROFILE_BYTES = 64 * 1024


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
    # The measured speaking pace, pauses left out (the script's own pauses are added to it when a
    # length in minutes is fitted); None: the engine's rate, else select.WORDS_PER_MINUTE.
    words_per_minute: float | None = None
    language: str | None = None  # BCP 47, e.g. "en-gb": what the voice speaks (the feed's default language)

    @property
    def speaker(self) -> str:
        """The engine and its voice, as recorded beside each episode: "hibari heart", "pyttsx3 en-gb"."""
        voice = self.settings.voice or self.settings.model
        return f"{self.engine} {voice}" if voice else self.engine


def voices_dir() -> Path:
    override = os.environ.get("BRIEFING_VOICES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "voices"


def profile_names() -> list[str]:
    return sorted(path.stem for path in voices_dir().glob("*.toml") if path.stem != LEXICON_NAME)


def load_profile(name_or_path: str | None = None) -> VoiceProfile:
    """Load a profile by name (``voices/NAME.toml``) or by the path of a TOML file."""
    name_or_path = name_or_path or DEFAULT_PROFILE
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = voices_dir() / f"{name_or_path}.toml"
    if not path.is_file() or path == voices_dir() / f"{LEXICON_NAME}.toml":
        known = ", ".join(profile_names()) or "none"
        raise UsageError(f"{path}: no such voice profile (known profiles: {known})")
    try:
        data = read_toml(path, MAX_PROFILE_BYTES)
    except ValueError as error:  # TOMLDecodeError and UnicodeDecodeError among them
        raise UsageError(f"{path}: not a valid voice profile: {str(error).splitlines()[0]}") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror})") from None
    return profile_from_dict(path.stem, data, path)


def asked_profile(profile: VoiceProfile, engine: str | None = None) -> VoiceProfile:
    """``profile`` with its engine replaced by ``engine`` when given, nothing loaded."""
    if engine and engine != profile.engine:  # the profile's voice names another engine's voice
        return replace(profile, engine=engine, settings=replace(profile.settings, voice=None, model=None))
    return profile


def fallback_profile(chosen: VoiceProfile, error: EngineError, engine: str | None = None,
                     notice: Callable[[str], None] | None = None) -> VoiceProfile:
    """The classic voice, announced in one line, when the default voice's engine failed to load with
    ``error``; ``error`` itself when the voice or the engine was chosen by name (the user's answer)."""
    if engine or chosen.name != DEFAULT_PROFILE:
        raise error
    fallback = load_profile(FALLBACK_PROFILE)
    (notice or _to_stderr)(f"briefing: speaking with the {fallback.name} voice ({fallback.speaker}) "
                           f"instead of {chosen.name} ({chosen.speaker}): {error.message}")
    return fallback


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def profile_from_dict(name: str, data: dict, source: Path | str = "voice profile") -> VoiceProfile:
    pauses = data.get("pauses", {})
    if not isinstance(pauses, dict):
        raise UsageError(f"{source}: [pauses] must be a table of milliseconds")
    return VoiceProfile(
        name=name,
        engine=_text(data, "engine", source) or "pyttsx3",
        settings=VoiceSettings(
            voice=_text(data, "voice", source),
            rate=_number(data, "rate", source, RATE_RANGE),
            pitch=_number(data, "pitch", source, PITCH_RANGE),
            model=_text(data, "model", source),
        ),
        pauses=Pauses(
            sentence_ms=_milliseconds(pauses, "sentence_ms", source, Pauses.sentence_ms),
            paragraph_ms=_milliseconds(pauses, "paragraph_ms", source, Pauses.paragraph_ms),
            section_ms=_milliseconds(pauses, "section_ms", source, Pauses.section_ms),
        ),
        drop_conversions=bool(data.get("drop_conversions", False)),
        description=_text(data, "description", source) or "",
        words_per_minute=_pace(data, source),
        language=_text(data, "language", source),
    )


def _pace(table: dict, source: Path | str) -> float | None:
    value = table.get("words_per_minute")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 40 <= value <= 400):
        raise UsageError(f"{source}: words_per_minute must be a number from 40 to 400, not {value!r}")
    return None if value is None else float(value)


def _text(table: dict, key: str, source: Path | str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{source}: {key} must be text, not {value!r}")
    return value


def _milliseconds(table: dict, key: str, source: Path | str, default: int) -> int:
    value = _number(table, key, source, PAUSE_RANGE_MS, default)
    return default if value is None else value


def _number(table: dict, key: str, source: Path | str, allowed: tuple[int, int],
            default: int | None = None) -> int | None:
    value = table.get(key, default)
    low, high = allowed
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
        raise UsageError(f"{source}: {key} must be a whole number from {low} to {high}, not {value!r}")
    return value
