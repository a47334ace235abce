"""Speech engines behind one interface. ``load_engine`` maps a profile's engine name to its module."""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

from briefing.audio.engines.base import Engine, Speech, VoiceInfo
from briefing.model import VoiceSettings
from briefing.errors import UsageError

# onnxruntime (under the hibari and piper engines) sends usage telemetry and, on import, writes a
# session file into $TMPDIR and a device id under ~/.cache unless told not to before it loads.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

ENGINE_MODULES = {
    "pyttsx3": "briefing.audio.engines.pyttsx3_engine",
    "espeak": "briefing.audio.engines.espeak",
    "piper": "briefing.audio.engines.piper",
    "hibari": "briefing.audio.engines.hibari",
}


def keep_files_in(folder: Path) -> None:
    """Make what engines and their libraries write for themselves land in ``folder``, which the caller
    deletes: their temporary files, and outside a login session (cron) the runtime folder that libpulse
    (loaded by espeak-ng, though nothing is played) would make in $TMPDIR and link from ~/.config/pulse.
    For an engine's own process: it changes this process's environment."""
    os.environ["TMPDIR"] = tempfile.tempdir = str(folder)
    if not (os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("PULSE_RUNTIME_PATH")):
        os.environ["PULSE_RUNTIME_PATH"] = str(folder / "pulse")


def engine_names() -> list[str]:
    return sorted(ENGINE_MODULES)


def speaks_in_threads(name: str) -> bool:
    """Whether one loaded engine ``name`` may speak several texts at once on threads (``THREAD_SAFE``
    in its module); unknown engines may not."""
    module_name = ENGINE_MODULES.get(name)
    return module_name is not None and bool(getattr(importlib.import_module(module_name), "THREAD_SAFE", False))


def load_engine(name: str, settings: VoiceSettings) -> Engine:
    """Import the engine's module only when it is used, so start-up stays fast."""
    module_name = ENGINE_MODULES.get(name)
    if module_name is None:
        raise UsageError(f"unknown engine {name!r}; choose one of: {', '.join(engine_names())}")
    module = importlib.import_module(module_name)
    return module.create(settings)


__all__ = ["Engine", "Speech", "VoiceInfo", "VoiceSettings", "load_engine", "engine_names", "speaks_in_threads"]
