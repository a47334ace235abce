"""Audio: the script spoken and made into one episode file — the speech worker pool (``speak``), the
engines, assembly (loudness, limiter), output formats, chapters, cover art and the speech cache.

This wing does not choose what is said (``text``) or record what was published (``library``).
"""
