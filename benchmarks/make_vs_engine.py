"""How much slower is `briefing make --all` with the default neural voice than the engine itself?

Floor: hibari's own synthesis of the same spoken text (one process: load the voice, speak the whole
text, write a WAV) at its best thread count (1 or 2 onnxruntime threads, each timed), plus ffmpeg
encoding that WAV to briefing's MP3 format (mono, 44.1 kHz, 96 kbit/s, LAME quality 7). All are whole
processes run alternately in one run; medians are compared. `make` runs in a scratch library whose
speech cache is off (``cache_mb = 0``), so every run speaks every sentence.
Ends with `make/engine floor wall ratio: R` among its `name: value` lines.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from make_vs_espeak import BRIEFING, EXAMPLE, RUNS, spoken_script, timed, without_cache  # noqa: E402
from briefing.audio.formats.mp3_encoder import BITRATE, LAME_QUALITY  # noqa: E402

ENGINE_ALONE = """
import sys, wave, numpy
from hibari import Hibari
from briefing.audio.engines.hibari import speed_for
text, threads, out = open(sys.argv[1]).read(), int(sys.argv[2]), sys.argv[3]
tts = Hibari(voice="heart", threads=threads)
audio = numpy.concatenate(list(tts.stream(text, speed=speed_for(165), seed=0)))
with wave.open(out, "wb") as handle:
    handle.setnchannels(1); handle.setsampwidth(2); handle.setframerate(tts.sample_rate)
    handle.writeframes((numpy.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
"""


def floor(text_file: Path, folder: Path, threads: int) -> float:
    wav, mp3 = folder / f"engine{threads}.wav", folder / f"engine{threads}.mp3"
    speak, _ = timed([sys.executable, "-c", ENGINE_ALONE, str(text_file), str(threads), str(wav)], cwd=ROOT,
                     env=without_cache(folder))  # the same bytecode cache as make's
    encode, _ = timed(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-ac", "1", "-ar", "44100",
                       "-b:a", BITRATE, "-compression_level", str(LAME_QUALITY), str(mp3)])
    return speak + encode


def main() -> None:
    import importlib.util

    if importlib.util.find_spec("hibari") is None:
        print("skipped: hibari-tts is not installed")
        return
    if not EXAMPLE.exists():
        print(f"skipped: {EXAMPLE} not found")
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        text_file = spoken_script(folder)
        words = len(text_file.read_text().split())
        make = BRIEFING + ["make", str(EXAMPLE), "--all", "--no-publish", "-q", "-o", str(folder / "make.mp3")]
        environment = without_cache(folder)
        timed(make, env=environment)  # warm the page cache for every side
        floor(text_file, folder, 1)
        make_times, peaks, floors = [], [], {1: [], 2: []}
        for _ in range(RUNS):
            elapsed, peak = timed(make, env=environment)
            make_times.append(elapsed)
            peaks.append(peak)
            for threads in floors:
                floors[threads].append(floor(text_file, folder, threads))
        audio_s = float(subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(folder / "make.mp3")],
            capture_output=True, text=True, check=True).stdout)
    make_median = statistics.median(make_times)
    medians = {threads: statistics.median(times) for threads, times in floors.items()}
    best = min(medians, key=medians.get)
    print(f"runs: {RUNS}, audio: {audio_s:.1f} s, words: {words}, cores: {len(os.sched_getaffinity(0))}")
    print(f"briefing make --all (hibari)  median {make_median:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in make_times)})")
    for threads, times in floors.items():
        print(f"hibari alone, {threads} thread(s), + ffmpeg  median {medians[threads]:.2f} s  "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
    print(f"make/engine floor wall ratio: {make_median / medians[best]:.2f}")
    print(f"engine floor threads: {best}")
    print(f"engine floor wall s: {medians[best]:.2f}")
    print(f"make wall s: {make_median:.2f}")
    print(f"make peak memory MB: {max(peaks)}")


if __name__ == "__main__":
    main()
