"""briefing.toml is validated as a whole: types, ranges, unknown tables and keys, each a one-line
settings error with exit code 2 — apart from `daily`'s exit 1, which means only "nothing new today"."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.cli import main
from briefing.config import SCHEMA, SettingsError, load_config


def write_settings(library: Path, text: str) -> Path:
    library.mkdir(parents=True, exist_ok=True)
    path = library / "briefing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def daily(library: Path):
    result = CliRunner().invoke(main, ["daily", "--library", str(library), "-q"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.mark.parametrize(("text", "message"), [
    ("[sources]\ninbox = 'in'\nmax_items = 0.5", "sources.max_items must be a whole number"),
    ("[sources]\ninbox = 'in'\nmax_items = 0", "sources.max_items must be from 1 to 10000, got 0"),
    ("[sources]\ninbox = 'in'\ntimeout_s = 1e309", "sources.timeout_s must be a finite number"),
    ("[sources]\ninbox = 'in'\ntimeout_s = inf", "sources.timeout_s must be a finite number"),
    ("[sources]\ninbox = 'in'\ntimeout_s = nan", "sources.timeout_s must be a finite number"),
    ("[sources]\ninbox = 'in'\ntimeout_s = -3", "sources.timeout_s must be greater than 0 and at most 3600"),
    ("[sources]\ninbox = 'in'\ntimeout_s = true", "sources.timeout_s must be a number"),
    ("[sources]\ninbox = 'in'\nmax_bytes = '10MB'", "sources.max_bytes must be a whole number"),
    ("[sources]\ninbox = 'in'\nallow_private_urls = 'yes'", "sources.allow_private_urls must be true or false"),
    ("[sources]\nfeeds = [1, 2]", "sources.feeds must be a string or a list of strings"),
    ("[sources]\ninbox = ''", "sources.inbox must be a string or a list of strings"),
    ("[sourcs]\ninbox = 'in'", "unknown key [sourcs] (did you mean [sources]?)"),
    ("[sources]\nfeed = ['https://example.org/rss']", "unknown key sources.feed (did you mean sources.feeds?)"),
    ("[publishing]\nurl = 's3://b'", "unknown key [publishing] (did you mean [publish]?)"),
    ("[weather]\ncity = 'Leeds'", "unknown key [weather]"),
    ("title = 'Morning'", "unknown key title (it belongs under [channel])"),
    ("sources = 3", "[sources] must be a table"),
    ("[channel]\nexplicit = 'no'", "channel.explicit must be true or false"),
    ("[channel]\nkeep = 2.5", "channel.keep must be a whole number"),
    ("[channel]\nkeep_days = 0", "channel.keep_days must be greater than 0"),
    ("[channel]\ncache_mb = -1", "channel.cache_mb must be from 0 to 1e+06"),
    ("[extract]\ndrop = 'nav'", "extract.drop must be a list of non-empty strings"),
    ("[channel\ntitle = 'x'", "not valid TOML"),
])
def test_bad_settings_are_one_line_errors_naming_the_key_and_exit_2(tmp_path, text, message):
    path = write_settings(tmp_path, text)
    with pytest.raises(SettingsError) as raised:
        load_config(tmp_path)
    assert raised.value.message.startswith(f"{path}: ") and message in raised.value.message

    result = daily(tmp_path)

    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and message in line


def test_every_key_other_stages_read_is_known_and_valid_values_pass(tmp_path):
    write_settings(tmp_path, """
[channel]
title = "Morning"
owner_name = "Ana"
owner_email = "ana@example.org"
keep = 30
keep_days = 14.5
audio = "m4a"
cache_mb = 500
[sources]
inbox = "inbox"
feeds = ["https://example.org/rss"]
timeout_s = 15
total_timeout_s = 600
max_bytes = 10485760
max_items = 20
allow_private_urls = false
[extract]
drop = ["nav", ".promo"]
[publish]
url = "s3://bucket/prefix"
""")
    config = load_config(tmp_path)
    assert config.channel.title == "Morning" and config.has_sources
    assert config.channel.keep == 30 and config.publish is not None and config.publish.url == "s3://bucket/prefix"
    assert set(SCHEMA) == {"channel", "sources", "extract", "publish"}


@pytest.mark.parametrize("text", ["", "[channel]\ntitle = 'Morning'\n", "[sources]\nfeeds = []\ninbox = []\n"])
def test_no_sources_is_a_settings_error_not_a_quiet_day(tmp_path, text):
    path = write_settings(tmp_path, text)
    result = daily(tmp_path)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (f"Error: no sources configured in {path} "
                                     "(name an inbox, feeds, urls or files under [sources])")


def test_nothing_new_is_a_quiet_day_exit_0_with_one_line_and_none_with_q(tmp_path):
    (tmp_path / "inbox").mkdir()
    write_settings(tmp_path, "[sources]\ninbox = 'inbox'\n")
    quiet = daily(tmp_path)  # -q
    assert quiet.exit_code == 0 and quiet.output == "", quiet.output
    said = CliRunner().invoke(main, ["daily", "--library", str(tmp_path), "--date", "2026-11-25"])
    assert said.exit_code == 0
    assert said.output == "Nothing new for 2026-11-25: no new articles in the sources, so no episode.\n"
