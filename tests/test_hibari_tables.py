"""hibari's pronunciation tables shared through one memory-mapped file (briefing/audio/engines/hibari_tables.py).

The tables must read exactly as hibari's own dictionaries do (same phonemes, so the same audio), take
far less memory in each speech worker, survive a damaged or missing file and a cache folder that
cannot be written, and be built once however many workers race to build it.
"""

from __future__ import annotations

import ast
import os
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from briefing.audio.engines.hibari_tables import SharedTable, read_tables, tables_path, write_tables

hibari = pytest.importorskip("hibari")
from hibari.g2p import G2P  # noqa: E402

from briefing.audio.engines import VoiceSettings, load_engine  # noqa: E402
from briefing.audio.engines.hibari_tables import shared_g2p  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = Path(__file__).resolve().parents[2] / "shared/examples/kharkiv-counter-offensive.txt"

# Words that exercise every path of the lexicon: parts of speech (read, live, record, used), capitals,
# acronyms, numbers, money, symbols, hyphens, possessives, words no dictionary holds, non-ASCII.
TRICKY = [
    "I read the record yesterday; today I read it again and record a new one live, as we live here.",
    "The U.S. and the UK used to say \"used\" differently: NATO's HQ, the BBC's 2024 report, $9.99 and £3.50.",
    "Dr. J. K. Rowling met 1,250 people at 7:30 pm on the 3rd of March, 50% more than in 1999.",
    "Zyxqu's krumpfle-wrangling Vćeslav and Ørsted's naïve café owners AREN'T READING THIS.",
    "Kharkiv, Izium and Kupiansk: counter-offensive, Russia's defence ministry, Zelensky's address.",
]


@pytest.fixture(scope="module")
def own_us() -> G2P:
    """hibari's own American text-to-phonemes, loaded once for the tests that compare with it."""
    return G2P(british=False)


@pytest.fixture(scope="module")
def whole_us() -> bytes:
    """A complete American tables file, built once into the session's cache folder."""
    shared_g2p(False)
    return tables_path("us").read_bytes()


def sample_texts() -> list[str]:
    texts = list(TRICKY)
    if EXAMPLE.is_file():
        texts += ast.literal_eval(EXAMPLE.read_text(encoding="utf-8"))
    for path in sorted(FIXTURES.glob("*.txt"))[:12]:
        texts += [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return texts


@pytest.mark.parametrize("british", [False, True], ids=["us", "gb"])
def test_shared_tables_give_the_same_phonemes_as_hibaris_own_dictionaries(british: bool, own_us: G2P) -> None:
    own, shared = G2P(british=True) if british else own_us, shared_g2p(british)
    texts = sample_texts()
    assert len(texts) >= 20  # the fixtures alone; the example adds its paragraphs when present
    differing = [text for text in texts if shared(text) != own(text)]
    assert differing == []


def test_the_shared_g2p_has_every_attribute_hibari_gives_its_own(own_us: G2P) -> None:
    """Guards an upgrade of hibari that adds state to its G2P: ours would lack it."""
    assert set(vars(shared_g2p(False))) == set(vars(own_us))


def test_a_worker_holds_far_less_memory_with_the_shared_tables() -> None:
    shared_g2p(False)  # built into this run's cache folder before the children measure
    script = textwrap.dedent("""
        import sys
        def anonymous_mb():
            for line in open("/proc/self/smaps_rollup"):
                if line.startswith("Anonymous:"):
                    return int(line.split()[1]) / 1024
        from hibari.g2p import G2P
        from briefing.audio.engines.hibari_tables import shared_g2p
        before = anonymous_mb()
        g2p = shared_g2p(False) if sys.argv[1] == "shared" else G2P()
        g2p("The counter-offensive was read as a record advance by analysts in Kyiv.")
        print(anonymous_mb() - before)
    """)
    grown = {kind: float(subprocess.run([sys.executable, "-c", script, kind], capture_output=True, text=True,
                                        check=True).stdout) for kind in ("shared", "own")}
    assert grown["own"] > 60
    assert grown["shared"] < 20
    assert grown["own"] - grown["shared"] > 50


def test_the_file_is_built_once_replacing_an_older_hibaris_and_then_mapped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "briefing"
    folder.mkdir()
    (folder / "hibari-us-0000000000000000.tables").write_bytes(b"from an older hibari")
    (folder / "hibari-gb-0000000000000000.tables").write_bytes(b"the other accent: kept")
    shared_g2p(False)
    path = tables_path("us")
    assert path.parent == folder
    # The older hibari's file is gone, the other accent's kept, and no temporary is left beside them.
    assert sorted(p.name for p in folder.iterdir()) == sorted(["hibari-gb-0000000000000000.tables", path.name])
    built = path.stat()
    shared_g2p(False)
    again = path.stat()
    assert (again.st_ino, again.st_mtime_ns) == (built.st_ino, built.st_mtime_ns)


DAMAGES = ["truncated", "not a tables file", "empty", "one byte changed"]


def damaged(whole: bytes, damage: str) -> bytes:
    middle = len(whole) // 2
    return {"truncated": whole[:middle], "not a tables file": b"GIF89a" + whole[6:], "empty": b"",
            "one byte changed": whole[:middle] + bytes([whole[middle] ^ 1]) + whole[middle + 1:]}[damage]


@pytest.mark.parametrize("damage", DAMAGES)
def test_every_kind_of_damage_is_found_on_reading(tmp_path: Path, whole_us: bytes, damage: str) -> None:
    """What makes shared_g2p build the file again (ValueError); the rebuild itself is tested once below."""
    path = tmp_path / "t.tables"
    path.write_bytes(damaged(whole_us, damage))
    with pytest.raises(ValueError):
        read_tables(path)


def test_a_damaged_file_is_rebuilt(tmp_path: Path, monkeypatch, whole_us: bytes, own_us: G2P) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = tables_path("us")
    path.parent.mkdir()
    path.write_bytes(damaged(whole_us, "one byte changed"))  # the damage only the checksum finds
    g2p = shared_g2p(False)
    assert g2p("Hello there.") == own_us("Hello there.")
    assert path.read_bytes() == whole_us


def test_a_fifo_in_place_of_the_file_is_replaced_without_blocking(tmp_path: Path, monkeypatch, own_us: G2P) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = tables_path("us")
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    assert shared_g2p(False)("Hello there.") == own_us("Hello there.")
    assert path.is_file()


def test_an_unwritable_cache_folder_falls_back_to_hibaris_own_dictionaries(tmp_path: Path, monkeypatch) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    with pytest.raises(OSError):
        shared_g2p(False)
    engine = load_engine("hibari", VoiceSettings(rate=165))
    try:
        speech = engine.synthesize("The engine still speaks.")
    finally:
        engine.close()
    assert len(speech.pcm) / 2 / speech.sample_rate > 0.8
    assert not list(tmp_path.glob("**/*.tables"))


def test_workers_racing_to_build_leave_one_complete_file(tmp_path: Path) -> None:
    script = "from briefing.audio.engines.hibari_tables import shared_g2p; print(shared_g2p(False)('Racing ahead.'))"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    racers = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
              for _ in range(3)]
    outputs = [racer.communicate(timeout=120)[0] for racer in racers]
    assert all(racer.returncode == 0 for racer in racers)
    assert len(set(outputs)) == 1 and outputs[0].strip()
    files = list((tmp_path / "briefing").iterdir())
    assert len(files) == 1 and files[0].suffix == ".tables"
    read_tables(files[0])  # complete: raises ValueError otherwise



