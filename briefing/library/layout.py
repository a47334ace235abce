"""Where a library folder keeps what it publishes: the names every module that writes, reads, serves or
uploads a library's files agrees on."""

EPISODES_DIR = "episodes"  # the audio files and their side files
FEED_NAME = "feed.xml"
PAGE_NAME = "index.html"  # the web page, which the feed's item links point into
