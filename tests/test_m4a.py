"""M4A episodes (AAC in MP4) pass the MP3's checks: `briefing make` with ``[channel] audio = "m4a"`` and the
classic voice, the audio decoded by ffmpeg, chapters read by ffprobe, cover and tags read by mutagen,
the feed's enclosure, the server's content type, the page, and a byte-identical download by gPodder."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import pytest
from helpers import (
    Published,
    decode_pcm,
    ffprobe_json,
    pcm_duration,
    requires_espeak,
    requires_ffmpeg,
    run_cli,
)
from publishing import free_port, gpo, require_debian_packages, wait_for_port
from briefing.library.sidefiles import side_path

pytestmark = [pytest.mark.slow, requires_ffmpeg, requires_espeak]

CHAPTER_TOLERANCE_S = 0.05


@pytest.fixture(scope="module")
def published(published_m4a: Published) -> Published:
    return published_m4a


@pytest.fixture(scope="module")
def pcm(published: Published) -> bytes:
    return decode_pcm(published.audio)


# --- the audio stream ---------------------------------------------------------------------------------


def test_m4a_is_mono_aac_in_an_m4a_file(published: Published) -> None:
    probed = ffprobe_json(published.audio, "-show_streams", "-show_format")
    audio = [stream for stream in probed["streams"] if stream["codec_type"] == "audio"]
    assert len(audio) == 1
    assert audio[0]["codec_name"] == "aac" and audio[0]["profile"] == "LC"
    assert audio[0]["channels"] == 1 and int(audio[0]["sample_rate"]) == 44100
    assert 64_000 <= int(audio[0]["bit_rate"]) <= 128_000
    assert probed["format"]["tags"]["major_brand"].strip() == "M4A"
    assert not list(published.library.glob("episodes/*.mp3"))


def test_the_index_comes_first_so_players_start_before_the_download_ends(published: Published) -> None:
    head = published.audio.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_decoded_duration_matches_the_timing_file(published: Published, pcm: bytes) -> None:
    last = [segment for section in published.sections() for segment in section["segments"]][-1]
    expected = last["end"] + last["pause_after_ms"] / 1000
    assert abs(pcm_duration(pcm) - expected) <= 0.2, (pcm_duration(pcm), expected)
    assert abs(pcm_duration(pcm) - published.timing["duration"]) <= 0.1


# --- chapters, cover, tags --------------------------------------------------------------------------------


def test_chapters_read_by_ffprobe_start_at_each_section_within_50_ms(published: Published) -> None:
    import json

    chapters = ffprobe_json(published.audio, "-show_chapters")["chapters"]
    sections = published.sections()
    assert len(chapters) == len(sections) >= 4
    assert float(chapters[0]["start_time"]) == 0.0
    for chapter, section in zip(chapters[1:], sections[1:]):
        assert abs(float(chapter["start_time"]) - section["segments"][0]["start"]) <= CHAPTER_TOLERANCE_S, chapter
    for before, after in pairwise(chapters):
        assert before["end_time"] == after["start_time"]
    assert abs(float(chapters[-1]["end_time"]) - published.timing["duration"]) <= CHAPTER_TOLERANCE_S
    listed = json.loads(published.side(".chapters.json").read_text(encoding="utf-8"))["chapters"]
    assert [chapter["tags"]["title"] for chapter in chapters] == [chapter["title"] for chapter in listed]


def test_chapters_are_also_read_by_mutagen(published: Published) -> None:
    from mutagen.mp4 import MP4

    chapters = MP4(published.audio).chapters
    assert chapters is not None
    starts = [section["segments"][0]["start"] for section in published.sections()[1:]]
    assert len(chapters) == len(starts) + 1
    for chapter, start in zip(list(chapters)[1:], starts):
        assert abs(chapter.start - start) <= CHAPTER_TOLERANCE_S


def test_the_cover_png_is_embedded_as_the_attached_picture(published: Published) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    streams = ffprobe_json(published.audio, "-show_streams")["streams"]
    pictures = [stream for stream in streams if stream["disposition"].get("attached_pic") == 1]
    assert len(pictures) == 1 and pictures[0]["codec_name"] == "png"
    assert pictures[0]["width"] == pictures[0]["height"] >= 1400
    covers = MP4(published.audio).tags["covr"]
    assert len(covers) == 1 and covers[0].imageformat == MP4Cover.FORMAT_PNG
    assert bytes(covers[0]) == published.side(".png").read_bytes()


def test_tags_name_the_title_briefing_the_channel_and_a_date(published: Published) -> None:
    from mutagen.mp4 import MP4

    tags = MP4(published.audio).tags
    assert tags["©nam"] == [published.timing["title"]]
    assert tags["©ART"] == ["briefing"]
    assert tags["©alb"] == ["Briefing"]
    assert tags["©gen"] == ["Podcast"]
    assert len(tags["©day"][0]) == 10 and tags["©day"][0][4] == "-"


# --- feed, page, server, a podcast app ---------------------------------------------------------------------


def test_feed_enclosure_is_audio_mp4_with_the_file_length(published: Published) -> None:
    item = ET.parse(published.library / "feed.xml").getroot().find("channel/item")
    assert item is not None
    enclosure = item.find("enclosure")
    assert enclosure is not None
    assert enclosure.get("type") == "audio/mp4"
    assert enclosure.get("url", "").endswith(published.audio.name)
    assert int(enclosure.get("length", "0")) == published.audio.stat().st_size


def test_page_offers_the_m4a_for_download(published: Published) -> None:
    page = (published.library / "index.html").read_text(encoding="utf-8")
    assert f'src="episodes/{published.audio.name}"' in page
    assert 'type="audio/mp4" download>Download M4A</a>' in page


def test_server_serves_m4a_as_audio_mp4_and_gpodder_downloads_it_byte_for_byte(published: Published,
                                                                              tmp_path: Path) -> None:
    require_debian_packages(["gpo"], ["gpodder"])
    port = free_port()
    command = [sys.executable, "-m", "briefing", "serve", "--library", str(published.library), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, server)
        base = f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(base + "episodes/" + published.audio.name, timeout=10) as response:
            assert response.headers["Content-Type"] == "audio/mp4"
            assert response.read() == published.audio.read_bytes()
        gpo(tmp_path, "subscribe", base + "feed.xml")  # reads the feed: no update needed before downloading
        gpo(tmp_path, "download")
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=15)
    downloaded = list((tmp_path / "downloads").rglob("*.m4a"))
    assert [path.name for path in downloaded] == [published.audio.name]
    assert downloaded[0].read_bytes() == published.audio.read_bytes()


# --- choosing the format -----------------------------------------------------------------------------------


def test_audio_option_writes_an_m4a_named_by_the_format(example_article: Path, tmp_path: Path) -> None:
    made = run_cli(["make", example_article, "--voice", "classic", "--max-words", "40", "--audio", "m4a",
                    "--no-publish", "--library", tmp_path / "library", "-q"], home=tmp_path)
    assert made.returncode == 0, made.stderr
    [audio] = list((tmp_path / "library").glob("*.m4a"))
    assert ffprobe_json(audio, "-show_streams", "-select_streams", "a:0")["streams"][0]["codec_name"] == "aac"
    assert side_path(audio, "timing").is_file() and not list((tmp_path / "library").glob("*.mp3"))


def test_output_suffix_chooses_the_format_and_a_contradicting_one_is_refused(example_article: Path,
                                                                               tmp_path: Path) -> None:
    by_name = run_cli(["make", example_article, "--voice", "classic", "--max-words", "40", "--no-publish",
                       "-o", tmp_path / "named.m4a", "-q"], home=tmp_path)
    assert by_name.returncode == 0, by_name.stderr
    assert ffprobe_json(tmp_path / "named.m4a", "-show_streams", "-select_streams", "a:0")["streams"][0][
        "codec_name"] == "aac"
    refused = run_cli(["make", example_article, "--voice", "classic", "--audio", "m4a", "--no-publish",
                       "-o", tmp_path / "wrong.mp3"], home=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.count("\n") == 1 and "wrong.mp3" in refused.stderr and "m4a" in refused.stderr
    assert not (tmp_path / "wrong.mp3").exists()


def test_an_unknown_channel_audio_format_is_a_settings_error(example_article: Path, tmp_path: Path) -> None:
    (tmp_path / "briefing.toml").write_text('[channel]\naudio = "ogg"\n', encoding="utf-8")
    refused = run_cli(["make", example_article, "--voice", "classic", "--library", tmp_path], home=tmp_path)
    assert refused.returncode == 2
    assert "channel.audio must be one of: mp3, m4a" in refused.stderr and refused.stderr.count("\n") == 1


# --- the format module on its own -----------------------------------------------------------------------------


def test_make_episode_in_python_publishes_an_m4a(example_article: Path, tmp_path: Path) -> None:
    import briefing

    made = briefing.make_episode(str(example_article), briefing.MakeOptions(
        max_words=40, voice="classic", audio="m4a", library=tmp_path / "library"))
    assert made.episode is not None and made.episode.audio_path.endswith(".m4a")
    assert made.audio == tmp_path / "library" / made.episode.audio_path
    assert ffprobe_json(made.audio, "-show_streams", "-select_streams", "a:0")["streams"][0]["codec_name"] == "aac"


def test_tags_with_metadata_syntax_and_controls_survive_and_writing_again_replaces_them(tmp_path: Path) -> None:
    from mutagen.mp4 import MP4
    from pydub import AudioSegment
    from pydub.generators import Sine

    from briefing.audio import formats
    from briefing.audio.assemble import Assembler
    from briefing.audio.chapters import Chapter
    from briefing.audio.cover import make_cover
    from briefing.audio.engines.base import Speech
    from briefing.model import Segment

    path, cover = tmp_path / "tone.m4a", make_cover("Tone", "Today", tmp_path / "cover.png")
    tone: AudioSegment = Sine(440).to_audio_segment(duration=4000, volume=-20).set_channels(1).set_sample_width(2)
    awkward = "Rates = 5%; #1 \\ back\x1b[31m\nslash"
    chapters = (Chapter(awkward, 0.0, 1.5), Chapter("Close", 1.5, 4.0))
    assembler = Assembler(tone.frame_rate)
    assembler.add_speech(Segment("Tone", None, 0), Speech(tone.raw_data, tone.frame_rate))
    episode = assembler.finish()  # the tone after the lead-in
    formats.encode(episode, path, 0.0, formats.output_format("m4a"))
    formats.output_format("m4a").write_tags(path, formats.Tags(title=awkward, chapters=chapters, cover=cover))
    tags = MP4(path).tags
    assert tags["©nam"] == ["Rates = 5%; #1 \\ back slash"]
    assert [chapter["tags"]["title"] for chapter in ffprobe_json(path, "-show_chapters")["chapters"]] == [
        "Rates = 5%; #1 \\ back slash", "Close"]

    formats.output_format("m4a").write_tags(path, formats.Tags(title="Again", chapters=(Chapter("Only", 0.0, 4.0),)))

    assert MP4(path).tags["©nam"] == ["Again"] and "covr" not in MP4(path).tags
    assert [chapter["tags"]["title"] for chapter in ffprobe_json(path, "-show_chapters")["chapters"]] == ["Only"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert abs(pcm_duration(decode_pcm(path)) - episode.duration_s) < 0.05
