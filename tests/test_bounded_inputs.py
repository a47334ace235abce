"""Bounded on every path (issue 25): titles, settings, system files and speech workers after a failure."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers import daily, requires_espeak, write_article, write_config

from briefing.config import SettingsError, load_config
from briefing.errors import InputError, UsageError
from briefing.readers import parse, read_regular_file
from briefing.system.textsafety import MAX_HEADLINE_CHARS, headline
from briefing.voices import load_profile

REPO = Path(__file__).resolve().parents[1]


# ---- titles ------------------------------------------------------------------------------------------

def test_a_nine_megabyte_title_becomes_a_headline_at_a_word() -> None:
    started = time.process_time()
    title = headline("storm " * 1_500_000)
    assert time.process_time() - started < 5
    assert len(title) <= MAX_HEADLINE_CHARS and title.endswith("storm")


def test_a_flood_of_tags_is_not_a_headline_but_a_comparison_is_kept() -> None:
    assert headline("<b>" * 50_000 + "Storm closes the bridge") == "Storm closes the bridge"
    assert headline("<b>" * 50_000) == ""
    assert headline("Rates: 3 < 4 > 2 \t and\nmore") == "Rates: 3 < 4 > 2 and more"


def test_a_reader_title_is_bounded_whatever_the_format() -> None:
    article = parse('{"title": "%s", "paragraphs": ["The council met on Monday. It agreed a plan."]}'
                    % ("word " * 8000), "t.json")
    assert article.title is not None and len(article.title) <= MAX_HEADLINE_CHARS


# ---- settings ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "named"), [
    ("[pauses]\nsentence_ms = 2000000000\n", "sentence_ms"),
    ("[pauses]\nsection_ms = -1\n", "section_ms"),
    ("rate = 1000000\n", "rate"),
    ("rate = 20\n", "rate"),
    ("pitch = 500\n", "pitch"),
])
def test_a_voice_setting_out_of_range_is_a_one_line_error(tmp_path: Path, body: str, named: str) -> None:
    (tmp_path / "v.toml").write_text('engine = "espeak"\n' + body, encoding="utf-8")
    with pytest.raises(UsageError, match=named) as raised:
        load_profile(str(tmp_path / "v.toml"))
    assert "\n" not in raised.value.message


def test_every_shipped_profile_is_within_range() -> None:
    for name in ("default", "british", "american", "classic", "hibari", "piper-joe"):
        assert load_profile(name).pauses.section_ms <= 10_000


@pytest.mark.parametrize("nested", ["a = " + "[" * 100_000 + "]" * 100_000,
                                    "a = " + "{b = " * 100_000 + "1" + "}" * 100_000])
def test_settings_nested_100000_deep_are_a_one_line_error(tmp_path: Path, nested: str) -> None:
    (tmp_path / "briefing.toml").write_text(nested + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="nested too deeply|not valid TOML") as raised:
        load_config(tmp_path)
    assert "\n" not in raised.value.message


def test_a_fifo_as_settings_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "briefing.toml")
    with pytest.raises(SettingsError, match="not a regular file"):
        load_config(tmp_path)


# ---- sources -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/proc/self/status", "/proc/cpuinfo"])
def test_a_file_the_system_generates_is_not_an_article(path: str) -> None:
    if not Path(path).exists():
        pytest.skip(f"{path} is not on this system")
    with pytest.raises(InputError, match="the system generates"):
        read_regular_file(Path(path))


# ---- speech workers after a failure ------------------------------------------------------------------

@requires_espeak
def test_a_failure_while_clips_are_read_ends_the_run_and_its_workers_leave_nothing(tmp_path: Path) -> None:
    # The case: assembly fails (numpy could not allocate) while workers still have texts to send.
    child = textwrap.dedent("""
        from briefing.audio.engines import VoiceSettings
        from briefing.audio.speak import speak_all

        clips = speak_all(["A sentence the engine speaks for a while."] * 60, "espeak", VoiceSettings(voice="en-gb"), 2)
        next(clips)
        raise MemoryError("Unable to allocate 82.1 GiB")
    """)
    environment = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", child], env=environment, capture_output=True, text=True,
                            timeout=60)  # before the fix: waited for its workers forever
    assert result.returncode == 1 and "MemoryError" in result.stderr
    # A worker still finishing its sentence when the run ended removes its own folder once it has: on a
    # busy machine that can be a moment after the run's process is gone. Left for good is the failure.
    deadline = time.monotonic() + 20
    while list(tmp_path.glob("briefing-engine*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(tmp_path.glob("briefing-engine*"))


@requires_espeak
def test_workers_of_a_killed_run_end_and_remove_their_folders(tmp_path: Path) -> None:
    child = textwrap.dedent("""
        import sys
        from briefing.audio.engines import VoiceSettings
        from briefing.audio.speak import SpeechPool, speak_all

        pool = SpeechPool("espeak", VoiceSettings(voice="en-gb"), 2)
        print(" ".join(str(worker.process.pid) for worker in pool._workers), flush=True)
        sys.stdin.read()
    """)
    environment = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    parent = subprocess.Popen([sys.executable, "-c", child], env=environment, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (any(_alive(pid) for pid in workers)
                                           or list(tmp_path.glob("briefing-engine*"))):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    assert not list(tmp_path.glob("briefing-engine*"))


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# ---- a story the script stage cannot handle ----------------------------------------------------------

@requires_espeak
@pytest.mark.slow
def test_a_story_daily_cannot_script_is_rejected_and_remembered(tmp_path: Path, monkeypatch) -> None:

    from briefing.library.store import Library
    from briefing.text.speech import lexicon

    library = tmp_path / "library"
    inbox = library / "inbox"
    inbox.mkdir(parents=True)
    write_config(library, 'inbox = "inbox"')
    write_article(inbox, 1)
    (inbox / "story-02.txt").write_text(
        "Zorblat the robot opens the science fair\n\nA talking robot called Zorblat opened the town's science "
        "fair on Saturday, greeting four hundred pupils.\n\nTeachers said the pupils queued for an hour.\n")
    respell = lexicon.Lexicon.respell

    def failing_on_one_story(self, text: str) -> str:  # stands for any bug a story's text may run into
        if "Zorblat" in text:
            raise KeyError("Zorblat")
        return respell(self, text)

    monkeypatch.setattr(lexicon.Lexicon, "respell", failing_on_one_story)
    first = daily(library, "--date", "2026-11-25", "--minutes", "0.5", "--voice", "british")
    assert first.exit_code == 3, first.output
    assert "story-02.txt" in first.stderr and "could not be made" in first.stderr
    key = "sha256:" + hashlib.sha256((inbox / "story-02.txt").read_bytes()).hexdigest()
    with Library.open(library) as opened:
        assert opened.seen_keys([key]) == {key}, "not remembered"
    second = daily(library, "--date", "2026-11-26", "--minutes", "0.5", "--voice", "british")
    assert "story-02.txt" not in second.stderr  # not read again, so it fails no other day
