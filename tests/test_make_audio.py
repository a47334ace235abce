"""`briefing make` on the example, rendered once (session fixture) with the real engine and ffmpeg: the MP3
as a listener's player decodes it, its pauses, loudness, tags, chapters, transcript, cover and side files."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import (
    EXAMPLE_MAX_WORDS,
    FIXTURES,
    Render,
    decode_pcm,
    ffprobe_json,
    files_in,
    pcm_duration,
    requires_ffmpeg,
    run_cli,
    window_dbfs,
)

from briefing.cli import main
from briefing.library.sidefiles import side_path

pytestmark = [pytest.mark.slow, requires_ffmpeg]



@pytest.fixture(scope="module")
def pcm(rendered_example: Render) -> bytes:
    return decode_pcm(rendered_example.mp3)


def vtt_seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


# --- the audio stream ---------------------------------------------------------------------------------


def test_mp3_is_mono_mp3_at_a_podcast_rate_and_bitrate(rendered_example: Render) -> None:
    stream = ffprobe_json(rendered_example.mp3, "-show_streams", "-select_streams", "a:0")["streams"][0]
    assert stream["codec_name"] == "mp3"
    assert stream["channels"] == 1
    assert int(stream["sample_rate"]) in (44100, 48000)
    assert 64_000 <= int(stream["bit_rate"]) <= 128_000


def test_decoded_duration_matches_the_last_segment_end_plus_its_pause(rendered_example: Render, pcm: bytes) -> None:
    last = rendered_example.segments()[-1]
    expected = last["end"] + last["pause_after_ms"] / 1000
    assert abs(pcm_duration(pcm) - expected) <= 0.2, (pcm_duration(pcm), expected)


def test_segment_times_are_ordered_and_leave_each_planned_pause(rendered_example: Render) -> None:
    segments = rendered_example.segments()
    for before, after in pairwise(segments):
        assert before["start"] < before["end"] <= after["start"]
        assert after["start"] - before["end"] >= before["pause_after_ms"] / 1000 - 0.001


# --- tags, chapters, cover --------------------------------------------------------------------------------


def test_id3_tags_name_the_title_briefing_and_a_date(rendered_example: Render) -> None:
    from mutagen.id3 import ID3

    tags = ID3(rendered_example.mp3)
    assert str(tags["TIT2"]) == rendered_example.timing["title"] == "Ukrainian forces outnumbered Russians by eight to one"
    assert str(tags["TPE1"]) == "briefing"
    assert str(tags["TALB"]) == "Briefing"  # the channel's title ([channel] title), by default "Briefing"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(tags["TDRC"]))


def test_chapters_read_by_ffprobe_start_at_each_section(rendered_example: Render) -> None:
    chapters = ffprobe_json(rendered_example.mp3, "-show_chapters")["chapters"]
    sections = rendered_example.timing["sections"]
    assert len(chapters) == len(sections)
    assert float(chapters[0]["start_time"]) == 0.0
    for chapter, section in zip(chapters[1:], sections[1:]):
        assert abs(float(chapter["start_time"]) - section["segments"][0]["start"]) <= 0.05, chapter


def test_cover_png_is_written_and_embedded(rendered_example: Render) -> None:
    from mutagen.id3 import ID3
    from PIL import Image

    cover = rendered_example.side(".png")
    with Image.open(cover) as image:
        assert image.format == "PNG"
        assert image.width == image.height >= 1400
    pictures = ID3(rendered_example.mp3).getall("APIC")
    assert len(pictures) == 1
    assert pictures[0].mime == "image/png"
    assert pictures[0].data == cover.read_bytes()
    attached = ffprobe_json(rendered_example.mp3, "-show_streams")["streams"]
    assert any(stream["disposition"].get("attached_pic") == 1 for stream in attached)


# --- side files ----------------------------------------------------------------------------------------------


def test_transcript_vtt_parses_and_ends_with_the_audio(rendered_example: Render, pcm: bytes) -> None:
    import webvtt

    captions = webvtt.read(str(rendered_example.side(".vtt"))).captions
    segments = rendered_example.segments()
    assert len(captions) == len(segments)
    for caption, segment in zip(captions, segments):
        assert abs(vtt_seconds(caption.start) - segment["start"]) <= 0.01
    # The last cue ends where the last sentence does; the audio goes on for that sentence's pause.
    assert abs(vtt_seconds(captions[-1].end) - pcm_duration(pcm)) <= segments[-1]["pause_after_ms"] / 1000 + 0.01


def test_timing_json_is_the_script_json_with_times_on_every_segment(rendered_example: Render) -> None:
    timing, script = rendered_example.timing, rendered_example.script_json
    assert timing["title"] == script["title"]
    assert len(timing["sections"]) == len(script["sections"])
    for timed, planned in zip(timing["sections"], script["sections"]):
        assert (timed["kind"], timed["heading"]) == (planned["kind"], planned["heading"])
        assert len(timed["segments"]) == len(planned["segments"])
        for timed_segment, planned_segment in zip(timed["segments"], planned["segments"]):
            assert set(timed_segment) == set(planned_segment) | {"start", "end"}
            assert {key: timed_segment[key] for key in planned_segment} == planned_segment
            assert isinstance(timed_segment["start"], float) and isinstance(timed_segment["end"], float)


def test_text_file_is_the_script_in_the_articles_wording(rendered_example: Render, example_article: Path) -> None:
    printed = CliRunner().invoke(main, ["script", str(example_article), "--json", "--max-words", str(EXAMPLE_MAX_WORDS)])
    assert printed.exit_code == 0
    blocks = []
    for section in json.loads(printed.stdout)["sections"]:
        marker = f"[{section['kind']}]" + (f" {section['heading']}" if section["heading"] else "")
        blocks.append("\n".join([marker, *(segment["display"] for segment in section["segments"])]))
    text = rendered_example.side(".txt").read_text(encoding="utf-8")
    assert text == "\n\n".join(blocks) + "\n"
    assert "the BBC" in text and "B.B.C" not in text and "T.V" not in text  # served: people read it


def test_output_folder_holds_the_mp3_and_its_side_files_and_no_temporary_files(rendered_example: Render) -> None:
    name = rendered_example.mp3.name  # side files are named after the whole audio name
    assert files_in(rendered_example.folder) == sorted(
        [name] + [f"{name}{suffix}" for suffix in (".json", ".txt", ".vtt", ".chapters.json", ".png")]
    )


def test_make_prints_one_summary_line_and_nothing_from_the_engine(rendered_example: Render) -> None:
    assert "Audio saved to" not in rendered_example.stdout + rendered_example.stderr
    assert re.fullmatch(rf"{re.escape(str(rendered_example.mp3))}  \(\d+:\d\d, \d+ sentences\)\n", rendered_example.stdout)


def test_quiet_make_prints_nothing_and_still_writes_the_mp3(tmp_path: Path) -> None:
    mp3 = tmp_path / "out" / "bins.mp3"
    result = run_cli(["make", FIXTURES / "bin-collections.txt", "--max-words", "20", "--no-publish", "--quiet",
                      "-o", mp3], home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert mp3.stat().st_size > 0
    assert json.loads(side_path(mp3, "timing").read_text())["sections"][1]["segments"][0]["source"] == 0


def _gap_before_second_section_dbfs(mp3: Path) -> float:
    """The loudest 10 ms in the gap between the intro's last word and the next section's first."""
    sections = json.loads(side_path(mp3, "timing").read_text())["sections"]
    gap_start, gap_end = sections[0]["segments"][-1]["end"], sections[1]["segments"][0]["start"]
    levels = window_dbfs(decode_pcm(mp3))
    return max(levels[int(gap_start * 100) + 5 : int(gap_end * 100) - 5])


def test_chime_sounds_at_a_section_start_only_when_asked(tmp_path: Path) -> None:
    plain, chimed = tmp_path / "plain.mp3", tmp_path / "chimed.mp3"
    for mp3, extra in ((plain, []), (chimed, ["--chime"])):
        result = run_cli(["make", FIXTURES / "bin-collections.txt", "--max-words", "20", "--no-publish", "-q",
                          "-o", mp3, *extra], home=tmp_path)
        assert result.returncode == 0, result.stderr
    assert _gap_before_second_section_dbfs(plain) < -50
    assert _gap_before_second_section_dbfs(chimed) > -40
