"""Speaking in worker processes: same order, same number of clips, and safe after the engine ran in-process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    from briefing.audio.engines import VoiceSettings
    from briefing.audio.speak import speak_all

    if __name__ == "__main__":
        settings = VoiceSettings(voice="en-gb", rate=165)
        texts = [f"Story number {n} is about the council budget." for n in range(12)]
        texts[5] = "A much longer sentence, about the harbour bridge, the ferry timetable and the new bus lanes."
        alone = [clip.duration_s for clip in speak_all(texts, "pyttsx3", settings, workers=1)]
        shared = [clip.duration_s for clip in speak_all(texts, "pyttsx3", settings, workers=2)]
        print(len(alone), len(shared), max(range(12), key=lambda n: shared[n]))
""")


def test_workers_return_every_clip_in_order_even_after_speaking_in_process(tmp_path) -> None:
    script = tmp_path / "speak_twice.py"
    script.write_text(SCRIPT, encoding="utf-8")
    # A forked worker would inherit the in-process engine's locked state and hang: the timeout catches it.
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["12", "12", "5"]


def test_settings_an_engine_refuses_fail_before_any_worker_starts() -> None:
    import pytest

    from briefing.audio.engines import VoiceSettings
    from briefing.errors import BriefingError
    from briefing.audio.speak import speak_all

    with pytest.raises(BriefingError, match="nonexistent-xx"):
        list(speak_all(["One.", "Two.", "Three."], "espeak", VoiceSettings(voice="nonexistent-xx"), workers=2))
