"""Readers: every input format, format detection, --format, standard input, and paragraph indices."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, cli_env, run_cli

from briefing.cli import main
from briefing.errors import InputError
from briefing.readers import detect_format, parse, read_source


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def extract_json(args: list[str], input: str | None = None) -> dict:
    result = CliRunner().invoke(main, ["extract", *args, "--json"], input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- the scraped paragraph list ---------------------------------------------------------------------


def test_list_literal_keeps_every_paragraph_in_order_with_its_html(example_article: Path) -> None:
    raw = read_source(str(example_article))
    assert raw.format == "list"
    assert len(raw.paragraphs) == 33
    assert raw.paragraphs[0] == "This video can not be played"
    assert raw.paragraphs[2].startswith('<b class="ssrcss-hmf8ql-BoldText e5tfeyi3">Ukrainian forces outnumbered')
    assert raw.paragraphs[26] == '<b class="ssrcss-hmf8ql-BoldText e5tfeyi3">By Hugo Bachega, BBC News, Kyiv</b>'


def test_list_literal_paragraph_indices_count_boilerplate_and_empty_items() -> None:
    text = repr(["Share", "", "Flights from Hartley airport resumed on Monday after a two-day strike.",
                 "Getty Images", "Passengers were told to expect delays of up to an hour."])
    kept = extract_json(["-", "--format", "list"], input=text)["paragraphs"]
    assert [(p["source"], p["text"][:20]) for p in kept] == [(2, "Flights from Hartley"), (4, "Passengers were told")]


def test_list_literal_is_parsed_without_running_code(tmp_path: Path) -> None:
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"
    text = f"['A real paragraph.', __import__('os').system('touch {marker}')]"
    with pytest.raises(InputError, match="no code"):
        parse(text, "article.txt", "list")
    assert not marker.exists()


def test_list_literal_with_a_non_string_item_names_the_item() -> None:
    with pytest.raises(InputError, match=r"article\.txt: item 1 is a int"):
        parse("['Residents were evacuated on Sunday.', 3]", "article.txt")


def test_list_literal_that_is_a_dict_is_rejected() -> None:
    with pytest.raises(InputError, match="expected a list"):
        parse("{'a': 'b'}", "article.txt", "list")


# --- plain text ---------------------------------------------------------------------------------------


def test_text_short_first_line_before_a_blank_line_is_the_title() -> None:
    raw = parse(fixture_text("cycle-lanes.txt"), "cycle-lanes.txt")
    assert raw.format == "text"
    assert raw.title == "Council approves cycle lanes on Station Road"
    assert len(raw.paragraphs) == 4


def test_text_blank_lines_separate_paragraphs_and_wrapped_lines_are_joined() -> None:
    raw = parse(fixture_text("cycle-lanes.txt"), "cycle-lanes.txt")
    assert raw.paragraphs[0] == (
        "Plans for protected cycle lanes along Station Road have been approved by "
        "Hartley Borough Council after a two-hour debate on Tuesday evening."
    )
    assert raw.paragraphs[3].startswith("Some shopkeepers on the road have objected")


def test_text_without_blank_lines_is_one_paragraph_per_line_and_has_no_title() -> None:
    raw = parse(fixture_text("bin-collections.txt"), "bin-collections.txt")
    assert raw.title is None
    assert raw.paragraphs == fixture_text("bin-collections.txt").strip().splitlines()


def test_text_long_first_line_before_a_blank_line_is_a_paragraph_not_a_title() -> None:
    first = ("Bin collections in Hartley will move to every three weeks from April, the council has confirmed "
             "in a report published on Monday evening.")
    raw = parse(first + "\n\nThe change is expected to save about £1.2m a year.\n", "bins.txt")
    assert raw.title is None
    assert raw.paragraphs[0] == first


def test_text_with_windows_line_endings_reads_like_unix_text() -> None:
    text = fixture_text("cycle-lanes.txt")
    assert parse(text.replace("\n", "\r\n"), "a.txt") == parse(text, "a.txt")


def test_text_paragraph_indices_follow_the_paragraphs_after_the_title() -> None:
    document = extract_json([str(FIXTURES / "cycle-lanes.txt")])
    assert document["title"] == "Council approves cycle lanes on Station Road"
    assert [p["source"] for p in document["paragraphs"]] == [0, 1, 2, 3]
    assert document["paragraphs"][2]["text"].startswith("Councillor Priya Shah")


# --- JSON -------------------------------------------------------------------------------------------


def test_json_object_gives_title_and_paragraphs() -> None:
    raw = read_source(str(FIXTURES / "library-closures.json"))
    assert raw.format == "json"
    assert raw.title == "Five village libraries to close under council budget plans"
    assert len(raw.paragraphs) == 5


def test_json_object_paragraph_indices_count_empty_strings_and_html_is_stripped() -> None:
    kept = extract_json([str(FIXTURES / "library-closures.json")])["paragraphs"]
    assert [p["source"] for p in kept] == [0, 1, 3, 4]
    assert kept[1]["text"].startswith("The libraries at Ashby, Carlow, Denton, Elmridge and Fenwick each open")
    assert "<b>" not in kept[1]["text"]


def test_json_list_of_strings_is_read_as_paragraphs() -> None:
    raw = read_source(str(FIXTURES / "library-closures-list.json"))
    assert raw.format == "json"
    assert raw.title is None
    assert raw.paragraphs[1].startswith("A mobile library van will visit")


def test_json_with_a_non_string_paragraph_names_it() -> None:
    with pytest.raises(InputError, match=r"news\.json: paragraph 1 is a int"):
        parse('{"title": "Floods", "paragraphs": ["Rivers burst their banks.", 7]}', "news.json")


def test_json_object_without_paragraphs_is_rejected() -> None:
    with pytest.raises(InputError, match="no 'paragraphs'"):
        parse('{"title": "Floods"}', "news.json")


# --- HTML ---------------------------------------------------------------------------------------------


def test_html_page_gives_headline_without_site_name_and_only_the_body_paragraphs() -> None:
    raw = read_source(str(FIXTURES / "harbour-bridge.html"))
    assert raw.format == "html"
    assert raw.title == "Harbour bridge to close for six months of repairs"
    assert len(raw.paragraphs) == 4
    assert raw.paragraphs[0].startswith("The harbour swing bridge in Hartley will close to traffic")
    assert raw.paragraphs[2] == (
        "Council engineers said inspections in the summer had found that \u201csignificant corrosion\u201d "
        "had spread to the bridge\u2019s main girders."
    )
    page_furniture = ("Home", "Share on", "built in 1936", "Related stories", "Ferry fares", "All rights reserved",
                      "By Tom Evans", "dataLayer")
    for paragraph in raw.paragraphs:
        assert not any(junk in paragraph for junk in page_furniture), paragraph


# --- detection and --format --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("storm-ciaran.txt", "list"),
        ("bank-rates.txt", "list"),
        ("cycle-lanes.txt", "text"),
        ("bin-collections.txt", "text"),
        ("library-closures.json", "json"),
        ("library-closures-list.json", "json"),
        ("harbour-bridge.html", "html"),
    ],
)
def test_format_is_detected_from_content(name: str, expected: str) -> None:
    assert detect_format(fixture_text(name)) == expected


def test_format_is_detected_from_content_not_from_the_file_name(tmp_path: Path) -> None:
    misnamed = tmp_path / "article.html"
    misnamed.write_text(fixture_text("library-closures.json"), encoding="utf-8")
    assert read_source(str(misnamed)).format == "json"


def test_format_option_forces_the_reader_text_keeps_what_html_would_drop() -> None:
    forced = extract_json([str(FIXTURES / "harbour-bridge.html"), "--format", "text"])
    detected = extract_json([str(FIXTURES / "harbour-bridge.html")])
    forced_text = " ".join(p["text"] for p in forced["paragraphs"])
    assert "window.dataLayer" in forced_text
    assert "window.dataLayer" not in " ".join(p["text"] for p in detected["paragraphs"])


def test_format_option_forces_json_and_a_list_literal_is_then_an_error(tmp_path: Path) -> None:
    result = run_cli(["extract", FIXTURES / "storm-ciaran.txt", "--format", "json"], home=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "storm-ciaran.txt: not valid JSON" in result.stderr


# --- standard input -----------------------------------------------------------------------------------


def test_stdin_dash_reads_a_list_literal_with_detection() -> None:
    from_stdin = extract_json(["-"], input=fixture_text("storm-ciaran.txt"))
    from_file = extract_json([str(FIXTURES / "storm-ciaran.txt")])
    assert from_stdin == from_file


def test_stdin_dash_reads_plain_text_with_its_title() -> None:
    document = extract_json(["-"], input=fixture_text("cycle-lanes.txt"))
    assert document["title"] == "Council approves cycle lanes on Station Road"
    assert len(document["paragraphs"]) == 4


def test_stdin_dash_script_runs_as_a_real_process(tmp_path: Path) -> None:
    result = run_cli(["script", "-", "--json", "--max-words", "60"], home=tmp_path,
                     input=(FIXTURES / "library-closures.json").read_bytes(), env=cli_env(tmp_path))
    assert result.returncode == 0, result.stderr
    script = json.loads(result.stdout)
    assert script["title"] == "Five village libraries to close under council budget plans"
    assert script["sections"][1]["segments"][0]["source"] == 0
