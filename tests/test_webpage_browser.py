"""index.html: its markup, and (e2e) headless Chromium playing an episode and jumping to a chapter."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import publishing
import pytest
from publishing import (
    CHAPTERS,
    CUES,
    make_episode,
    make_library,
    require_debian_packages,
)

from briefing.config import ChannelSettings
from briefing.library.address import recorded_server
from briefing.library.publish import publish, regenerate
from briefing.server.app import Running, running
from briefing.library.page import PAGE_LIMIT, render_page, transcript_from_vtt

REPO = Path(__file__).resolve().parents[1]


class Collector(HTMLParser):
    """Tags with their attributes, and the text, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def test_page_has_cover_title_subscribe_link_and_a_player_per_episode(tmp_path):
    episodes = make_library(tmp_path, count=3)
    page = parse((tmp_path / "index.html").read_text(encoding="utf-8"))
    audios = [attrs for tag, attrs in page.tags if tag == "audio"]
    assert [a["src"] for a in audios] == [e.audio_path for e in reversed(episodes)]
    assert all(a["preload"] == "metadata" and "controls" in a for a in audios)
    assert [a["aria-label"] for a in audios] == [e.title for e in reversed(episodes)]
    downloads = [attrs for tag, attrs in page.tags if tag == "a" and "download" in attrs]
    assert [a["href"] for a in downloads] == [e.audio_path for e in reversed(episodes)]
    assert ("a", {"href": "feed.xml"}) in page.tags
    [field] = [attrs for tag, attrs in page.tags if tag == "input"]
    assert field["value"] == "http://127.0.0.1:8000/feed.xml" and "readonly" in field
    assert ("button", {"type": "button", "id": "copy-feed"}) in page.tags
    assert ("img", {"src": "cover.png", "alt": ""}) in page.tags  # the channel's own art
    text = "".join(page.text)
    assert "Briefing" in text and "Monday 3 March 2025" in text and "20 s" in text  # a length, not a time of day


def test_a_qr_code_of_the_feed_address_only_when_a_phone_can_reach_it(tmp_path):
    episode = make_episode(tmp_path, "a")
    local = render_page(tmp_path, ChannelSettings(), [episode])
    assert "<svg" not in local and "briefing serve --host 0.0.0.0" in local
    lan = render_page(tmp_path, ChannelSettings(base_url="http://192.168.1.20:8000/"), [episode])
    svg = lan[lan.index("<svg"):lan.index("</svg>") + 6]
    assert "QR code of the feed address" in svg and 'value="http://192.168.1.20:8000/feed.xml"' in lan
    segno = pytest.importorskip("segno")
    expected = segno.make("http://192.168.1.20:8000/feed.xml", error="m")
    assert svg == expected.svg_inline(scale=3, title="QR code of the feed address", dark="#000", light="#fff")


def test_chapters_become_buttons_for_their_own_player(tmp_path):
    make_library(tmp_path, count=2)
    page = parse((tmp_path / "index.html").read_text(encoding="utf-8"))
    buttons = [attrs for tag, attrs in page.tags if tag == "button" and "data-start" in attrs]
    assert [(b["data-player"], float(b["data-start"])) for b in buttons] == [
        (player, start) for player in ("player-0", "player-1") for start, _ in CHAPTERS]
    text = "".join(page.text)
    assert all(title in text for _, title in CHAPTERS)


def test_transcript_comes_from_the_vtt_else_the_script(tmp_path):
    with_vtt = make_episode(tmp_path, "a")
    script_only = replace(make_episode(tmp_path, "b", guid="b"), transcript_path=None)
    html = render_page(tmp_path, ChannelSettings(), [with_vtt, script_only])
    assert html.count("<details>") == 2
    assert "Rates held &lt;steady&gt; &amp; calm." in html and "-->" not in html
    assert "Good morning.\nThat was the briefing." in html


def test_every_text_is_escaped(tmp_path):
    evil = replace(make_episode(tmp_path, "x"), title='<script>alert("t")</script>',
                   description="<img src=x onerror=alert(1)>", guid='"><b>')
    channel = ChannelSettings(title="A & <B>", description="<i>d</i>")
    html = render_page(tmp_path, channel, [evil])
    assert "<script>alert" not in html and "<img src=x" not in html and "<i>d</i>" not in html
    assert "A &amp; &lt;B&gt;" in html and 'id="&quot;&gt;&lt;b&gt;"' in html


