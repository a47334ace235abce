"""One identity per podcast, and one rule for the base URL: enclosures lead to a server that answers."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from mutagen.id3 import ID3
from helpers import FIXTURES, briefing_command, cli_env, run_cli
from publishing import make_library

from briefing.library import address
from briefing.library import feed
from briefing.config import load_config
from briefing.system.fsutil import host_tag
from briefing.library.store import Library
from briefing.library.publish import regenerate
from test_podcast_client import free_port, wait_for_port

PUBLIC = "https://pods.example/morning/"


def parsed_feed(library: Path):
    return feedparser.parse((library / "feed.xml").read_bytes())


def guid_of(library: Path) -> str | None:
    return parsed_feed(library).feed.get("podcast_guid")


def set_base_url(library: Path, url: str) -> None:
    result = run_cli(["feed", "--base-url", url, "--library", library], home=library)
    assert result.returncode == 0, result.stderr


def test_a_library_without_a_public_address_claims_no_podcast_guid(tmp_path):
    make_library(tmp_path, count=1)
    assert guid_of(tmp_path) is None
    assert "podcast:guid" not in (tmp_path / "feed.xml").read_text(encoding="utf-8")
    set_base_url(tmp_path, "http://192.168.1.20:8000/")  # a LAN address is no public identity either
    assert guid_of(tmp_path) is None


def test_two_new_libraries_get_two_different_guids(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for library, url in ((first, "https://pods.example/first/"), (second, "https://pods.example/second/")):
        make_library(library, count=1)
        set_base_url(library, url)
    assert guid_of(first) and guid_of(second)
    assert guid_of(first) != guid_of(second)
    assert guid_of(first) == feed.podcast_guid("https://pods.example/first/feed.xml")  # the spec's UUIDv5


def test_the_first_public_url_fixes_the_guid_for_good(tmp_path):
    make_library(tmp_path, count=2)
    set_base_url(tmp_path, PUBLIC)
    claimed = guid_of(tmp_path)
    assert claimed == feed.podcast_guid(PUBLIC + "feed.xml")
    set_base_url(tmp_path, "https://moved.example/pod/")
    parsed = parsed_feed(tmp_path)
    assert parsed.feed.podcast_guid == claimed
    assert parsed.entries[0].enclosures[0].href.startswith("https://moved.example/pod/episodes/")
    regenerate(tmp_path)  # as `make` does, with no --base-url: the stored one is used, the guid kept
    parsed = parsed_feed(tmp_path)
    assert parsed.feed.podcast_guid == claimed
    assert parsed.entries[0].enclosures[0].href.startswith("https://moved.example/pod/episodes/")


def test_a_guid_an_older_briefing_took_from_the_built_in_address_is_not_kept(tmp_path):
    make_library(tmp_path, count=1)
    with Library.open(tmp_path) as library:
        library.set_meta(address.GUID_KEY, feed.podcast_guid("http://127.0.0.1:8000/feed.xml"))
    regenerate(tmp_path)
    assert guid_of(tmp_path) is None
    set_base_url(tmp_path, PUBLIC)
    assert guid_of(tmp_path) == feed.podcast_guid(PUBLIC + "feed.xml")


def test_base_url_rule_configured_then_stored_then_running_server_then_default(tmp_path):
    make_library(tmp_path, count=1)
    config = load_config(tmp_path)
    assert address.published_channel(config, None, tmp_path).base_url == "http://127.0.0.1:8000/"
    with address.recorded_server(tmp_path, "http://127.0.0.1:8767/"):
        assert address.published_channel(config, None, tmp_path).base_url == "http://127.0.0.1:8767/"
        assert address.published_channel(config, PUBLIC, tmp_path).base_url == PUBLIC
        (tmp_path / "briefing.toml").write_text('[channel]\nbase_url = "https://configured.example/"\n')
        configured = load_config(tmp_path)
        assert address.published_channel(configured, PUBLIC, tmp_path).base_url == "https://configured.example/"
    assert not (tmp_path / address.SERVER_FILE).exists()


def test_a_dead_servers_address_is_ignored(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    record = {"url": "http://127.0.0.1:8767/", "pid": gone.pid, "host": host_tag(), "started": "1"}
    (tmp_path / address.SERVER_FILE).write_text(json.dumps(record))
    assert address.running_server_url(tmp_path) is None
    record["pid"] = os.getpid()  # alive, but started at another time: a recycled pid
    (tmp_path / address.SERVER_FILE).write_text(json.dumps(record))
    assert address.running_server_url(tmp_path) is None
    (tmp_path / address.SERVER_FILE).write_text("{not json")
    assert address.running_server_url(tmp_path) is None


def test_every_interface_is_reached_at_the_lan_address():
    url = address.server_url("0.0.0.0", 8767)
    assert "0.0.0.0" not in url and url.endswith(":8767/")
    assert address.server_url("::1", 9) == "http://[::1]:9/"
    assert address.server_url("127.0.0.1", 9) == "http://127.0.0.1:9/"


@pytest.mark.parametrize("url, public", [
    ("https://pods.example/x/", True), ("http://8.8.8.8/", True), ("http://127.0.0.1:8000/", False),
    ("http://localhost:8000/", False), ("http://192.168.1.4:8000/", False), ("http://[::1]:8000/", False),
    ("http://nas:8000/", False), ("http://pi.local/", False), ("http://10.0.0.1:9/", False),
])
def test_what_counts_as_a_public_address(url, public):
    assert address.is_public(url) is public


def fetch(url: str, port: int) -> tuple[int, bytes]:
    # Always over loopback, whatever host the URL names: tests send nothing off this machine.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", urlsplit(url).path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_server(library: Path, port: int, *extra: str) -> subprocess.Popen:
    command = briefing_command() + ["serve", "--library", str(library), "--port", str(port), *extra]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=cli_env(library))
    wait_for_port(port, server)
    return server


def stop(server: subprocess.Popen) -> str:
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=15)
    assert server.returncode == 0, err
    return out


@pytest.mark.e2e
def test_make_while_serving_on_another_port_keeps_every_enclosure_answering(tmp_path):
    library = tmp_path / "library"
    make_library(library, count=2)
    (library / "briefing.toml").write_text('[channel]\ntitle = "Morning Briefing"\n', encoding="utf-8")
    port = free_port()
    server = start_server(library, port)
    try:
        made = run_cli(["make", FIXTURES / "bin-collections.txt", "--max-words", "20", "-q"], home=library)
        assert made.returncode == 0, made.stderr
        parsed = parsed_feed(library)
        urls = [link.href for entry in parsed.entries for link in entry.links if link.rel == "enclosure"]
        assert len(urls) == 3
        for url in urls:
            assert url.startswith(f"http://127.0.0.1:{port}/"), url
            status, body = fetch(url, port)
            assert status == 200
            assert body == (library / urlsplit(url).path.lstrip("/")).read_bytes()
        made_audio = library / urlsplit(urls[0]).path.lstrip("/")  # the newest: the one just made
        assert ID3(made_audio)["TALB"].text == ["Morning Briefing"]  # the channel, not "briefing"
    finally:
        out = stop(server)
    assert f"feed: http://127.0.0.1:{port}/feed.xml" in out
    assert not list(library.glob(".server*.json"))  # removed on exit
    # Rewritten as the server stopped: back to the built-in address, not the stopped one.
    assert f":{port}/" not in (library / "feed.xml").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_serving_on_every_interface_publishes_the_lan_address_and_says_so(tmp_path):
    library = tmp_path / "library"
    make_library(library, count=1)
    port = free_port()
    server = start_server(library, port, "--host", "0.0.0.0")
    try:
        time.sleep(0.2)
        expected = address.server_url("0.0.0.0", port)
        [entry] = parsed_feed(library).entries
        assert entry.enclosures[0].href.startswith(expected)
        status, page = fetch(expected, port)
        assert status == 200 and expected.encode() + b"feed.xml" in page
    finally:
        out = stop(server)
    assert "0.0.0.0" not in out and f"feed: {expected}feed.xml" in out
    assert "phone" in out


def served_addresses(port: int) -> tuple[str, list[str], bytes]:
    """The self link and enclosures of the feed the server on ``port`` answers, and its page."""
    status, body = fetch("/feed.xml", port)
    assert status == 200
    parsed = feedparser.parse(body)
    [self_link] = [link.href for link in parsed.feed.links if link.rel == "self"]
    enclosures = [link.href for entry in parsed.entries for link in entry.links if link.rel == "enclosure"]
    status, page = fetch("/", port)
    assert status == 200
    return self_link, enclosures, page


@pytest.mark.e2e
def test_two_servers_on_one_library_each_serve_their_own_address_and_a_stopped_one_is_forgotten(tmp_path):
    library = tmp_path / "library"
    make_library(library, count=2)
    first_port = free_port()
    first = start_server(library, first_port)
    second_port = free_port()  # the first one's port is taken by now: another
    second = start_server(library, second_port)
    try:
        for port, other in ((first_port, second_port), (second_port, first_port)):
            self_link, enclosures, page = served_addresses(port)
            assert self_link == f"http://127.0.0.1:{port}/feed.xml"
            assert len(enclosures) == 2 and all(url.startswith(f"http://127.0.0.1:{port}/") for url in enclosures)
            assert all(fetch(url, port)[0] == 200 for url in enclosures)
            assert f"http://127.0.0.1:{port}/feed.xml".encode() in page and f":{other}/".encode() not in page
        connection = http.client.HTTPConnection("127.0.0.1", second_port, timeout=10)
        connection.request("GET", "/feed.xml")
        answer = connection.getresponse()
        answer.read()
        connection.request("GET", "/feed.xml", headers={"If-None-Match": answer.getheader("ETag")})
        assert connection.getresponse().status == 304
        connection.close()

        stop(first)
        assert served_addresses(second_port)[0] == f"http://127.0.0.1:{second_port}/feed.xml"
        written = (library / "feed.xml").read_text(encoding="utf-8")
        assert f":{first_port}/" not in written and f"http://127.0.0.1:{second_port}/feed.xml" in written
    finally:
        for server in (first, second):
            if server.poll() is None:
                stop(server)
    assert f":{second_port}/" not in (library / "feed.xml").read_text(encoding="utf-8")


def test_feed_base_url_sets_clear_forgets_and_show_tells_where_the_address_comes_from(tmp_path):
    make_library(tmp_path, count=1)
    set_base_url(tmp_path, PUBLIC)
    shown = run_cli(["feed", "--show", "--library", tmp_path], home=tmp_path)
    assert shown.stdout.splitlines() == [
        f"Feed: {PUBLIC}feed.xml", "From: stored by `briefing feed --base-url` (`--clear` forgets it)",
        f"Podcast guid: {feed.podcast_guid(PUBLIC + 'feed.xml')}"]

    cleared = run_cli(["feed", "--clear", "--library", tmp_path], home=tmp_path)
    assert cleared.returncode == 0 and cleared.stdout.startswith("Forgot the stored address.")
    assert PUBLIC not in (tmp_path / "feed.xml").read_text(encoding="utf-8")
    shown = run_cli(["feed", "--show", "--library", tmp_path], home=tmp_path)
    assert shown.stdout.splitlines()[:2] == [
        "Feed: http://127.0.0.1:8000/feed.xml", "From: the built-in default (nothing configured, no server running)"]
    assert guid_of(tmp_path) == feed.podcast_guid(PUBLIC + "feed.xml")  # the identity stays with the podcast

    env = {**cli_env(tmp_path), "BRIEFING_BASE_URL": "https://cdn.pods.example/m/"}
    shown = run_cli(["feed", "--show", "--library", tmp_path], home=tmp_path, env=env)
    assert shown.stdout.splitlines()[:2] == ["Feed: https://cdn.pods.example/m/feed.xml", "From: $BRIEFING_BASE_URL"]


def test_the_readmes_example_address_and_a_served_one_claim_no_guid(tmp_path):
    make_library(tmp_path, count=1)
    set_base_url(tmp_path, "https://example.org/briefing/")
    assert guid_of(tmp_path) is None
    run_cli(["feed", "--clear", "--library", tmp_path], home=tmp_path)
    with address.recorded_server(tmp_path, "http://203.0.113.9:8000/"):  # public-looking, but not configured
        regenerate(tmp_path)
    assert guid_of(tmp_path) is None
    shown = run_cli(["feed", "--show", "--library", tmp_path], home=tmp_path)
    assert shown.stdout.splitlines()[-1] == "Podcast guid: none yet (claimed from the first public address you configure)"


def test_each_running_server_has_its_own_record_and_the_first_started_wins(tmp_path):
    with address.recorded_server(tmp_path, "http://127.0.0.1:8001/"):
        first = set(tmp_path.glob(".server-*.json"))
        record = json.loads(next(iter(first)).read_text())
        # A second server (another process: its pid) starts later and stops first.
        second = tmp_path / f".server-{host_tag()}-{os.getppid()}.json"
        second.write_text(json.dumps({**record, "url": "http://127.0.0.1:8002/", "pid": os.getppid(),
                                      "started": None, "since": record["since"] + 1}))
        assert address.running_server_url(tmp_path) == "http://127.0.0.1:8001/"
        second.unlink()
        assert address.running_server_url(tmp_path) == "http://127.0.0.1:8001/"
    assert address.running_server_url(tmp_path) is None and not list(tmp_path.glob(".server*"))


def test_serve_on_a_missing_library_is_an_error_before_any_serving_line(tmp_path):
    result = run_cli(["serve", "--library", tmp_path / "nowhere", "--port", str(free_port())], home=tmp_path)
    assert result.returncode == 2 and "Serving" not in result.stdout
    assert result.stderr.strip() == (f"Error: {tmp_path / 'nowhere'}: no library here (no briefing.db, feed.xml "
                                     "or briefing.toml); make an episode first, or choose one with --library")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.e2e
def test_an_empty_library_is_served_a_real_page(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    (library / "briefing.toml").write_text('[channel]\ntitle = "Harbour Town Today"\n', encoding="utf-8")
    port = free_port()
    server = start_server(library, port)
    try:
        status, page = fetch(f"http://127.0.0.1:{port}/", port)
    finally:
        stop(server)
    assert status == 200
    assert b"<h1>Harbour Town Today</h1>" in page and b"No episodes yet" in page
