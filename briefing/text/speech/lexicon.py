"""The pronunciation lexicon: words every engine gets wrong, respelled the way they are said.

Owns reading ``voices/lexicon.toml`` (shipped) and ``<library>/lexicon.toml`` (the user's, whose
entries win) and rewriting the spoken text of a finished script with them, so the script's ``text``
is exactly what every engine is given. Each entry is ``word = "how it is said"``:

- whole words only ("Izyum" is not changed inside "Izyumsky"), a possessive or hyphen may follow;
- case-aware: a key with a capital letter matches only that spelling ("Reading" the town, not
  "reading"); an all-lower-case key matches any capitalisation and keeps a leading capital;
- a key may be several words ("Dresdner Kleinwort"); longer keys are tried first.

Does not own: the speech rules (``speech.text``), which run before the lexicon, so keys are written
as the normalised sentence has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefing.errors import UsageError
from briefing.system.fsutil import read_toml
from briefing.model import Script
from briefing.voices import LEXICON_NAME, voices_dir

LEXICON_FILE = f"{LEXICON_NAME}.toml"
MAX_ENTRIES = 10_000  # a lexicon is a hand-kept list; more than this is a mistaken file
MAX_LEXICON_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, str]

    def respell(self, text: str) -> str:
        keys = tuple(sorted(self.entries, key=lambda key: (-len(key), not _case_sensitive(key))))
        pattern = _pattern(keys)
        if pattern is None:
            return text
        return pattern.sub(lambda match: self._replacement(match, keys), text)

    def respell_script(self, script: Script) -> None:
        """Rewrite every segment's spoken text in place."""
        for segment in script.segments():
            segment.text = self.respell(segment.text)

    def _replacement(self, match: re.Match, keys: tuple[str, ...]) -> str:
        # The entry is the alternative that matched, never a lookup of the matched text: case-insensitive
        # matching finds text whose .lower() is not the key ("GİF" for "gif", "NEWſ" for "news").
        assert match.lastindex is not None
        said = self.entries[keys[match.lastindex - 1]]
        if _case_sensitive(keys[match.lastindex - 1]):
            return said
        return said[:1].upper() + said[1:] if match.group(0)[:1].isupper() else said


@lru_cache(maxsize=8)
def _pattern(keys: tuple[str, ...]) -> re.Pattern | None:
    """One group per key, in the order of ``keys``: the group that matched names the entry."""
    if not keys:
        return None
    alternatives = [f"({re.escape(key)})" if _case_sensitive(key) else f"((?i:{re.escape(key)}))" for key in keys]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def _case_sensitive(key: str) -> bool:
    return key != key.lower()


def load_lexicon(library_dir: Path | None = None) -> Lexicon:
    """The shipped lexicon, overridden entry by entry by ``<library_dir>/lexicon.toml`` when it exists."""
    entries = read_entries(voices_dir() / LEXICON_FILE)
    if library_dir is not None:
        entries |= read_entries(Path(library_dir) / LEXICON_FILE)
    return Lexicon(entries)


def read_entries(path: Path) -> dict[str, str]:
    """``word = "said"`` pairs of one file; a missing file has none."""
    try:
        data = read_toml(path, MAX_LEXICON_BYTES)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:  # TOMLDecodeError and UnicodeDecodeError among them
        reason = error.strerror if isinstance(error, OSError) else str(error).splitlines()[0]
        raise UsageError(f"{path}: not a readable pronunciation lexicon: {reason}") from None
    if len(data) > MAX_ENTRIES:
        raise UsageError(f"{path}: more than {MAX_ENTRIES} entries; a lexicon lists only words said wrongly")
    entries = {}
    for word, said in data.items():
        if not isinstance(said, str) or not said.strip() or not word.strip():
            raise UsageError(f"{path}: {word!r} must map a word to how it is said, as text, not {said!r}")
        entries[" ".join(word.split())] = " ".join(said.split())
    return entries
