"""Names the default voice says: how many Whisper writes back, with and without espeak-ng's readings of names.

Renders each sentence of ``data/name_pronunciation.tsv`` (invented, with about sixty first names,
surnames and places of many origins) through the shipped lexicon and the hibari engine twice: with
``briefing/audio/engines/name_phonemes.py`` off (hibari's own guess for words it does not know) and on.
Whisper base (faster-whisper, int8, two threads) transcribes every clip; a name is heard when the
transcript has it, accents and case aside. Prints the share of names not heard (the name error rate)
and the mean character error rate of the closest words, for the half the rules were written against
and the held-out half, and which names each reading loses or wins. Without Whisper, it also counts the
names said differently in two places of one episode: alone ("NAME said so") and possessive ("NAME's
plan"), where hibari's own guess reads the word afresh.

Run: ``nice -n 10 .venv/bin/python benchmarks/name_pronunciation.py [-v]`` (needs the bench extras).
"""

from __future__ import annotations

import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.audio.engines import load_engine  # noqa: E402
from briefing.audio.engines.name_phonemes import SWITCH  # noqa: E402
from briefing.text.speech.lexicon import load_lexicon  # noqa: E402
from briefing.voices import load_profile  # noqa: E402

MATERIAL = Path(__file__).resolve().parent / "data" / "name_pronunciation.tsv"
WHISPER_RATE = 16000


@dataclass(frozen=True)
class Line:
    half: str
    names: tuple[str, ...]
    sentence: str


def material() -> list[Line]:
    lines = []
    for row in MATERIAL.read_text(encoding="utf-8").splitlines():
        if row.strip() and not row.startswith("#"):
            half, names, sentence = row.split("\t")
            lines.append(Line(half, tuple(names.split("|")), sentence))
    return lines


def folded(text: str) -> str:
    """Lower case, accents and punctuation away: "Öztürk's" -> "ozturk s"."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.replace("ł", "l").replace("ı", "i"))
                    if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z]+", plain.lower()))


def closest_error(name: str, transcript: str) -> float:
    """Character error rate of the run of transcript words (as many as the name has) closest to ``name``."""
    import jiwer

    wanted, words = folded(name), folded(transcript).split()
    size = len(wanted.split())
    windows = [" ".join(words[at:at + size]) for at in range(max(1, len(words) - size + 1))] or [""]
    return min(min(1.0, jiwer.cer(wanted, window)) if window else 1.0 for window in windows)


def said_two_ways(engine, names: list[str]) -> list[str]:
    """The names whose phonemes alone are not the start of their possessive's phonemes."""
    g2p = engine._tts.g2p

    def name_phonemes(text: str, name: str) -> str:
        return "".join(token.phonemes or "" for token in g2p.phonemize_tokens(g2p.tokenize(text))
                       if token.text.startswith(name))

    return [name for name in names if " " not in name
            and not name_phonemes(f"{name}'s plan.", name).startswith(name_phonemes(f"{name} said so.", name))]


def render(lines: list[Line], names_on: bool) -> tuple[list[numpy.ndarray], float, list[str]]:
    """Each line said by the default voice, as Whisper's 16 kHz floats, the seconds it took, and the
    names said two ways."""
    os.environ[SWITCH] = "on" if names_on else "off"
    profile = load_profile("default")
    engine = load_engine(profile.engine, profile.settings)
    lexicon = load_lexicon(None)
    two_ways = said_two_ways(engine, [name for line in lines for name in line.names])
    clips, started = [], time.perf_counter()
    for line in lines:
        speech = engine.synthesize(lexicon.respell(line.sentence))
        samples = numpy.frombuffer(speech.pcm, "<i2").astype(numpy.float32) / 32768
        at = numpy.arange(0, len(samples), speech.sample_rate / WHISPER_RATE)
        clips.append(numpy.interp(at, numpy.arange(len(samples)), samples).astype(numpy.float32))
    seconds = time.perf_counter() - started
    engine.close()
    return clips, seconds, two_ways


def main() -> None:
    verbose = "-v" in sys.argv
    from faster_whisper import WhisperModel

    import intelligibility

    lines = material()
    judge = WhisperModel(str(intelligibility.whisper_base_folder()), device="cpu", compute_type="int8", cpu_threads=2)
    errors: dict[tuple[str, str], dict[str, float]] = {}
    for reading, names_on in (("hibari", False), ("espeak", True)):
        clips, seconds, two_ways = render(lines, names_on)
        print(f"{reading}: rendered {len(lines)} sentences in {seconds:.2f} s (load average {os.getloadavg()[0]:.2f})")
        print(f"names_said_two_ways_{reading}: {len(two_ways)}  ({', '.join(two_ways)})")
        for line, clip in zip(lines, clips):
            segments, _ = judge.transcribe(clip, language="en", beam_size=5)
            heard = " ".join(segment.text.strip() for segment in segments)
            if verbose:
                print(f"  {reading} heard: {heard}")
            for name in line.names:
                errors.setdefault((line.half, name), {})[reading] = closest_error(name, heard)
    for half in ("tune", "held-out"):
        names = [key for key in errors if key[0] == half]
        for reading in ("hibari", "espeak"):
            missed = sum(errors[key][reading] > 0 for key in names)
            cer = sum(errors[key][reading] for key in names) / len(names)
            print(f"name_error_rate_{half}_{reading}: {missed / len(names):.3f}  ({missed}/{len(names)} not heard)")
            print(f"name_cer_{half}_{reading}: {cer:.3f}")
        won = [name for key in names if errors[key]["espeak"] < errors[key]["hibari"] for name in key[1:]]
        lost = [name for key in names if errors[key]["espeak"] > errors[key]["hibari"] for name in key[1:]]
        print(f"  {half}: closer with espeak's reading: {', '.join(won) or 'none'}")
        print(f"  {half}: further with espeak's reading: {', '.join(lost) or 'none'}")
    print(f"load_average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
