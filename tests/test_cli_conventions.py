"""Command-line conventions: -h everywhere, --debug anywhere, exit 2 for usage errors, quiet means quiet,
help that fits 80 columns and is not cut off, and `make` with several articles.

Commands run in-process through CliRunner, and as real processes where the exit code, the streams
or a port matter.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, run_cli, requires_espeak, requires_ffmpeg
from publishing import make_library

from briefing.cli import main

WIDE = {"COLUMNS": "200"}  # a wide terminal: help must still wrap at 80


def _command_names() -> list[str]:
    listing = CliRunner().invoke(main, ["--help"], env=WIDE).output.split("Commands:\n")[1]
    return re.findall(r"^  (\S+)", listing, flags=re.MULTILINE)


def _help(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "-h"], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_answers_dash_h_as_it_answers_help() -> None:
    names = _command_names()
    assert {"make", "daily", "serve", "extract", "fleet"} <= set(names)
    assert _help() == CliRunner().invoke(main, ["--help"], env=WIDE).output
    for name in names:
        output = _help(name)
        assert output.startswith(f"Usage: main {name} ")  # CliRunner names the program after the function
        assert output == CliRunner().invoke(main, [name, "--help"], env=WIDE).output


def test_every_help_fits_eighty_columns_on_a_wide_terminal() -> None:
    for args in [[]] + [[name] for name in _command_names()]:
        long_lines = [line for line in _help(*args).splitlines() if len(line) > 80]
        assert long_lines == [], args


def test_top_level_help_gives_each_command_its_whole_first_sentence() -> None:
    listing = _help().split("Commands:\n")[1]
    assert "..." not in listing
    entries = re.split(r"\n(?=  \S)", listing.strip("\n"))
    for entry in entries:
        name, text = entry.split(None, 1)
        sentence = " ".join(text.split())
        assert sentence.endswith((".", ")")), (name, sentence)
        assert sentence.replace("- ", "-") in " ".join(_help(name).split()).replace("- ", "-")


def test_extract_all_says_what_it_does_for_extract() -> None:
    extract_help = " ".join(_help("extract").split())
    assert "--all Keep the whole cleaned article" in extract_help
    assert "Narrate" not in extract_help


def test_debug_after_the_subcommand_shows_the_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    plain = run_cli(["make", missing], home=tmp_path)
    after = run_cli(["make", missing, "--debug"], home=tmp_path)
    before = run_cli(["--debug", "make", missing], home=tmp_path)
    assert plain.returncode == 1 and len(plain.stderr.strip().splitlines()) == 1
    assert "Traceback" not in plain.stderr
    for result in (after, before):
        assert result.returncode != 0 and "Traceback (most recent call last)" in result.stderr
        assert "InputError" in result.stderr


@pytest.mark.parametrize("args", [
    ["make"],  # no ARTICLE
    ["make", "x.txt", "--voice", "nosuch"],
    ["make", "x.txt", "--max-words", "40", "--minutes", "1"],
    ["make", "a.txt", "b.txt", "-o", "out.mp3"],
    ["make", "a.txt", "b.txt", "--title", "Both"],
    ["make", "-", "-"],
    ["script"],
    ["extract", "x.txt", "--nosuch"],
    ["serve", "--port", "0"],
    ["daily", "--minutes", "0"],
    ["remove"],
    ["nosuch"],
])
def test_usage_errors_exit_2_in_a_real_process_and_create_nothing(tmp_path: Path, args: list[str]) -> None:
    home = tmp_path / "home"
    result = run_cli(args, home=home, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Error" in result.stderr and "Traceback" not in result.stderr
    assert not home.exists()


def test_daily_without_briefing_toml_says_no_sources_are_configured_and_creates_nothing(tmp_path: Path) -> None:
    result = run_cli(["daily"], home=tmp_path / "library", cwd=tmp_path)
    assert result.returncode == 2
    assert "no sources configured" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_serve_on_a_busy_port_fails_before_rewriting_the_feed(tmp_path: Path) -> None:
    library = tmp_path / "library"
    make_library(library, 1)
    feed = library / "feed.xml"
    before = (feed.read_bytes(), feed.stat().st_mtime_ns)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_cli(["serve", "--port", port, "--library", library], home=tmp_path, timeout=30)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert (feed.read_bytes(), feed.stat().st_mtime_ns) == before


# ---- runs that render (short, with the espeak voice) ------------------------------------------------

def _daily_library(tmp_path: Path) -> Path:
    library = tmp_path / "library"
    (library / "inbox").mkdir(parents=True)
    shutil.copy(FIXTURES / "daily" / "harbour-bridge-closure.txt", library / "inbox")
    (library / "briefing.toml").write_text('[sources]\ninbox = "inbox"\n', encoding="utf-8")
    return library


@requires_espeak
@requires_ffmpeg
def test_quiet_daily_prints_nothing_on_its_first_run_and_when_it_re_renders(tmp_path: Path) -> None:
    library = _daily_library(tmp_path)
    args = ["daily", "-q", "--voice", "british", "--minutes", "0.5", "--date", "2026-11-25"]
    for _ in range(2):  # the second run re-renders the day (a note it prints without -q)
        result = run_cli(args, home=library)
        assert result.returncode == 0, result.stderr
        assert (result.stdout, result.stderr) == ("", "")
    loud = run_cli(args[:1] + args[2:], home=library)
    assert loud.returncode == 0 and "Re-rendering the briefing for 2026-11-25" in loud.stderr


@requires_espeak
@requires_ffmpeg
def test_make_several_articles_makes_one_episode_each_and_exits_3_when_some_failed(tmp_path: Path) -> None:
    articles = [FIXTURES / "bin-collections.txt", tmp_path / "missing.txt", FIXTURES / "cycle-lanes.txt"]
    result = run_cli(["make", *articles, "--voice", "british", "--max-words", "20"], home=tmp_path)
    assert result.returncode == 3, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(re.fullmatch(r".*/episodes/.+\.mp3  \(\d+:\d\d, \d+ sentences\)", line)
                                   for line in lines)
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert str(articles[1]) in error
    listed = run_cli(["episodes", "--json"], home=tmp_path)
    titles = sorted(episode["title"] for episode in json.loads(listed.stdout))
    assert len(titles) == 2

    failed = run_cli(["make", tmp_path / "a.txt", tmp_path / "b.txt", "-q"], home=tmp_path)
    assert failed.returncode == 1 and failed.stderr.count("Error:") == 2


@requires_espeak
@requires_ffmpeg
def test_title_names_an_article_read_from_standard_input(tmp_path: Path) -> None:
    text = b"Bin collections in the city will move to Tuesdays from March, the council said on Monday.\n"
    result = run_cli(["make", "-", "--title", "Bins move to Tuesdays", "--voice", "british", "-q"],
                     home=tmp_path, input=text)
    assert result.returncode == 0, result.stderr
    [episode] = json.loads(run_cli(["episodes", "--json"], home=tmp_path).stdout)
    assert episode["title"] == "Bins move to Tuesdays"
