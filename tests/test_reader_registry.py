"""briefing.readers as a registry: a new input format is one Reader and one registration.

The subtitle reader below lives only in this test; nothing in briefing/readers/ knows of it, yet
detection, --format-style forcing, the Content-Type of a fetched page and every check of the shared
input boundary (size, control characters, "no article text") apply to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from briefing.cli import main
from briefing.errors import InputError, UsageError
from briefing.model import RawArticle
from briefing.readers import (
    ReadOptions,
    Reader,
    detect_format,
    format_names,
    parse,
    read_source,
    register,
    unregister,
)
from briefing.readers.url import page_text

TIMING = re.compile(r"^\d\d:\d\d:\d\d[,.]\d{3} --> \d\d:\d\d:\d\d[,.]\d{3}")
SUBTITLES = """1
00:00:01,000 --> 00:00:04,000
The harbour bridge will close for repairs

2
00:00:04,500 --> 00:00:09,000
on Monday, the council said.
"""


def looks_like_subtitles(text: str) -> bool:
    lines = text.lstrip().splitlines()
    return len(lines) > 1 and lines[0].strip().isdigit() and bool(TIMING.match(lines[1]))


def read_subtitles(text: str, source: str, options: ReadOptions) -> RawArticle:
    """Cues run on into one paragraph: captions split sentences wherever the screen is full."""
    spoken = [line.strip() for line in text.splitlines()
              if line.strip() and not line.strip().isdigit() and not TIMING.match(line)]
    return RawArticle(title=None, paragraphs=[" ".join(spoken)], source=source, format="subtitle")


SUBTITLE_READER = Reader(name="subtitle", sniff=looks_like_subtitles, read=read_subtitles,
                         max_chars=1000, media_types=("subrip",))


@pytest.fixture
def subtitles() -> Iterator[Reader]:
    register(SUBTITLE_READER)
    try:
        yield SUBTITLE_READER
    finally:
        unregister("subtitle")


def test_without_the_reader_subtitles_are_plain_text() -> None:
    assert "subtitle" not in format_names()
    assert detect_format(SUBTITLES) == "text"


def test_a_registered_reader_is_detected_and_reads_its_format(subtitles: Reader) -> None:
    assert detect_format(SUBTITLES) == "subtitle"
    raw = parse(SUBTITLES, "bridge.srt")
    assert raw.format == "subtitle"
    assert raw.paragraphs == ["The harbour bridge will close for repairs on Monday, the council said."]
    assert detect_format("The harbour bridge will close.\n\nRepairs start on Monday.") == "text"


def test_registering_before_the_plain_text_reader_is_the_default(subtitles: Reader) -> None:
    names = format_names()
    assert names[-1] == "text" and names[-2] == "subtitle"
    assert names[:3] == ("json", "list", "html")


def test_detection_order_is_the_registry_order() -> None:
    # A reader that claims anything starting with "{": behind JSON it never sees a JSON object; ahead
    # of JSON it takes them all. Only the registration differs.
    braces = Reader(name="braces", sniff=lambda text: text.lstrip().startswith("{"),
                    read=lambda text, source, options: RawArticle(None, ["Braces read this."], source, "braces"))
    document = '{"title": "Bridge closes", "paragraphs": ["The harbour bridge closes on Monday."]}'
    register(braces)
    try:
        assert detect_format(document) == "json"
    finally:
        unregister("braces")
    register(braces, before="json")
    try:
        assert detect_format(document) == "braces"
        assert parse(document, "doc.json").paragraphs == ["Braces read this."]
    finally:
        unregister("braces")
    assert detect_format(document) == "json" and "braces" not in format_names()


def test_a_name_is_registered_once(subtitles: Reader) -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(subtitles)


def test_the_shared_boundary_guards_a_new_reader_too(subtitles: Reader, tmp_path: Path) -> None:
    escaped = SUBTITLES.replace("harbour", "har\x1b[31mbour\x07")
    assert parse(escaped, "bridge.srt").paragraphs[0].startswith("The harbour bridge")
    too_long = SUBTITLES + "\n".join(f"{n}\n00:00:10,000 --> 00:00:11,000\nmore" for n in range(3, 60))
    with pytest.raises(InputError, match=r"too long for an article .* 0.001 million for subtitle input"):
        parse(too_long, "long.srt")
    with pytest.raises(InputError, match="no article text"):
        parse("1\n00:00:01,000 --> 00:00:02,000\n♪ ♪\n", "music.srt")
    binary = tmp_path / "bridge.srt"
    binary.write_bytes(SUBTITLES.encode() + b"\x00" * 64)
    with pytest.raises(InputError, match="is not text"):
        read_source(str(binary))


def test_a_registered_format_can_be_forced_and_named_by_a_content_type(subtitles: Reader, tmp_path: Path) -> None:
    path = tmp_path / "bridge.txt"
    path.write_text(SUBTITLES, encoding="utf-8")
    assert read_source(str(path), ReadOptions(format="subtitle")).format == "subtitle"
    assert read_source(str(path), "text").format == "text"
    assert page_text("http://news.example/bridge", SUBTITLES.encode(), "application/x-subrip")[1] == "subtitle"
    with pytest.raises(UsageError, match="unknown format 'vtt'; choose one of: json, list, html, subtitle, text"):
        read_source(str(path), "vtt")


def test_the_format_option_offers_the_registered_readers() -> None:
    script = main.commands["script"]
    format_type = next(param.type for param in script.params if param.name == "format")
    assert isinstance(format_type, click.Choice)
    assert tuple(format_type.choices) == format_names() == ("json", "list", "html", "text")


PAGE = """<html><head><title>Bridge closes</title></head><body><article>
<h1>Bridge closes</h1>
<p>The harbour bridge will close for repairs on Monday, the council said in a statement on Friday.</p>
<div class="x-box"><p>Subscribe to our newsletter for the week's best stories from around the harbour.</p></div>
<p>Ferries will run every twenty minutes while the bridge is shut, and buses will take the long way round.</p>
</article></body></html>"""


def test_drop_selectors_reach_the_html_reader_through_the_options(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    kept = read_source(str(page)).paragraphs
    dropped = read_source(str(page), ReadOptions(drop=("div.x-box",))).paragraphs
    assert any("newsletter" in paragraph for paragraph in kept)
    assert not any("newsletter" in paragraph for paragraph in dropped)
    assert len(dropped) == len(kept) - 1


def test_a_bad_drop_selector_is_refused_before_the_input_is_read(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not valid CSS"):
        read_source(str(tmp_path / "missing.html"), ReadOptions(drop=("div[",)))


def test_python_code_is_refused_whatever_readers_are_registered(subtitles: Reader) -> None:
    with pytest.raises(InputError, match="looks like Python code"):
        parse("__import__('os').system('true')", "evil.txt")
