"""The names of an episode's side files: the one rule every writer and reader of them follows.

A side file is named after the whole name of its audio file, the audio's suffix included:
``story.mp3`` has ``story.mp3.txt`` (the script), ``story.mp3.json`` (the timing file),
``story.mp3.vtt``, ``story.mp3.chapters.json`` and ``story.mp3.png``. So ``briefing make story.txt
-o story.mp3`` cannot write over its own input, and no side file of one format's audio is the
audio of another.

Libraries written before this rule named side files after the audio's stem (``story.txt``,
``story.json``, ...). Those files stay where they are: the database records the exact paths of
every side file but the timing file, and readers of the timing file (``rebuild``, the server,
deletion) look for the new name first, then the old one (``existing_side``).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import TypeVar

SIDE_SUFFIXES = {"text": ".txt", "timing": ".json", "transcript": ".vtt", "chapters": ".chapters.json",
                 "cover": ".png"}

P = TypeVar("P", bound=PurePath)


def side_path(audio: P, kind: str) -> P:
    """Where the ``kind`` side file of ``audio`` is written."""
    return audio.with_name(audio.name + SIDE_SUFFIXES[kind])


def side_paths(audio: P) -> dict[str, P]:
    return {kind: side_path(audio, kind) for kind in SIDE_SUFFIXES}


def legacy_side_path(audio: P, kind: str) -> P:
    """Where a briefing older than this rule wrote it (after the audio's stem)."""
    return audio.with_name(audio.stem + SIDE_SUFFIXES[kind])


def side_names(audio: P, kind: str) -> list[P]:
    """Every name the ``kind`` side file of ``audio`` may have, the current one first."""
    return [side_path(audio, kind), legacy_side_path(audio, kind)]
