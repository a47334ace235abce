"""Bad input through the real CLI process: one "Error:" line naming the problem, the right exit code
(2 usage, 1 runtime), no traceback, and nothing left behind in the output folder or the library."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import FIXTURES, cli_env, files_in, run_cli


@dataclass
class Workspace:
    root: Path
    out: Path  # the -o folder, created empty
    home: Path  # BRIEFING_HOME, the library; never created by a failed make

    @property
    def mp3(self) -> Path:
        return self.out / "article.mp3"

    def article(self, name: str, content: str | bytes) -> Path:
        path = self.root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def make(self, *args, env: dict[str, str] | None = None):
        return run_cli(["make", *args, "-o", self.mp3], home=self.home, env=env or cli_env(self.home), cwd=self.root)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    out = tmp_path / "out"
    out.mkdir()
    return Workspace(tmp_path, out, tmp_path / "library")


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def assert_failed_cleanly(result, ws: Workspace, exit_code: int, names: str) -> None:
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert names in lines[0], lines[0]
    assert result.stdout == ""
    assert files_in(ws.out) == []  # no MP3, no side files, no temporary files
    assert not ws.home.exists()


def assert_one_line_on_stderr(result) -> None:
    assert result.stderr.splitlines() == error_lines(result.stderr), result.stderr


BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", "", "the input is empty"),
        ("blank.txt", "  \n\n \t\n", "the input is empty"),
        ("photo.txt", BINARY, "looks like a binary file"),
        ("scraped.txt", "['Flooding closed the A27 near Lewes on Thursday.', 3]", "item 1 is a int"),
        ("scraped-none.txt", "['Flooding closed the A27 near Lewes on Thursday.', None]", "item 1 is a NoneType"),
        ("unfinished.txt", "['Flooding closed the A27 near Lewes", "only plain string literals"),
        ("dict.json", '{"headline": "Floods"}', "no 'paragraphs' list"),
        ("boilerplate.txt", "['This video can not be played', 'Share', 'Related Topics', 'Weather']",
         "no article text left"),
    ],
)
def test_unreadable_article_is_a_one_line_runtime_error_naming_the_file(ws: Workspace, name, content, message) -> None:
    path = ws.article(name, content)
    result = ws.make(path)
    assert_failed_cleanly(result, ws, 1, f"Error: {path}: ")
    assert message in result.stderr
    assert_one_line_on_stderr(result)


def test_missing_file_is_a_one_line_runtime_error_naming_it(ws: Workspace) -> None:
    missing = ws.root / "no-such-article.txt"
    result = ws.make(missing)
    assert_failed_cleanly(result, ws, 1, f"Error: {missing}: no such file")
    assert_one_line_on_stderr(result)


def test_directory_as_article_is_a_one_line_runtime_error(ws: Workspace) -> None:
    result = ws.make(ws.root)
    assert_failed_cleanly(result, ws, 1, f"Error: {ws.root}: is a directory")
    assert_one_line_on_stderr(result)


# --- code in the input is never run ------------------------------------------------------------------------


def marker_path() -> Path:
    return Path("/tmp") / f"pwned-{uuid.uuid4().hex}"


def test_list_with_a_function_call_is_rejected_and_not_run(ws: Workspace) -> None:
    marker = marker_path()
    path = ws.article("evil.txt", f"['Floods in Lewes.', __import__('os').system('touch {marker}')]")
    result = ws.make(path)
    assert not marker.exists()
    assert_failed_cleanly(result, ws, 1, f"Error: {path}: not a list of paragraph strings")
    assert_one_line_on_stderr(result)


def test_python_expression_forced_as_a_list_is_rejected_and_not_run(ws: Workspace) -> None:
    marker = marker_path()
    path = ws.article("evil.txt", f"__import__('os').system('touch {marker}')\n")
    result = ws.make(path, "--format", "list")
    assert not marker.exists()
    assert_failed_cleanly(result, ws, 1, f"Error: {path}: not a list of paragraph strings")


@pytest.mark.parametrize(("args", "refusal"), [
    ([], "looks like Python code, not an article (code is never run)"),
    (["--format", "json"], "not valid JSON"),
    (["--format", "html"], "no article text found in the HTML page"),
])
def test_python_expression_is_refused_and_never_run_whatever_the_format(ws: Workspace, args: list[str],
                                                                         refusal: str) -> None:
    marker = marker_path()
    path = ws.article("evil.txt", f"__import__('os').system('touch {marker}')\n")

    result = run_cli(["script", path, *args], home=ws.home, cwd=ws.root)

    assert not marker.exists()
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {path}: {refusal}"), line


def test_python_expression_forced_as_text_is_read_aloud_as_words_and_never_run(ws: Workspace) -> None:
    marker = marker_path()
    path = ws.article("evil.txt", f"__import__('os').system('touch {marker}')\n")

    result = run_cli(["script", path, "--format", "text"], home=ws.home, cwd=ws.root)

    assert not marker.exists()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lede = result.stdout.split("[lede]\n", 1)[1].split("\n\n", 1)[0]
    assert "system" in lede and marker.name in lede  # the code, spoken as text


def test_python_expression_with_a_function_call_is_rejected_without_format(ws: Workspace) -> None:
    marker = marker_path()
    path = ws.article("evil.txt", f"__import__('os').system('touch {marker}')\n")
    result = ws.make(path)
    assert not marker.exists()
    assert_failed_cleanly(result, ws, 1, f"Error: {path}:")


# --- usage errors ------------------------------------------------------------------------------------------


def test_unknown_format_is_a_usage_error(ws: Workspace) -> None:
    result = ws.make(FIXTURES / "storm-ciaran.txt", "--format", "xml")
    assert_failed_cleanly(result, ws, 2, "'xml'")


def test_unknown_voice_profile_is_a_usage_error_naming_it(ws: Workspace) -> None:
    result = ws.make(FIXTURES / "storm-ciaran.txt", "--voice", "no-such-profile")
    assert_failed_cleanly(result, ws, 2, "no-such-profile.toml: no such voice profile")
    assert_one_line_on_stderr(result)


def test_conflicting_budget_options_are_a_usage_error(ws: Workspace) -> None:
    result = ws.make(FIXTURES / "storm-ciaran.txt", "--max-words", "100", "--minutes", "2")
    assert_failed_cleanly(result, ws, 2, "choose one of --max-words, --minutes and --all")


# --- unreachable engines ----------------------------------------------------------------------------------


@pytest.fixture
def piper_profile(ws: Workspace) -> Path:
    path = ws.root / "broken-piper.toml"
    path.write_text('engine = "piper"\nmodel = "/nonexistent.onnx"\n', encoding="utf-8")
    return path


@pytest.fixture
def path_without_espeak(ws: Workspace) -> dict[str, str]:
    """PATH holding only ffmpeg and ffprobe, so espeak-ng cannot be found."""
    bin_dir = ws.root / "bin"
    bin_dir.mkdir()
    for tool in ("ffmpeg", "ffprobe"):
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"needs {tool}")
        os.symlink(found, bin_dir / tool)
    return cli_env(ws.home, PATH=str(bin_dir))


def test_piper_profile_with_a_missing_model_fails_cleanly(ws: Workspace, piper_profile: Path) -> None:
    result = ws.make(FIXTURES / "storm-ciaran.txt", "--voice", piper_profile)
    assert_failed_cleanly(result, ws, 1, "/nonexistent.onnx")


def test_espeak_engine_without_espeak_ng_fails_cleanly(ws: Workspace, path_without_espeak) -> None:
    result = ws.make(FIXTURES / "storm-ciaran.txt", "--engine", "espeak", env=path_without_espeak)
    assert_failed_cleanly(result, ws, 1, "espeak-ng is not installed")


def test_piper_profile_with_a_missing_model_is_one_line_on_stderr(ws: Workspace, piper_profile: Path) -> None:
    assert_one_line_on_stderr(ws.make(FIXTURES / "storm-ciaran.txt", "--voice", piper_profile))


def test_espeak_engine_without_espeak_ng_is_one_line_on_stderr(ws: Workspace, path_without_espeak) -> None:
    assert_one_line_on_stderr(ws.make(FIXTURES / "storm-ciaran.txt", "--engine", "espeak", env=path_without_espeak))


def test_quiet_engine_failure_is_exactly_one_line(ws: Workspace, piper_profile: Path) -> None:
    result = ws.make(FIXTURES / "storm-ciaran.txt", "--voice", piper_profile, "--quiet")
    assert_failed_cleanly(result, ws, 1, "/nonexistent.onnx")
    assert_one_line_on_stderr(result)


# --- the output path ----------------------------------------------------------------------------------------


def test_output_path_under_a_file_is_a_clean_error(ws: Workspace) -> None:
    blocker = ws.out / "not-a-folder"
    blocker.write_text("occupied")
    result = run_cli(["make", FIXTURES / "bin-collections.txt", "--max-words", "20", "--no-publish",
                      "-o", blocker / "article.mp3"], home=ws.home, cwd=ws.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert error_lines(result.stderr) and str(blocker) in error_lines(result.stderr)[0]
    assert files_in(ws.out) == ["not-a-folder"]


# --- --debug -----------------------------------------------------------------------------------------------------


def test_debug_shows_the_traceback_of_an_error(ws: Workspace) -> None:
    missing = ws.root / "no-such-article.txt"
    result = run_cli(["--debug", "make", missing, "-o", ws.mp3], home=ws.home, cwd=ws.root)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert f"InputError: {missing}: no such file" in result.stderr
    assert files_in(ws.out) == []


def test_without_debug_the_same_error_has_no_traceback(ws: Workspace) -> None:
    missing = ws.root / "no-such-article.txt"
    result = run_cli(["make", missing, "-o", ws.mp3], home=ws.home, cwd=ws.root)
    assert result.stderr == f"Error: {missing}: no such file\n"


def test_json_nested_too_deeply_is_a_clean_error(ws: Workspace) -> None:
    path = ws.article("deep.json", "[" * 100_000)
    assert_failed_cleanly(ws.make(path), ws, 1, "deep.json")


def test_a_malformed_url_is_a_clean_error(ws: Workspace) -> None:
    assert_failed_cleanly(ws.make("http://[::1/story"), ws, 1, "http://[::1/story")


def test_a_voice_profile_with_a_bad_value_is_a_usage_error(ws: Workspace) -> None:
    profile = ws.article("odd.toml", 'engine = "espeak"\n[pauses]\nsentence_ms = "short"\n')
    result = ws.make(FIXTURES / "bin-collections.txt", "--voice", profile)
    assert_failed_cleanly(result, ws, 2, "odd.toml")
