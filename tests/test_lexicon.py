"""The pronunciation lexicon: whole words, case-aware, the user's entries win, and every engine says them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from helpers import requires_espeak, requires_ffmpeg, run_cli

from briefing.errors import UsageError
from briefing.text.speech.lexicon import Lexicon, load_lexicon
from briefing.voices import load_profile
from briefing.library.sidefiles import side_path

ARTICLE = ("Fighting near Kharkiv\n\n"
           "Ukrainian forces advanced near Kharkiv on Sunday, Dresdner Kleinwort analysts said on Monday.\n")


def test_an_entry_respells_whole_words_only_keeping_a_possessive() -> None:
    lexicon = Lexicon({"Izyum": "Izyoom"})
    assert lexicon.respell("Izyum's mayor left Izyum.") == "Izyoom's mayor left Izyoom."
    assert lexicon.respell("Izyumsky and PreIzyum stay") == "Izyumsky and PreIzyum stay"


def test_a_capitalised_key_matches_only_that_spelling() -> None:
    lexicon = Lexicon({"Reading": "Redding"})
    assert lexicon.respell("Reading fans were reading the news.") == "Redding fans were reading the news."


def test_a_lower_case_key_matches_any_case_and_keeps_a_leading_capital() -> None:
    lexicon = Lexicon({"gif": "jif"})
    assert lexicon.respell("Gif files, a gif, a GIF.") == "Jif files, a jif, a Jif."


def test_several_word_keys_win_over_their_parts() -> None:
    lexicon = Lexicon({"Dresdner": "Dresd", "Dresdner Kleinwort": "Dresdner Klinevort"})
    assert lexicon.respell("Dresdner Kleinwort and Dresdner Bank") == "Dresdner Klinevort and Dresd Bank"


def test_the_shipped_lexicon_names_the_misheard_names_and_the_users_entries_win(tmp_path: Path) -> None:
    shipped = load_lexicon(None).entries
    assert shipped["Kharkiv"] == "Kharkeev" and "Dresdner Kleinwort" in shipped
    (tmp_path / "lexicon.toml").write_text('Kharkiv = "Harkeef"\nQatar = "Kuttar"\n', encoding="utf-8")
    merged = load_lexicon(tmp_path).entries
    assert merged["Kharkiv"] == "Harkeef" and merged["Qatar"] == "Kuttar"
    assert merged["Dresdner Kleinwort"] == shipped["Dresdner Kleinwort"]


@pytest.mark.parametrize("content", ['Kharkiv = 3\n', 'Kharkiv = ""\n', 'Kharkiv = "a\n', "\xff\xfe"])
def test_a_broken_user_lexicon_is_a_usage_error_naming_the_file(tmp_path: Path, content: str) -> None:
    (tmp_path / "lexicon.toml").write_bytes(content.encode("latin-1"))
    with pytest.raises(UsageError, match="lexicon.toml"):
        load_lexicon(tmp_path)


def _available(profile: str) -> bool:
    engine = load_profile(profile).engine
    package = {"hibari": "hibari", "piper": "piper"}.get(engine)
    return package is None or importlib.util.find_spec(package) is not None


@requires_espeak
@requires_ffmpeg
@pytest.mark.parametrize("profile", ["classic", "british", "hibari", "piper-joe"])
def test_a_user_entry_changes_what_every_engine_is_given_to_say(profile: str, tmp_path: Path) -> None:
    if not _available(profile):
        pytest.skip(f"the {profile} profile's engine is not installed")
    (tmp_path / "lexicon.toml").write_text('Kharkiv = "Harkeef"\n', encoding="utf-8")
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    mp3 = tmp_path / "out.mp3"
    made = run_cli(["make", article, "--voice", profile, "--no-publish", "-q", "-o", mp3], home=tmp_path)
    assert made.returncode == 0, made.stderr
    timing = json.loads(side_path(mp3, "timing").read_text(encoding="utf-8"))
    assert timing["engine"] == load_profile(profile).engine  # spoken by that engine, not a fallback
    said = " ".join(s["text"] for section in timing["sections"] for s in section["segments"])
    assert "Harkeef" in said and "Kharkiv" not in said
    assert load_lexicon(None).entries["Dresdner Kleinwort"] in said  # the shipped entry still applies


def test_los_angeles_is_respelled_for_every_engine() -> None:
    from briefing.text.speech.lexicon import load_lexicon

    assert "Loss Anjelus" in load_lexicon(None).respell("The mayor of Los Angeles spoke.")


def test_text_that_matches_a_key_only_case_insensitively_takes_that_keys_entry() -> None:
    # "İ".lower() is "i̇" and "ſ".lower() is "ſ": a lookup of the matched text would miss the entry.
    lexicon = Lexicon({"gif": "jif", "news": "noos"})
    assert lexicon.respell("A GİF of the NEWſ") == "A Jif of the Noos"


def test_an_exact_spelling_wins_over_an_any_case_key_of_the_same_word() -> None:
    lexicon = Lexicon({"gif": "jif", "GIF": "G I F"})
    assert lexicon.respell("GIF, gif, Gif") == "G I F, jif, Jif"
