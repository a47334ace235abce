"""Every writer is safe on its own (issue 10, points 3 and 6).

Control characters and terminal escapes that reach a writer, whether from today's readers, from a
record written by an older version or from briefing.toml, never reach feed.xml, index.html, the
WebVTT and chapters files, the ID3 tags or the terminal. Outputs that are not regular files (a
device, a FIFO) are refused with one line, and a full or read-only disk is one line too, with
nothing half-written left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import files_in, requires_espeak, requires_ffmpeg, run_cli
from publishing import make_episode, make_library
from mutagen.id3 import ID3

from briefing.audio import chapters
from briefing.library import feed
from briefing.audio import formats
from briefing.library import page as webpage
from briefing.config import ChannelSettings
from briefing.library.store import Library
from briefing.model import Script, Section, Segment

DIRTY = "Bell\x07 \x1b[31mred\x1b[0m \x1b]0;owned\x07title\x9b2J \x7fdel \ud800 \ufffe end"
# What a terminal or an XML parser must never see: C0 (but tab and newline), DEL, C1, surrogates.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
ARTICLE = b"Title\x07\x1b[31m red\n\nThe council met on Monday \x07to approve the new budget. It passed easily.\n"


def assert_clean(text: str) -> None:
    found = UNSAFE.search(text)
    assert found is None, f"control character {found.group()!r} at {found.start()}: {text[:200]!r}"


def parse_strictly(path: Path) -> ET.Element:
    """expat is a conforming XML 1.0 parser: it refuses any character the standard forbids."""
    return ET.fromstring(path.read_bytes())


# --- feed.xml ---------------------------------------------------------------------------------------

def test_feed_is_well_formed_with_control_characters_in_every_channel_and_item_field(tmp_path):
    channel = ChannelSettings(title=DIRTY, author=DIRTY, description=DIRTY, category=DIRTY, email=DIRTY,
                              base_url="https://pods.example/\x07/")
    episode = replace(make_episode(tmp_path, "dirty"), title=DIRTY, description=DIRTY, guid="urn:x:\x07" + DIRTY)
    path = feed.write_feed(tmp_path, channel, [episode], guid="g\x07")
    root = parse_strictly(path)
    titles = [element.text for element in root.iter("title")]  # the channel's, its <image>'s, the item's
    assert titles == [titles[0]] * 3 and "red" in titles[0] and "end" in titles[0]
    for element in root.iter():
        assert_clean(element.text or "")
        for value in element.attrib.values():
            assert_clean(value)


def test_a_later_publish_heals_a_feed_broken_by_dirty_records_of_an_older_version(tmp_path):
    make_library(tmp_path, count=2)
    with Library.open(tmp_path) as library:  # what older versions recorded straight from the input
        library.upsert(replace(make_episode(tmp_path, "old"), title="Old\x07 \x1b[31mtitle",
                               description="Said \x0b\x0c it."))
    (tmp_path / "feed.xml").write_bytes(b"<?xml version='1.0'?><rss><title>Old\x07</title></rss>")
    with pytest.raises(ET.ParseError):
        parse_strictly(tmp_path / "feed.xml")
    result = run_cli(["feed", "--library", tmp_path], home=tmp_path)
    assert result.returncode == 0, result.stderr
    root = parse_strictly(tmp_path / "feed.xml")
    assert "Old title" in [item.findtext("title") for item in root.iter("item")]


def test_channel_title_from_briefing_toml_with_a_control_character_keeps_the_feed_well_formed(tmp_path):
    make_library(tmp_path, count=1)
    (tmp_path / "briefing.toml").write_text('[channel]\ntitle = "Morning\\u0007 News"\n', encoding="utf-8")
    result = run_cli(["feed", "--library", tmp_path], home=tmp_path)
    if result.returncode != 0:  # refusing the setting with one line is safe too
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
        return
    assert parse_strictly(tmp_path / "feed.xml").find("channel").findtext("title") == "Morning News"
    assert_clean((tmp_path / "index.html").read_text(encoding="utf-8"))


# --- index.html -------------------------------------------------------------------------------------

def test_web_page_drops_control_characters_from_records_chapters_and_transcripts(tmp_path):
    episode = replace(make_episode(tmp_path, "dirty"), title=DIRTY, description=DIRTY)
    (tmp_path / episode.chapters_path).write_text(
        json.dumps({"version": "1.2.0", "chapters": [{"startTime": 0, "title": DIRTY}]}), encoding="utf-8",
        errors="surrogatepass")
    (tmp_path / episode.transcript_path).write_text(
        f"WEBVTT\n\n00:00.000 --> 00:01.000\n{DIRTY}\n", encoding="utf-8", errors="surrogatepass")
    page = webpage.render_page(tmp_path, ChannelSettings(title=DIRTY, description=DIRTY), [episode])
    assert_clean(page)
    assert page.count("<h1>Bell red") == 1 and "<h2>Bell red" in page


# --- WebVTT, chapters JSON, ID3 ---------------------------------------------------------------------

def dirty_script() -> Script:
    def segment(text: str, start: float, end: float) -> Segment:
        return Segment(text=text, source=None, pause_after_ms=300, start=start, end=end)

    return Script(title=DIRTY, date="2025-05-12", sections=[
        Section("intro", None, [segment("Good morning.", 0.0, 1.0)]),
        Section("story", DIRTY, [segment(DIRTY, 1.2, 3.0), segment("Line\x85two\u2028three.", 3.2, 4.0)]),
    ])


def test_vtt_and_chapters_json_hold_no_control_characters_and_encode_as_utf8(tmp_path):
    script = dirty_script()
    chapter_list = chapters.chapter_list(script, 5.0)
    (tmp_path / "a.vtt").write_text(chapters.vtt_text(script), encoding="utf-8")
    (tmp_path / "a.chapters.json").write_text(chapters.chapters_json_text(chapter_list, script.title), encoding="utf-8")
    vtt = (tmp_path / "a.vtt").read_text(encoding="utf-8")
    assert_clean(vtt)
    assert len(vtt.strip().split("\n\n")) == 4  # header and three cues: no cue was split by a line break
    document = json.loads((tmp_path / "a.chapters.json").read_text(encoding="utf-8"))
    titles = [document["title"]] + [chapter["title"] for chapter in document["chapters"]]
    for text in titles:
        assert_clean(text)
    assert titles[0].startswith("Bell red") and titles[2].startswith("Bell red")


@requires_ffmpeg
def test_id3_title_and_chapter_titles_hold_no_control_characters(tmp_path):
    from briefing.audio.assemble import Assembler

    mp3 = tmp_path / "a.mp3"
    assembler = Assembler(44100)
    assembler.add_silence(5000)
    formats.encode(assembler.finish(), mp3, 0.0, formats.output_format("mp3"))
    formats.output_format("mp3").write_tags(mp3, formats.Tags(title=DIRTY, comment=DIRTY,
                                                              chapters=tuple(chapters.chapter_list(dirty_script(), 5.0))))
    tags = ID3(mp3)
    texts = [str(tags["TIT2"])] + [str(frame.sub_frames["TIT2"]) for frame in tags.getall("CHAP")]
    assert len(texts) == 3
    for text in texts:
        assert_clean(text)
    assert str(tags["TIT2"]).startswith("Bell red")


# --- the terminal -----------------------------------------------------------------------------------

def test_script_and_extract_print_no_control_characters(tmp_path):
    article = tmp_path / "bell.txt"
    article.write_bytes(ARTICLE)
    for command in (["script"], ["script", "--json"], ["extract"], ["extract", "--json"]):
        result = run_cli([*command, article], home=tmp_path)
        assert result.returncode == 0, result.stderr
        assert_clean(result.stdout)
        if "--json" in command:
            json.loads(result.stdout)


def test_json_output_escapes_c1_controls_and_line_separators_instead_of_printing_them(tmp_path):
    article = tmp_path / "c1.json"
    article.write_text(json.dumps({"title": "Csi\x9b2J title", "paragraphs": [
        "The mayor said\x9b2J the\u2028plan was final. It passed with a large majority on Monday."]}))
    result = run_cli(["extract", "--json", article], home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_clean(result.stdout)
    assert "\u2028" not in result.stdout
    assert json.loads(result.stdout)["title"].startswith("Csi")


def test_episodes_prints_one_clean_line_per_record_even_from_dirty_records(tmp_path):
    make_library(tmp_path, count=1)
    with Library.open(tmp_path) as library:
        library.upsert(replace(make_episode(tmp_path, "old"), title="Old\x1b]0;owned\x07 title\nsecond line"))
    plain = run_cli(["episodes", "--library", tmp_path], home=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert_clean(plain.stdout)
    assert len(plain.stdout.strip().splitlines()) == 2
    as_json = run_cli(["episodes", "--json", "--library", tmp_path], home=tmp_path)
    assert_clean(as_json.stdout)
    assert any(e["title"].startswith("Old\x1b]0;owned") for e in json.loads(as_json.stdout))  # data kept


def test_an_error_naming_a_path_with_escapes_and_newlines_is_one_clean_line(tmp_path):
    result = run_cli(["script", tmp_path / "no\x1b[31m\nsuch.txt"], home=tmp_path)
    assert result.returncode == 1
    assert_clean(result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error:")


# --- outputs that are not regular files -------------------------------------------------------------

@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text("Budget vote\n\nThe council approved the budget on Monday. It passed easily.\n")
    return path


def make_to(article: Path, output: Path | str, home: Path):
    return run_cli(["make", article, "-o", output, "--voice", "british", "-q", "--no-publish"],
                   home=home, timeout=60)


def assert_one_line_refusal(result, name: str, code: int = 2) -> None:
    """Exit 2: refused as a bad -o before anything is read or written; 1: the machine's trouble."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and name in lines[0], result.stderr