def test_a_build_killed_half_way_leaves_no_temporary_after_the_next_run(tmp_path: Path, monkeypatch) -> None:
    script = "from briefing.audio.engines.hibari_tables import shared_g2p; shared_g2p(False)"
    builder = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    folder = tmp_path / "briefing"
    try:
        while not (folder.is_dir() and any(name.name.endswith(".tmp") for name in folder.iterdir())):
            assert builder.poll() is None, "the build ended before it wrote its temporary"
            time.sleep(0.01)
    finally:
        builder.kill()
        builder.wait()
    assert any(name.name.endswith(".tmp") for name in folder.iterdir())  # what SIGKILL leaves
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    shared_g2p(False)  # the next run
    assert [name.suffix for name in folder.iterdir()] == [".tables"]

# ---- the table file itself ------------------------------------------------------------------------


def test_a_table_answers_every_key_with_its_value_and_misses_with_none(tmp_path: Path) -> None:
    table = {f"word{i}": f"phonemes {i}" for i in range(3000)}
    table |= {"Ørsted": "ˈɜːstɛd", "read": {"DEFAULT": "ɹˈid", "VBD": "ɹˈɛd", "NOUN": None},
              "\udce9 lone surrogate": "kept", "": "empty key", "weights": {"NN": -2.3, "VB": 1e-7, "JJ": 11.8}}
    path = tmp_path / "t.tables"
    write_tables(path, {"one": table, "two": {"x": "y"}}, {"note": "extra"})
    tables, extra = read_tables(path)
    assert extra == {"note": "extra"}
    assert all(tables["one"].get(key) == value for key, value in table.items())
    assert list(tables["one"].get("read")) == ["DEFAULT", "VBD", "NOUN"]  # order kept: the tagger sums in it
    assert tables["one"].get("word3000") is None and tables["two"].get("word1") is None
    assert "word17" in tables["one"] and "nope" not in tables["one"] and 17 not in tables["one"]
    assert isinstance(tables["one"], SharedTable)


def test_a_file_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.tables"
    path.write_bytes(b"\x00" * 100)
    with pytest.raises(ValueError, match="not a"):
        read_tables(path)


def test_a_lookup_in_a_table_with_no_empty_slot_ends() -> None:
    """Tables are built at most half full, so probing stops at an empty slot; one that has none (a
    planted file with a matching checksum) must still answer a miss instead of looping for ever."""
    slots = 16
    entry = struct.pack("<HI", 1, 2) + b"a" + b"sA"
    data = struct.pack(f"<{slots}I", *([1] * slots)) + entry  # every slot taken, all by key "a"
    table = SharedTable(data, 0, slots, 4 * slots)  # type: ignore[arg-type]
    assert table.get("a") == "A"
    assert table.get("missing") is None
