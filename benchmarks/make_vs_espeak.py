"""How much slower is `briefing make --all` than the raw pipeline it wraps?

Baseline: the same normalised text spoken by `espeak-ng -w` (same voice and rate as the default
profile) and encoded by ffmpeg to the same MP3 format (mono, 44.1 kHz, 96 kbit/s) with ffmpeg's
default encoder settings. A second baseline encodes at briefing's own LAME quality setting, to show
how much of the difference is the encoder setting. All are run as whole processes, alternately,
several times in one run; medians are compared.
`make` speaks with the classic voice (espeak-ng in British English at 165 words a minute, like the
baseline) in a scratch library whose speech cache is off (``cache_mb = 0``), so every run speaks.
Ends with `make/same-quality baseline wall ratio: R` among its figures and the peak memory of the
briefing process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT.parent / "shared" / "examples" / "kharkiv-counter-offensive.txt"
BRIEFING = [sys.executable, "-m", "briefing"]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
sys.path.insert(0, str(ROOT))
from briefing.audio.formats.mp3_encoder import LAME_QUALITY  # noqa: E402

SAME_ENCODER_QUALITY = ("-compression_level", str(LAME_QUALITY))


def without_cache(folder: Path) -> dict[str, str]:
    """An environment whose library (in ``folder``) has the speech cache turned off.

    Python's bytecode is kept in ``folder`` too, as an installed package has it: with
    PYTHONDONTWRITEBYTECODE set (as in our sandbox) every run would compile briefing's modules again,
    a tenth of a second that no user pays.
    """
    home = folder / "library"
    home.mkdir(exist_ok=True)
    (home / "briefing.toml").write_text("[channel]\ncache_mb = 0\n", encoding="utf-8")
    environment = {**os.environ, "BRIEFING_HOME": str(home), "PYTHONPYCACHEPREFIX": str(folder / "bytecode")}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def spoken_script(folder: Path) -> Path:
    """The example's whole script as the engine is given it, one segment a paragraph, in a file."""
    script = json.loads(subprocess.run(BRIEFING + ["script", str(EXAMPLE), "--all", "--json"],
                                       capture_output=True, text=True, check=True).stdout)
    text_file = folder / "script.txt"
    text_file.write_text("\n\n".join(seg["text"] for sec in script["sections"] for seg in sec["segments"]))
    return text_file


def timed(command: list[str], **kwargs) -> tuple[float, int]:
    """Wall time of a whole process and its own peak RSS in MB (from wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}: {process.stderr.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss // 1024


def baseline(text_file: Path, folder: Path, encoder_options: tuple[str, ...] = ()) -> float:
    wav, mp3 = folder / "baseline.wav", folder / "baseline.mp3"
    speak, _ = timed(["espeak-ng", "-v", "en-gb", "-s", "165", "-w", str(wav), "-f", str(text_file)])
    encode, _ = timed(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-ac", "1", "-ar", "44100",
                       "-b:a", "96k", *encoder_options, str(mp3)])
    return speak + encode


def main() -> None:
    if not EXAMPLE.exists():
        print(f"skipped: {EXAMPLE} not found")
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        text_file = spoken_script(folder)
        words = len(text_file.read_text().split())
        make = BRIEFING + ["make", str(EXAMPLE), "--all", "--voice", "classic", "--no-publish", "-q",
                           "-o", str(folder / "make.mp3")]
        environment = without_cache(folder)
        make_times, base_times, same_quality_times, peaks = [], [], [], []
        timed(make, env=environment)  # warm the page cache for both sides
        baseline(text_file, folder)
        for _ in range(RUNS):
            elapsed, peak = timed(make, env=environment)
            make_times.append(elapsed)
            peaks.append(peak)
            base_times.append(baseline(text_file, folder))
            same_quality_times.append(baseline(text_file, folder, SAME_ENCODER_QUALITY))
        audio_s = float(subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(folder / "make.mp3")],
            capture_output=True, text=True, check=True).stdout)
    make_median, base_median = statistics.median(make_times), statistics.median(base_times)
    same_quality_median = statistics.median(same_quality_times)
    print(f"runs: {RUNS}, audio: {audio_s:.1f} s, words: {words}")
    print(f"briefing make --all   median {make_median:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in make_times)})")
    print(f"espeak-ng + ffmpeg    median {base_median:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in base_times)})")
    print(f"espeak-ng + ffmpeg at briefing's LAME quality {LAME_QUALITY}: median {same_quality_median:.2f} s")
    print(f"make/same-quality baseline wall ratio: {make_median / same_quality_median:.2f}")
    print(f"make peak memory MB: {max(peaks)}")
    print(f"make wall s: {make_median:.2f}")
    print(f"baseline wall s: {base_median:.2f}")
    print(f"make/baseline wall ratio: {make_median / base_median:.2f}")


if __name__ == "__main__":
    main()
