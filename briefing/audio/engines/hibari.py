"""The hibari engine: a 7.9 MB ONNX voice (distilled from Kokoro-82M) with its own text-to-phonemes.

Owns choosing a hibari voice that is already on disk, turning the profile's rate into hibari's
``speed`` and returning 16-bit PCM at 24 kHz. hibari fetches its other voices from the network on
first use; briefing never does, so only the voice inside the wheel ("heart") and voices a person
has copied into hibari's cache can be used. ``hibari-tts`` (Apache-2.0) is an optional extra.
Its pronunciation dictionaries are read from a file every worker shares (``hibari_tables``), with the
gazetteer's places before them (``place_readings``), names they lack are said by espeak-ng's rules (``name_phonemes``), and its model, optimized once for this machine, from briefing's cache folder (``optimized_model``).
"""

from __future__ import annotations

import hashlib
import os
import platform
import stat
from pathlib import Path

from briefing.audio.engines.base import Speech, VoiceInfo
from briefing.model import VoiceSettings
from briefing.audio.engines.hibari_tables import cache_folder, shared_g2p
from briefing.audio.engines.name_phonemes import NamePhonemes, name_phonemes, respelled_words
from briefing.audio.engines.place_readings import read_places_first
from briefing.errors import EngineError
from briefing.system.fsutil import remove_stale_temporaries, temporary_name

DEFAULT_VOICE = "heart"
MISSING_PACKAGE = "the hibari engine needs hibari-tts: pip install hibari-tts"

# The rate (on espeak-ng's words-per-minute scale, which every profile's ``rate`` uses) at which
# hibari speaks at speed 1.0: measured against espeak-ng -s 165 on the same news prose it is about
# 7% slower. hibari's durations scale exactly with 1/speed.
NATURAL_RATE = 153
SPEED_RANGE = (0.5, 2.0)
# One loaded voice speaks several texts at once on threads: onnxruntime's session may be run from
# several threads, each text gets its own noise generator, and nothing is changed after loading.
THREAD_SAFE = True


class HibariEngine:
    name = "hibari"

    def __init__(self, tts, speed: float) -> None:
        self._tts = tts
        self.speed = speed
        self.sample_rate: int = tts.sample_rate

    def synthesize(self, text: str) -> Speech:
        import numpy

        if isinstance(self._tts.g2p._oov, NamePhonemes):
            self._tts.g2p._oov.read_ahead(text)  # the text's names read together, not one program each

        # A fixed seed makes the same text sound the same in every run (hibari adds random noise).
        # Each sentence comes framed by about 0.3 s of silence before and 0.45 s after.
        parts = list(self._tts.stream(text, speed=self.speed, seed=0))
        if not parts:
            return Speech(pcm=b"", sample_rate=self.sample_rate)
        audio = numpy.clip(numpy.concatenate(parts), -1.0, 1.0)
        return Speech(pcm=(audio * 32767).astype("<i2").tobytes(), sample_rate=self.sample_rate)

    def voices(self) -> list[VoiceInfo]:
        return available_voices()

    def close(self) -> None:
        self._tts = None


def create(settings: VoiceSettings, *, threads: int = 1) -> HibariEngine:
    """Load ``settings.voice`` (default "heart"), or the ONNX file at ``settings.model``.

    One onnxruntime thread is hibari's own default: its signal processing is single-threaded anyway.
    """
    try:
        from hibari import Hibari
        from hibari.voices import VOICES, cache_dir, voice_path
    except ImportError:
        raise EngineError(MISSING_PACKAGE) from None
    name = settings.voice or DEFAULT_VOICE
    if name not in VOICES:
        raise EngineError(f"no hibari voice named {name!r}; choose one of: {', '.join(VOICES)}")
    try:
        voice_path(name, download_missing=False)
    except FileNotFoundError:
        raise EngineError(
            f"hibari voice {name!r} is not on this machine and briefing does not download voices;"
            f" copy {VOICES[name]['file']} into {cache_dir()} or use {DEFAULT_VOICE!r}"
        ) from None
    try:
        g2p = shared_g2p(VOICES[name]["british"])
    except (OSError, ValueError, ImportError, AttributeError):
        g2p = None  # hibari loads its own dictionaries into this process
    optimized = None if settings.model else optimized_model(voice_path(name, download_missing=False))
    try:
        try:
            tts = Hibari(voice=name, model=optimized or settings.model, threads=threads, g2p=g2p)
        except Exception:  # onnxruntime raises its own unrelated types for a bad file
            if optimized is None:
                raise
            Path(optimized).unlink(missing_ok=True)  # damaged: the voice's own file, and a new copy next time
            tts = Hibari(voice=name, model=None, threads=threads, g2p=g2p)
        # Loaded now, not by whichever thread speaks first; names it lacks said by espeak-ng's rules.
        lexicon = tts.g2p.lexicon
        tts.g2p._oov = name_phonemes(tts.g2p.oov, keep=respelled_words(),
                                     known=lambda word: word in lexicon.golds or word in lexicon.silvers)
    except Exception as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EngineError(f"{settings.model or name}: not a usable hibari model ({reason})") from None
    try:
        read_places_first(lexicon, british=VOICES[name]["british"])
    except ValueError as error:
        raise EngineError(f"the places' readings: {error}") from None
    return HibariEngine(tts, speed_for(settings.rate))


def optimized_model(path: str) -> str | None:
    """The voice's model as onnxruntime optimizes it for this machine, written once into briefing's cache
    folder; None when it cannot be. Loading it skips the optimizing (a load took 0.12 s, now 0.04 s, in
    every speech worker) and it speaks exactly the same samples. Named by the model file, onnxruntime's
    version and this CPU's features, since an optimized graph may use instructions of the CPU it was
    made on (a cache folder on a disk that several machines share)."""
    import onnxruntime

    try:
        status = os.stat(path)
        identity = f"{os.path.realpath(path)} {status.st_size} {status.st_mtime_ns} {onnxruntime.__version__} {_cpu()}"
        target = cache_folder() / f"hibari-model-{hashlib.sha256(identity.encode()).hexdigest()[:16]}.onnx"
        try:
            if stat.S_ISREG(os.stat(target).st_mode):
                return str(target)
            return None  # something else has the name (a FIFO would block the loader forever)
        except FileNotFoundError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(target.parent)  # what a build killed while writing left
        temporary = temporary_name(target)
        options = onnxruntime.SessionOptions()
        options.optimized_model_filepath = str(temporary)
        options.log_severity_level = 3
        try:
            onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return str(target)
    except Exception:  # an unwritable cache, a full disk, onnxruntime's own errors: the voice's own file
        return None


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            return next((line for line in cpuinfo if line.startswith(("flags", "Features"))), platform.machine())
    except OSError:
        return platform.machine()


def speed_for(rate: int | None) -> float:
    """hibari's speed for a words-per-minute rate; None keeps the voice's own pace."""
    if not rate:
        return 1.0
    low, high = SPEED_RANGE
    return min(max(rate / NATURAL_RATE, low), high)


def available_voices() -> list[VoiceInfo]:
    """hibari's voices that can be used without a download."""
    from hibari.voices import VOICES, voice_path

    found = []
    for name, info in VOICES.items():
        try:
            voice_path(name, download_missing=False)
        except FileNotFoundError:
            continue
        label = f"{info['accent']} English, {info['gender']} (Kokoro {info['kokoro']})"
        found.append(VoiceInfo(id=name, name=label, languages=(info["language"],)))
    return found
