"""The speech cache: same engine, settings and text give the stored clip back; anything else misses; the
cap evicts the least recently used; damaged or vanishing clips are misses, never errors."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers import requires_espeak

from briefing.audio.cache import EncodedPieces, RenderCache, open_cache
from briefing.config import load_config
from briefing.audio.engines import Speech, VoiceSettings
from briefing.audio.speak import speak_all

SETTINGS = VoiceSettings(voice="en-gb", rate=165)


def clip(size: int = 1000) -> Speech:
    return Speech(os.urandom(size * 2), 22050)


def test_a_stored_clip_comes_back_for_the_same_key_only(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, 10_000_000)
    key = cache.key("espeak", SETTINGS, "Hello there.", 500)
    stored = clip()
    cache.put(key, stored)
    assert cache.get(key) == stored
    assert key != cache.key("espeak", VoiceSettings(voice="en-gb", rate=170), "Hello there.", 500)
    assert key != cache.key("pyttsx3", SETTINGS, "Hello there.", 500)
    assert key != cache.key("espeak", SETTINGS, "Hello there!", 500)
    assert cache.get(cache.key("espeak", SETTINGS, "Hello there!", 500)) is None


def test_a_truncated_or_foreign_file_is_a_miss(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, 10_000_000)
    key = cache.key("espeak", SETTINGS, "Hello.", 500)
    cache.put(key, clip())
    path = next(tmp_path.glob("speech/*/*.pcm"))
    path.write_bytes(path.read_bytes()[:-10])
    assert cache.get(key) is None
    path.write_bytes(b"not a clip")
    assert cache.get(key) is None


@pytest.mark.parametrize("sample_rate", [1, 3_999, 192_001, 4_000_000_000])
def test_a_clip_whose_header_names_an_impossible_rate_is_dropped(tmp_path: Path, sample_rate: int) -> None:
    cache = RenderCache(tmp_path, 10_000_000)
    key = cache.key("espeak", SETTINGS, "Hello.", 500)
    cache.put(key, clip())
    path = next(tmp_path.glob("speech/*/*.pcm"))
    data = bytearray(path.read_bytes())
    data[4:8] = sample_rate.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert cache.get(key) is None
    assert not path.exists()  # dropped, so the clip is spoken and stored afresh


def test_a_clip_with_a_flipped_byte_fails_its_checksum_and_is_dropped(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, 10_000_000)
    key = cache.key("espeak", SETTINGS, "Hello.", 500)
    cache.put(key, clip())
    path = next(tmp_path.glob("speech/*/*.pcm"))
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    assert cache.get(key) is None and not path.exists()
    cache.put(key, clip())
    assert cache.get(key) is not None


def test_a_truncated_encoded_piece_is_dropped_not_taken(tmp_path: Path) -> None:
    store = EncodedPieces(tmp_path / "encoded")
    piece = tmp_path / "piece.mp3"
    piece.write_bytes(os.urandom(5000))
    store.keep("ab" * 32, piece)
    [kept] = (tmp_path / "encoded").glob("*/*.frames")
    assert store.take("ab" * 32, tmp_path / "taken.mp3")
    assert (tmp_path / "taken.mp3").read_bytes() == piece.read_bytes()
    kept.unlink()  # as a full disk or a killed copy would leave it: same name, fewer bytes
    kept.write_bytes(piece.read_bytes()[:4000])
    assert not store.take("ab" * 32, tmp_path / "again.mp3")
    assert not (tmp_path / "again.mp3").exists() and not kept.exists()


def test_eviction_keeps_the_cap_and_drops_the_least_recently_used(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, 3 * 2016)  # room for three 1000-sample clips and their headers
    keys = [cache.key("espeak", SETTINGS, f"Sentence {n}.", 500) for n in range(5)]
    for age, key in enumerate(keys):
        cache.put(key, clip())
        stamp = time.time() - 100 + age
        os.utime(next(tmp_path.glob(f"speech/*/{key}.pcm")), (stamp, stamp))
    assert cache.get(keys[0]) is not None  # used again: now the most recent
    cache.evict()
    assert sum(path.stat().st_size for path in tmp_path.glob("speech/*/*.pcm")) <= cache.limit_bytes
    assert cache.get(keys[0]) is not None
    assert cache.get(keys[1]) is None and cache.get(keys[2]) is None


def test_eviction_survives_clips_deleted_under_it(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, 0)
    for n in range(20):
        cache.put(cache.key("espeak", SETTINGS, f"Sentence {n}.", 500), clip())
    for path in list(tmp_path.glob("speech/*/*.pcm"))[::2]:
        path.unlink()  # another run's eviction got there first
    cache.evict()
    assert not list(tmp_path.glob("speech/*/*.pcm"))


def test_cache_mb_zero_turns_the_cache_off(tmp_path: Path) -> None:
    (tmp_path / "briefing.toml").write_text("[channel]\ncache_mb = 0\n", encoding="utf-8")
    assert open_cache(tmp_path, load_config(tmp_path).channel.cache_mb) is None
    (tmp_path / "briefing.toml").write_text("[channel]\ncache_mb = 2\n", encoding="utf-8")
    assert open_cache(tmp_path, load_config(tmp_path).channel.cache_mb).limit_bytes == 2 * 1024 * 1024


@requires_espeak
def test_a_second_run_speaks_only_the_changed_sentence(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, 50_000_000)
    texts = ["The council met on Tuesday.", "It approved the budget.", "The vote was close."]
    first = list(speak_all(texts, "espeak", SETTINGS, workers=2, cache=cache))
    assert cache.stored == 3
    edited = texts[:2] + ["The vote was very close."]
    again = list(speak_all(edited, "espeak", SETTINGS, workers=2, cache=cache))
    assert cache.stored == 4 and cache.hits == 2
    assert again[:2] == first[:2] and again[2] != first[2]


def test_when_every_clip_is_cached_no_engine_starts(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, 50_000_000)
    broken = VoiceSettings(model=str(tmp_path / "no-such-model.onnx"))
    texts = ["One.", "Two."]
    for text in texts:
        cache.put(cache.key("hibari", broken, text, 500), clip())
    # The model does not exist, so any engine start would fail: every clip comes from the cache.
    assert len(list(speak_all(texts, "hibari", broken, workers=2, cache=cache))) == 2
    with pytest.raises(Exception):
        list(speak_all(texts + ["Three."], "hibari", broken, workers=2, cache=cache))


def test_channels_naming_one_cache_dir_share_their_clips(tmp_path: Path) -> None:
    caches = []
    for name in ("city", "coast"):
        channel = tmp_path / "fleet" / name
        channel.mkdir(parents=True)
        (channel / "briefing.toml").write_text('[channel]\ncache_dir = "../speech-cache"\n', encoding="utf-8")
        caches.append(open_cache(channel, load_config(channel).channel.cache_mb, load_config(channel).channel.cache_dir))
    key = caches[0].key("espeak", SETTINGS, "Here is the weather.", 500)
    caches[0].put(key, clip())
    assert caches[1].get(key) is not None  # said once, by either channel
    assert (tmp_path / "fleet" / "speech-cache").is_dir() and not (tmp_path / "fleet" / "city" / "cache").exists()
