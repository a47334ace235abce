"""Where a library folder keeps what it publishes: the names every module that writes, reads, serves or
uploads a library's files agrees on."""

EPISODES_DIR = "episodes"  # the audio files and their side files
FEED_NAME = "feed.xml"
PAGE_NAME = "index.html"  # the web page, which the feed's item links point into


def feed_url(base_url: str) -> str:
    """The feed's address under the library's public ``base_url`` (a folder's, ending in "/")."""
    return base_url + FEED_NAME
