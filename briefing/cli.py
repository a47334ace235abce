"""Click commands only: parse options, call the pipeline, print, and map errors to exit codes."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import click

from briefing import __version__
from briefing.engines import engine_names
from briefing.errors import BriefingError
from briefing.readers import FORMATS

# Command groups in modules of their own, imported only when one of their commands is asked for:
# `briefing make` need not load the library, the server or the scheduler.
COMMAND_MODULES = ("briefing.cli_publish", "briefing.cli_daily")


class BriefingGroup(click.Group):
    """Turns a BriefingError into one line on stderr and its exit code; tracebacks only with --debug."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and self._load_command_modules():
            command = super().get_command(ctx, name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_command_modules()
        return super().list_commands(ctx)

    def _load_command_modules(self) -> bool:
        if getattr(self, "_loaded", False):
            return False
        self._loaded = True
        for module_name in COMMAND_MODULES:
            for command in importlib.import_module(module_name).COMMANDS:
                self.add_command(command)
        return True

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BriefingError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {error.message}", err=True)
            sys.exit(error.exit_code)


@click.group(cls=BriefingGroup)
@click.version_option(__version__, prog_name="briefing")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn news articles into narrated audio briefings and a podcast feed."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


FORMAT_CHOICE = click.Choice(FORMATS)
ENGINE_CHOICE = click.Choice(engine_names())
format_option = click.option("--format", "format", type=FORMAT_CHOICE, help="Force the input format (default: detect).")
budget_options = [
    click.option("--max-words", type=click.IntRange(min=20), help="Length budget in words (default 250)."),
    click.option("--minutes", type=click.FloatRange(min=0.1), help="Length budget in minutes, instead of words."),
    click.option("--all", "everything", is_flag=True, help="Narrate the whole cleaned article."),
]


def with_budget(command):
    for option in reversed(budget_options):
        command = option(command)
    return command


def budget_from(max_words: int | None, minutes: float | None, everything: bool):
    from briefing.select import Budget

    if (max_words is not None) + (minutes is not None) + everything > 1:
        raise click.UsageError("choose one of --max-words, --minutes and --all")
    return Budget.from_options(max_words, minutes, everything)


@main.command()
@click.argument("article")
@format_option
@with_budget
@click.option("--voice", "voice", metavar="PROFILE", help="Voice profile name or TOML path (default: default).")
@click.option("--json", "as_json", is_flag=True, help="Print the script as JSON (a public, stable format).")
def script(article: str, format: str | None, max_words, minutes, everything, voice: str | None, as_json: bool) -> None:
    """Print the narration script of ARTICLE (a file, - for stdin, or a URL) without rendering audio."""
    from briefing.pipeline import load_article, make_script
    from briefing.voices import load_profile

    budget = budget_from(max_words, minutes, everything)
    profile = load_profile(voice)
    built = make_script(load_article(article, format), budget, profile)
    if as_json:
        click.echo(json.dumps(built.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(built.to_text(), nl=False)


@main.command()
@click.argument("article")
@format_option
@with_budget
@click.option("--json", "as_json", is_flag=True, help="Print the kept paragraphs as JSON (a public, stable format).")
def extract(article: str, format: str | None, max_words, minutes, everything, as_json: bool) -> None:
    """Print what cleaning (and, with a budget, summarising) keeps of ARTICLE, in its own words."""
    from briefing.pipeline import load_article, summarise
    from briefing.select import Budget

    loaded = load_article(article, format)
    if max_words is None and minutes is None:
        budget = Budget(None)
    else:
        budget = budget_from(max_words, minutes, everything)
    kept = summarise(loaded, budget)
    if as_json:
        document = {
            "title": loaded.title,
            "paragraphs": [
                {"text": p.text, "source": p.source, "section": p.section, "heading": p.is_heading} for p in kept
            ],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(loaded.title + "\n")
        click.echo("\n\n".join(p.text for p in kept))


@main.command()
@click.argument("article")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="MP3 path (default: output/<slug-of-title>.mp3).")
@format_option
@with_budget
@click.option("--voice", "voice", metavar="PROFILE", help="Voice profile name or TOML path (default: default).")
@click.option("--engine", type=ENGINE_CHOICE, help="Override the profile's engine.")
@click.option("--chime", is_flag=True, help="Play a short chime at the start of each section.")
@click.option("--library", metavar="DIR", help="Library folder (default: $BRIEFING_HOME, else ./output).")
@click.option("--no-publish", is_flag=True, help="Only write the MP3; do not add it to the library and feed.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def make(article, output, format, max_words, minutes, everything, voice, engine, chime, library, no_publish, quiet):
    """Render ARTICLE (a file, - for stdin, or a URL) as a narrated MP3 briefing and publish it."""
    from briefing.library import resolve_library_dir
    from briefing.locking import library_lock
    from briefing.pipeline import (
        RenderOptions,
        default_output,
        episode_guid,
        load_article,
        make_script,
        publish_rendered,
        render,
    )
    from briefing.voices import load_profile

    budget = budget_from(max_words, minutes, everything)
    profile = load_profile(voice)
    library_dir = resolve_library_dir(library)
    loaded = load_article(article, format)
    built = make_script(loaded, budget, profile)
    target = output or default_output(loaded.title, library_dir)
    _prepare_folder(target)
    options = RenderOptions(profile=profile, engine=engine, chime=chime)
    bar = None if quiet else _ProgressBar(len(built.segments()), "Speaking")
    try:
        rendered = render(built, options, target, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    if not no_publish:
        # Standard input has no name: the article's title stands for it, so re-making it replaces it.
        identity = f"stdin:{loaded.title}" if article == "-" else article
        with library_lock(library_dir, wait=True):  # `daily` and other makes publish one at a time
            publish_rendered(rendered, library_dir, source=article, voice=profile.name,
                             guid=episode_guid(identity))
    if not quiet:
        minutes_long, seconds = divmod(round(rendered.duration_s), 60)
        click.echo(f"{rendered.audio}  ({minutes_long}:{seconds:02d}, {len(built.segments())} sentences)")


class _ProgressBar:
    """A progress bar that appears only once the first segment is spoken, so errors stay one line."""

    def __init__(self, length: int, label: str) -> None:
        self._length, self._label, self._bar = length, label, None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=self._length, label=self._label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _prepare_folder(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BriefingError(f"{target}: cannot write here: {error.strerror}") from None


@main.command()
@click.option("--engine", type=ENGINE_CHOICE, help="Only this engine's voices.")
@click.option("--all-languages", is_flag=True, help="Show every language, not only English.")
def voices(engine: str | None, all_languages: bool) -> None:
    """List the voice profiles and the voices each engine offers."""
    from briefing.engines import VoiceSettings, engine_names, load_engine
    from briefing.voices import load_profile, profile_names

    if engine is None:
        click.echo("Profiles (voices/*.toml):")
        for name in profile_names():
            profile = load_profile(name)
            click.echo(f"  {name:<14} {profile.engine:<8} {profile.settings.voice or profile.settings.model or '':<12} "
                       f"{profile.description}")
    for name in [engine] if engine else engine_names():
        try:
            loaded = load_engine(name, VoiceSettings())
        except BriefingError as error:
            click.echo(f"\n{name}: unavailable ({error.message})")
            continue
        found = loaded.voices()
        loaded.close()
        shown = [v for v in found if all_languages or any(lang.lower().startswith("en") for lang in v.languages)]
        click.echo(f"\n{name} voices ({len(shown)} of {len(found)}):")
        for voice_info in shown:
            click.echo(f"  {voice_info.id:<28} {voice_info.name}")
