import json
import shutil
import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import APIC, ID3, PictureType
from PIL import Image

from briefing import cover
from briefing.chapters import Chapter, write_id3_chapters
from briefing.cover import embed_cover, fit_title, make_cover, wrap_text

LONG_TITLE = " ".join(["Inflation slows as energy prices fall and markets rally across the region"] * 8)

requires_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None, reason="needs ffmpeg"
)


@pytest.fixture(scope="module")
def silent_mp3(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("audio") / "tone.mp3"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=12",
         "-ac", "1", "-ar", "44100", "-b:a", "64k", "-metadata", "title=Cycle lanes", str(path)],
        check=True,
    )
    return path


@pytest.fixture
def mp3(silent_mp3, tmp_path) -> Path:
    copy = tmp_path / "episode.mp3"
    shutil.copy(silent_mp3, copy)
    return copy


@pytest.fixture(scope="module")
def png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cover") / "cover.png"
    return make_cover("Council approves new cycle lanes", "Monday 12 May 2025", path)


def test_cover_is_a_square_png_of_at_least_1400_px(png):
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.width == image.height >= 1400


def test_cover_is_never_smaller_than_podcast_directories_accept(tmp_path):
    with Image.open(make_cover("Small", "Today", tmp_path / "c.png", size=600)) as image:
        assert image.size == (1400, 1400)


def test_cover_is_deterministic(tmp_path, png):
    again = make_cover("Council approves new cycle lanes", "Monday 12 May 2025", tmp_path / "again.png")

    assert again.read_bytes() == png.read_bytes()


def test_cover_shows_text_on_the_background(png):
    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)

    # A bare gradient has at most one colour per row; text adds anti-aliased ink colours.
    assert len(colours) > 1400


def test_very_long_title_is_wrapped_inside_the_box(tmp_path):
    width, height = 1160, 850

    font, lines = fit_title(LONG_TITLE, width, height)

    assert 1 < len(lines) <= 7
    assert all(font.getlength(line) <= width for line in lines)
    assert lines[-1].endswith("…")
    make_cover(LONG_TITLE, "Monday 12 May 2025", tmp_path / "long.png")


def test_short_title_gets_a_larger_font_than_a_long_one():
    short_font, _ = fit_title("Lanes approved", 1160, 850)
    long_font, _ = fit_title(LONG_TITLE, 1160, 850)

    assert short_font.size > long_font.size


def test_word_longer_than_a_line_is_broken():
    font, _ = fit_title("x", 1160, 850)

    lines = wrap_text("Supercalifragilistic" * 10, font, 600)

    assert len(lines) > 1
    assert all(font.getlength(line) <= 600 for line in lines)
    assert "".join(lines) == "Supercalifragilistic" * 10


def test_cover_falls_back_to_pillow_font_without_system_fonts(tmp_path, monkeypatch):
    monkeypatch.setattr(cover, "_FONT_DIRS", ())
    cover._font_path.cache_clear()
    try:
        path = make_cover(LONG_TITLE, "Today", tmp_path / "fallback.png")
    finally:
        cover._font_path.cache_clear()

    with Image.open(path) as image:
        assert image.size == (1400, 1400)


def test_cover_write_leaves_no_temporary_files(tmp_path):
    make_cover("Title", "Today", tmp_path / "cover.png")

    assert [p.name for p in tmp_path.iterdir()] == ["cover.png"]


@requires_ffmpeg
def test_embedded_cover_replaces_earlier_pictures_and_reads_back_as_the_png(mp3, png):
    tags = ID3(mp3)
    tags.add(APIC(mime="image/jpeg", type=PictureType.COVER_FRONT, desc="old", data=b"\xff\xd8old"))
    tags.save(mp3)

    embed_cover(mp3, png)
    embed_cover(mp3, png)

    tags = ID3(mp3)
    pictures = tags.getall("APIC")
    assert len(pictures) == 1
    assert pictures[0].type == PictureType.COVER_FRONT
    assert pictures[0].mime == "image/png"
    assert pictures[0].data == png.read_bytes()
    assert tags["TIT2"].text == ["Cycle lanes"]


@requires_ffmpeg
def test_embedding_cover_keeps_chapters_in_order(mp3, png):
    write_id3_chapters(mp3, [
        Chapter("Introduction", 0.0, 3.0),
        Chapter("A much longer chapter title", 3.0, 8.0),
        Chapter("Close", 8.0, 12.0),
    ])

    embed_cover(mp3, png)

    assert len(ID3(mp3).getall("CHAP")) == 3
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
        check=True, capture_output=True, text=True,
    )
    chapters = json.loads(probe.stdout)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Introduction", "A much longer chapter title", "Close"]
    assert [float(c["start_time"]) for c in chapters] == [0.0, 3.0, 8.0]
