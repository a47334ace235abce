"""Hostile and clumsy inputs through the real CLI, each bounded: the figures behind issue 10.

Run: .venv/bin/python benchmarks/hostile_inputs.py [--only NAME,...]   (a few minutes; all in a temp folder)

Every input runs through ``briefing script`` and ``briefing make`` (``--voice british``, espeak, so
it is quick; ``--library`` and ``-o`` inside a fresh folder per run) as a child process in its own
session, under a 2 GB address-space limit (``RLIMIT_AS``, inherited by ffmpeg and espeak) and a
wall-time limit. URL inputs are served by HTTP servers in this process on 127.0.0.1 and 127.0.0.2
(loopback only), so they are read with ``--allow-private-urls`` except the server-side request
forgery inputs, which must be refused without it.

For each run it prints the exit code, wall time, peak memory (``ru_maxrss`` from ``os.wait4``: the
child and the children it waited for), whether a traceback reached stderr and whether a temporary or
partial file was left (each child has a TMPDIR and a HOME of its own, empty, and no login session's
runtime folder, as under cron: anything in them afterwards was left behind). A run is clean when: no traceback; exit code 0, 1 or 2 (not a signal, not the
wall-time limit); an error is one line of stderr; nothing temporary is left, and nothing at all in the
output folder after a failure; and what the issue asks of that input holds (refused, or read, or a
secret never printed, or a device left a device). An input is clean when all its runs are.
Baseline in the same run: ``script`` on a 3 KB article. Ends with ``name: value`` lines.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import stat
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BRIEFING = [str(REPO / ".venv/bin/briefing")] if (REPO / ".venv/bin/briefing").exists() else [
    sys.executable, "-m", "briefing"]
ADDRESS_SPACE = 2 * 1024**3
WALL_LIMIT_S = 60.0
URL_WALL_LIMIT_S = 45.0  # a fetch has a 15 s whole-request deadline; anything near 45 s did not stop
TARGET_1MB_SECONDS = 5.0
TARGET_1MB_MB = 300.0
SECRET = "quokkaflint"  # a word speech normalisation leaves as it is
TRACEBACK = re.compile(r"^Traceback \(most recent call last\)|^\w+(\.\w+)*(Error|Exception): ", re.M)
LEFTOVER = re.compile(r"\.tmp($|\.)|^\.~|\.part$")


# --- inputs ----------------------------------------------------------------------------------------

WORDS = ("council budget minister river bridge station school hospital police court market energy "
         "prices workers union strike election voters mayor city region farmers harvest storm rain "
         "flood road rail airport company profits shares bank rates inflation housing rents tenants "
         "museum library festival team season coach players injury report study researchers data "
         "climate coast village residents plan vote funding project delay cost contract water supply "
         "officials statement weekend morning evening north south east west spring autumn").split()
SUBJECTS = ("The council", "Officials", "The minister", "Residents", "The company", "Researchers",
            "The mayor", "Local traders", "The union", "Police", "The report", "Campaigners")
VERBS = ("said", "announced", "warned", "confirmed", "argued", "reported", "denied", "expected")


def prose(size: int, seed: int = 7) -> str:
    """News-like prose of about ``size`` bytes: varied sentences in paragraphs of three to five."""
    rng = random.Random(seed)
    parts, total = ["A long report on the region\n\n"], 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(3, 5)):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18)))
            sentences.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} that the {words} "
                             f"would cost {rng.randint(2, 900)} million by {rng.randint(2025, 2040)}.")
        paragraph = " ".join(sentences) + "\n\n"
        parts.append(paragraph)
        total += len(paragraph)
    return "".join(parts)


def list_literal_of_short_strings(count: int) -> str:
    return "[" + ", ".join(f"'w{n:06d}'" for n in range(count)) + "]"


def html_page(paragraphs: list[str], title: str = "A page") -> str:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body><article>{body}</article></body></html>"


def deep_html(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + "Deep text here. It goes on." + "</div>" * depth + "</body></html>"


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] "
       b"/Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n4 0 obj "
       b"<< /Length 44 /Filter /FlateDecode >> stream\n" + zlib.compress(b"BT /F1 24 Tf 100 700 Td (Hello) Tj ET")
       + b"\nendstream endobj\nxref\n0 5\ntrailer << /Root 1 0 R >>\n%%EOF\n") * 40


# --- the local servers -----------------------------------------------------------------------------

class Hostile(http.server.BaseHTTPRequestHandler):
    """Each path is one kind of hostile server; ``/secret`` is only on the 127.0.0.2 server."""

    protocol_version = "HTTP/1.1"
    stop = threading.Event()
    redirect_target = ""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        try:
            route = getattr(self, "route_" + self.path.strip("/").replace("-", "_"), None)
            if route is None:
                self.send_error(404)
            else:
                route()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass

    def _start(self, content_type: str, length: int | None = None, extra: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.send_header("Connection", "close")
        self.end_headers()

    def _send(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self._start(content_type, len(body))
        self.wfile.write(body)

    def route_article(self) -> None:
        self._send(html_page(prose(3000).split("\n\n")[1:-1], "An ordinary article").encode())

    def route_secret(self) -> None:
        self._send(html_page([f"The internal secret is {SECRET}. Do not publish it. It is private."] * 3,
                             "Internal").encode())

    def route_redirect_private(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.redirect_target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route_gzip_bomb(self) -> None:  # 10 GiB of zeros, gzip-encoded: about 10 MB on the wire
        self._start("text/html", extra={"Content-Encoding": "gzip"})
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = b"\0" * (1 << 20)
        for _ in range(10 * 1024):
            if self.stop.is_set():
                return
            self.wfile.write(packer.compress(block))
        self.wfile.write(packer.flush())

    def route_endless(self) -> None:
        self._start("text/html")
        chunk = b"<p>More and more text keeps coming. It never ends.</p>\n" * 1000
        while not self.stop.is_set():
            self.wfile.write(chunk)

    def route_slow_body(self) -> None:
        self._start("text/html")
        for byte in html_page(["A slow sentence that drips out. One byte at a time."] * 40).encode():
            if self.stop.wait(2.0):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def route_slow_headers(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for byte in b"X-Slow: " + b"a" * 200:
            if self.stop.wait(2.0):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def route_pdf_as_html(self) -> None:
        self._send(PDF, "text/html")

    def route_deep_html(self) -> None:
        self._send(deep_html(100_000).encode())

    def route_ten_thousand_paragraphs(self) -> None:
        self._send(html_page(prose(1_600_000, seed=3).split("\n\n")[1:-1], "Ten thousand paragraphs").encode())


    # Feeds of one item whose <title> is hostile (issue 25): its link is the ordinary article here.
    def _feed(self, title: str) -> None:
        link = f"http://{self.headers['Host']}/article"
        self._send((f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>'
                    f"<item><title>{title}</title><link>{link}</link></item></channel></rss>").encode(),
                   "application/rss+xml")

    def route_feed_title_8000_words(self) -> None:
        self._feed(" ".join(WORDS[n % len(WORDS)] for n in range(8000)))

    def route_feed_title_9mb(self) -> None:
        self._feed("news " * 1_800_000)

    def route_feed_title_bold_flood(self) -> None:
        self._feed("&lt;b&gt;" * 50_000 + "Storm closes the harbour bridge")

    def route_feed_title_span_flood(self) -> None:
        self._feed('&lt;span class="x"&gt;' * 30_000 + "Storm closes the harbour bridge")

    def route_feed_title_cdata_tags(self) -> None:
        self._feed("<![CDATA[" + "<i>" * 50_000 + "Storm closes the harbour bridge]]>")

    def route_feed_title_60k_spaces(self) -> None:
        self._feed("Storm" + " " * 60_000 + "- closes the bridge")


def start_server(host: str) -> tuple[http.server.ThreadingHTTPServer, int]:
    server = http.server.ThreadingHTTPServer((host, 0), Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


# --- cases -----------------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    article: Callable[[Path], str]  # makes the input inside the run's folder; returns the ARTICLE argument
    expect: str = "either"  # "ok": exit 0; "refused": exit 1 or 2; "either": any clean outcome;
    # "partial": daily's exit 3, the day made and a bad source named (one "Skipped:" line each)
    commands: tuple[str, ...] = ("script", "make")
    url: bool = False
    private_opt_in: bool = True  # URL cases on our loopback servers need the opt-in
    output: Callable[[Path], Path] | None = None  # a hostile -o for make
    check: Callable[[Path, str, str], str | None] | None = None  # (folder, stdout, stderr) -> problem
    voice: str | None = "british"  # None: the default profile (whose engine segfaulted on issue 10's input)
    library: Callable[[Path], None] | None = None  # prepares make's library folder (its lock file, say)
    # The whole command line after ``briefing``, for runs that are not ``script``/``make`` ARTICLE (daily, a
    # library set up first): given the run's folder and the ARTICLE the case made; ``commands`` names it.
    argv: Callable[[Path, str], list[str]] | None = None


@dataclass
class Run:
    case: str
    command: str
    exit_code: int | None
    signal: int | None
    seconds: float
    peak_mb: float
    traceback: bool
    leftover: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


def write(name: str, content: str | bytes) -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)
    return make


def lock_fifo(library: Path) -> None:
    os.mkfifo(library / ".briefing.lock")


def lock_to_dev_zero(library: Path) -> None:
    (library / ".briefing.lock").symlink_to("/dev/zero")


def lock_of_a_live_pid_far_ahead(library: Path) -> None:
    from briefing.system.fsutil import machine_identity

    (library / ".briefing.lock").write_text(json.dumps({
        "owner": "someone", "host": socket.gethostname(), "pid": 1, "expires": time.time() + 10 * 365 * 86400,
        "acquired": time.time(), "machine": machine_identity()}))


def fifo(folder: Path) -> str:
    os.mkfifo(folder / "article.fifo")
    return str(folder / "article.fifo")


def directory(folder: Path) -> str:
    (folder / "a-folder").mkdir()
    return str(folder / "a-folder")


def symlink_loop(folder: Path) -> str:
    (folder / "loop-a").symlink_to(folder / "loop-b")
    (folder / "loop-b").symlink_to(folder / "loop-a")
    return str(folder / "loop-a")


def char_device_output(folder: Path) -> Path:
    device = folder / "device.mp3"
    os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    return device


def fifo_output(folder: Path) -> Path:
    os.mkfifo(folder / "out-fifo.mp3")
    return folder / "out-fifo.mp3"


def odd_name_output(folder: Path) -> Path:
    return folder / "out" / "with space and\nnewline.mp3"


def device_left_alone(folder: Path, stdout: str, stderr: str) -> str | None:
    for name in ("device.mp3", "out-fifo.mp3"):
        path = folder / name
        if path.exists() or path.is_symlink():
            mode = path.lstat().st_mode
            if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
                return f"{name} was replaced by a regular file"
    return None


def no_secret(folder: Path, stdout: str, stderr: str) -> str | None:
    published = [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".vtt", ".xml", ".html")]
    if SECRET in stdout or any(SECRET in p.read_text(errors="replace") for p in published):
        return "the private page's secret was read"
    return None


def no_passwd(folder: Path, stdout: str, stderr: str) -> str | None:
    return "/etc/passwd was read" if "root:" in stdout or "root x" in stdout else None


def says_zurich(folder: Path, stdout: str, stderr: str) -> str | None:
    text = stdout + "".join(p.read_text(errors="replace") for p in folder.glob("out/*.txt"))
    return None if "Zürich" in text else "Zürich was not read as Zürich"


def not_pwned(folder: Path, stdout: str, stderr: str) -> str | None:
    return "code from the input ran" if (folder / "PWNED").exists() else None


def feed_well_formed(folder: Path, stdout: str, stderr: str) -> str | None:
    if "\x1b" in stdout or "\x07" in stdout:
        return "a control character reached the terminal"
    feed = folder / "lib" / "feed.xml"
    if feed.exists():
        try:
            ET.fromstring(feed.read_bytes())
        except ET.ParseError as error:
            return f"feed.xml is not well-formed XML ({error})"
    return None


# --- issue 25: every title, pattern, setting, cache and source bounded --------------------------------

DATE = "2026-11-25"
WHITESPACE = {"spaces": " ", "tabs": "\t", "no-break-spaces": "\u00a0", "ideographic-spaces": "\u3000"}


def json_title(title: str) -> Callable[[Path], str]:
    return write("t.json", json.dumps({"title": title, "paragraphs": prose(1500).split("\n\n")[1:-1]}))


def with_paragraph(paragraph: str, name: str = "p.txt") -> Callable[[Path], str]:
    return write(name, f"A report\n\n{prose(800)}\n\n{paragraph}\n\nThe council met again on Monday. It agreed.\n")


def library(folder: Path, config: str = "", lexicon: str = "") -> Path:
    lib = folder / "lib"
    lib.mkdir(exist_ok=True)
    if config:
        (lib / "briefing.toml").write_text(config, encoding="utf-8")
    if lexicon:
        (lib / "lexicon.toml").write_text(lexicon, encoding="utf-8")
    return lib


def daily(sources: str, minutes: str = "1", lexicon: str = "") -> Callable[[Path, str], list[str]]:
    """``daily`` on a library whose [sources] are ``sources`` ({article} and {folder} filled in)."""
    def argv(folder: Path, article: str) -> list[str]:
        config = f"[sources]\n{sources.format(article=article, folder=folder)}\nallow_private_urls = true\n"
        lib = library(folder, config, lexicon)
        return ["daily", "--library", str(lib), "--date", DATE, "--minutes", minutes, "--voice", "british", "-q"]
    return argv


def make_in(config: str = "", lexicon: str = "", voice: str = "british", *extra: str) -> Callable[[Path, str], list[str]]:
    """``make ARTICLE`` into a library holding ``config`` and ``lexicon``; a voice of "v.toml" is the folder's."""
    def argv(folder: Path, article: str) -> list[str]:
        lib = library(folder, config, lexicon)
        chosen = str(folder / voice) if voice.endswith(".toml") else voice
        return ["make", article, "--library", str(lib), "--voice", chosen, "-q", *extra]
    return argv


