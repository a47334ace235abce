"""A channel is its own show: [channel] voice, minutes, audio, intro and outro, and a language that
matches the voice. Fast: settings, scripts and options only; the audio paths are tested elsewhere."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefing.config import SettingsError, load_config
from briefing.daily.run import DailyOptions, Story, build_daily_script
from briefing.model import Article, Paragraph
from briefing.pipeline import RenderOptions
from briefing.text.script import Framing, build_script
from briefing.voices import Pauses, load_profile

DATE = dt.date(2026, 11, 25)


def settings(tmp_path: Path, channel: str) -> Path:
    (tmp_path / "briefing.toml").write_text(f"[channel]\n{channel}\n", encoding="utf-8")
    return tmp_path


def test_the_feed_language_follows_the_voice_unless_configured(tmp_path):
    assert load_config(tmp_path).channel.language == "en-us"  # the default voice is American
    assert load_config(settings(tmp_path, 'voice = "british"')).channel.language == "en-gb"
    assert load_config(settings(tmp_path, 'language = "en-gb"')).channel.language == "en-gb"  # English all the same


def test_a_language_the_voice_does_not_speak_is_a_settings_error(tmp_path):
    with pytest.raises(SettingsError, match=r"channel.language 'fr' is not what the voice 'british' speaks \(en-gb\)"):
        load_config(settings(tmp_path, 'language = "fr"\nvoice = "british"'))


@pytest.mark.parametrize("template, problem", [("This is {show}.", "unknown placeholder {show}"),
                                                ("Hello {title", "expected '}'")])
def test_an_intro_may_name_only_title_and_date(tmp_path, template, problem):
    with pytest.raises(SettingsError, match=problem):
        load_config(settings(tmp_path, f'intro = "{template}"'))


def test_minutes_and_voice_are_channel_settings(tmp_path):
    channel = load_config(settings(tmp_path, 'voice = "british"\nminutes = 3.5\naudio = "m4a"')).channel
    assert (channel.voice, channel.minutes, channel.audio) == ("british", 3.5, "m4a")
    with pytest.raises(SettingsError, match="channel.minutes must be from 0.5 to 180"):
        load_config(settings(tmp_path, "minutes = 0"))


def daily_script(framing: Framing) -> list[str]:
    story = Story("k", Article("Harbour bridge to close", [Paragraph("The bridge closes on Monday.", 0)], "x", "text"))
    script = build_daily_script(DATE, [(story, ["The bridge closes on Monday."])], Pauses(), framing=framing)
    return [section.segments[0].display for section in script.sections]


def test_the_daily_intro_and_outro_say_the_shows_name(tmp_path):
    named = load_config(settings(tmp_path, 'title = "Harbour Town Today"')).channel.framing()
    said = daily_script(named)
    assert said[0] == "Harbour Town Today for Wednesday the 25th of November. One story today."
    assert said[-1] == "That was Harbour Town Today. Thank you for listening."
    unnamed = daily_script(load_config(tmp_path / "none").channel.framing())
    assert unnamed[0] == "Your briefing for Wednesday the 25th of November. One story today."  # no title: as before


def test_intro_and_outro_templates_fill_title_and_date(tmp_path):
    channel = load_config(settings(tmp_path, 'title = "Coast FM news"\nintro = "Good morning, this is {title} on {date}."\n'
                                             'outro = "{title} is back tomorrow."')).channel
    article = Article("Storm closes the pier", [Paragraph("High winds closed the pier on Tuesday.", 0)], "x", "text")
    script = build_script(article, article.paragraphs, Pauses(), date=DATE.isoformat(), framing=channel.framing())
    assert script.sections[0].segments[0].display.startswith(
        "Good morning, this is Coast FM news on Wednesday the 25th of November. Storm closes the pier.")
    assert script.sections[-1].segments[0].display == "Coast FM news is back tomorrow."


def test_a_fleet_channel_uses_its_own_voice_and_length_unless_the_command_chose(tmp_path):
    from briefing.channel import Channel
    from briefing.daily.fleet import FleetOptions, _daily_options

    library = Channel.resolve(settings(tmp_path, 'voice = "british"\nminutes = 3'))
    fleet = FleetOptions(date=DATE, render=RenderOptions(profile=load_profile(None)))
    own = _daily_options(library, fleet)
    assert (own.render.profile.name, own.minutes) == ("british", 3)
    chosen = _daily_options(library, FleetOptions(date=DATE, render=RenderOptions(profile=load_profile("american")),
                                                  minutes=2, voice="american"))
    assert (chosen.render.profile.name, chosen.minutes) == ("american", 2)
    assert isinstance(own, DailyOptions)
