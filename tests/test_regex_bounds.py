"""Every regular expression briefing runs on input is linear: adversarial text through each takes
under a second a megabyte (a backtracking pattern takes minutes to hours on a megabyte). Here 50 KB
of each kind, so the whole sweep stays quick (a quadratic pattern, ``\\s+$`` on spaces, takes 8 s where
the limit is 0.05 s); ``benchmarks/hostile_inputs.py --regex`` runs the same sweep on 1 MB.

The patterns are found, not listed: every compiled pattern held by a briefing module and every
literal pattern given to ``re.sub``/``re.search``/... in briefing's source, so a new one is checked
too. Each is run the way the code runs it (``match``/``fullmatch`` only at the start, the others over
the whole text), on long whitespace runs, long words and tag floods. Patterns built at run time from
other text are covered by the entry points at the end, which see the same strings.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import time
from pathlib import Path

import pytest

import briefing

SIZE = 50_000
SECONDS_PER_MB = 1.0
LIMIT_S = SECONDS_PER_MB * SIZE / 1_000_000
PACKAGE = Path(briefing.__file__).parent


def adversarial(size: int) -> dict[str, str]:
    """Long whitespace runs, long words and tag floods of about ``size`` characters."""
    return {
        "spaces": " " * size,
        "tabs": "\t" * size,
        "no-break spaces": "\u00a0" * size,
        "newlines": "\n" * size,
        "mixed whitespace": " \t\n\u2003\r\u3000" * (size // 6),
        "word, spaces, word": "a" + " " * size + "a",
        "one long word": "a" * size,
        "one long number": "1" * size,
        "capitals": "AB" * (size // 2),
        "dotted letters": "a." * (size // 2),
        "dotted capitals": "A." * (size // 2),
        "dotted digits": "1." * (size // 2),
        "hyphenated": "a-" * (size // 2),
        "spaced hyphens": " - " * (size // 3),
        "spaced dashes": " \u2014" * (size // 2),
        "e-mail-like": "a.b+" * (size // 4) + "@",
        "at signs": "a@" * (size // 2),
        "bold tags": "<b>" * (size // 3),
        "open angles": "<" * size,
        "entities": "&amp;" * (size // 5),
        "brackets": "( " * (size // 2),
        "quotes": '" ' * (size // 2),
        "colon digits": "1:" * (size // 2),
    }



ADVERSARIAL = adversarial(SIZE)


def module_patterns() -> list[tuple[str, re.Pattern, str]]:
    found = []
    for info in pkgutil.walk_packages(briefing.__path__, "briefing."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional engine's library is not installed
            continue
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                uses = set(re.findall(rf"\b{re.escape(name)}\.(\w+)\(", source))
                how = "match" if uses and uses <= {"match", "fullmatch"} else "scan"
                found.append((f"{info.name}.{name}", value, how))
    return found


def literal_patterns(compiled: set[str]) -> list[tuple[str, re.Pattern, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                continue
            flags = next((keyword.value for keyword in node.keywords if keyword.arg == "flags"), None)
            value = eval(compile(ast.Expression(flags), "<flags>", "eval"), {"re": re}) if flags else 0  # noqa: S307
            if node.func.attr == "compile" and node.args[0].value in compiled:
                continue  # a module's pattern, checked the way the module uses it
            how = "match" if node.func.attr in ("match", "fullmatch") else "scan"
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            found.append((where, re.compile(node.args[0].value, value), how))
    return found


_MODULE_PATTERNS = module_patterns()
PATTERNS = _MODULE_PATTERNS + literal_patterns({pattern.pattern for _, pattern, _ in _MODULE_PATTERNS})


def test_the_audit_finds_the_patterns_it_should():
    names = {where for where, _, _ in PATTERNS}
    assert "briefing.text.clean.EMAIL" in names and "briefing.text.speech.text.DASH_AS_PAUSE" in names
    assert len(PATTERNS) > 100


def seconds_on(pattern: re.Pattern, how: str, text: str) -> float:
    """CPU seconds (this process's: holds on a busy machine) ``pattern`` takes over ``text`` as the code runs it."""
    started = time.process_time()
    if how == "match":
        pattern.match(text)
    else:
        pattern.subn("", text)  # every match, as sub/findall/split find them, without a Python object each
    return time.process_time() - started


@pytest.mark.parametrize(("where", "pattern", "how"), PATTERNS, ids=[where for where, _, _ in PATTERNS])
def test_pattern_is_linear_on_adversarial_text(where, pattern, how):
    for name, text in ADVERSARIAL.items():
        elapsed = seconds_on(pattern, how, text)
        assert elapsed < LIMIT_S, f"{where} took {elapsed:.2f} s on {SIZE // 1000} KB of {name}"


# The issue's own inputs, through the functions that run them (patterns built at run time included).

def test_dash_tidying_is_linear_on_long_whitespace_runs():
    from briefing.text.speech.text import display_text, normalize

    for space in (" ", "\t", "\u00a0", "\u2003"):
        text = "Title" + space * SIZE + "- end"
        started = time.process_time()
        assert normalize(text).startswith("Title")
        display_text(text)
        assert time.process_time() - started < 10 * LIMIT_S


def test_contact_prompt_is_linear_on_a_long_word():
    from briefing.text.clean import EMAIL, _is_contact_prompt

    started = time.process_time()
    assert not _is_contact_prompt("a" * SIZE)
    assert EMAIL.search("x" * SIZE + " tips@example.org")
    assert time.process_time() - started < LIMIT_S


def test_the_linear_patterns_still_mean_what_they_meant():
    from briefing.text.clean import EMAIL, LABEL_SEPARATORS
    from briefing.text.speech.text import DASH_AS_PAUSE, TAG, display_text

    assert EMAIL.search("Write to tips@example.org today").group(0) == "tips@example.org"
    assert EMAIL.search("a..b+c@mail.example.co.uk").group(0) == "a..b+c@mail.example.co.uk"
    assert DASH_AS_PAUSE.sub(", ", "the plan \u2014 and   -  the cost") == "the plan, and, the cost"
    assert DASH_AS_PAUSE.sub(", ", "well-known, long -term") == "well-known, long, term"
    assert LABEL_SEPARATORS.split("News  |  Politics") == ["News", "Politics"]
    assert TAG.sub("", "<b><i>Bold</i></b> and 3 < 4") == "Bold and 3 < 4"
    assert display_text('A quote ( aside ) ends here .') == "A quote ( aside ) ends here."
