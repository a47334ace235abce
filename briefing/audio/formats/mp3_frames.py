"""The MP3 frame grid, shared by the format (which tells the cache where pieces may be cut) and the
parallel encoder (which cuts there)."""

from briefing.model import PieceGrid

FRAME_SAMPLES = 1152  # an MPEG-1 layer III frame, at the output rate
# Pieces are cut in silence at least two frames from any sound: LAME starts a piece from silence and
# ends it with silence, so its first and last frames are what one pass would have written there.
CUT_MARGIN_FRAMES = 2
MIN_PIECE_S = 20.0  # shorter pieces are not worth an extra ffmpeg
PIECE_GRID = PieceGrid(FRAME_SAMPLES, CUT_MARGIN_FRAMES, MIN_PIECE_S)
