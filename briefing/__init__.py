"""briefing: turn news articles into narrated audio briefings and a podcast feed."""

__version__ = "0.1.0"
