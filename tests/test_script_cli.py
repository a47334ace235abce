"""`briefing script --json`: what is narrated, in which section, and the JSON shape, on the example and on
two hand-written articles in the scraped-list format; plus --version and the JSON as a real process prints it."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EXAMPLE, FIXTURES, REPO, run_cli

from briefing import __version__
from briefing.text.clean import strip_html
from briefing.cli import main

BUDGETS = [120, 250, 400]
KINDS = {"intro", "lede", "story", "analysis", "outro"}
SECTION_MS = tomllib.loads((REPO / "voices/default.toml").read_text())["pauses"]["section_ms"]


@dataclass(frozen=True)
class Case:
    path: Path
    boilerplate: frozenset[int]  # never narrated
    lede: int  # the first paragraph narrated after the intro
    byline: int  # the mid-article byline that opens the analysis
    analysis: tuple[int, ...]  # narrated only inside the analysis section
    leans_on: tuple[tuple[int, int], ...]  # (a, b): a is only narrated together with b


CASES = {
    "kharkiv-example": Case(EXAMPLE, frozenset({0, 1, 18, 19, 31, 32}), lede=2, byline=26, analysis=(27, 28, 29, 30),
                            leans_on=((12, 11), (15, 13), (7, 6))),
    "storm-ciaran": Case(FIXTURES / "storm-ciaran.txt", frozenset({0, 1, 6, 7, 13, 15, 16, 21, 22, 23, 24, 25}),
                         lede=2, byline=17, analysis=(18, 19, 20), leans_on=((5, 4), (12, 11))),
    "bank-rates": Case(FIXTURES / "bank-rates.txt", frozenset({1, 2, 8, 9, 13, 14, 15, 16, 21, 22, 23, 24, 25}),
                       lede=0, byline=17, analysis=(18, 19, 20), leans_on=((7, 6), (19, 18), (20, 19))),
}
_scripts: dict[tuple[str, int], dict] = {}


def script_json(name: str, max_words: int) -> dict:
    """`briefing script ARTICLE --json --max-words N`, run once per article and budget."""
    key = (name, max_words)
    if key not in _scripts:
        case = CASES[name]
        if not case.path.is_file():
            pytest.skip(f"the article is not here: {case.path}")
        result = CliRunner().invoke(main, ["script", str(case.path), "--json", "--max-words", str(max_words)],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        _scripts[key] = json.loads(result.stdout)
    return _scripts[key]


def raw_paragraphs(name: str) -> list[str]:
    return ast.literal_eval(CASES[name].path.read_text(encoding="utf-8"))


def segments(script: dict) -> list[dict]:
    return [segment for section in script["sections"] for segment in section["segments"]]


def sources(script: dict) -> set[int]:
    return {segment["source"] for segment in segments(script) if segment["source"] is not None}


def core_phrase(paragraph: str) -> str:
    """A boilerplate paragraph without its label ("WATCH: ", "Image caption, "), lower-cased."""
    text = strip_html(paragraph)
    return re.sub(r"^[^,:]{0,20}[,:]\s*", "", text).lower()


every_case = pytest.mark.parametrize("name", list(CASES))
every_budget = pytest.mark.parametrize("max_words", BUDGETS)


@every_case
@every_budget
def test_boilerplate_paragraphs_are_never_narrated(name: str, max_words: int) -> None:
    script = script_json(name, max_words)
    case = CASES[name]
    assert not sources(script) & case.boilerplate
    narration = " ".join(segment["text"] for segment in segments(script)).lower()
    for index in case.boilerplate:
        phrase = core_phrase(raw_paragraphs(name)[index])
        if len(phrase.split()) >= 3:
            assert phrase not in narration, f"paragraph {index} is narrated: {phrase!r}"


@every_case
@every_budget
def test_first_content_segment_is_the_lede_without_its_html(name: str, max_words: int) -> None:
    script = script_json(name, max_words)
    lede_section = script["sections"][1]
    first = lede_section["segments"][0]
    assert lede_section["kind"] == "lede"
    assert first["source"] == CASES[name].lede
    assert "<" not in first["text"] and "ssrcss" not in first["text"] and "&quot;" not in first["text"]
    opening = strip_html(raw_paragraphs(name)[CASES[name].lede]).split()[:4]
    assert first["text"].split()[:4] == opening


@every_case
@every_budget
def test_analysis_paragraphs_appear_only_in_the_analysis_section(name: str, max_words: int) -> None:
    script = script_json(name, max_words)
    case = CASES[name]
    for section in script["sections"]:
        for segment in section["segments"]:
            if segment["source"] in (case.byline, *case.analysis):
                assert section["kind"] == "analysis", (segment["source"], section["kind"])


@every_case
@every_budget
def test_an_analysis_section_opens_with_the_byline_as_its_heading(name: str, max_words: int) -> None:
    script = script_json(name, max_words)
    case = CASES[name]
    byline = strip_html(raw_paragraphs(name)[case.byline])
    for section in (s for s in script["sections"] if s["kind"] == "analysis"):
        assert section["heading"] == byline
        assert section["segments"][0]["source"] == case.byline
        assert all(segment["source"] in (case.byline, *case.analysis) for segment in section["segments"])


@every_case
def test_whole_article_narrates_the_analysis_once_after_the_story(name: str) -> None:
    case = CASES[name]
    if not case.path.is_file():
        pytest.skip(f"the article is not here: {case.path}")
    result = CliRunner().invoke(main, ["script", str(case.path), "--json", "--all"])
    script = json.loads(result.stdout)
    kinds = [section["kind"] for section in script["sections"]]
    assert kinds == ["intro", "lede", "story", "analysis", "outro"]
    analysis = script["sections"][3]
    assert analysis["heading"] == strip_html(raw_paragraphs(name)[case.byline])
    assert sorted({segment["source"] for segment in analysis["segments"]}) == [case.byline, *case.analysis]
    assert not sources(script) & case.boilerplate


@every_case
@every_budget
def test_a_paragraph_that_leans_on_another_is_narrated_only_with_it(name: str, max_words: int) -> None:
    narrated = sources(script_json(name, max_words))
    for dependent, antecedent in CASES[name].leans_on:
        if dependent in narrated:
            assert antecedent in narrated, f"{dependent} narrated without {antecedent}"


@every_case
@every_budget
def test_paragraphs_are_narrated_in_article_order_within_the_budget(name: str, max_words: int) -> None:
    script = script_json(name, max_words)
    order = [segment["source"] for segment in segments(script) if segment["source"] is not None]
    assert order == sorted(order)
    # The budget counts the article's own words of what is chosen (`extract` shows them), not spoken words.
    result = CliRunner().invoke(main, ["extract", str(CASES[name].path), "--json", "--max-words", str(max_words)])
    chosen = json.loads(result.stdout)["paragraphs"]
    assert sorted({p["source"] for p in chosen}) == sorted(set(order))
    assert sum(len(p["text"].split()) for p in chosen) <= max_words


@every_case
@every_budget
def test_script_json_has_the_public_shape(name: str, max_words: int) -> None:
    script = script_json(name, max_words)
    assert set(script) == {"title", "sections"}
    assert isinstance(script["title"], str) and script["title"]
    for section in script["sections"]:
        assert set(section) == {"kind", "heading", "segments"}
        assert section["kind"] in KINDS
        assert section["heading"] is None or isinstance(section["heading"], str)
        assert section["segments"], section["kind"]
        for segment in section["segments"]:
            assert set(segment) == {"text", "display", "source", "pause_after_ms"}
            assert isinstance(segment["text"], str) and segment["text"].strip()
            assert isinstance(segment["display"], str) and segment["display"].strip()
            assert segment["source"] is None or type(segment["source"]) is int
            assert type(segment["pause_after_ms"]) is int and segment["pause_after_ms"] >= 0


@every_case
def test_intro_names_the_title_unless_the_lede_opens_with_it_and_outro_closes(name: str) -> None:
    script = script_json(name, 250)
    intro, outro = script["sections"][0], script["sections"][-1]
    assert intro["kind"] == "intro" and outro["kind"] == "outro"
    assert [s["kind"] for s in script["sections"]].count("intro") == 1
    assert [s["kind"] for s in script["sections"]].count("outro") == 1
    title_words = re.findall(r"[A-Za-z]{3,}", script["title"])
    opening = script["sections"][1]["segments"][0]["display"]
    heard = intro["segments"][0]["display"]
    if all(word in opening for word in title_words):
        assert heard == "Here is your briefing."
    else:
        assert all(word in heard for word in title_words)
    assert re.search(r"\b(that was|thank you|goodbye)\b", outro["segments"][-1]["text"], re.IGNORECASE)
    assert all(segment["source"] is None for segment in intro["segments"] + outro["segments"])


@every_case
def test_only_generated_text_has_no_source(name: str) -> None:
    for section in script_json(name, 250)["sections"][1:-1]:
        assert all(type(segment["source"]) is int for segment in section["segments"]), section["kind"]


@every_case
def test_every_section_but_the_last_ends_with_the_section_pause(name: str) -> None:
    script = script_json(name, 250)
    for section in script["sections"][:-1]:
        assert section["segments"][-1]["pause_after_ms"] == SECTION_MS, section["kind"]


def test_example_title_comes_from_the_bold_lede(example_article: Path) -> None:
    assert script_json("kharkiv-example", 250)["title"] == "Ukrainian forces outnumbered Russians by eight to one"


def test_script_json_from_a_real_process_is_only_json_on_stdout(example_article: Path, tmp_path: Path) -> None:
    result = run_cli(["script", example_article, "--json"], home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == script_json("kharkiv-example", 250)  # 250 is the default budget
    assert result.stderr == ""


def test_script_text_lists_each_section_with_its_sentences(example_article: Path) -> None:
    result = CliRunner().invoke(main, ["script", str(example_article), "--max-words", "250"])
    assert result.exit_code == 0
    blocks = result.stdout.strip().split("\n\n")
    script = script_json("kharkiv-example", 250)
    assert [block.splitlines()[0].split()[0] for block in blocks] == [f"[{s['kind']}]" for s in script["sections"]]
    assert [line for block in blocks for line in block.splitlines()[1:]] == [s["text"] for s in segments(script)]


def test_budget_options_are_exclusive(example_article: Path) -> None:
    result = CliRunner().invoke(main, ["script", str(example_article), "--max-words", "120", "--all"])
    assert result.exit_code == 2
    assert "choose one of --max-words, --minutes and --all" in result.output


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = run_cli(["--version"], home=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"briefing, version {__version__}"
