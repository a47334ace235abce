"""Episode identity: the GUID a feed item carries, made from what the episode is, not where it came from.

- An article's episode: a UUID (version 5) of the library's identity and the article's content as
  cleaned (its title and the text of its paragraphs). Making the same article again replaces its
  episode, however it is read (another path, standard input, a URL, another voice or length); another
  article read through the same path (``today.txt`` on Monday, then on Tuesday) is a new episode.
- A daily briefing: a UUID of the library's identity, the date and the stories it tells. Re-rendering
  the day's stories keeps the day's GUID; an update that tells new stories gets a new one, and the
  earlier item leaves the feed (podcast apps download an item they have not seen, not new audio under
  a GUID they have).
- The library's identity is a random id stored in its database (``LIBRARY_ID_KEY``), so two
  libraries, or two channels of one fleet, never publish one GUID.

GUIDs an earlier briefing gave (from the input's path, from the date alone: ``legacy_guid``) are never
changed: an episode recorded under one keeps it when it is made again (see ``pipeline`` and ``daily``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path

from briefing.model import Article, Script

LIBRARY_ID_KEY = "library_id"


def article_digest(article: Article) -> str:
    """The content an article episode is identified by: its title and its paragraphs as cleaned."""
    parts = [article.title] + [paragraph.text for paragraph in article.paragraphs]
    return _digest(" ".join(part.split()) for part in parts)


def script_digest(script: Script) -> str:
    """The content of a ready script (an episode made from a Script, not from an article)."""
    parts = [script.title] + [segment.display for segment in script.segments()]
    return _digest(" ".join(part.split()) for part in parts)


def article_guid(library_id: str, digest: str) -> str:
    return _uuid(f"{library_id}:article:{digest}")


def daily_guid(library_id: str, date: str, story_keys: Iterable[str]) -> str:
    return _uuid(f"{library_id}:daily:{date}:{_digest(sorted(story_keys))}")


def legacy_guid(source: str) -> str:
    """The GUID briefing gave before identity came from content: the absolute path of a file, else
    the URL or key (``daily:<date>``, ``stdin:<title>``) as it is."""
    if source.startswith(("http://", "https://", "daily:", "stdin:")):
        key = source
    else:
        key = str(Path(source).resolve())
    return _uuid(key)


def _uuid(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "briefing:" + key))


def _digest(parts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()
