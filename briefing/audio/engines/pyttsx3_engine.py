"""pyttsx3 (espeak-ng on Linux), made dependable.

pyttsx3's ``save_to_file`` is known to hang or write empty files on some set-ups, and its espeak
driver prints "Audio saved to ..." on standard output. Its espeak driver also runs espeak-ng in
asynchronous mode, so ``runAndWait`` can return before the WAV is written. Each segment therefore
runs in a worker thread with a time limit, we wait for the driver's own "finished-utterance" event
before reading the file, the driver's print is silenced at its source, an empty or missing file is
retried once, and a stuck driver becomes a clear EngineError instead of a hang. The driver's loop
also sleeps 10 ms after every utterance, finished or not; it is woken by the same event instead,
which was a third of the classic voice's time. What this reaches into the driver for is in
``pyttsx3_internals``.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import threading
import time
from pathlib import Path

from briefing.audio.engines.base import Speech, VoiceInfo
from briefing.audio.engines.pyttsx3_internals import (
    espeak_rate,
    silence_driver_prints,
    wait_for_espeak,
    wake_driver_loop_on,
)
from briefing.model import VoiceSettings
from briefing.audio.engines.wav import parse_wav
from briefing.errors import EngineError, UsageError
from briefing.system.fsutil import make_temporary_folder

BASE_TIMEOUT_S = 10.0
_RATE_ATTEMPTS = 3
SECONDS_PER_CHARACTER = 0.02


class Pyttsx3Engine:
    name = "pyttsx3"

    def __init__(self, driver, settings: VoiceSettings) -> None:
        self._driver = driver
        self._count = 0
        self._stuck = False
        self._finished = threading.Event()
        driver.connect("finished-utterance", lambda **_: self._finished.set())
        wake_driver_loop_on(self._finished)
        if settings.voice:
            driver.setProperty("voice", self._voice_id(settings.voice))
        if settings.rate:
            driver.setProperty("rate", int(settings.rate))
        if settings.pitch is not None:
            with contextlib.suppress(KeyError, ValueError):
                driver.setProperty("pitch", int(settings.pitch))
        # A new pyttsx3 driver queues settings until its loop runs, and espeak-ng (asynchronous here)
        # applies them on its own thread: applied with the first text, the rate was lost in about one
        # process in six, which then spoke everything at 200 words a minute. Apply them now, and wait.
        self._apply_settings()
        if settings.rate:
            self._insist_on_rate(int(settings.rate))
        self._folder = make_temporary_folder("pyttsx3")  # only once nothing can fail

    def _apply_settings(self) -> None:
        """Apply the queued settings within ``BASE_TIMEOUT_S``: espeak-ng's synthesis thread has been
        seen to hang here on a busy machine, and a voice that never loads must be an error, not a wait."""
        errors: list[BaseException] = []

        def apply() -> None:
            try:
                # A driver pyttsx3 hands out again is idle and has applied them already: its loop would never end.
                if self._driver.isBusy():
                    self._driver.runAndWait()
                wait_for_espeak()
            except BaseException as error:  # the driver raises anything; report it as the engine's problem
                errors.append(error)

        worker = threading.Thread(target=apply, daemon=True)
        worker.start()
        worker.join(BASE_TIMEOUT_S)
        if worker.is_alive():
            self._stuck = True
            raise EngineError(f"pyttsx3: espeak-ng did not apply the voice's settings within {BASE_TIMEOUT_S:.0f} s")
        if errors:
            raise EngineError(f"pyttsx3: espeak-ng could not apply the voice's settings: {errors[0]}")

    def _insist_on_rate(self, rate: int) -> None:
        """Read espeak-ng's rate back and set it again while it is not the one asked for: the race above
        was rarer once the settings were applied before any text, but a loaded test run still met it."""
        for attempt in range(_RATE_ATTEMPTS + 1):
            if espeak_rate() in (None, rate):
                return
            if attempt < _RATE_ATTEMPTS:
                self._driver.setProperty("rate", rate)
                self._apply_settings()
        raise EngineError(f"pyttsx3: espeak-ng did not take the rate of {rate} words a minute")

    def _voice_id(self, wanted: str) -> str:
        wanted_lower = wanted.lower()
        voices = self.voices()
        for voice in voices:
            if voice.id.lower() == wanted_lower or voice.id.lower().endswith("/" + wanted_lower):
                return voice.id
        for voice in voices:
            if wanted_lower in (language.lower() for language in voice.languages) or voice.name.lower() == wanted_lower:
                return voice.id
        raise UsageError(f"pyttsx3: no voice {wanted!r} (see 'briefing voices')")

    def synthesize(self, text: str) -> Speech:
        if self._stuck:
            raise EngineError("pyttsx3: the espeak-ng driver is stuck; try '--engine espeak'")
        timeout = BASE_TIMEOUT_S + SECONDS_PER_CHARACTER * len(text)
        problem: str | None = "no audio"
        for _ in range(2):
            self._count += 1
            path = self._folder / f"segment-{self._count}.wav"
            problem = self._speak_to_file(text, path, timeout)
            if problem is None:
                data = path.read_bytes()
                path.unlink()
                return parse_wav(data, self.name)
            if self._stuck:
                break
        raise EngineError(f"pyttsx3 (espeak-ng) could not speak {text[:40]!r}: {problem}")

    def _speak_to_file(self, text: str, path: Path, timeout: float) -> str | None:
        """Run the driver in a worker thread; return None on success or what went wrong."""
        errors: list[BaseException] = []

        def work() -> None:
            try:
                self._driver.save_to_file(text, str(path))
                self._driver.runAndWait()
            except BaseException as error:  # the driver raises anything; report it as the engine's problem
                errors.append(error)

        self._finished.clear()
        started = time.monotonic()
        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        worker.join(timeout)
        finished = self._finished.wait(max(0.0, timeout - (time.monotonic() - started)))
        if worker.is_alive() or not (finished or errors):
            self._stuck = True
            return f"timed out after {timeout:.0f} s"
        if errors:
            return str(errors[0]) or type(errors[0]).__name__
        if not path.exists() or path.stat().st_size <= 44:
            return "the driver wrote no audio"
        return None

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(id=voice.id, name=voice.name, languages=tuple(str(lang) for lang in (voice.languages or ())))
            for voice in self._driver.getProperty("voices")
        ]

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)


def create(settings: VoiceSettings) -> Pyttsx3Engine:
    try:
        import pyttsx3
    except ImportError:
        raise EngineError("pyttsx3: the package is not installed (pip install pyttsx3)") from None
    silence_driver_prints()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            driver = pyttsx3.init("espeak") if shutil.which("espeak-ng") or _has_libespeak() else pyttsx3.init()
    except Exception as error:  # pyttsx3 raises OSError, RuntimeError or KeyError when no driver loads
        raise EngineError(f"pyttsx3: cannot start a speech driver ({error}); install espeak-ng") from None
    return Pyttsx3Engine(driver, settings)


def _has_libespeak() -> bool:
    import ctypes.util

    return bool(ctypes.util.find_library("espeak-ng") or ctypes.util.find_library("espeak"))
