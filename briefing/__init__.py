"""briefing: turn news articles into narrated audio briefings and a podcast feed.

The Python API is one call, the one ``briefing make`` and ``briefing daily`` use::

    import briefing

    made = briefing.make_episode("article.txt", briefing.MakeOptions(minutes=2, library="podcast"))
    print(made.audio, made.duration_s, made.episode.guid)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from briefing.system.version import VERSION as __version__
__all__ = ["MadeEpisode", "MakeOptions", "make_episode", "__version__"]

if TYPE_CHECKING:
    from briefing.pipeline import MadeEpisode, MakeOptions, make_episode


def __getattr__(name: str) -> Any:
    # Loaded on first use: `import briefing` (and every CLI command) stays quick.
    if name in ("MadeEpisode", "MakeOptions", "make_episode"):
        from briefing import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'briefing' has no attribute {name!r}")
