"""Hostile and clumsy input at the reader boundary (issue 10): bounded size, control characters,
private addresses, whole-request deadlines, inputs that are not files, encodings, inputs with nothing
to say. Real files, a real FIFO, real HTTP servers on 127.0.0.1 and the real CLI process."""

from __future__ import annotations

import os
import resource
import shutil
import socket
import socketserver
import threading
import re
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import cli_env, files_in, run_cli

from briefing.errors import InputError
from briefing.library.store import Library
from briefing.readers import MAX_TEXT_CHARS, decode_input, parse, read_source
from briefing.readers import netguard
from briefing.readers.url import fetch_bytes, page_text
from briefing.daily.sources import SourceSettings, SourceSpec, feed_items, gather
from briefing.system.textsafety import strip_controls

ARTICLE = ("Harbour bridge to close for repairs\n\n"
           "The harbour bridge will close for three weeks from Monday while engineers replace its bearings.\n\n"
           "Buses will run every ten minutes on a diversion through the old town, the council said.\n")
PAGE = ("<html><head><title>Secret</title></head><body><article><h1>Internal memo</h1>"
        "<p>The internal payroll server moves to a new rack on Friday evening after the audit.</p>"
        "<p>Staff should expect the intranet to be unavailable for about two hours that night.</p>"
        "</article></body></html>").encode()


# --- a raw HTTP server on 127.0.0.1 whose every answer (and its pace) the test writes ----------------


Answer = Callable[[socket.socket], None]


