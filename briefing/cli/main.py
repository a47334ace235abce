"""Click commands only: parse options, call the pipeline, print, and map errors to exit codes."""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from briefing.system.version import VERSION
from briefing.audio.engines import engine_names
from briefing.errors import EXIT_PARTLY_DONE, BriefingError
from briefing.audio.formats import DEFAULT_FORMAT
from briefing.audio.formats import format_names as audio_format_names
from briefing.readers import format_names
from briefing.system.textsafety import strip_controls, strip_controls_inline

# Command groups in modules of their own, imported only when one of their commands is asked for:
# `briefing make` need not load the library, the server or the scheduler.
COMMAND_MODULES = ("briefing.cli.episodes", "briefing.cli.daily", "briefing.cli.fleet")
# Left raw by json.dumps(ensure_ascii=False) yet unsafe on a terminal (DEL, C1 such as CSI, line
# separators) or unencodable (lone surrogates); json.dumps already escapes the C0 controls.
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


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

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        # `briefing make --debug ARTICLE` as well as `briefing --debug make ARTICLE`.
        if not any(param.name == "debug" for param in cmd.params):
            cmd.params.append(click.Option(["--debug"], is_flag=True, expose_value=False, callback=_set_debug,
                                           help="Show full tracebacks on errors."))
        super().add_command(cmd, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command with its whole first sentence, wrapped rather than cut off."""
        rows = [(name, command.get_short_help_str(limit=sys.maxsize))
                for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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
            # Messages name inputs (paths, URLs) that may hold newlines or terminal escapes.
            click.echo(f"Error: {strip_controls_inline(error.message)}", err=True)
            sys.exit(error.exit_code)
        except OSError as error:  # the machine's trouble (disk full, read-only), not a bug: one line too
            if ctx.obj and ctx.obj.get("debug"):
                raise
            where = f"{error.filename}: " if error.filename else ""
            click.echo(f"Error: {strip_controls_inline(where + (error.strerror or str(error)))}", err=True)
            sys.exit(1)
        except MemoryError:  # no setting or input should get here (they are bounded); if one does, one line
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo("Error: out of memory (run with --debug to see where)", err=True)
            sys.exit(1)


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().ensure_object(dict)["debug"] = True


def echo_json(document: object) -> None:
    """Print a public JSON document with every unsafe character as a \\u escape, so no data is lost."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    click.echo(_UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text))


# -h as well as --help; help wraps at 80 columns whatever the terminal (subcommands inherit both).
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 80}


