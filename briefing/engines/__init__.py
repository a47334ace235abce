"""Speech engines behind one interface. ``load_engine`` maps a profile's engine name to its module."""

from __future__ import annotations

import importlib

from briefing.engines.base import Engine, Speech, VoiceInfo, VoiceSettings
from briefing.errors import UsageError

ENGINE_MODULES = {
    "pyttsx3": "briefing.engines.pyttsx3_engine",
    "espeak": "briefing.engines.espeak",
    "piper": "briefing.engines.piper",
    "hibari": "briefing.engines.hibari",
}


def engine_names() -> list[str]:
    return sorted(ENGINE_MODULES)


def load_engine(name: str, settings: VoiceSettings) -> Engine:
    """Import the engine's module only when it is used, so start-up stays fast."""
    module_name = ENGINE_MODULES.get(name)
    if module_name is None:
        raise UsageError(f"unknown engine {name!r}; choose one of: {', '.join(engine_names())}")
    module = importlib.import_module(module_name)
    return module.create(settings)


__all__ = ["Engine", "Speech", "VoiceInfo", "VoiceSettings", "load_engine", "engine_names"]