class ScriptedServer:
    """Answers GET PATH with ``routes[PATH](connection)``; counts the requests per path."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Answer] = {}
        self.requests: dict[str, int] = {}
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                path = request.split(b" ", 2)[1].decode()
                server.requests[path] = server.requests.get(path, 0) + 1
                try:
                    server.routes.get(path, not_found)(self.request)
                except OSError:
                    pass  # the client hung up: what a deadline does

        self.tcp = socketserver.ThreadingTCPServer((host, 0), Handler)
        self.tcp.daemon_threads = True
        self.base = f"http://{host}:{self.tcp.server_address[1]}"
        threading.Thread(target=self.tcp.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.tcp.shutdown()
        self.tcp.server_close()


def respond(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
            extra: str = "") -> Answer:
    def answer(connection: socket.socket) -> None:
        head = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n{extra}\r\n").encode()
        connection.sendall(head + body)
    return answer


def redirect(location: str) -> Answer:
    return respond(b"", status="302 Found", extra=f"Location: {location}\r\n")


def drip(data: bytes, every_s: float) -> Answer:
    def answer(connection: socket.socket) -> None:
        for index in range(len(data)):
            connection.sendall(data[index:index + 1])
            time.sleep(every_s)
    return answer


def not_found(connection: socket.socket) -> None:
    respond(b"no", "text/plain", "404 Not Found")(connection)


@pytest.fixture
def site():
    server = ScriptedServer()
    yield server
    server.close()


def one_error_line(result) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


# --- 1. bounded input ---------------------------------------------------------------------------------


def test_a_list_literal_of_many_short_strings_is_refused_without_building_a_syntax_tree() -> None:
    text = "[" + ",".join("'a'" for _ in range(450_000)) + "]"  # 1.8 MB: under the size limit
    tracemalloc.start()
    started = time.process_time()  # CPU time: what the parse costs, whatever else the machine runs
    try:
        with pytest.raises(InputError, match="too many paragraphs for an article"):
            parse(text, "scraped.txt")
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60 * 1024 * 1024  # ast.literal_eval needs about 450 MB here
    assert elapsed < 5


def test_a_ten_megabyte_list_literal_is_refused_quickly_as_too_long(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text("[" + ",".join("'ab'" for _ in range(1_900_000)) + "]", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = one_error_line(run_cli(["script", path], home=tmp_path / "library", cwd=tmp_path, timeout=60))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) < 15  # CPU seconds
    assert f"{path}: too long for an article" in line and "the limit is 2 million" in line


def test_text_over_the_limit_is_refused_and_under_it_is_read() -> None:
    paragraph = "The council met on Monday to discuss the harbour bridge and its long repairs. "
    too_long = (paragraph * (MAX_TEXT_CHARS // len(paragraph) + 10)).replace(". ", ".\n\n")
    with pytest.raises(InputError, match="too long for an article"):
        parse(too_long, "long.txt")
    assert len(parse(too_long[: MAX_TEXT_CHARS // 2], "half.txt").paragraphs) > 1000


def test_the_list_reader_still_reads_every_string_form_and_refuses_code() -> None:
    raw = parse("""['plain', "double", 'esc\\u00e9', '''triple''', 'joined ' "parts", r'raw\\n',]""", "list.txt")
    assert raw.paragraphs == ["plain", "double", "escé", "triple", "joined parts", "raw\\n"]
    for code in ("['a', f'{__import__(\"os\")}']", "['a', ['nested']]", "['a', x]", "['a' + 'b']", "['a'] + []"):
        with pytest.raises(InputError, match="no code"):
            parse(code, "evil.txt", "list")
    with pytest.raises(InputError, match="item 1 is a bytes"):
        parse("['a', b'x']", "bytes.txt", "list")


# --- 3. control characters and escape sequences -------------------------------------------------------


def test_control_characters_and_terminal_escapes_are_removed_from_title_and_text(tmp_path: Path) -> None:
    path = tmp_path / "bell.txt"
    path.write_bytes(b"Title\x07\x1b[31m red\n\nBody \x07.\n")
    raw = read_source(str(path))
    assert raw.title == "Title red"
    assert raw.paragraphs == ["Body ."]


def test_json_escapes_for_control_characters_are_removed_too() -> None:
    raw = parse('{"title": "Alert\\u001b]0;pwned\\u0007 now", "paragraphs": ["Rain\\u0000 fell \\u009b2J'
                'all day\\u0008.", "Lone \\ud800 surrogate."]}', "news.json")
    assert raw.title == "Alert now"
    assert raw.paragraphs == ["Rain fell all day.", "Lone  surrogate."]


def test_strip_controls_keeps_newlines_and_tabs_and_removes_every_other_control() -> None:
    cleaned = strip_controls("a\tb\r\nc\x1b[1;31md\x1b]8;;http://x\x1b\\e\x7f\x85f\u2028g" + "".join(map(chr, range(32))))
    # \r\n, NEL (\x85), LINE SEPARATOR, \v, \f and the file/group/record separators become newlines
    assert cleaned == "a\tb\ncde\nf\ng" + "\t" + "\n" * 7
    assert not any(ord(char) < 32 and char not in "\t\n" for char in cleaned)


def test_strip_controls_on_text_without_controls_is_the_text_and_with_one_cleans_as_before() -> None:
    from briefing.system import textsafety

    def every_rule(text: str) -> str:  # the three substitutions, without the shortcut for clean text
        text = textsafety._ESCAPE_SEQUENCE.sub("", text)
        return textsafety._CONTROL.sub("", textsafety._LINE_BREAKS.sub("\n", text))

    for code in [*range(0x3000), *range(0xD700, 0xE100), 0xFEFF, 0xFFFE, 0xFFFF, 0x1F600]:
        for text in (chr(code), f"News {chr(code)}[1;31mof the day\n", f"Tab\t{chr(code)}]8;;x\x07end"):
            assert strip_controls(text) == every_rule(text), hex(code)


def test_feed_item_titles_lose_their_control_characters(site: ScriptedServer) -> None:
    rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title><link>{site.base}/</link>'
           f"<description>d</description><item><title>Bell&#7; ringer&#27;[2J</title><link>{site.base}/a</link>"
           "</item></channel></rss>").encode()
    site.routes["/feed.rss"] = respond(rss, "application/rss+xml")
    settings = SourceSettings(allow_private_urls=True)
    [(link, title, _)] = feed_items(f"{site.base}/feed.rss", settings)
    assert link == f"{site.base}/a"
    assert title == "Bell ringer"  # ESC [ 2 J is one escape sequence: all of it goes


# --- 4. private addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
    "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1",
    "2002:7f00:1::1", "2001:db8::1",
])
def test_addresses_that_are_not_on_the_public_internet_are_not_public(address: str) -> None:
    import ipaddress

    assert not netguard.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808"])
def test_public_addresses_are_public(address: str) -> None:
    import ipaddress

    assert netguard.is_public_address(ipaddress.ip_address(address))


def test_a_loopback_url_is_refused_by_default_and_read_with_the_opt_in(site: ScriptedServer, tmp_path: Path) -> None:
    site.routes["/secret"] = respond(PAGE)
    url = f"{site.base}/secret"
    line = one_error_line(run_cli(["script", url], home=tmp_path, cwd=tmp_path))
    assert line.startswith(f"Error: {url}: refused, 127.0.0.1 is a private or local address")
    assert "allow_private_urls" in line
    assert site.requests.get("/secret") is None  # refused before connecting

    allowed = run_cli(["script", url, "--allow-private-urls"], home=tmp_path, cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert "payroll server" in allowed.stdout


def test_a_name_resolving_to_loopback_is_refused(site: ScriptedServer) -> None:
    url = site.base.replace("127.0.0.1", "localhost") + "/secret"
    with pytest.raises(InputError, match=r"localhost resolves to 127\.0\.0\.1, which is a private"):
        fetch_bytes(url)


def test_every_redirect_hop_is_checked(site: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may only use loopback, so 127.0.0.1 stands for a public server here and 127.0.0.2 stays private."""
    import ipaddress

    inner = ScriptedServer("127.0.0.2")
    try:
        inner.routes["/secret"] = respond(PAGE)
        site.routes["/story"] = redirect(f"{inner.base}/secret")
        site.routes["/moved"] = redirect("/story")
        real_check = netguard.is_public_address
        monkeypatch.setattr(netguard, "is_public_address",
                            lambda address: address == ipaddress.ip_address("127.0.0.1") or real_check(address))

        with pytest.raises(InputError) as refused:
            fetch_bytes(f"{site.base}/moved")
        assert str(refused.value) == (
            f"{site.base}/moved (redirected to {inner.base}/secret): refused, 127.0.0.2 is a private or local "
            "address; allow_private_urls = true in [sources], or --allow-private-urls, permits it")
        assert site.requests == {"/moved": 1, "/story": 1} and inner.requests == {}

        body, _ = fetch_bytes(f"{site.base}/moved", allow_private=True)
        assert b"payroll server" in body
    finally:
        inner.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
