"""The command line. ``main.py`` holds the click group and the article commands (make, script,
extract, voices); the commands of the library (publish.py), the daily run and its schedule
(daily.py) and the fleet (fleet.py) are loaded when they are asked for. The CLI only parses, calls
the package and prints."""

import os

# numpy's BLAS would start a thread per core on import. briefing's numpy work is arithmetic on audio
# blocks, which gains nothing from it, and a process of one thread can fork its speech workers
# (``speak._process_context``). Set before numpy loads; a value the user chose is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from briefing.cli.main import main  # noqa: E402

__all__ = ["main"]