def test_missing_or_broken_side_files_are_left_out(tmp_path):
    episode = make_episode(tmp_path, "broken")
    (tmp_path / episode.chapters_path).write_text("{not json", encoding="utf-8")
    (tmp_path / episode.transcript_path).unlink()
    (tmp_path / episode.script_path).unlink()
    html = render_page(tmp_path, ChannelSettings(), [episode])
    assert "data-start=" not in html and "<details>" not in html and "<audio" in html


def test_page_lists_the_newest_episodes_and_points_to_the_feed_for_older(tmp_path):
    template = make_episode(tmp_path, "t", side_files=False)
    many = [replace(template, guid=str(n)) for n in range(PAGE_LIMIT + 5)]
    html = render_page(tmp_path, ChannelSettings(), many)
    assert html.count("<audio") == PAGE_LIMIT and "5 older episodes" in html


def test_the_transcript_from_vtt_keeps_only_cue_text():
    assert transcript_from_vtt(publishing.vtt_text()).splitlines() == [text for _, _, text in CUES]
    windows = "WEBVTT\r\n\r\nNOTE hi\r\n\r\n00:01.000 --> 00:02.000 align:start\r\n<v A>Hi</v>\r\n"
    assert transcript_from_vtt(windows) == "Hi"
    assert transcript_from_vtt("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Narrator>Rates &amp; fares &lt; 5%\n") == "Rates & fares < 5%"


def chrome(user_data_dir: str):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch a browser
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required", "--disable-dev-shm-usage",
                 "--window-size=1000,1100", f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))


@pytest.mark.e2e
def test_chromium_plays_an_episode_and_a_chapter_click_seeks(tmp_path):
    require_debian_packages(["chromium", "chromedriver"], ["chromium", "chromium-driver"])
    library = tmp_path / "library"
    library.mkdir()
    (library / "briefing.toml").write_text(
        '[channel]\ntitle = "Morning Briefing"\ndescription = "Narrated news, every morning."\n')
    for n, (slug, title) in enumerate([("markets", "Markets steady as rates hold"),
                                       ("climate", "Climate talks reach a draft deal")]):
        publish(library, make_episode(library, slug, f"2025-03-0{n + 1}T07:00:00+00:00", title=title,
                                      frequency=330 + 220 * n))
    with running(library) as server, tempfile.TemporaryDirectory() as profile:
        driver = chrome(profile)
        try:
            driver.get(server.url)
            assert driver.title == "Morning Briefing"
            player = driver.find_element("id", "player-0")
            driver.execute_script("return arguments[0].play()", player)
            deadline = time.monotonic() + 10
            while driver.execute_script("return arguments[0].currentTime", player) < 0.3:
                assert time.monotonic() < deadline, "the episode never started playing"
                time.sleep(0.05)
            start, _ = CHAPTERS[2]
            button = driver.find_elements("css selector", 'button[data-player="player-0"]')[2]
            button.click()
            position = driver.execute_script("return arguments[0].currentTime", player)
            assert abs(position - start) <= 0.5
            assert driver.execute_script("return arguments[0].paused", player) is False
            driver.execute_script("document.querySelector('details').open = true")
            assert driver.save_screenshot(str(tmp_path / "screenshot.png"))  # never into the repository
        finally:
            driver.quit()


def published_pair(library: Path) -> None:
    library.mkdir()
    (library / "briefing.toml").write_text('[channel]\ntitle = "Morning Briefing"\n')
    for n, slug in enumerate(["markets", "climate"]):
        publish(library, make_episode(library, slug, f"2025-03-0{n + 1}T07:00:00+00:00", frequency=330 + 220 * n))


@contextmanager
def serving(library: Path) -> Iterator[Running]:
    """A server on a free port, recorded and the feed and page regenerated, as `briefing serve` does."""
    with running(library) as server, recorded_server(library, server.url):
        regenerate(library)
        yield server