@requires_espeak
def test_an_output_that_is_a_character_device_is_refused_and_left_a_device(tmp_path, article):
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    device = tmp_path / "out" / "null.mp3"
    device.parent.mkdir()
    os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    assert_one_line_refusal(make_to(article, device, tmp_path), "null.mp3")
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert files_in(device.parent) == ["null.mp3"]


@pytest.fixture
def guarded_dev_null():
    """If the code under test ever replaces /dev/null (as root it can), put the device back for everyone."""
    yield Path("/dev/null")
    if not stat.S_ISCHR(os.lstat("/dev/null").st_mode) and os.geteuid() == 0:
        os.unlink("/dev/null")
        os.mknod("/dev/null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.chmod("/dev/null", 0o666)
    for suffix in (".txt", ".json", ".vtt", ".chapters.json", ".png"):
        Path(f"/dev/null{suffix}").unlink(missing_ok=True)


@requires_espeak
def test_dev_null_as_output_is_refused_and_stays_a_device(tmp_path, article, guarded_dev_null):
    result = make_to(article, guarded_dev_null, tmp_path)
    assert stat.S_ISCHR(os.lstat(guarded_dev_null).st_mode)
    assert_one_line_refusal(result, "/dev/null")


@requires_espeak
@pytest.mark.parametrize("fifo_name", ["out.mp3", "out.mp3.txt", "out.mp3.vtt"])
def test_a_fifo_as_output_or_as_one_of_its_side_files_is_refused_at_once(tmp_path, article, fifo_name):
    folder = tmp_path / "out"
    folder.mkdir()
    os.mkfifo(folder / fifo_name)
    assert_one_line_refusal(make_to(article, folder / "out.mp3", tmp_path), fifo_name)
    assert stat.S_ISFIFO((folder / fifo_name).lstat().st_mode)
    assert files_in(folder) == [fifo_name]


@requires_espeak
def test_a_symlink_to_a_device_is_refused(tmp_path, article):
    link = tmp_path / "link.mp3"
    link.symlink_to("/dev/null")
    assert_one_line_refusal(make_to(article, link, tmp_path), "link.mp3")
    assert link.is_symlink()


@requires_espeak
@pytest.mark.parametrize("name", ["with space.mp3", "new\nline.mp3"])
def test_output_names_with_spaces_and_newlines_are_written_whole(tmp_path, article, name):
    result = make_to(article, tmp_path / name, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / name).stat().st_size > 1000
    assert (tmp_path / f"{name}.vtt").is_file() and (tmp_path / f"{name}.chapters.json").is_file()
    assert not [entry for entry in files_in(tmp_path) if entry.endswith(".tmp")]


@contextlib.contextmanager
def mounted_tmpfs(where: Path, options: str):
    where.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


@requires_espeak
def test_a_read_only_file_system_is_one_line_and_leaves_nothing(tmp_path, article):
    with mounted_tmpfs(tmp_path / "ro", "ro,size=1m") as folder:
        assert_one_line_refusal(make_to(article, folder / "out.mp3", tmp_path), "out.mp3", code=1)
        assert files_in(folder) == []


@requires_espeak
@pytest.mark.parametrize("kilobytes", [60, 160, 220, 260])
def test_a_full_disk_at_any_stage_of_writing_is_one_line_and_leaves_nothing(tmp_path, article, kilobytes):
    with mounted_tmpfs(tmp_path / "small", f"size={kilobytes}k") as folder:
        result = make_to(article, folder / "out.mp3", tmp_path)
        if result.returncode == 0:  # it fitted: then every file is whole
            assert (folder / "out.mp3").stat().st_size > 1000
            return
        assert_one_line_refusal(result, "out.mp3", code=1)
        assert files_in(folder) == []