def voice_file(body: str) -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        (folder / "v.toml").write_text('engine = "espeak"\nvoice = "en-gb-x-rp"\n' + body, encoding="utf-8")
        return write("a.txt", prose(1200))(folder)
    return make


def inbox(count: int, extra: str = "") -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        box = folder / "inbox"
        box.mkdir()
        for number in range(count):
            (box / f"story-{number:05d}.txt").write_text(
                f"Council approves plan number {number}\n\nCouncillors voted on Tuesday to approve plan {number}, "
                f"which will cost {number % 97 + 2} million pounds.\n\nResidents were divided about it.\n"
                + extra, encoding="utf-8")
        return str(box)
    return make


def made_once_then(damage: Callable[[Path], None]) -> Callable[[Path], str]:
    """An article made once into the run's library (so its caches are full), then the caches damaged."""
    import subprocess

    def make(folder: Path) -> str:
        article = write("a.txt", prose(2500))(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
        subprocess.run(BRIEFING + ["make", article, "--library", str(folder / "lib"), "--voice", "british", "-q"],
                       env=env, check=True, capture_output=True, timeout=WALL_LIMIT_S)
        damage(folder / "lib" / "cache")
        return article
    return make


def truncate_encoded(cache: Path) -> None:
    for piece in cache.glob("encoded/*/*.frames"):
        data = piece.read_bytes()
        piece.unlink()  # not written through: other names may link the same bytes
        piece.write_bytes(data[: len(data) // 2])


def clip_rate(rate: int) -> Callable[[Path], None]:
    def damage(cache: Path) -> None:
        for clip in cache.glob("speech/*/*.pcm"):
            data = bytearray(clip.read_bytes())
            data[4:8] = rate.to_bytes(4, "little")
            clip.write_bytes(bytes(data))
    return damage


def episode_at_most(minutes: float) -> Callable[[Path, str, str], str | None]:
    def check(folder: Path, stdout: str, stderr: str) -> str | None:
        from mutagen.mp3 import MP3

        episodes = list((folder / "lib").rglob("*.mp3"))
        if not episodes:
            return "no episode was made"
        longest = max(MP3(path).info.length for path in episodes) / 60
        return None if longest <= minutes else f"a {longest:.1f}-minute episode (asked about {minutes:g})"
    return check


TAG_RUNS = ("<b><b>", "&lt;b&gt;&lt;b&gt;", "<i><i>", "&lt;i&gt;&lt;i&gt;", '<span class="x"><span', "&lt;span")


def no_tag_headline(folder: Path, stdout: str, stderr: str) -> str | None:
    for path in (folder / "lib").rglob("*"):
        if path.is_file() and path.suffix in (".xml", ".txt", ".vtt", ".html", ".json"):
            text = path.read_text(errors="replace")
            if any(run in text for run in TAG_RUNS):
                return f"a headline of tags was published ({path.name})"
    return None


def issue25_cases(base: str) -> list[Case]:
    feed = daily('feeds = ["{article}"]')
    words_8000 = " ".join(WORDS[n % len(WORDS)] for n in range(8000))
    words_60000 = " ".join(WORDS[n % len(WORDS)] for n in range(60_000))
    deep_array = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"
    deep_table = "a = " + "{b = " * 100_000 + "1" + "}" * 100_000 + "\n"
    return [
        # 1. titles bounded where they enter, and counted in the length asked
        Case("feed-title-8000-words", lambda folder: base + "/feed-title-8000-words", url=True, commands=("daily",),
             argv=feed, expect="ok", check=episode_at_most(1.6)),
        Case("feed-title-9MB", lambda folder: base + "/feed-title-9mb", url=True, commands=("daily",), argv=feed,
             expect="ok", check=episode_at_most(1.6)),
        Case("json-title-8000-words-make", json_title(words_8000), commands=("make",),
             argv=make_in("", "", "british", "--minutes", "1"), expect="ok", check=episode_at_most(1.6)),
        Case("json-title-60000-words", json_title(words_60000), commands=("script", "make")),
        Case("make-title-option-60000-words", write("a.txt", prose(1500)), commands=("make",),
             argv=make_in("", "", "british", "--title", words_60000[:100_000]), expect="ok"),
        # 2. linear patterns: long whitespace runs, long words and tag floods
        *[Case(f"json-title-60k-{name}", json_title("Storm" + char * 60_000 + "- the bridge closes"),
               commands=("script",), expect="ok") for name, char in WHITESPACE.items()],
        *[Case(f"paragraph-200k-{name}-then-dash", with_paragraph("Storm" + char * 200_000 + "\u2014 it closes."),
               commands=("script",)) for name, char in WHITESPACE.items()],
        Case("word-100k-letters", with_paragraph("x" * 100_000), commands=("script",)),
        Case("word-2MB-letters", write("w.txt", "A word\n\n" + "x" * 1_990_000 + "\n"), commands=("script",)),
        Case("word-1MB-digits", with_paragraph("1" * 1_000_000), commands=("script",)),
        Case("word-1MB-dotted", with_paragraph("a." * 500_000), commands=("script",)),
        Case("word-1MB-hyphenated", with_paragraph("a-" * 500_000), commands=("script",)),
        Case("word-1MB-email-like", with_paragraph("a.b+" * 250_000 + "@"), commands=("script",)),
        Case("word-1MB-address-like", with_paragraph("www." + "a." * 500_000 + "com"), commands=("script",)),
        Case("text-300k-bold-tags", with_paragraph("<b>" * 300_000 + "Storm."), commands=("script",)),
        Case("text-1MB-open-angles", with_paragraph("<" * 1_000_000), commands=("script",)),
        Case("html-50k-bold-tags", write("b.html", html_page(["<b>" * 50_000 + "Storm closes the bridge. It reopens soon."]
                                                             + prose(1500).split("\n\n")[1:-1], "<b>" * 50_000))),
        Case("feed-title-50k-bold-tags", lambda folder: base + "/feed-title-bold-flood", url=True, commands=("daily",),
             argv=feed, expect="ok", check=no_tag_headline),
        Case("feed-title-30k-span-tags", lambda folder: base + "/feed-title-span-flood", url=True, commands=("daily",),
             argv=feed, expect="ok", check=no_tag_headline),
        Case("feed-title-50k-cdata-tags", lambda folder: base + "/feed-title-cdata-tags", url=True, commands=("daily",),
             argv=feed, expect="ok", check=no_tag_headline),
        Case("feed-title-60k-spaces", lambda folder: base + "/feed-title-60k-spaces", url=True, commands=("daily",),
             argv=feed, expect="ok"),
        # 3. settings in range, one-line errors, and make ends after any error
        Case("voice-sentence-ms-2e9", voice_file("[pauses]\nsentence_ms = 2000000000\n"), commands=("make",),
             argv=make_in("", "", "v.toml"), expect="refused"),
        Case("voice-section-ms-2^62", voice_file("[pauses]\nsection_ms = 4611686018427387904\n"), commands=("make",),
             argv=make_in("", "", "v.toml"), expect="refused"),
        Case("voice-rate-1e6", voice_file("rate = 1000000\n"), commands=("make",), argv=make_in("", "", "v.toml"),
             expect="refused"),
        Case("voice-nested-100k", voice_file(deep_array), commands=("make",), argv=make_in("", "", "v.toml"),
             expect="refused"),
        Case("toml-nested-100k-arrays", write("a.txt", prose(1200)), commands=("make",), argv=make_in(deep_array),
             expect="refused"),
        Case("toml-nested-100k-tables", write("a.txt", prose(1200)), commands=("make",), argv=make_in(deep_table),
             expect="refused"),
        Case("lexicon-nested-100k", write("a.txt", prose(1200)), commands=("make",),
             argv=make_in("", deep_array), expect="refused"),
        # 5. lexicon entries found by the alternative that matched
        Case("lexicon-gif-GİF", with_paragraph("The GİF spread fast online. Everyone shared the GİF."),
             commands=("make",), argv=make_in("", 'gif = "jif"\n'), expect="ok"),
        Case("lexicon-news-NEWſ-daily", inbox(2, "The NEWſ reached the town hall.\n"), commands=("daily",),
             argv=daily('inbox = "{article}"', lexicon='news = "noos"\n'), expect="ok"),
        # 6. damaged caches dropped and rebuilt
        Case("cache-truncated-encoded-piece", made_once_then(truncate_encoded), commands=("make",),
             argv=make_in(), expect="ok"),
        Case("cache-clip-at-1-Hz", made_once_then(clip_rate(1)), commands=("make",), argv=make_in(), expect="ok"),
        Case("cache-clip-at-4e9-Hz", made_once_then(clip_rate(4_000_000_000)), commands=("make",), argv=make_in(),
             expect="ok"),
        # 8. other unbounded work
        Case("inbox-10000-files", inbox(10_000), commands=("daily",), argv=daily('inbox = "{article}"'),
             expect="ok", check=episode_at_most(1.6)),
        Case("proc-self-status-as-article", lambda folder: "/proc/self/status", expect="refused"),
        Case("proc-cpuinfo-as-article", lambda folder: "/proc/cpuinfo", expect="refused"),
        Case("sys-file-as-article", lambda folder: "/sys/kernel/mm/transparent_hugepage/enabled", expect="refused",
             commands=("script",)),
        Case("proc-file-as-daily-source", inbox(1), commands=("daily",),
             argv=daily('inbox = "{article}"\nfiles = ["/proc/self/status"]'), expect="partial"),
    ]


def cases(base: str, private: str) -> list[Case]:
    long_segment = "T\n\n" + "a" * 30000 + "\n"
    deep_json = "[" * 100_000 + "]" * 100_000
    disguised = ("['Title', __import__('os').system('touch PWNED'), "
                 "'A paragraph that says something. It goes on.']")
    stray = ("Zürich news\n\nThe lake in Zürich froze \xff for the first time in decades. "
             "Skaters came from far away to see it.\n")
    return [
        Case("list-literal-1M-strings", write("list.txt", list_literal_of_short_strings(1_000_000))),
        Case("prose-150KB", write("p150.txt", prose(150_000)), expect="ok"),
        Case("prose-470KB", write("p470.txt", prose(470_000)), expect="ok"),
        Case("prose-1MB", write("p1m.txt", prose(1_000_000)), expect="ok"),
        Case("segment-30k-no-sentence-end", write("w.txt", long_segment)),
        Case("segment-30k-default-engine", write("w.txt", long_segment), commands=("make",), voice=None),
        Case("control-characters", write("c.txt", b"Title\x07\x1b[31m red\n\nBody \x07 says this. It ends.\n"),
             expect="ok", check=feed_well_formed),
        Case("html-title-with-&#7;", write("t.html", html_page(
            ["Body text that says something useful here. Another sentence follows it."] * 3,
            "Breaking&#7; news&#27;[31m")), expect="ok", check=feed_well_formed),
        Case("file-url-etc-passwd", lambda folder: "file:///etc/passwd", expect="refused", check=no_passwd),
        Case("fifo-as-article", fifo, expect="refused"),
        Case("dev-zero-as-article", lambda folder: "/dev/zero", expect="refused"),
        Case("dev-null-as-article", lambda folder: "/dev/null", expect="refused"),
        Case("char-device-as-output", write("a.txt", "T\n\nA sentence here. Another one there.\n"),
             expect="refused", commands=("make",), output=char_device_output, check=device_left_alone),
        Case("fifo-as-output", write("a.txt", "T\n\nA sentence here. Another one there.\n"),
             expect="refused", commands=("make",), output=fifo_output, check=device_left_alone),
        Case("output-name-with-space-and-newline", write("a.txt", "T\n\nA sentence here. Another one there.\n"),
             expect="ok", commands=("make",), output=odd_name_output),
        Case("utf8-with-a-stray-byte", write("stray.txt", stray.encode("utf-8").replace(b"\xc3\xbf", b"\xff")),
             expect="ok", check=says_zurich),
        Case("utf16-with-bom", write("u16.txt", "Zürich news\n\nThe lake froze this winter. Skaters came.\n"
                                     .encode("utf-16")), expect="ok", check=says_zurich),
        Case("random-bytes-without-nuls", write("rand.bin", bytes(
            b % 255 + 1 for b in random.Random(1).randbytes(200_000))), expect="refused"),
        Case("pdf-bytes", write("doc.pdf", PDF), expect="refused"),
        Case("emoji-only", write("emoji.txt", "😀🎉🔥\n\n" + "😀🎉🔥👍 " * 200), expect="refused"),
        Case("dots-only", write("dots.txt", "...\n\n" + "... " * 500), expect="refused"),
        Case("json-nul-string", write("nul.json", '["\\u0000"]'), expect="refused"),
        Case("deep-json", write("deep.json", deep_json), expect="refused"),
        Case("disguised-python", write("evil.txt", disguised), check=not_pwned),
        Case("empty-file", write("empty.txt", ""), expect="refused"),
        Case("directory", directory, expect="refused"),
        Case("missing-file", lambda folder: str(folder / "no such\nfile.txt"), expect="refused"),
        Case("symlink-loop", symlink_loop, expect="refused"),
        Case("huge-single-line", write("line.txt", ("word " * 12 + "and more words. ") * 60_000)),
        Case("binary-with-nuls", write("bin.dat", bytes(range(256)) * 2000), expect="refused"),
        Case("html-100k-nesting", write("deep.html", deep_html(100_000))),
        Case("url-gzip-bomb", lambda folder: base + "/gzip-bomb", url=True),
        Case("url-endless-body", lambda folder: base + "/endless", url=True),
        Case("url-slow-drip-body", lambda folder: base + "/slow-body", url=True, expect="refused"),
        Case("url-slow-drip-headers", lambda folder: base + "/slow-headers", url=True, expect="refused"),
        Case("url-pdf-as-text-html", lambda folder: base + "/pdf-as-html", url=True, expect="refused"),
        Case("url-100k-nesting", lambda folder: base + "/deep-html", url=True),
        Case("url-10k-paragraphs-1.6MB", lambda folder: base + "/ten-thousand-paragraphs", url=True, expect="ok"),
        Case("ssrf-redirect-to-127.0.0.2", lambda folder: base + "/redirect-private", url=True,
             private_opt_in=False, expect="refused", check=no_secret),
        Case("ssrf-direct-127.0.0.2", lambda folder: private + "/secret", url=True, private_opt_in=False,
             expect="refused", check=no_secret),
        Case("ssrf-ipv4-mapped-ipv6", lambda folder: private.replace("127.0.0.2", "[::ffff:127.0.0.2]") + "/secret",
             url=True, private_opt_in=False, expect="refused", check=no_secret),
        Case("lock-file-is-a-fifo", write("a.txt", "T\n\nA sentence here. Another one there.\n"), expect="ok",
             commands=("make",), library=lock_fifo),
        Case("lock-file-links-to-dev-zero", write("a.txt", "T\n\nA sentence here. Another one there.\n"),
             expect="ok", commands=("make",), library=lock_to_dev_zero),
        Case("lock-of-a-live-pid-expiring-in-10-years", write("a.txt", "T\n\nA sentence here. Another one there.\n"),
             expect="ok", commands=("make",), library=lock_of_a_live_pid_far_ahead),
        *issue25_cases(base),
    ]


# --- running ---------------------------------------------------------------------------------------

def limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_child(argv: list[str], folder: Path, wall_limit: float) -> tuple[int | None, int | None, float, float, str, str]:
    """Exit code (None if killed), signal, wall seconds, peak MB, stdout, stderr."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env.update(TMPDIR=str(folder / "tmpdir"), HOME=str(folder / "home"), BRIEFING_HOME=str(folder / "lib"))
    for session in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH"):  # as under cron: no login session's runtime folder
        env.pop(session, None)
    with open(folder / "stdout", "wb") as out, open(folder / "stderr", "wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=folder, env=env,
                                 preexec_fn=limit_child, start_new_session=True)
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > wall_limit:
                os.killpg(child.pid, signal.SIGKILL)
                _, status, usage = os.wait4(child.pid, 0)
                status = -1
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        child.returncode = 0  # reaped above; keeps Popen from waiting again
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)  # anything it left running (ffmpeg, espeak)
    stdout = (folder / "stdout").read_bytes().decode(errors="replace")
    stderr = (folder / "stderr").read_bytes().decode(errors="replace")
    peak = usage.ru_maxrss / 1024 if usage else 0.0
    if status == -1:
        return None, signal.SIGKILL, elapsed, peak, stdout, stderr
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status), elapsed, peak, stdout, stderr
    return os.WEXITSTATUS(status), None, elapsed, peak, stdout, stderr


# What briefing keeps in the user's cache folder by design (README: the shared hibari tables and the
# model optimized for the machine): complete files there are not leftovers; a temporary one would be.
USER_CACHE = ("home", ".cache", "briefing")
USER_CACHE_FILE = re.compile(r"^hibari-(?:[a-z]{2}-[0-9a-f]{16}\.tables|model-[0-9a-f]{16}\.onnx)$")


def leftovers(folder: Path, before: set[Path], failed: bool) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path in before or relative.parts[0] in ("stdout", "stderr"):
            continue
        if USER_CACHE[:len(relative.parts)] == relative.parts or (
                relative.parts[:3] == USER_CACHE and len(relative.parts) == 4
                and USER_CACHE_FILE.match(path.name)):
            continue
        if relative.parts[0] in ("tmpdir", "home") or LEFTOVER.search(path.name):
            found.append(str(relative))
        elif failed and relative.parts[0] == "out" and not path.is_dir():
            found.append(str(relative))  # half of a failed output
    return found


def run_case(case: Case, command: str, scratch: Path) -> Run:
    folder = Path(tempfile.mkdtemp(prefix=f"{case.name[:20]}-{command}-", dir=scratch))
    article = case.article(folder)
    argv = BRIEFING + [command, article]
    if case.argv is not None:
        argv = BRIEFING + case.argv(folder, article)
    if case.url and case.private_opt_in and PRIVATE_OPT_IN_FLAG and case.argv is None:
        argv.append(PRIVATE_OPT_IN_FLAG)
    if command == "make" and case.argv is None:
        output = case.output(folder) if case.output else folder / "out" / "article.mp3"
        argv += ["-o", str(output), "--library", str(folder / "lib"), "-q"]
        if case.library:
            (folder / "lib").mkdir()
            case.library(folder / "lib")
        argv += ["--voice", case.voice] if case.voice else []
    (folder / "tmpdir").mkdir()  # the child's TMPDIR and HOME: whatever stays in them was left behind
    (folder / "home").mkdir()
    before = set(folder.rglob("*"))
    limit = URL_WALL_LIMIT_S if case.url else WALL_LIMIT_S
    code, sig, seconds, peak, stdout, stderr = run_child(argv, folder, limit)
    traceback = bool(TRACEBACK.search(stderr))
    left = leftovers(folder, before, failed=code != 0)
    run = Run(case.name, command, code, sig, seconds, peak, traceback, left)
    run.problems = problems(case, run, stdout, stderr, folder, limit)
    shutil.rmtree(folder, ignore_errors=True)
    return run


def problems(case: Case, run: Run, stdout: str, stderr: str, folder: Path, limit: float) -> list[str]:
    found = []
    if run.signal is not None:
        found.append(f"killed by signal {run.signal}" + (" at the wall-time limit" if run.seconds >= limit else ""))
    elif run.exit_code not in (0, 1, 2) and not (case.expect == "partial" and run.exit_code == 3):
        found.append(f"exit code {run.exit_code}")
    if run.traceback:
        found.append("traceback")
    error_lines = [line for line in stderr.splitlines() if line.strip()]
    if run.exit_code in (1, 2) and len(error_lines) != 1:
        found.append(f"{len(error_lines)} lines on stderr")
    if run.leftover:
        found.append("left " + ", ".join(repr(name) for name in run.leftover[:3]))
    if run.peak_mb * 1024**2 >= ADDRESS_SPACE:
        found.append("memory limit")
    if case.expect == "partial" and run.exit_code != 3 and run.signal is None:
        found.append("a source it should skip was not reported, or the day was not made: " +
                     (error_lines[-1][:80] if error_lines else f"exit {run.exit_code}"))
    if case.expect == "ok" and run.exit_code != 0 and run.signal is None:
        found.append("refused an input it should read: " + (error_lines[-1][:80] if error_lines else ""))
    if case.expect == "refused" and run.exit_code == 0:
        found.append("accepted an input it should refuse")
    if case.check is not None:
        problem = case.check(folder, stdout, stderr)
        if problem:
            found.append(problem)
    return found


def private_opt_in_flag() -> str | None:
    import subprocess

    help_text = subprocess.run(BRIEFING + ["script", "--help"], capture_output=True, text=True).stdout
    return "--allow-private-urls" if "--allow-private-urls" in help_text else None


PRIVATE_OPT_IN_FLAG: str | None = None


def main() -> None:
    global PRIVATE_OPT_IN_FLAG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated case names to run")
    parser.add_argument("--regex-mb", type=float, default=1.0,
                        help="megabytes of each adversarial text run through every pattern (0: skip)")
    arguments = parser.parse_args()
    chosen = arguments.only
    PRIVATE_OPT_IN_FLAG = private_opt_in_flag()
    if PRIVATE_OPT_IN_FLAG is None:
        print("note: this briefing has no --allow-private-urls; loopback URLs are fetched without it")
    if not shutil.which("espeak-ng"):
        print("espeak-ng is missing: the make runs will fail (apt-get install espeak-ng)")

    public_server, public_port = start_server("127.0.0.1")
    private_server, private_port = start_server("127.0.0.2")
    base, private = f"http://127.0.0.1:{public_port}", f"http://127.0.0.2:{private_port}"
    Hostile.redirect_target = private + "/secret"
    all_cases = cases(base, private)
    if chosen:
        all_cases = [case for case in all_cases if case.name in chosen.split(",")]

    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="briefing-hostile-") as scratch:
        baseline_case = Case("baseline-3KB-article", write("b.txt", prose(3000)), expect="ok")
        baseline = run_case(baseline_case, "script", Path(scratch))
        print(f"baseline: script on 3 KB of prose: {baseline.seconds:.2f} s, {baseline.peak_mb:.0f} MB, "
              f"exit {baseline.exit_code}\n")
        print(f"{'input':<36} {'command':<7} {'exit':>5} {'secs':>6} {'peak MB':>8} {'tb':>3} {'left':>5}  verdict")
        for case in all_cases:
            for command in case.commands:
                run = run_case(case, command, Path(scratch))
                runs.append(run)
                exit_text = str(run.exit_code) if run.signal is None else f"sig{run.signal}"
                verdict = "clean" if run.clean else "NOT CLEAN: " + "; ".join(run.problems)
                print(f"{case.name:<36} {command:<7} {exit_text:>5} {run.seconds:6.1f} {run.peak_mb:8.0f} "
                      f"{'yes' if run.traceback else 'no':>3} {len(run.leftover):>5}  {verdict}", flush=True)
    Hostile.stop.set()
    public_server.shutdown()
    private_server.shutdown()

    clean_inputs = sum(all(run.clean for run in runs if run.case == case.name) for case in all_cases)
    prose_1mb = next((run for run in runs if run.case == "prose-1MB" and run.command == "script"), None)
    print()
    print(f"runs clean: {sum(run.clean for run in runs)}/{len(runs)}")
    print(f"tracebacks: {sum(run.traceback for run in runs)}")
    print(f"killed or over the wall-time limit: {sum(run.signal is not None for run in runs)}")
    print(f"runs leaving files: {sum(bool(run.leftover) for run in runs)}")
    print(f"baseline_script_3kb_seconds: {baseline.seconds:.2f}")
    print(f"baseline_script_3kb_peak_mb: {baseline.peak_mb:.0f}")
    if prose_1mb is not None:
        ok = prose_1mb.exit_code == 0 and prose_1mb.seconds < TARGET_1MB_SECONDS and prose_1mb.peak_mb < TARGET_1MB_MB
        print(f"script_1mb_prose_exit: {prose_1mb.exit_code if prose_1mb.signal is None else 'sig%d' % prose_1mb.signal}")
        print(f"script_1mb_prose_seconds: {prose_1mb.seconds:.2f}")
        print(f"script_1mb_prose_peak_mb: {prose_1mb.peak_mb:.0f}")
        print(f"script_1mb_prose_time_vs_baseline: {prose_1mb.seconds / max(baseline.seconds, 1e-3):.1f}x")
        print(f"script_1mb_prose_within_target (<{TARGET_1MB_SECONDS:g} s, <{TARGET_1MB_MB:g} MB): {'yes' if ok else 'no'}")
    if runs:
        slowest = max(runs, key=lambda run: run.seconds)
        print(f"slowest case: {slowest.case} ({slowest.command}) {slowest.seconds:.1f} s")
        print(f"slowest_case_seconds: {slowest.seconds:.1f}")
    if arguments.regex_mb > 0:
        regex_sweep(int(arguments.regex_mb * 1_000_000))
    print(f"load average: {' '.join(f'{value:.1f}' for value in os.getloadavg())}")
    print(f"hostile inputs clean: {clean_inputs}/{len(all_cases)}")


def regex_sweep(size: int) -> None:
    """Every pattern briefing runs on input (found as tests/test_regex_bounds.py finds them) over each
    adversarial text of ``size`` characters: the slowest, in CPU seconds."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("regex_bounds", REPO / "tests" / "test_regex_bounds.py")
    assert spec is not None and spec.loader is not None
    bounds = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bounds)
    texts = bounds.adversarial(size)
    timings = [(bounds.seconds_on(pattern, how, text), where, name)
               for where, pattern, how in bounds.PATTERNS for name, text in texts.items()]
    worst = max(timings)
    print(f"regex sweep: {len(bounds.PATTERNS)} patterns x {len(texts)} adversarial texts of {size / 1e6:g} MB")
    print(f"regex_slowest: {worst[1]} on {worst[2]}")
    print(f"regex_slowest_seconds: {worst[0]:.2f}")
    print(f"regex_over_1s_per_mb: {sum(seconds > size / 1e6 for seconds, _, _ in timings)}")


if __name__ == "__main__":
    main()