def test_https_connects_to_the_checked_address_and_still_verifies_the_host_name(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import http.server
    import ssl
    import subprocess

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", tmp_path / "key.pem",
                    "-out", tmp_path / "cert.pem"], check=True, capture_output=True)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "cert.pem"))  # trust the test's certificate only
    try:
        port = server.server_address[1]
        body, _ = fetch_bytes(f"https://localhost:{port}/", allow_private=True)
        assert b"payroll server" in body
        with pytest.raises(InputError, match="certificate verify failed"):
            fetch_bytes(f"https://127.0.0.1:{port}/", allow_private=True)  # the certificate names localhost only
    finally:
        server.shutdown()
        server.server_close()


def test_redirects_are_bounded_and_only_to_http(site: ScriptedServer) -> None:
    site.routes["/loop"] = redirect("/loop")
    site.routes["/file"] = redirect("file:///etc/passwd")
    with pytest.raises(InputError, match="more than 10 redirects"):
        fetch_bytes(f"{site.base}/loop", allow_private=True)
    assert site.requests["/loop"] == 11
    with pytest.raises(InputError, match=r"\(redirected to file:/+etc/passwd\): unsupported URL scheme 'file'"):
        fetch_bytes(f"{site.base}/file", allow_private=True)


def test_daily_sources_refuse_a_feed_item_linking_to_a_private_address(site: ScriptedServer, tmp_path: Path) -> None:
    site.routes["/secret"] = respond(PAGE)
    url = f"{site.base}/secret"
    settings = SourceSettings(specs=(SourceSpec("url", url, 0),))
    with Library.open(tmp_path / "library") as library:
        gathered = gather(settings, library)
    assert gathered.candidates == []
    assert gathered.failures == [f"{url}: refused, 127.0.0.1 is a private or local address; "
                                 "allow_private_urls = true in [sources], or --allow-private-urls, permits it"]


# --- 5. whole-request deadlines -----------------------------------------------------------------------


def test_a_server_dripping_its_headers_is_cut_off_at_the_deadline(site: ScriptedServer) -> None:
    site.routes["/slow"] = drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"x" * 200, 0.25)
    started = time.monotonic()
    with pytest.raises(InputError, match="timed out after 1.5 s"):
        fetch_bytes(f"{site.base}/slow", timeout_s=1.5, allow_private=True)
    assert time.monotonic() - started < 2.5  # each read alone is fast: only a whole-request deadline stops it