@contextmanager
def chromium_on_published_pair(tmp_path: Path) -> Iterator[tuple[Any, Running]]:
    """Chromium on a fresh profile, and the server of a library of two published episodes."""
    require_debian_packages(["chromium", "chromedriver"], ["chromium", "chromium-driver"])
    library = tmp_path / "library"
    published_pair(library)
    with serving(library) as server, tempfile.TemporaryDirectory() as profile:
        driver = chrome(profile)
        try:
            yield driver, server
        finally:
            driver.quit()


def wait_until(driver, script: str, *args, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not driver.execute_script(script, *args):
        assert time.monotonic() < deadline, f"never true: {script}"
        time.sleep(0.05)


@pytest.mark.e2e
def test_chromium_starting_a_second_player_pauses_the_first_and_copies_the_feed_address(tmp_path):
    with chromium_on_published_pair(tmp_path) as (driver, server):
        driver.get(server.url)
        first, second = (driver.find_element("id", f"player-{n}") for n in (0, 1))
        driver.execute_script("arguments[0].play()", first)
        wait_until(driver, "return arguments[0].currentTime > 0.2", first)
        driver.execute_script("arguments[0].play()", second)
        wait_until(driver, "return arguments[0].currentTime > 0.2", second)
        assert driver.execute_script("return arguments[0].paused", first) is True
        assert driver.execute_script("return arguments[0].paused", second) is False

        driver.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": server.url.rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        driver.find_element("id", "copy-feed").click()
        # The button says so at once (for two seconds), the status line once the clipboard answered.
        button_said = driver.execute_script("return document.getElementById('copy-feed').textContent")
        wait_until(driver, "return document.getElementById('copy-status').textContent !== ''")
        feed_url = driver.find_element("id", "feed-url").get_attribute("value")
        assert feed_url == server.url + "feed.xml"  # the running server's address, not the default
        copied = driver.execute_async_script(
            "var done = arguments[0]; navigator.clipboard.readText().then(done, function (e) { done('') })")
        selected = driver.execute_script(
            "var f = document.getElementById('feed-url');"
            "return document.activeElement === f && f.selectionStart === 0 && f.selectionEnd === f.value.length")
        assert copied == feed_url or selected
        assert copied == feed_url, "Chromium with clipboard permission should hold the copied address"
        assert button_said == "Copied ✓"
        assert driver.find_element("id", "copy-status").text == "Copied."
        icon = driver.find_element("css selector", "link[rel=icon]").get_attribute("href")
        assert icon.startswith("data:image/svg+xml,")  # a favicon with nothing more to serve


@pytest.mark.e2e
def test_chromium_shows_feed_xml_through_its_stylesheet(tmp_path):
    with chromium_on_published_pair(tmp_path) as (driver, server):
        driver.get(server.url + "feed.xml")
        wait_until(driver, "return !!document.querySelector('section.subscribe')")
        text = driver.find_element("tag name", "body").text
        assert "This is a podcast feed" in text and "Morning Briefing" in text
        assert "Briefing: markets" in text and "Briefing: climate" in text
        field = driver.find_element("css selector", "section.subscribe input")
        assert field.get_attribute("value") == server.url + "feed.xml"
        assert len(driver.find_elements("tag name", "audio")) == 2


@pytest.mark.e2e
def test_chromium_without_the_xslt_reads_the_feed_through_its_css(tmp_path):
    """What browsers that no longer run XSLT show: the feed styled by feed.css (the XSLT line removed)."""
    with chromium_on_published_pair(tmp_path) as (driver, server):
        library = tmp_path / "library"
        plain = tmp_path / "plain"
        plain.mkdir()
        text = (library / "feed.xml").read_text(encoding="utf-8")
        (plain / "feed.xml").write_text("\n".join(line for line in text.splitlines() if "text/xsl" not in line),
                                        encoding="utf-8")
        (plain / "feed.css").write_text((library / "feed.css").read_text(encoding="utf-8"), encoding="utf-8")
        driver.get((plain / "feed.xml").as_uri())
        wait_until(driver, "return document.documentElement.textContent.length > 0")
        title = driver.execute_script("return getComputedStyle(document.querySelector('channel > title')).fontSize")
        hidden = driver.execute_script("return getComputedStyle(document.querySelector('item > guid')).display")
        notice = driver.execute_script("return getComputedStyle(document.querySelector('channel'), '::before').content")
        assert float(title.removesuffix("px")) >= 30 and hidden == "none"
        assert "This is a podcast feed" in notice
