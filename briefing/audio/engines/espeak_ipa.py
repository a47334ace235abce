"""espeak-ng, the program, asked how words are said: IPA in one of its voices, and whether its English
dictionary lists a word.

The program, not its library: the library keeps one state per process, which pyttsx3's espeak-ng driver
(the classic voice, and the fallback) shares; a second user of it in one process left that driver hung.
A program costs tens of milliseconds to start, so the names of a text are read ahead, many words to one
program (a line each), and every answer is kept for the life of the process.

Does not own: which words are names or which voice reads them (``name_phonemes``, ``name_origin``).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable

from briefing.system.processes import ending_with_this_process

ENGLISH = "en-us"  # the accent of the voices hibari ships
TIMEOUT_S = 10.0  # espeak-ng reads a word in milliseconds, once started
_LISTED = ""  # the voice under which a word's listing in the English dictionary is kept
_FOUND = re.compile(r"^Found: '([^']*)' ", re.MULTILINE)  # -X's trace: a word its English dictionary lists


class EspeakPhonemes:
    """One word's IPA in a voice (``reader(word, voice)``) or as its English dictionary lists it
    (``reader.listed(word)``); ``read_ahead`` answers many words with one program per voice."""

    def __init__(self, executable: str) -> None:
        self._executable = executable
        self._known: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    @functools.cached_property
    def voices(self) -> frozenset[str]:
        try:
            listed = subprocess.run([self._executable, "--voices"], capture_output=True, text=True,
                                    timeout=TIMEOUT_S, check=False, preexec_fn=ending_with_this_process()).stdout
        except (OSError, subprocess.TimeoutExpired):
            return frozenset()
        return frozenset(line.split()[1] for line in listed.splitlines()[1:] if len(line.split()) > 1)

    def __call__(self, word: str, voice: str) -> str:
        """The IPA of ``word`` read by ``voice``; "" when espeak-ng has no such voice or cannot read it."""
        return self._kept(word, voice, lambda: " ".join(self._run([word], voice).split()))

    def listed(self, word: str) -> str:
        """The IPA of ``word`` where espeak-ng's English dictionary lists it (its names of places and people,
        chosen by hand: "Bogota", "Buenos"); "" where only its spelling rules would read it."""
        return self._kept(word, _LISTED, lambda: (self._listings([word]) or [""])[0])

    def read_ahead(self, words: Iterable[str], voice_of: Callable[[str], str | None]) -> None:
        """Read every word not read yet, with one program for the English dictionary and one for each
        voice ``voice_of`` names for a word the dictionary lacks; what a batch cannot answer one line to
        a word (an empty reading) is left to be read alone."""
        with self._lock:
            words = [word for word in dict.fromkeys(words) if (word, _LISTED) not in self._known]
        found = self._listings(words) if words else None
        if found is None:
            return
        listings = dict(zip(words, found))
        groups: dict[str, list[str]] = {}
        for word, said in listings.items():
            voice = None if said else voice_of(word)
            if voice:
                groups.setdefault(voice, []).append(word)
        readings = {(word, voice): said for voice, group in groups.items()
                    for word, said in zip(group, self._lines(group, voice) or ())}
        with self._lock:
            self._known.update({(word, _LISTED): said for word, said in listings.items()} | readings)

    def _kept(self, word: str, voice: str, read: Callable[[], str]) -> str:
        with self._lock:
            known = self._known.get((word, voice))
        if known is None:
            known = read()
            with self._lock:
                known = self._known.setdefault((word, voice), known)
        return known

    def _listings(self, words: list[str]) -> list[str] | None:
        """Each word's IPA where the English dictionary lists it, else ""; None when espeak-ng's answer
        is not one line to a word. -X traces how each word was read, "Found: 'bogota'" for a listing."""
        said = self._lines(words, ENGLISH)
        if said is None:
            return None
        found = set(_FOUND.findall(self._run(words, ENGLISH, "-X")))
        return [ipa if word.lower() in found else "" for word, ipa in zip(words, said)]

    def _lines(self, words: list[str], voice: str) -> list[str] | None:
        """One reading a word, or None when espeak-ng's answer is not one line to a word."""
        lines = [" ".join(line.split()) for line in self._run(words, voice).splitlines() if line.strip()]
        return lines if len(lines) == len(words) else None

    def _run(self, words: list[str], voice: str, *flags: str) -> str:
        if voice not in self.voices or not words:
            return ""
        try:
            result = subprocess.run([self._executable, "-q", *flags, "--ipa", "-v", voice],
                                    input="".join(f"{word}\n" for word in words).encode("utf-8"),
                                    capture_output=True, timeout=TIMEOUT_S, check=False, preexec_fn=ending_with_this_process())
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return result.stdout.decode("utf-8", "replace").strip() if result.returncode == 0 else ""


@functools.cache
def espeak_phonemes() -> EspeakPhonemes | None:
    """The one reader of this process; None where espeak-ng is not installed."""
    executable = shutil.which("espeak-ng")
    return EspeakPhonemes(executable) if executable else None