def test_a_server_dripping_its_body_is_cut_off_at_the_deadline(site: ScriptedServer) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 400\r\n\r\n"
    site.routes["/slow"] = lambda connection: (connection.sendall(head), drip(b"<p>" + b"a" * 397, 0.25)(connection))
    started = time.monotonic()
    with pytest.raises(InputError, match="timed out after 1.5 s"):
        fetch_bytes(f"{site.base}/slow", timeout_s=1.5, allow_private=True)
    assert time.monotonic() - started < 2.5


def test_daily_sources_stop_at_the_total_deadline_while_the_quick_ones_are_read(site: ScriptedServer,
                                                                                tmp_path: Path) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 400\r\n\r\n"
    site.routes["/slow"] = lambda connection: (connection.sendall(head), drip(b"a" * 400, 0.25)(connection))
    site.routes["/good"] = respond(PAGE)
    specs = (SourceSpec("url", f"{site.base}/slow", 0), SourceSpec("url", f"{site.base}/good", 1))
    settings = SourceSettings(specs=specs, timeout_s=30, total_timeout_s=1.5, allow_private_urls=True)
    started = time.monotonic()
    with Library.open(tmp_path / "library") as library:
        gathered = gather(settings, library)
    assert time.monotonic() - started < 3
    # Sources are fetched at once: the quick one is read while the slow one drips to the deadline.
    # The slow source's share is what was left of the total when its fetch began: 1.5 s, a little less on a busy machine.
    [failure] = gathered.failures
    assert re.fullmatch(rf"{re.escape(site.base)}/slow: timed out after 1\.[0-5][0-9]* s", failure), failure
    assert [candidate.article.source for candidate in gathered.candidates] == [f"{site.base}/good"]


def test_total_timeout_is_a_setting(tmp_path: Path) -> None:
    from briefing.config import SettingsError, parse_config
    from briefing.daily.sources import source_settings

    config = parse_config({"sources": {"total_timeout_s": 60, "allow_private_urls": True}}, tmp_path)
    settings = source_settings(config, tmp_path)
    assert (settings.total_timeout_s, settings.allow_private_urls) == (60.0, True)
    assert SourceSettings().total_timeout_s == 300
    with pytest.raises(SettingsError, match="sources.allow_private_urls must be true or false"):
        parse_config({"sources": {"allow_private_urls": "yes"}}, tmp_path)


# --- 6. inputs that are not regular files -------------------------------------------------------------


def test_a_fifo_as_article_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    line = one_error_line(run_cli(["script", fifo], home=tmp_path / "library", cwd=tmp_path, timeout=20))
    assert line == f"Error: {fifo}: is a FIFO (named pipe), not a regular file; only regular files are read"


def test_a_character_device_as_article_is_refused(tmp_path: Path) -> None:
    line = one_error_line(run_cli(["script", "/dev/zero"], home=tmp_path, cwd=tmp_path, timeout=20))
    assert line == "Error: /dev/zero: is a character device, not a regular file; only regular files are read"


