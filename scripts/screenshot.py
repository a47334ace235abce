"""Screenshot the web page `briefing serve` shows, for the README (docs/web-page.png).

Makes two real episodes with `briefing make` into a temporary library, serves it on 127.0.0.1
as `briefing serve --host 0.0.0.0` would publish it (feed address on the LAN, so the page shows
the QR code) and photographs it with headless Chromium. Writes docs/web-page.png only with
--write; otherwise the picture goes to a temporary file whose path is printed.

    .venv/bin/python scripts/screenshot.py [--write]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from briefing.address import recorded_server
from briefing.publish import regenerate
from briefing.server import running

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "web-page.png"
ARTICLES = ["bank-rates.txt", "storm-ciaran.txt"]
CHANNEL = '[channel]\ntitle = "Morning Briefing"\ndescription = "Narrated local news, every morning."\n'
SHOWN_ADDRESS = "http://192.168.1.20:8000/"  # what a LAN serve publishes; the page itself is fetched locally
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--window-size=1000,1300"]


def make_library(library: Path) -> None:
    (library / "briefing.toml").write_text(CHANNEL, encoding="utf-8")
    briefing = [sys.executable, "-m", "briefing"]
    for name in ARTICLES:
        subprocess.run(briefing + ["make", str(REPO / "tests" / "fixtures" / name), "--library", str(library),
                                   "--max-words", "60", "-q"], check=True)


def photograph(url: str, picture: Path, profile: Path) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={picture}", url],
                   check=True, capture_output=True, timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"replace {TARGET.relative_to(REPO)}")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefing-screenshot-") as work:
        library, profile = Path(work) / "library", Path(work) / "profile"
        library.mkdir()
        make_library(library)
        picture = Path(work) / "web-page.png"
        with running(library) as server, recorded_server(library, SHOWN_ADDRESS):
            regenerate(library)
            photograph(server.url, picture, profile)
        target = TARGET if arguments.write else Path(tempfile.mkstemp(prefix="web-page-", suffix=".png")[1])
        shutil.copyfile(picture, target)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
