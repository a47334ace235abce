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
    expect: str = "either"  # "ok": exit 0; "refused": exit 1 or 2; "either": any clean outcome
    commands: tuple[str, ...] = ("script", "make")
    url: bool = False
    private_opt_in: bool = True  # URL cases on our loopback servers need the opt-in
    output: Callable[[Path], Path] | None = None  # a hostile -o for make
    check: Callable[[Path, str, str], str | None] | None = None  # (folder, stdout, stderr) -> problem
    voice: str | None = "british"  # None: the default profile (whose engine segfaulted on issue 10's input)
    library: Callable[[Path], None] | None = None  # prepares make's library folder (its lock file, say)


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
    from briefing.fsutil import machine_identity

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
    if case.url and case.private_opt_in and PRIVATE_OPT_IN_FLAG:
        argv.append(PRIVATE_OPT_IN_FLAG)
    if command == "make":
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
    elif run.exit_code not in (0, 1, 2):
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
    chosen = parser.parse_args().only
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
    print(f"hostile inputs clean: {clean_inputs}/{len(all_cases)}")


if __name__ == "__main__":
    main()
