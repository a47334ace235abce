"""espeak-ng called directly: one short process per segment, audio read from its standard output."""

from __future__ import annotations

import shutil
import subprocess

from briefing.audio.engines.base import Speech, VoiceInfo
from briefing.model import VoiceSettings
from briefing.audio.engines.wav import parse_wav
from briefing.system.processes import ending_with_this_process
from briefing.errors import EngineError, UsageError

TIMEOUT_S = 30.0


class EspeakEngine:
    name = "espeak"

    def __init__(self, settings: VoiceSettings, executable: str) -> None:
        self._command = [executable, "--stdout"]
        if settings.voice:
            self._command += ["-v", settings.voice]
        if settings.rate:
            self._command += ["-s", str(settings.rate)]
        if settings.pitch is not None:
            self._command += ["-p", str(settings.pitch)]

    def synthesize(self, text: str) -> Speech:
        last_problem = ""
        for _ in range(2):  # one retry: a segment that fails once usually speaks the second time
            try:
                result = subprocess.run(self._command + ["--", text], capture_output=True, timeout=TIMEOUT_S,
                                        check=False, preexec_fn=ending_with_this_process())
            except subprocess.TimeoutExpired:
                last_problem = f"timed out after {TIMEOUT_S:g} s"
                continue
            if result.returncode == 0 and len(result.stdout) > 44:
                return parse_wav(result.stdout, self.name)
            last_problem = (result.stderr.decode(errors="replace").strip().splitlines() or ["no audio"])[-1]
        raise EngineError(f"espeak-ng could not speak {text[:40]!r}: {last_problem}")

    def voices(self) -> list[VoiceInfo]:
        result = subprocess.run([self._command[0], "--voices"], capture_output=True, text=True, check=False)
        voices = []
        for line in result.stdout.splitlines()[1:]:
            fields = line.split()
            if len(fields) >= 5:
                voices.append(VoiceInfo(id=fields[1], name=fields[3], languages=(fields[1],)))
        return voices

    def close(self) -> None:
        pass


def create(settings: VoiceSettings) -> EspeakEngine:
    executable = shutil.which("espeak-ng") or shutil.which("espeak")
    if executable is None:
        raise EngineError("espeak: espeak-ng is not installed (Debian/Ubuntu: apt-get install espeak-ng)")
    if settings.voice:
        _check_voice(executable, settings.voice)
    return EspeakEngine(settings, executable)


def _check_voice(executable: str, voice: str) -> None:
    """espeak-ng exits 0 with no audio for an unknown voice, so ask it to say one letter first."""
    result = subprocess.run([executable, "--stdout", "-v", voice, "--", "a"], capture_output=True,
                            timeout=TIMEOUT_S, check=False)
    if len(result.stdout) <= 44:
        raise UsageError(f"espeak: no voice {voice!r} (see 'briefing voices')")