def test_a_fifo_in_the_sources_files_or_inbox_is_reported_and_never_blocks(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "story.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(tmp_path / "listed.txt")
    specs = (SourceSpec("inbox", str(inbox), 0), SourceSpec("file", str(tmp_path / "listed.txt"), 1))
    result: list = []

    def read_sources() -> None:
        with Library.open(tmp_path / "library") as library:
            result.append(gather(SourceSettings(specs=specs), library))

    worker = threading.Thread(target=read_sources, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "reading the sources blocked on a FIFO"
    [gathered] = result
    assert [c.article.title for c in gathered.candidates] == ["Harbour bridge to close for repairs"]
    assert sorted(gathered.failures) == sorted(
        f"{path}: is a FIFO (named pipe), not a regular file; only regular files are read"
        for path in (inbox / "pipe.txt", tmp_path / "listed.txt"))


# --- 11. URL schemes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a.txt", "gopher://127.0.0.1:70/x"])
def test_a_url_with_another_scheme_is_unsupported(url: str, tmp_path: Path) -> None:
    line = one_error_line(run_cli(["script", url], home=tmp_path, cwd=tmp_path))
    scheme = url.split(":")[0]
    assert line == f"Error: {url}: unsupported URL scheme '{scheme}' (only http and https)"


# --- 13. encodings ------------------------------------------------------------------------------------


def test_utf8_with_one_stray_byte_stays_utf8() -> None:
    data = "Zürich opens its new bridge. Crowds gathered on the quay. ".encode() * 3 + b"\xff" + b" The end."
    text = decode_input(data, "zurich.txt")
    assert text.count("Zürich") == 3 and "\ufffd" not in text and "The end." in text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_text_with_a_byte_order_mark_is_decoded_by_it(encoding: str) -> None:
    text = "Zürich news\n\nThe city of Zürich opened a bridge on Monday."
    data = text.encode(encoding)
    if encoding.endswith("-be"):
        data = ("\ufeff" + text).encode(encoding)
    assert decode_input(data, "news.txt") == text


def test_a_legacy_8_bit_file_is_still_read_as_cp1252() -> None:
    data = "Zürich’s café reopens — “at last”, say the owners of the old bakery by the lake.".encode("cp1252")
    assert decode_input(data, "legacy.txt") == "Zürich’s café reopens — “at last”, say the owners of the old bakery by the lake."


def test_a_declared_charset_decodes_a_legacy_page() -> None:
    page = "<html><body><p>Москва: новый мост открыт для движения в понедельник.</p></body></html>"
    text, format = page_text("http://news.example/ru", page.encode("koi8-r"), "text/html; charset=KOI8-R")
    assert "Москва" in text and format == "html"
    meta = '<html><head><meta charset="windows-1251"></head><body><p>Москва открыла мост.</p></body></html>'
    assert "Москва" in page_text("http://news.example/ru", meta.encode("cp1251"), "text/html")[0]


def test_random_bytes_without_nuls_are_not_text(tmp_path: Path) -> None:
    import random

    generator = random.Random(10)
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(generator.randrange(1, 256) for _ in range(20_000)))
    line = one_error_line(run_cli(["script", path], home=tmp_path / "library", cwd=tmp_path))
    assert line.startswith(f"Error: {path}: is not text")


def test_a_pdf_served_as_html_is_not_text(site: ScriptedServer, tmp_path: Path) -> None:
    import random
    import zlib

    generator = random.Random(3)
    stream = zlib.compress(bytes(generator.randrange(256) for _ in range(30_000)))
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 0 R /Filter /FlateDecode >>\nstream\n" + stream
    site.routes["/report.html"] = respond(pdf, "text/html; charset=iso-8859-1")
    url = f"{site.base}/report.html"
    line = one_error_line(run_cli(["script", url, "--allow-private-urls"], home=tmp_path, cwd=tmp_path))
    assert line.startswith(f"Error: {url}: is not text")


def test_nul_bytes_are_not_text() -> None:
    with pytest.raises(InputError, match="is not text"):
        decode_input(b"Some words\x00\x00\x00 and more words.", "nul.txt")


# --- 14. nothing to say -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), [
    ("emoji.txt", "😀🎉🔥\n\n👍👍\n"),
    ("dots.txt", "...\n\n…\n\n- - -\n"),
    ("nul.json", '["\\u0000"]'),
    ("entities.html", "<html><body><p>&#128512; &#8230;</p><p>&nbsp;</p></body></html>"),
])
def test_input_without_a_word_is_refused_as_no_article_text(name: str, content: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(["make", path, "-o", out / "a.mp3"], home=tmp_path / "library", env=cli_env(tmp_path / "library"),
                     cwd=tmp_path)
    line = one_error_line(result)
    assert line.startswith(f"Error: {path}: no article text")
    assert files_in(out) == [] and not (tmp_path / "library").exists()


def test_boilerplate_around_emoji_is_no_article_text_once_cleaned(tmp_path: Path) -> None:
    from briefing.pipeline import load_article

    path = tmp_path / "scraped.txt"
    path.write_text("['Share', '😀 🎉', 'Related Topics']", encoding="utf-8")
    with pytest.raises(InputError, match="no article text"):
        load_article(str(path))


def test_an_inbox_file_without_a_word_is_rejected_in_daily(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "emoji.txt").write_text("😀🎉\n", encoding="utf-8")
    with Library.open(tmp_path / "library") as library:
        first = gather(SourceSettings(specs=(SourceSpec("inbox", str(inbox), 0),)), library)
        second = gather(SourceSettings(specs=(SourceSpec("inbox", str(inbox), 0),)), library)
    assert first.failures == [f"{inbox / 'emoji.txt'}: no article text (no word with letters or digits)"]
    assert second.failures == []  # remembered as rejected, not reported every day
