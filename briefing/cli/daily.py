"""Click commands for the daily briefing: daily, schedule, run-scheduler."""

from __future__ import annotations

import datetime as dt
import signal
import sys
from pathlib import Path

import click

from briefing.cli.main import adopt_option, audio_option, library_option
from briefing.audio.engines import VoiceSettings, engine_names

ENGINES = click.Choice(engine_names())
fleet_option = click.option("--fleet", metavar="DIR",
                            help="Run `briefing fleet DIR` (every channel in DIR) instead of one library's daily.")
scheduler_option = click.option("--scheduler", "dask_scheduler", metavar="tcp://HOST:8786",
                                help="With --fleet: send the channels to this running Dask scheduler.")


@click.command()
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The day of the briefing (default: today).")
@click.option("--minutes", type=click.FloatRange(min=0.5),
              help="Length budget of the whole episode (default: [channel] minutes, else 8).")
@click.option("--update", is_flag=True, help="Add articles that arrived since this date's episode was made "
              "(published as a new item that replaces the day's earlier one, so podcast apps download it).")
@library_option
@click.option("--voice", metavar="PROFILE", help="Voice profile name or TOML path (default: [channel] voice, else default).")
@click.option("--engine", type=ENGINES, help="Override the profile's engine.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N", help="Parallel workers: speech, the day's planning and encoding (default: one per core).")
@click.option("--chime", is_flag=True, help="Play a short chime at the start of each section.")
@audio_option
@click.option("--wait", type=click.FloatRange(min=0), is_flag=False, flag_value=float("inf"), default=0.0,
              metavar="[SECONDS]", help="If another briefing is using the library, wait for it (for at most "
              "SECONDS, if given), then exit 75 (default: exit 75 at once).")
@adopt_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems (skipped sources).")
@click.option("--plan", "--dry-run", "plan", is_flag=True,
              help="Print the day's stories as the editor ranks and times them, and what is left out; "
                   "render, publish and remember nothing.")
@click.option("--json", "as_json", is_flag=True, help="With --plan: print the plan as JSON.")
@click.pass_context
def daily(ctx, date, minutes, update, library, voice, engine, workers, chime, audio, wait, adopt, quiet, plan,
          as_json) -> None:
    """Make today's briefing from the [sources] in briefing.toml and publish it.

    Running it again for the same date replaces that day's episode: without --update it is
    re-rendered from the same stories, with --update new articles are added to them.

    \b
    Exit codes: 0 published, or nothing new today (one line; -q: none);
    3 published, but some sources failed (each named on stderr); 1
    nothing published because every source failed; 75 another briefing
    holds the library (see --wait); 2 bad options or settings.
    """
    from contextlib import ExitStack

    from briefing.audio.speak import SpeechPool
    from briefing.channel import Channel
    from briefing.config import SettingsError
    from briefing.daily.run import DEFAULT_MINUTES
    from briefing.errors import QuietDay
    from briefing.voices import asked_profile, load_profile

    channel = ctx.with_resource(Channel.resolve(library))
    library_dir, config = channel.folder, channel.settings
    if not config.has_sources:  # a mistake to report as one (exit 2), not a quiet day
        raise SettingsError(f"no sources configured in {config.path} "
                            "(name an inbox, feeds, urls or files under [sources])")
    if as_json and not plan:
        raise click.UsageError("--json goes with --plan")
    profile = load_profile(voice or config.channel.voice)
    minutes = minutes or config.channel.minutes or DEFAULT_MINUTES
    if plan:
        from briefing.cli.daily_plan import print_plan

        try:
            print_plan(channel, date.date() if date else dt.date.today(), minutes, update, profile, engine, wait,
                       as_json)
        except QuietDay as day:  # nothing new to plan: not a failure
            if not quiet:
                click.echo(day.message)
        return
    speaking = asked_profile(profile, engine)
    with ExitStack() as pools:
        # The engine loads while the rest of briefing is imported (below, after the worker has forked:
        # it needs none of it) and the day is read and planned.
        started = pools.enter_context(SpeechPool(speaking.engine, speaking.settings, workers))

        def pool_for(engine_name: str, settings: VoiceSettings, workers_asked: int | None) -> SpeechPool:
            if started.suits(engine_name, settings):
                return started
            return pools.enter_context(SpeechPool(engine_name, settings, workers_asked))

        from briefing.daily.run import DailyOptions, run_daily
        from briefing.pipeline import RenderOptions

        options = DailyOptions(
            date=date.date() if date else dt.date.today(),
            render=RenderOptions(profile=profile, engine=engine, chime=chime, audio=audio),
            minutes=minutes, update=update, workers=workers, wait=wait, adopt=adopt,
        )

        def report(line: str) -> None:
            click.echo(line, err=True)

        bars: list = []

        def progress(done: int, total: int) -> None:
            if not bars:  # made on the first sentence, after any messages about the sources
                bars.append(click.progressbar(length=total, label="Speaking", file=sys.stderr))
                bars[0].__enter__()
            bars[0].update(done - bars[0].pos)

        try:
            result = run_daily(channel, options, report=report, progress=None if quiet else progress,
                               note=(lambda line: None) if quiet else report, standing_pool=pool_for)
        except QuietDay as day:  # not a failure: one line, or nothing with -q
            if not quiet:
                click.echo(day.message)
            ctx.exit(0)
        finally:
            for bar in bars:
                bar.__exit__(None, None, None)
    if not quiet:
        click.echo(f"{result.summary()} → {library_dir / result.episode.audio_path}")
        for story in result.stories:
            sources = f"  ({len(story.names)} sources)" if len(story.names) > 1 else ""
            click.echo(f"  - {'in brief: ' if story.brief else ''}{story.article.title}{sources}")
        if result.left_out:
            click.echo(f"  {len(result.left_out)} more left for a later briefing (no time in --minutes {minutes:g})")
        if result.uploaded is not None:
            click.echo(result.uploaded.line())
    for warning in result.warnings:
        click.echo(f"Warning: published, but {warning}", err=True)
    if result.failures:
        click.echo(f"{len(result.failures)} source(s) failed; the briefing was made from the rest.", err=True)
    ctx.exit(result.exit_code)


