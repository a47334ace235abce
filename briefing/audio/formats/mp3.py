"""MP3: the parallel LAME encoding of ``encode``, and ID3v2.3 tags with chapter frames and the cover.

Owns the ID3 side of an MP3: text frames, CHAP/CTOC chapter frames (kept in time order in the file)
and the APIC front cover. Every text it writes has its control characters dropped here.
"""

from __future__ import annotations

from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TPE1,
    CTOCFlags,
    Encoding,
    ID3NoHeaderError,
    PictureType,
)

from briefing.audio.chapters import Chapter, milliseconds
from briefing.audio.formats.base import OutputFormat, Pcm, Tags
from briefing.audio.formats.mp3_frames import PIECE_GRID
from briefing.system.textsafety import strip_controls_inline

# ID3v2.3 rather than 2.4: every player reads 2.3, while Windows Explorer, some car stereos and
# older players ignore 2.4. ffprobe and mutagen read chapters from both.
ID3_VERSION = 3
# Spec value for "no byte offset": players must then use the times.
_NO_OFFSET = 0xFFFFFFFF



def encode(pcm: Pcm, path: Path, jobs: int) -> None:
    """Mono MP3 at 44.1 kHz, the episode cut at its pauses and encoded on up to ``jobs`` cores."""
    from briefing.audio.formats import mp3_encoder  # numpy and the encoder only when encoding: the CLI imports formats

    chunks = mp3_encoder.plan_chunks(pcm.samples, pcm.sample_rate, list(pcm.cuts), list(pcm.silences), jobs)
    mp3_encoder.encode_mp3(pcm, chunks, path, jobs)


def write_tags(path: Path, tags: Tags) -> None:
    """The text frames, then the cover, then the chapters: the cover's save grows the tag, so the
    chapters' save then fits without moving the audio."""
    write_text_tags(path, tags)
    if tags.cover is not None:
        embed_cover(path, tags.cover)
    write_id3_chapters(path, list(tags.chapters))


def write_text_tags(path: Path, tags: Tags) -> None:
    """ID3v2.3 text frames, replacing any tag; a control character would reach every player's display."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=strip_controls_inline(tags.title)))
    id3.add(TPE1(encoding=3, text=strip_controls_inline(tags.artist)))
    id3.add(TALB(encoding=3, text=strip_controls_inline(tags.album)))
    id3.add(TCON(encoding=3, text="Podcast"))
    if tags.date:
        id3.add(TDRC(encoding=3, text=strip_controls_inline(tags.date)))
    if tags.comment:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=strip_controls_inline(tags.comment)))
    id3.save(path, v2_version=ID3_VERSION)


def embed_cover(path: Path, png_path: Path) -> None:
    """Set the file's front cover to the PNG, replacing any earlier one and keeping other frames."""
    tags = _load_id3(path)
    tags.delall("APIC")
    tags.add(APIC(
        encoding=Encoding.UTF8,
        mime="image/png",
        type=PictureType.COVER_FRONT,
        desc="Cover",
        data=Path(png_path).read_bytes(),
    ))
    tags.save(path, v2_version=ID3_VERSION)
    # Saving lets mutagen reorder frames again, which would scramble chapter order for ffmpeg.
    put_chapter_frames_in_time_order(path)


def write_id3_chapters(path: Path, chapters: list[Chapter]) -> None:
    """Replace any CHAP/CTOC frames in the file, keeping every other tag."""
    tags = _load_id3(path)
    tags.delall("CHAP")
    tags.delall("CTOC")
    ids = [f"chp{index}" for index in range(len(chapters))]
    for element_id, chapter in zip(ids, chapters):
        tags.add(CHAP(
            element_id=element_id,
            start_time=milliseconds(chapter.start_s),
            end_time=milliseconds(chapter.end_s),
            start_offset=_NO_OFFSET,
            end_offset=_NO_OFFSET,
            sub_frames=[TIT2(encoding=Encoding.UTF8, text=[strip_controls_inline(chapter.title)])],
        ))
    if chapters:
        tags.add(CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=Encoding.UTF8, text=["Chapters"])],
        ))
    tags.save(path, v2_version=ID3_VERSION)
    put_chapter_frames_in_time_order(path)


def put_chapter_frames_in_time_order(path: Path) -> None:
    """Reorder the CHAP frames of the file's ID3v2 tag by start time, in place.

    mutagen writes frames smallest first, but ffmpeg (and so ffprobe and the tools built on it)
    and some players list CHAP frames in file order and ignore the CTOC. The tag's total size
    does not change, so only the tag bytes are rewritten.
    """
    with open(path, "r+b") as handle:
        header = handle.read(10)
        # mutagen never writes unsynchronised tags or an extended header; leave others alone.
        if len(header) < 10 or header[:3] != b"ID3" or header[3] not in (3, 4) or header[5] & 0xC0:
            return
        body = handle.read(_synchsafe(header[6:10]))
        frames, padding = _split_frames(body, version=header[3])
        if sum(map(len, frames)) + len(padding) != len(body):
            return  # a frame claims more bytes than the tag holds: not ours to rewrite
        chapters = iter(sorted((f for f in frames if f[:4] == b"CHAP"), key=_chap_start_ms))
        ordered = [next(chapters) if f[:4] == b"CHAP" else f for f in frames]
        handle.seek(10)
        handle.write(b"".join(ordered) + padding)


def _split_frames(body: bytes, version: int) -> tuple[list[bytes], bytes]:
    frames, pos = [], 0
    while pos + 10 <= len(body) and body[pos:pos + 4] != b"\0\0\0\0":
        size_bytes = body[pos + 4:pos + 8]
        size = _synchsafe(size_bytes) if version == 4 else int.from_bytes(size_bytes, "big")
        frames.append(body[pos:pos + 10 + size])
        pos += 10 + size
    return frames, body[pos:]


def _chap_start_ms(frame: bytes) -> int:
    # CHAP body: element ID (null-terminated), then start time in ms as a 32-bit integer.
    start = frame.index(b"\0", 10) + 1
    return int.from_bytes(frame[start:start + 4], "big")


def _synchsafe(data: bytes) -> int:
    value = 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
    return value


def _load_id3(path: Path) -> ID3:
    try:
        return ID3(path)
    except ID3NoHeaderError:
        return ID3()



# LAME at our settings measured 0.3-0.4 LU quieter than its input.
FORMAT = OutputFormat(name="mp3", suffix=".mp3", media_type="audio/mpeg", label="MP3",
                      encode=encode, write_tags=write_tags, encoder_loss_lu=0.35, piece_grid=PIECE_GRID)
