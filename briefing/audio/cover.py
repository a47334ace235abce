"""Episode cover art: a square PNG drawn with Pillow (the output format embeds it in the audio file).

Owns the look of the cover (background, type, layout). It does not choose titles or dates.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from briefing.system.fsutil import atomic_write_bytes

# Apple Podcasts asks for 1400-3000 px square artwork.
MIN_SIZE = 1400
MAX_TITLE_CHARS = 400
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
_BOLD_FONTS = ("DejaVuSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf")
_REGULAR_FONTS = ("DejaVuSans.ttf", "Arial.ttf", "arial.ttf")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Palette:
    top: tuple[int, int, int]
    bottom: tuple[int, int, int]
    ink: tuple[int, int, int]
    accent: tuple[int, int, int]


# Dark gradients with light type: legible as a 100 px thumbnail in a podcast app.
PALETTES = (
    Palette((18, 38, 74), (44, 96, 150), (246, 246, 240), (255, 196, 87)),
    Palette((36, 22, 60), (112, 54, 120), (248, 244, 250), (255, 170, 120)),
    Palette((12, 56, 52), (30, 122, 108), (242, 250, 246), (250, 214, 100)),
    Palette((60, 24, 24), (150, 62, 44), (252, 244, 236), (255, 220, 150)),
    Palette((28, 32, 40), (72, 84, 104), (244, 246, 250), (120, 200, 255)),
)


def make_cover(
    title: str, date_text: str, path: Path, *, size: int = MIN_SIZE, subtitle: str = "briefing"
) -> Path:
    """Draw the cover for one episode; the same inputs always give the same image."""
    size = max(size, MIN_SIZE)
    palette = pick_palette(title)
    image = _gradient(size, palette.top, palette.bottom)
    draw = ImageDraw.Draw(image)
    margin = size // 12

    label_font = _font(_REGULAR_FONTS, size // 26)
    label = wrap_text(subtitle.upper()[:MAX_TITLE_CHARS], label_font, size - 2 * margin)  # the show's name
    label = label if len(label) == 1 else _shorten(label, label_font, size - 2 * margin, 1)
    draw.text((margin, margin), label[0], font=label_font, fill=palette.accent)
    rule_y = margin + size // 18
    draw.rectangle((margin, rule_y, margin + size // 6, rule_y + size // 160), fill=palette.accent)

    box_top, box_bottom = rule_y + size // 14, size - margin - size // 10
    font, lines = fit_title(title, size - 2 * margin, box_bottom - box_top)
    line_height = _line_height(font)
    y = box_top + (box_bottom - box_top - line_height * len(lines)) // 2
    for line in lines:
        draw.text((margin, y), line, font=font, fill=palette.ink)
        y += line_height

    date_font = _font(_REGULAR_FONTS, size // 24)
    draw.text((margin, size - margin), date_text, font=date_font, fill=palette.ink, anchor="ls")

    _atomic_write_png(Path(path), image)
    return Path(path)


def pick_palette(title: str) -> Palette:
    # hashlib rather than hash(): str hashes change between runs, covers must not.
    digest = hashlib.sha256(title.encode("utf-8")).digest()
    return PALETTES[digest[0] % len(PALETTES)]


def _gradient(size: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    # A 1-pixel-wide column stretched sideways: far cheaper than drawing size lines.
    column = Image.new("RGB", (1, size))
    column.putdata([
        tuple(round(a + (b - a) * y / (size - 1)) for a, b in zip(top, bottom)) for y in range(size)
    ])
    return column.resize((size, size), Image.Resampling.NEAREST)


def fit_title(title: str, width: int, height: int, max_lines: int = 7) -> tuple[Font, list[str]]:
    """The largest font at which the wrapped title fits the box; the smallest, shortened, if none does."""
    largest, smallest = max(width // 8, 12), max(width // 20, 10)
    # Even the smallest size holds only a few hundred characters; wrapping more is wasted time.
    title = " ".join(title.split())[:MAX_TITLE_CHARS]
    font_size = largest
    while True:
        font = _font(_BOLD_FONTS, font_size)
        lines = wrap_text(title, font, width)
        fits = len(lines) <= max_lines and len(lines) * _line_height(font) <= height
        if fits or font_size <= smallest:
            break
        font_size = max(smallest, int(font_size * 0.88))
    if not fits:
        lines = _shorten(lines, font, width, max(1, min(max_lines, height // _line_height(font))))
    return font, lines


def wrap_text(text: str, font: Font, width: int) -> list[str]:
    """Greedy word wrap by rendered width; a word too long for a line is broken by characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while font.getlength(current) > width and len(current) > 1:
            cut = _longest_prefix(current, font, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines or [""]


def _longest_prefix(word: str, font: Font, width: int) -> int:
    """Length of the longest prefix that fits, at least one character, by bisection."""
    low, high = 1, len(word) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _shorten(lines: list[str], font: Font, width: int, keep: int) -> list[str]:
    kept = lines[:keep]
    last = kept[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return kept


def _line_height(font: Font) -> int:
    top, bottom = font.getbbox("Ág")[1::2]
    return round((bottom - top) * 1.2)


def _font(names: tuple[str, ...], size: int) -> Font:
    path = _font_path(names)
    if path is None:
        # Pillow's bundled font keeps covers working on machines without any TTF installed.
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size)


@functools.cache
def _font_path(names: tuple[str, ...]) -> Path | None:
    for folder in _FONT_DIRS:
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


def _atomic_write_png(path: Path, image: Image.Image) -> None:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    atomic_write_bytes(path, buffer.getvalue())
