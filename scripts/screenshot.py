"""Screenshot the web page `briefing serve` shows and the feed's browser view, at desktop and phone width.

Makes a real library in a temporary folder: a daily briefing whose stories come from an RSS feed and
articles served on 127.0.0.1 (so its chapters link their sources) and one episode made from an
article's URL. It serves the library on 127.0.0.1 as `briefing serve --host 0.0.0.0` would publish it
(feed address on the LAN, so the page shows the QR code) and photographs with headless Chromium:

    docs/web-page.png, docs/web-page-phone.png   the page (1000 and 390 px wide)
    docs/feed.png, docs/feed-phone.png           feed.xml in the browser (its XSLT view)
    docs/feed-no-xslt.png                        feed.xml as a browser without XSLT shows it (feed.css)

Writes into docs/ only with --write; otherwise into a temporary folder whose path is printed.

    .venv/bin/python scripts/screenshot.py [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from briefing.library.address import recorded_server
from briefing.library.layout import FEED_NAME
from briefing.library.publish import regenerate
from briefing.server.app import running

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
FIXTURES = REPO / "tests" / "fixtures"
sys.path.insert(0, str(REPO / "tests"))

from local_http import served  # noqa: E402  (the test fixtures' news sites are served the same way)

STORIES = [FIXTURES / "daily" / "harbour-bridge-closure.txt", FIXTURES / "daily" / "rail-fares-freeze.json",
           FIXTURES / "bin-collections.txt"]
ARTICLE = FIXTURES / "storm-ciaran.txt"
CHANNEL = ('[channel]\ntitle = "Harbour Town Today"\ndescription = "Narrated local news, every morning."\n'
           'voice = "british"\nminutes = 3\n\n[sources]\nfeeds = ["{feed}"]\nallow_private_urls = true\n')
SHOWN_ADDRESS = "http://192.168.1.20:8000/"  # what a LAN serve publishes; the page itself is fetched locally
WIDTHS = {"": "1000,1400", "-phone": "390,1500"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


@contextmanager
def news_site(folder: Path) -> Iterator[str]:
    """The invented stories and an RSS feed of them, served on 127.0.0.1 (a thread, stopped after)."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as site:
        base = f"http://127.0.0.1:{site.server_address[1]}/"
        items = []
        for number, story in enumerate(STORIES):
            shutil.copy(story, folder / story.name)
            text = story.read_text(encoding="utf-8")
            title = json.loads(text)["title"] if story.suffix == ".json" else text.splitlines()[0]
            stamp = (dt.datetime(2026, 11, 25, 6, tzinfo=dt.timezone.utc) - dt.timedelta(hours=number))
            items.append(f"<item><title>{title}</title><link>{base}{story.name}</link>"
                         f"<pubDate>{stamp:%a, %d %b %Y %H:%M:%S +0000}</pubDate></item>")
        (folder / "rss.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Town news</title>'
                                        f'<link>{base}</link><description>Invented</description>{"".join(items)}'
                                        "</channel></rss>", encoding="utf-8")
        shutil.copy(ARTICLE, folder / ARTICLE.name)
        with served(site):
            yield base


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".txt": "text/plain; charset=utf-8",
                      ".xml": "application/rss+xml"}

    def log_message(self, format: str, *args: object) -> None:
        pass


def make_library(library: Path, site: str) -> None:
    (library / "briefing.toml").write_text(CHANNEL.format(feed=site + "rss.xml"), encoding="utf-8")
    briefing = [sys.executable, "-m", "briefing"]
    subprocess.run(briefing + ["make", site + ARTICLE.name, "--allow-private-urls", "--library", str(library),
                               "--max-words", "60", "-q"], check=True)
    subprocess.run(briefing + ["daily", "--library", str(library), "--date", "2026-11-25", "-q"], check=True)


def photograph(url: str, picture: Path, profile: Path, size: str) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--window-size={size}", f"--user-data-dir={profile}",
                    f"--screenshot={picture}", url], check=True, capture_output=True, timeout=120)


def without_xslt(library: Path, folder: Path) -> Path:
    """A copy of the feed that names only its CSS stylesheet: what a browser without XSLT applies."""
    folder.mkdir()
    text = (library / FEED_NAME).read_text(encoding="utf-8")
    (folder / FEED_NAME).write_text("\n".join(line for line in text.splitlines() if 'type="text/xsl"' not in line),
                                     encoding="utf-8")
    shutil.copy(library / "feed.css", folder / "feed.css")
    return folder / FEED_NAME


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the pictures in docs/")
    arguments = parser.parse_args()
    target = DOCS if arguments.write else Path(tempfile.mkdtemp(prefix="briefing-screenshots-"))
    with tempfile.TemporaryDirectory(prefix="briefing-screenshot-") as work:
        library, profile, site_folder = Path(work) / "library", Path(work) / "profile", Path(work) / "site"
        library.mkdir()
        site_folder.mkdir()
        with news_site(site_folder) as site:
            make_library(library, site)
        with running(library) as server, recorded_server(library, SHOWN_ADDRESS):
            regenerate(library)
            for suffix, size in WIDTHS.items():
                photograph(server.url, target / f"web-page{suffix}.png", profile, size)
                photograph(server.url + FEED_NAME, target / f"feed{suffix}.png", profile, size)
        photograph(without_xslt(library, Path(work) / "plain").as_uri(), target / "feed-no-xslt.png", profile,
                   WIDTHS[""])
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
