"""The library: one folder of published episodes — the SQLite store, its lock, recovery, retention,
publishing (feed, its style, the web page, the feed's address) and object storage.

This wing writes what is published; it does not serve it (``server``) or render audio (``audio``).
"""