@click.command()
@click.option("--at", "at", metavar="HH:MM", help="Local time of day to run `briefing daily`.")
@library_option
@fleet_option
@scheduler_option
@click.option("--systemd", is_flag=True, help="Print a systemd user timer and service instead of using cron.")
@click.option("--install", is_flag=True, help="With --systemd: write the units to ~/.config/systemd/user/.")
@click.option("--remove", is_flag=True,
              help="Remove the crontab line and systemd units (of --library or --fleet; of every library without them).")
def schedule(at: str | None, library: str | None, fleet: str | None, dask_scheduler: str | None, systemd: bool,
             install: bool, remove: bool) -> None:
    """Run `briefing daily` every day at --at, from your crontab (or systemd with --systemd).

    One crontab line (or systemd timer) per library: scheduling another library keeps this one's. The run uses the
    library's briefing.toml, [channel] voice, minutes and audio included. Its output is appended to
    <library>/logs/daily.log (with --fleet, DIR/logs/daily.log).
    """
    from briefing.daily import schedule as scheduling

    if remove:
        removing = _removal_target(scheduling, library, fleet)
        removed_line = _try_remove_cron(scheduling, removing)
        removed = scheduling.remove_systemd(target=removing)
        click.echo("Removed the crontab line." if removed_line else "No crontab line to remove.")
        for path in removed:
            click.echo(f"Removed {path}")
        if removed:
            timers = " ".join(path.name for path in removed if path.suffix == ".timer")
            click.echo((f"Then: systemctl --user disable --now {timers}; " if timers else "Then: ")
                       + "systemctl --user daemon-reload")
        return
    if not at:
        raise click.UsageError("--at HH:MM is required (or --remove)")
    if install and not systemd:
        raise click.UsageError("--install goes with --systemd")
    target = _target(scheduling, at, library, fleet, dask_scheduler)
    if not systemd:
        line = scheduling.install_cron(target)
        click.echo(f"Installed in your crontab:\n{line}")
        return
    if not install:
        for name, text in scheduling.systemd_units(target).items():
            click.echo(f"# {name}\n{text}")
        return
    replaced = [path.name for path in scheduling.legacy_units(target) if path.suffix == ".timer"]
    for path in scheduling.install_systemd(target):
        click.echo(f"Wrote {path}")
    cluster = (f" {scheduling.SCHEDULER_UNIT}.service {scheduling.WORKER_UNIT}1.service "
               f"{scheduling.WORKER_UNIT}2.service" if target.own_cluster else "")
    disable = "".join(f"systemctl --user disable --now {name}; " for name in replaced)
    click.echo(f"Then: {disable}systemctl --user daemon-reload && "
               f"systemctl --user enable --now {target.unit_name}.timer{cluster}")


def _target(scheduling, at: str, library: str | None, fleet: str | None, scheduler: str | None = None):
    from briefing.library.store import resolve_library_dir

    if fleet and library:
        raise click.UsageError("choose one of --library and --fleet")
    return scheduling.make_target(at, fleet, fleet=True, scheduler=scheduler) if fleet else scheduling.make_target(
        at, resolve_library_dir(library), scheduler=scheduler)


def _removal_target(scheduling, library: str | None, fleet: str | None):
    """The library whose line and units --remove takes (a Target of it, which need not exist any more);
    None for every library's."""
    from briefing.library.store import resolve_library_dir

    if fleet and library:
        raise click.UsageError("choose one of --library and --fleet")
    if not (fleet or library):
        return None
    folder = Path(fleet) if fleet else resolve_library_dir(library)
    return scheduling.Target(dt.time(0, 0), folder.absolute(), Path("briefing"), fleet=bool(fleet))


def _try_remove_cron(scheduling, target) -> bool:
    from briefing.errors import BriefingError

    try:
        return scheduling.remove_cron(target=target)
    except BriefingError:
        return False  # no crontab command: nothing of ours can be there


@click.command("run-scheduler")
@click.option("--at", "at", required=True, metavar="HH:MM", help="Local time of day to run `briefing daily`.")
@library_option
@fleet_option
@scheduler_option
def run_scheduler(at: str, library: str | None, fleet: str | None, dask_scheduler: str | None) -> None:
    """Stay in the foreground and run `briefing daily` every day at --at (for machines without cron)."""
    from briefing.daily import schedule as scheduling

    target = _target(scheduling, at, library, fleet, dask_scheduler)
    logger = scheduling.scheduler_logger(target)
    scheduler = scheduling.make_scheduler(target, logger)
    command = target.arguments()[0]
    logger.info("scheduler started: briefing %s at %s every day", command, f"{target.at:%H:%M}")
    click.echo(f"Running `briefing {command}` every day at {target.at:%H:%M} for {target.library}; "
               f"log: {target.log} (Ctrl-C stops)")
    from apscheduler.schedulers import SchedulerNotRunningError

    def stop(*_) -> None:
        try:
            scheduler.shutdown(wait=False)
        except SchedulerNotRunningError:  # not started yet, or already stopping (a second signal)
            raise SystemExit(0) from None

    # A service manager stops us with SIGTERM: finish like Ctrl-C, with a line in the log.
    signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    logger.info("scheduler stopped")
    click.echo("Stopped.")


COMMANDS = [daily, schedule, run_scheduler]
