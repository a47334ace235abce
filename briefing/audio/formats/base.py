"""What every output format shares: the ``OutputFormat`` each format module declares, the audio it
encodes and the tags it writes.

A format is one module that declares ``FORMAT = OutputFormat(...)`` and one entry in
``formats.FORMATS``. Nothing outside ``briefing/audio/formats/`` knows a format by name: suffixes, media
types and labels come from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.audio.chapters import Chapter
from briefing.model import PieceGrid

if TYPE_CHECKING:
    from briefing.audio.assemble import PcmIdentity, PcmReader
    from briefing.audio.cache import EncodedPieces


@dataclass(frozen=True)
class Pcm:
    """Levelled audio ready to encode: signed 16-bit mono samples read in pieces, and where its pauses are."""

    read: PcmReader
    sample_rate: int
    samples: int
    silences: tuple[tuple[int, int], ...] = ()  # (first sample, length): where an encoder may cut
    filters: str = ""  # an ffmpeg filter chain applied at the output rate (the de-esser)
    cuts: tuple[tuple[int, int], ...] = ((0, 0),)  # pieces laid out on the format's grid: (first sample, frames before)
    identity: PcmIdentity | None = None  # of a stretch's levelled PCM, for finding its encoding in ``store``
    store: EncodedPieces | None = None  # encoded pieces kept from earlier runs, and where to keep new ones


@dataclass(frozen=True)
class Tags:
    """What a player shows: text, the chapters and the cover (a PNG)."""

    title: str
    artist: str = "briefing"
    album: str = "briefing"
    date: str = ""
    comment: str = ""
    chapters: tuple[Chapter, ...] = ()
    cover: Path | None = None


@dataclass(frozen=True)
class OutputFormat:
    """One audio format an episode can be published in.

    ``encode`` writes ``path`` (overwriting it) from the levelled PCM on up to ``jobs`` cores;
    ``write_tags`` then sets the file's tags, chapters and cover, replacing any earlier ones.
    """

    name: str  # as ``--audio`` and ``[channel] audio`` name it
    suffix: str  # of the episode's file, with its dot
    media_type: str  # the feed's enclosure type and the server's Content-Type
    label: str  # as the web page's download link names it
    encode: Callable[[Pcm, Path, int], None]
    write_tags: Callable[[Path, Tags], None]
    encoder_loss_lu: float = 0.0  # how much quieter the encoded file measures than its input: aimed higher by this
    # The limiter's sample-peak ceiling: low enough that the decoded true peak stays under -1 dBTP
    # after the encoder's own overshoot.
    peak_ceiling_dbfs: float = -2.0
    piece_grid: PieceGrid | None = None  # for an encoder that joins pieces: how the episode is laid out for it
