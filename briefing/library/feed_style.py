"""``feed.xsl`` and ``feed.css``: how ``feed.xml`` looks in a browser, a page saying how to subscribe.

Podcast apps ignore both. A browser with XSLT applies ``feed.xsl`` (XSLT 1.0): the channel, its
address to copy into a podcast app, the episodes with their audio and show notes. Browsers are
removing XSLT (Chromium warns so), and one without it applies the second stylesheet, ``feed.css``,
to the feed itself: no links or players, but a readable page that says it is a podcast feed and
lists the episodes with their notes, rather than a tree of tags.
"""

from __future__ import annotations

from pathlib import Path

from briefing.system.fsutil import atomic_write_text

STYLESHEET_NAME = "feed.xsl"
FALLBACK_STYLE_NAME = "feed.css"
PROCESSING_INSTRUCTION = (f'<?xml-stylesheet type="text/xsl" href="{STYLESHEET_NAME}"?>\n'
                          f'<?xml-stylesheet type="text/css" href="{FALLBACK_STYLE_NAME}"?>')

STYLESHEET = """<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
  <xsl:output method="html" encoding="utf-8" indent="yes"/>
  <xsl:variable name="feed" select="/rss/channel/atom:link[@rel='self']/@href"/>
  <xsl:template match="/rss/channel">
    <html lang="{language}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="title"/> (podcast feed)</title>
        <style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
header{display:flex;gap:1rem;align-items:center}header img{width:7rem;height:7rem;border-radius:.5rem}
.subscribe{background:#eef4fa;border-radius:.5rem;padding:.75rem 1rem}
.subscribe input{width:100%;font:inherit;padding:.25rem}
article{border-top:1px solid #ddd;padding:1rem 0}audio{width:100%}.meta{color:#666;font-size:.9rem}
.notes{white-space:pre-line;overflow-wrap:anywhere}
        </style>
      </head>
      <body>
        <header>
          <xsl:if test="itunes:image/@href"><img src="{itunes:image/@href}" alt=""/></xsl:if>
          <div><h1><xsl:value-of select="title"/></h1><p><xsl:value-of select="description"/></p></div>
        </header>
        <section class="subscribe">
          <h2>This is a podcast feed</h2>
          <p>To subscribe, copy this address into your podcast app (in most apps: Add podcast,
            then Add by URL or Follow a show by URL):</p>
          <p><input type="text" readonly="readonly" value="{$feed}" aria-label="Feed address"
            onclick="this.select()"/></p>
          <p>Or listen on <a href="{link}">the podcast's web page</a>.</p>
        </section>
        <xsl:for-each select="item">
          <article>
            <h3><xsl:value-of select="title"/></h3>
            <p class="meta"><xsl:value-of select="substring(pubDate, 1, 16)"/></p>
            <audio controls="controls" preload="none" src="{enclosure/@url}" aria-label="{title}"></audio>
            <p class="notes"><xsl:value-of select="description"/></p>
          </article>
        </xsl:for-each>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
"""


# Applied to the feed's own elements (any namespace): everything hidden but what a reader wants.
FALLBACK_STYLE = """rss{display:block;font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;
padding:0 1rem;color:#222;overflow-wrap:anywhere}
channel>*,item>*{display:none}
channel::before{content:"This is a podcast feed. To subscribe, copy the address of this page into your podcast app (Add podcast, then Add by URL).";
display:block;background:#eef4fa;border-radius:.5rem;padding:.75rem 1rem;margin-bottom:1rem}
channel>title{display:block;font-size:2rem;font-weight:bold;line-height:1.2}
channel>description{display:block;margin:.5rem 0 1rem}
channel>item{display:block;border-top:1px solid #ddd;padding:1rem 0}
item>title{display:block;font-size:1.2rem;font-weight:bold}
item>pubDate{display:block;color:#666;font-size:.9rem}
item>description{display:block;white-space:pre-line;margin-top:.5rem}
"""


def write_stylesheet(library_dir: Path) -> Path:
    """Write ``feed.xsl`` and ``feed.css`` into the library unless they already hold this very text."""
    for name, text in ((FALLBACK_STYLE_NAME, FALLBACK_STYLE), (STYLESHEET_NAME, STYLESHEET)):
        path = Path(library_dir) / name
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):
            pass  # missing or damaged: write it
        atomic_write_text(path, text)
    return Path(library_dir) / STYLESHEET_NAME
