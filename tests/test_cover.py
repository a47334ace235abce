import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import requires_ffmpeg
from mutagen.id3 import APIC, ID3, PictureType
from PIL import Image

from briefing.audio import cover
from briefing.audio.chapters import Chapter
from briefing.audio.cover import fit_title, make_cover, wrap_text
from briefing.audio.formats.mp3 import embed_cover, write_id3_chapters

TITLE = "Council approves new cycle lanes"
LONG_TITLE = " ".join(["Inflation slows as energy prices fall and markets rally across the region"] * 8)


@pytest.fixture(scope="module")
def png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cover") / "cover.png"
    return make_cover(TITLE, "Monday 12 May 2025", path)


def test_cover_is_a_square_png_of_at_least_1400_px(png):
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.width == image.height >= 1400


def test_cover_is_never_smaller_than_podcast_directories_accept(tmp_path):
    with Image.open(make_cover("Small", "Today", tmp_path / "c.png", size=600)) as image:
        assert image.size == (1400, 1400)


def test_cover_is_deterministic(tmp_path, png):
    again = make_cover(TITLE, "Monday 12 May 2025", tmp_path / "again.png")

    assert again.read_bytes() == png.read_bytes()


def test_cover_text_is_drawn_in_ink_over_the_same_background_inside_the_margins(png, tmp_path):
    palette = cover.pick_palette(TITLE)
    # A title of spaces draws nothing; one that picks the same palette gives the same bare background.
    spaces = next(" " * n for n in range(1, 200) if cover.pick_palette(" " * n) == palette)
    bare = make_cover(spaces, "", tmp_path / "bare.png", subtitle="")
    with Image.open(png) as with_text, Image.open(bare) as without_text:
        text_pixels = np.asarray(with_text.convert("RGB"), dtype=int)
        bare_pixels = np.asarray(without_text.convert("RGB"), dtype=int)

    changed = np.abs(text_pixels - bare_pixels).max(axis=2) > 64
    size = changed.shape[0]
    assert changed[size // 4 : 3 * size // 4].mean() > 0.06  # the title band: measured 0.12
    inked = np.zeros_like(changed)
    for colour in (palette.ink, palette.accent):
        inked |= np.abs(text_pixels - np.array(colour)).max(axis=2) <= 48
    assert (changed & inked).sum() / changed.sum() > 0.9  # text, not noise: measured 0.96
    rows, columns = np.nonzero(changed)
    edge = size // 24  # nothing is drawn in the outer margin
    assert edge <= rows.min() and rows.max() < size - edge
    assert edge <= columns.min() and columns.max() < size - edge


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


def test_a_long_show_name_above_the_title_is_shortened_inside_the_margin(tmp_path):
    from PIL import Image

    from briefing.audio.cover import MIN_SIZE, make_cover, pick_palette

    title = "Briefing for Wednesday 25 November 2026"
    path = make_cover(title, "Wednesday 25 November 2026", tmp_path / "cover.png",
                      subtitle="The Harbour Town and Coastal Villages Morning News Briefing Programme")
    image = Image.open(path).convert("RGB")
    margin, accent = MIN_SIZE // 12, pick_palette(title).accent
    band = image.crop((MIN_SIZE - margin + 2, margin - MIN_SIZE // 40, MIN_SIZE, margin + MIN_SIZE // 20))
    near_accent = [pixel for pixel in pixels(band) if sum(abs(a - b) for a, b in zip(pixel, accent)) < 90]
    assert near_accent == []  # no letter of the show's name beyond the right margin
    assert any(sum(abs(a - b) for a, b in zip(pixel, accent)) < 90
               for pixel in pixels(image.crop((margin, margin - MIN_SIZE // 40, MIN_SIZE // 2, margin + MIN_SIZE // 20))))


def pixels(image) -> list[tuple[int, ...]]:
    """Every pixel's colour (Pillow 12 deprecates ``getdata`` for ``get_flattened_data``)."""
    width, height = image.size
    rgb = image.tobytes()
    return [tuple(rgb[at:at + 3]) for at in range(0, width * height * 3, 3)]
