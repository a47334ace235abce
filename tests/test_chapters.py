import html
import json
import subprocess
from pathlib import Path

import pytest
import webvtt
from helpers import SILENT_MP3_SECONDS, requires_ffmpeg
from mutagen.id3 import ID3, CTOCFlags

from briefing.audio.chapters import (
    Chapter,
    chapter_list,
    chapters_json_text,
    read_sources,
    vtt_text,
    vtt_timestamp,
)
from briefing.audio import chapters as chapters_module
from briefing.audio.formats.mp3 import write_id3_chapters
from briefing.model import Script, Section, Segment

DURATION = SILENT_MP3_SECONDS
LONG_SENTENCE = (
    "The council said the new lanes would run from the station to the university campus, "
    "with work starting in the spring and finishing before the autumn term."
)


def seg(text: str, start: float, end: float) -> Segment:
    return Segment(text=text, source=None, pause_after_ms=300, start=start, end=end)


@pytest.fixture
def script() -> Script:
    return Script(
        title="Council approves cycle lanes",
        date="2025-05-12",
        sections=[
            Section("intro", None, [seg("Good morning.", 0.25, 1.1), seg("This is your briefing.", 1.4, 2.6)]),
            Section("lede", None, [seg("The council approved new cycle lanes.", 3.0, 4.8)]),
            Section("analysis", "Analysis", []),
            Section("story", "Zürich & the <plan>", [
                seg("Costs rose 5% & delays were < a month.", 5.2, 6.9),
                seg(LONG_SENTENCE, 7.1, 9.3456),
                seg("Residents -> pleased.", 9.6, 10.2),
            ]),
            Section("outro", None, [seg("That was your briefing.", 10.5, 11.6)]),
        ],
    )


def test_chapter_list_has_one_chapter_per_spoken_section_with_titles(script):
    chapters = chapter_list(script, DURATION)

    assert [c.title for c in chapters] == ["Introduction", "Headline", "Zürich & the <plan>", "Close"]


def test_chapters_run_from_zero_to_duration_without_gaps(script):
    chapters = chapter_list(script, DURATION)

    assert chapters[0].start_s == 0.0
    assert [c.start_s for c in chapters[1:]] == [3.0, 5.2, 10.5]
    assert all(a.end_s == b.start_s for a, b in zip(chapters, chapters[1:]))
    assert chapters[-1].end_s == DURATION


def test_default_titles_for_sections_without_heading():
    sections = [Section(kind, None, [seg("x", i, i + 0.5)]) for i, kind in
                enumerate(["lede", "story", "analysis", "headlines"])]

    titles = [c.title for c in chapter_list(Script("t", sections), 5.0)]

    assert titles == ["Headline", "The story", "Analysis", "Headlines"]


def test_unrendered_script_is_rejected():
    script = Script("t", [Section("intro", None, [Segment("Hello.", None, 0)])])

    with pytest.raises(ValueError, match="not been rendered"):
        chapter_list(script, 1.0)


@requires_ffmpeg
def test_id3_chapters_read_back_by_mutagen(mp3, script):
    chapters = chapter_list(script, DURATION)

    write_id3_chapters(mp3, chapters)

    tags = ID3(mp3)
    assert tags.version[:2] == (2, 3)
    assert tags["TIT2"].text == ["Cycle lanes"]  # existing tags survive
    frames = sorted(tags.getall("CHAP"), key=lambda f: f.element_id)
    assert [f.element_id for f in frames] == ["chp0", "chp1", "chp2", "chp3"]
    assert [f.sub_frames["TIT2"].text[0] for f in frames] == [c.title for c in chapters]
    assert [f.start_time for f in frames] == [0, 3000, 5200, 10500]
    assert [f.end_time for f in frames] == [3000, 5200, 10500, 12000]
    toc = tags.getall("CTOC")[0]
    assert toc.element_id == "toc"
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2", "chp3"]


def ffprobe_chapters(path: Path) -> list[dict]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(result.stdout)["chapters"]


@requires_ffmpeg
def test_id3_chapters_read_back_by_ffprobe_in_time_order(mp3, script):
    write_id3_chapters(mp3, chapter_list(script, DURATION))

    probed = ffprobe_chapters(mp3)

    section_starts = [0.0, 3.0, 5.2, 10.5]
    assert [c["tags"]["title"] for c in probed] == ["Introduction", "Headline", "Zürich & the <plan>", "Close"]
    for chapter, expected in zip(probed, section_starts, strict=True):
        assert abs(float(chapter["start_time"]) - expected) < 0.05
    assert abs(float(probed[-1]["end_time"]) - DURATION) < 0.05


@requires_ffmpeg
def test_writing_chapters_again_replaces_them(mp3, script):
    write_id3_chapters(mp3, chapter_list(script, DURATION))
    write_id3_chapters(mp3, [Chapter("Only", 0.0, DURATION)])

    tags = ID3(mp3)
    assert [f.element_id for f in tags.getall("CHAP")] == ["chp0"]
    assert tags.getall("CTOC")[0].child_element_ids == ["chp0"]
    assert [c["tags"]["title"] for c in ffprobe_chapters(mp3)] == ["Only"]