@click.group(cls=BriefingGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(VERSION, prog_name="briefing")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn news articles into narrated audio briefings and a podcast feed."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = ctx.obj.get("debug", False) or debug


FORMAT_CHOICE = click.Choice(format_names())
ENGINE_CHOICE = click.Choice(engine_names())
audio_option = click.option(
    "--audio", type=click.Choice(audio_format_names()),
    help=f"Audio format of the episode (default: [channel] audio in briefing.toml, else {DEFAULT_FORMAT}).")
format_option = click.option("--format", "format", type=FORMAT_CHOICE, help="Force the input format (default: detect).")
private_urls_option = click.option(
    "--allow-private-urls", is_flag=True,
    help="Fetch URLs on loopback, private and link-local addresses too (refused by default).")
drop_option = click.option(
    "--drop", "drop", multiple=True, metavar="SELECTOR",
    help="Remove the page elements this CSS selector matches before extraction (repeatable; adds to [extract] drop).")
adopt_option = click.option(
    "--adopt", is_flag=True,
    help="On a library's first run, replace a feed.xml, feed.xsl, index.html or cover.png that briefing did not "
         "write (refused by default).")
NARRATE_ALL = "Narrate the whole cleaned article."


def with_budget(command=None, *, all_help: str = NARRATE_ALL):
    """The length options; ``all_help`` says what --all means to the command."""
    def decorate(command):
        for option in reversed([
            click.option("--max-words", type=click.IntRange(min=20), help="Length budget in words (default 250)."),
            click.option("--minutes", type=click.FloatRange(min=0.1),
                         help="Length in minutes, fitted to the voice's pace, instead of words."),
            click.option("--all", "everything", is_flag=True, help=all_help),
        ]):
            command = option(command)
        return command

    return decorate(command) if command is not None else decorate


library_option = click.option("--library", metavar="DIR",
                              help="Library folder (default: $BRIEFING_HOME, else ./output).")
library_settings_option = click.option(
    "--library", metavar="DIR",
    help="Say it as this library's episodes are said: its [extract] drop, lexicon, voice, intro and outro "
         "(default: $BRIEFING_HOME's, else the shipped settings; ./output is not read).")


def read_options(format: str | None, drop: tuple[str, ...], allow_private_urls: bool, channel):
    """How to read the article: the channel's [extract] drop selectors and the --drop ones are removed."""
    from briefing.readers import ReadOptions

    configured = channel.settings.drop if channel is not None else ()
    return ReadOptions(format=format, drop=(*configured, *drop), allow_private_urls=allow_private_urls)


def channel_of(library: str | None):
    """The library named by --library, else by $BRIEFING_HOME, resolved once; None without either
    (the shipped settings: ./output, the default library of `make`, is not read)."""
    from briefing.channel import Channel
    from briefing.library.store import HOME_ENV

    named = library or os.environ.get(HOME_ENV)
    return Channel.resolve(named) if named else None


def budget_from(max_words: int | None, minutes: float | None, everything: bool):
    from briefing.text.selection import Budget

    if (max_words is not None) + (minutes is not None) + everything > 1:
        raise click.UsageError("choose one of --max-words, --minutes and --all")
    return Budget.from_options(max_words, minutes, everything)


@main.command()
@click.argument("article")
@format_option
@private_urls_option
@drop_option
@with_budget
@library_settings_option
@click.option("--voice", "voice", metavar="PROFILE", help="Voice profile name or TOML path (default: default).")
@click.option("--json", "as_json", is_flag=True, help="Print the script as JSON (a public, stable format).")
def script(article: str, format: str | None, allow_private_urls: bool, drop: tuple[str, ...], max_words, minutes,
           everything, library: str | None, voice: str | None, as_json: bool) -> None:
    """Print the narration script of ARTICLE (a file, - for stdin, or a URL) without rendering audio."""
    from briefing.pipeline import fit_script, load_article, make_script
    from briefing.text.script import Framing
    from briefing.voices import load_profile

    budget = budget_from(max_words, minutes, everything)
    channel = channel_of(library)
    settings = channel.settings.channel if channel is not None else None
    profile = load_profile(voice or (settings.voice if settings is not None else None))
    framing = settings.framing() if settings is not None else Framing()
    folder = channel.folder if channel is not None else None
    loaded = load_article(article, read_options(format, drop, allow_private_urls, channel))
    built = (fit_script(loaded, minutes, profile, folder, framing=framing) if minutes is not None
             else make_script(loaded, budget, profile, library_dir=folder, framing=framing))
    if as_json:
        echo_json(built.to_json())
    else:
        click.echo(strip_controls(built.to_text()), nl=False)


@main.command()
@click.argument("article")
@format_option
@private_urls_option
@drop_option
@with_budget(all_help="Keep the whole cleaned article, as without a budget (with --json too).")
@library_settings_option
@click.option("--json", "as_json", is_flag=True, help="Print the kept paragraphs as JSON (a public, stable format).")
def extract(article: str, format: str | None, allow_private_urls: bool, drop: tuple[str, ...], max_words, minutes,
            everything, library: str | None, as_json: bool) -> None:
    """Print what cleaning (and, with a budget, summarising) keeps of ARTICLE, in its own words.

    With --minutes, what `make --minutes` would say of it: the budget fitted to the voice's pace."""
    from briefing.pipeline import fitted_budget, load_article, summarise
    from briefing.text.script import Framing
    from briefing.text.selection import Budget
    from briefing.voices import load_profile

    channel = channel_of(library)
    loaded = load_article(article, read_options(format, drop, allow_private_urls, channel))
    if max_words is None and minutes is None:
        budget = Budget(None)
    elif minutes is not None:
        budget_from(max_words, minutes, everything)
        settings = channel.settings.channel if channel is not None else None
        budget = fitted_budget(loaded, minutes, load_profile(settings.voice if settings is not None else None),
                               settings.framing() if settings is not None else Framing())
    else:
        budget = budget_from(max_words, minutes, everything)
    # Without a budget, cleaning's output as it is: the article's own words, datelines and all.
    kept = loaded.paragraphs if budget.max_words is None else summarise(loaded, budget)
    if as_json:
        document = {
            "title": loaded.title,
            "paragraphs": [
                {"text": p.text, "source": p.source, "section": p.section, "heading": p.is_heading} for p in kept
            ],
        }
        echo_json(document)
    else:
        click.echo(strip_controls_inline(loaded.title) + "\n")
        click.echo(strip_controls("\n\n".join(p.text for p in kept)))


@main.command()
@click.argument("articles", nargs=-1, required=True, metavar="ARTICLE...")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Also write the audio file here (a copy: the library keeps its own), with one ARTICLE; "
                   "it ends in the format's suffix, and its side files are named after it (OUT.txt, "
                   "OUT.json, ...). Never an input, a folder, a link, a file inside the library or one "
                   "briefing did not write (default: published into the library only).")
