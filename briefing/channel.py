"""A channel: one library folder resolved once per command — where it is, its settings, its open library.

A command resolves its channel at the start (``Channel.resolve``) and hands it down; the stages below
take the parts they need (the typed settings, the open ``Library``) and never reload them. The
library's database is opened at first use, once, and closed with the channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from briefing.config import Config, load_config
from briefing.library.store import DB_NAME, Library, resolve_library_dir


@dataclass
class Channel:
    folder: Path
    settings: Config
    _library: Library | None = field(default=None, repr=False)

    @classmethod
    def resolve(cls, library: Path | str | None = None, base_url: str | None = None) -> Channel:
        """The channel of the library folder named (default: ``$BRIEFING_HOME``, else ``./output``),
        its ``briefing.toml`` read and checked (``SettingsError`` when it cannot be used)."""
        folder = resolve_library_dir(str(library) if library is not None else None)
        return cls(folder, load_config(folder, base_url))

    @property
    def library(self) -> Library:
        """The library's database, opened (and made, in a new folder) at first use."""
        if self._library is None:
            self._library = Library.open(self.folder)
        return self._library

    def existing_library(self) -> Library:
        """The library, which must exist already (``UsageError``: nothing published here yet)."""
        if self._library is None:
            self._library = Library.open(self.folder, create=False)
        return self._library

    def stored_library(self) -> Library | None:
        """The library when its database exists (opened once, as ``library``); None in a folder that
        has none yet, which stays untouched."""
        if self._library is None and not (self.folder / DB_NAME).is_file():
            return None
        return self.library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None

    def __enter__(self) -> Channel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
