"""The version of briefing: said in ``--version``, the feed's generator and the User-Agent of its fetches."""

VERSION = "0.1.0"
