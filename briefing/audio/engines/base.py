"""The small interface every speech engine implements. A new engine is one new module in this package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Speech:
    """Synthesised audio: signed 16-bit little-endian mono PCM."""

    pcm: bytes
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...] = ()


class Engine(Protocol):
    """Loaded once per run, then asked to speak many segments."""

    name: str

    def synthesize(self, text: str) -> Speech: ...

    def voices(self) -> list[VoiceInfo]: ...

    def close(self) -> None: ...
