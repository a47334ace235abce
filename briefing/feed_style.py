"""``feed.xsl``: the stylesheet that shows ``feed.xml`` in a browser as a page saying how to subscribe.

Podcast apps ignore it; a browser opening the feed applies it (XSLT 1.0) and shows the channel,
its address to copy into a podcast app, and the episodes with their audio.
"""

from __future__ import annotations

from pathlib import Path

from briefing.fsutil import atomic_write_text

STYLESHEET_NAME = "feed.xsl"
PROCESSING_INSTRUCTION = f'<?xml-stylesheet type="text/xsl" href="{STYLESHEET_NAME}"?>'

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
            <p class="meta"><xsl:value-of select="pubDate"/> · <xsl:value-of select="itunes:duration"/></p>
            <audio controls="controls" preload="none" src="{enclosure/@url}" aria-label="{title}"></audio>
            <p><xsl:value-of select="description"/></p>
          </article>
        </xsl:for-each>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
"""


def write_stylesheet(library_dir: Path) -> Path:
    """Write ``feed.xsl`` into the library unless it already holds this very text."""
    path = Path(library_dir) / STYLESHEET_NAME
    try:
        if path.read_text(encoding="utf-8") == STYLESHEET:
            return path
    except (OSError, UnicodeDecodeError):
        pass  # missing or damaged: write it
    atomic_write_text(path, STYLESHEET)
    return path