@click.option("--title", metavar="TEXT", help="The episode's title, with one ARTICLE (standard input has none).")
@format_option
@private_urls_option
@drop_option
@with_budget
@click.option("--voice", "voice", metavar="PROFILE", help="Voice profile name or TOML path (default: [channel] voice, else default).")
@click.option("--engine", type=ENGINE_CHOICE, help="Override the profile's engine.")
@click.option("--chime", is_flag=True, help="Play a short chime at the start of each section.")
@audio_option
@library_option
@click.option("--no-publish", is_flag=True,
              help="Only write the audio file (default: output/<slug-of-title> and the format's suffix); "
                   "do not add it to the feed.")
@adopt_option
@click.option("--wait", type=click.FloatRange(min=0), default=600.0, show_default=True, metavar="SECONDS",
              help="If another briefing is using the library, wait this long for it, then exit 75.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
@click.pass_context
def make(ctx, articles, output, title, format, allow_private_urls, drop, max_words, minutes, everything, voice,
         engine, chime, audio, library, no_publish, adopt, wait, quiet):
    """Render each ARTICLE (a file, - for stdin, or a URL) as a narrated audio briefing and publish it.

    One line per episode. Exit codes: 0 all made; 3 some made, some failed (each named on stderr);
    1 none made; 75 another briefing held the library longer than --wait; 2 bad options.
    """
    from briefing.pipeline import MakeOptions
    from briefing.voices import load_profile

    if len(articles) > 1 and (output or title):
        raise click.UsageError("-o and --title go with one ARTICLE")
    if articles.count("-") > 1:
        raise click.UsageError("standard input (-) can be read once")
    budget_from(max_words, minutes, everything)
    from briefing.channel import Channel

    channel = ctx.with_resource(Channel.resolve(library))
    if not no_publish:  # once, before any article: a [publish] that cannot work is a settings error
        from briefing.library.objectstore import publish_target

        publish_target(channel.folder, channel.settings, library=channel.stored_library())
    options = MakeOptions(minutes=minutes, max_words=max_words, everything=everything,
                          voice=load_profile(voice) if voice else None,  # None: [channel] voice, else default
                          engine=engine, chime=chime, audio=audio, format=format, allow_private_urls=allow_private_urls,
                          drop=drop, title=title, library=library, output=output, publish=not no_publish,
                          adopt=adopt, wait=wait)
    if len(articles) == 1:
        _make_one(articles[0], options, quiet, channel)
        return
    failed = 0
    for article in articles:
        try:
            _make_one(article, options, quiet, channel)
        except BriefingError as error:  # named, and the next article is made
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {strip_controls_inline(error.message)}", err=True)
            failed += 1
    if failed:
        ctx.exit(EXIT_PARTLY_DONE if failed < len(articles) else 1)




def _make_one(article: str, options, quiet: bool, channel) -> None:
    from briefing.pipeline import make_episode

    bar = None if quiet else _ProgressBar("Speaking")
    try:
        made = make_episode(article, options, progress=bar, channel=channel)
    finally:
        if bar is not None:
            bar.close()
    for warning in made.warnings:
        click.echo(strip_controls_inline(f"Warning: published, but {warning}"), err=True)
    if not quiet:
        minutes_long, seconds = divmod(round(made.duration_s), 60)
        click.echo(strip_controls_inline(f"{made.audio}  ({minutes_long}:{seconds:02d}, "
                                         f"{len(made.script.segments())} sentences)"))
        if made.uploaded is not None:
            click.echo(made.uploaded.line())


class _ProgressBar:
    """A progress bar that appears only once the first segment is spoken, so errors stay one line."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._bar: Any = None  # click's progress bar, once made

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@main.command()
@click.option("--engine", type=ENGINE_CHOICE, help="Only this engine's voices.")
@click.option("--all-languages", is_flag=True, help="Show every language, not only English.")
def voices(engine: str | None, all_languages: bool) -> None:
    """List the voice profiles and the voices each engine offers."""
    from briefing.audio.engines import VoiceSettings, engine_names, load_engine
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