def test_vtt_has_one_cue_per_segment_at_segment_times(tmp_path, script):
    path = tmp_path / "episode.vtt"

    path.write_text(vtt_text(script), encoding="utf-8")

    cues = webvtt.read(str(path), strict=True).captions
    segments = script.segments()
    assert len(cues) == len(segments)
    for cue, segment in zip(cues, segments):
        assert cue.start_time.in_milliseconds() == round(segment.start * 1000)
        assert cue.end_time.in_milliseconds() == round(segment.end * 1000)
        assert cue.voice is None and "<v" not in cue.raw_text
        assert html.unescape(cue.text.replace("\n", " ")) == segment.display
    assert cues[-1].end == "00:00:11.600"


def test_vtt_escapes_markup_characters(tmp_path, script):
    path = tmp_path / "episode.vtt"

    path.write_text(vtt_text(script), encoding="utf-8")

    raw = path.read_text(encoding="utf-8")
    assert raw.startswith("WEBVTT\n\n")
    assert "Costs rose 5% &amp; delays were &lt; a month." in raw
    assert "Residents -&gt; pleased." in raw
    assert raw.count("-->") == len(script.segments())


def test_vtt_wraps_long_sentences_on_two_lines(tmp_path, script):
    path = tmp_path / "episode.vtt"

    path.write_text(vtt_text(script), encoding="utf-8")

    cue = webvtt.read(str(path), strict=True).captions[4]
    lines = cue.text.split("\n")
    assert len(lines) == 2
    assert all(len(line) <= 90 for line in lines)
    assert cue.end == "00:00:09.346"


def test_vtt_timestamp_beyond_an_hour():
    assert vtt_timestamp(3725.0629) == "01:02:05.063"


def test_chapters_json_follows_podcasting_2_format(tmp_path, script):
    path = tmp_path / "chapters.json"

    path.write_text(chapters_json_text(chapter_list(script, DURATION), "Council approves cycle lanes"), encoding="utf-8")

    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["version"] == "1.2.0"
    assert document["title"] == "Council approves cycle lanes"
    starts = [c["startTime"] for c in document["chapters"]]
    assert starts == sorted(starts) == [0.0, 3.0, 5.2, 10.5]
    assert document["chapters"][-1]["endTime"] == DURATION
    assert document["chapters"][2]["title"] == "Zürich & the <plan>"


def test_writes_leave_no_temporary_files(tmp_path, script):
    (tmp_path / "episode.vtt").write_text(vtt_text(script), encoding="utf-8")
    (tmp_path / "chapters.json").write_text(chapters_json_text(chapter_list(script, DURATION), "t"), encoding="utf-8")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["chapters.json", "episode.vtt"]


@requires_ffmpeg
def test_chapters_are_added_to_an_mp3_without_tags(tmp_path):
    bare = tmp_path / "bare.mp3"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=2", "-write_id3v2", "0",
         "-write_xing", "0", str(bare)],
        check=True,
    )

    write_id3_chapters(bare, [Chapter("Introduction", 0.0, 1.0), Chapter("Close", 1.0, 2.0)])

    assert [c["tags"]["title"] for c in ffprobe_chapters(bare)] == ["Introduction", "Close"]


def test_an_analysis_chapter_named_after_a_byline_reads_as_analysis_by_its_correspondent():
    from briefing.audio.chapters import chapter_title

    section = Section("analysis", "By Hugo Bachega, BBC News, Kyiv", [])
    assert chapter_title(section) == "Analysis: Hugo Bachega, BBC News, Kyiv"
    assert chapter_title(Section("analysis", None, [])) == "Analysis"


def test_read_sources_reads_a_chapters_file_once_and_again_when_it_is_written_again(tmp_path, monkeypatch):
    def write(url: str) -> None:
        chapters = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"},
                                                     {"startTime": 4, "title": "Harbour", "url": url}]}
        temporary = tmp_path / "episodes" / ".new.tmp"
        temporary.write_text(json.dumps(chapters), encoding="utf-8")
        temporary.replace(tmp_path / "episodes" / "day.chapters.json")  # as the library writes: a new file

    (tmp_path / "episodes").mkdir()
    write("https://news.example/harbour")
    first = read_sources(tmp_path, "episodes/day.chapters.json")
    with monkeypatch.context() as patched:  # no file can be opened now: only a remembered answer
        patched.setattr(chapters_module, "open", lambda *args, **kwargs: 1 / 0, raising=False)
        again = read_sources(tmp_path, "episodes/day.chapters.json")
    write("https://news.example/harbour-update")

    assert first == again == [("Harbour", "https://news.example/harbour")]
    assert read_sources(tmp_path, "episodes/day.chapters.json") == [("Harbour", "https://news.example/harbour-update")]
    assert read_sources(tmp_path, "episodes/missing.chapters.json") == []
