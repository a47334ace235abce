"""Click command for many channels at once: fleet."""

from __future__ import annotations

import os
from pathlib import Path

import click

from briefing.cli.main import audio_option
from briefing.audio.engines import engine_names


@click.command()
@click.argument("fleet_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=str))
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The day of the briefings (default: today).")
@click.option("--minutes", type=click.FloatRange(min=0.5),
              help="Length budget of each channel's episode (default: its [channel] minutes, else 8).")
@click.option("--update", is_flag=True, help="Add articles that arrived since each channel's episode of this date.")
@click.option("--voice", metavar="PROFILE",
              help="Voice profile name or TOML path for every channel (default: each one's [channel] voice, else default).")
@click.option("--engine", type=click.Choice(engine_names()), help="Override the profile's engine.")
@click.option("--chime", is_flag=True, help="Play a short chime at the start of each section.")
@audio_option
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Worker processes of the cluster started here (default: the number of cores).")
@click.option("--scheduler", metavar="tcp://HOST:8786",
              help="Send the channels to this running Dask scheduler instead of starting a cluster here.")
@click.option("--channel-timeout", type=click.FloatRange(min=1), default=600.0, show_default=True, metavar="SECONDS",
              help="A channel not made in this long (waiting for its lock included) is stopped and FAILED.")
@click.option("--deadline", type=click.FloatRange(min=1), default=6 * 3600.0, show_default=True, metavar="SECONDS",
              help="The whole run's limit: channels not made by then are reported as not made.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Also write the run's report there: each channel's outcome, seconds, worker, sources failed.")
@click.option("-q", "--quiet", is_flag=True, help="Only failed channels and sources, and the summary.")
@click.pass_context
def fleet(ctx, fleet_dir, date, minutes, update, voice, engine, chime, audio, workers, scheduler, channel_timeout,
          deadline, json_path, quiet) -> None:
    """Make the daily briefing of every channel in DIR (each sub-folder with a briefing.toml) on Dask.

    Each channel is made as `briefing daily --library DIR/CHANNEL` would make it, one channel per
    task, on a cluster of --workers processes started here, or on the running cluster at
    --scheduler (whose workers must see DIR at the same path, e.g. over NFS).

    A channel with nothing new today is "quiet", not a failure. What the cluster cannot report (the
    scheduler lost mid-run) is read from each channel's own database and feed.

    \b
    Exit codes: 0 every channel published or quiet; 3 some channels or
    sources failed (each named), or some channels are not known to be
    published (the scheduler lost, the run's deadline passed); 1 none
    published and every failure known; 2 bad options or no channels in DIR.
    """
    import datetime as dt
    import json

    from briefing.errors import BriefingError, UsageError
    from briefing.system.fsutil import atomic_write_bytes
    from briefing.daily.fleet import FleetOptions, cluster_client, find_channels, run_fleet
    from briefing.pipeline import RenderOptions
    from briefing.system.textsafety import strip_controls_inline
    from briefing.voices import load_profile

    if scheduler and workers:
        raise UsageError("--workers sizes the cluster started here; with --scheduler, start workers on the cluster")
    channels = find_channels(fleet_dir)
    options = FleetOptions(date=date.date() if date else dt.date.today(),
                           render=RenderOptions(profile=load_profile(voice), engine=engine, chime=chime, audio=audio),
                           minutes=minutes, update=update, voice=voice, channel_timeout=channel_timeout)

    def show(outcome) -> None:
        trouble = outcome.status == "FAILED" or bool(outcome.failed_sources)
        if not quiet or trouble:  # a channel's folder name may hold control characters
            click.echo(strip_controls_inline(outcome.line()), err=trouble)

    with cluster_client(scheduler, workers or os.cpu_count() or 1) as client:
        result = run_fleet(client, channels, options, show, deadline_s=deadline)
    if json_path:
        report = json.dumps(result.to_json(options.date), indent=2, ensure_ascii=False) + "\n"
        try:
            atomic_write_bytes(Path(json_path), report.encode())
        except OSError as error:
            raise BriefingError(f"{json_path}: cannot write the report: {error.strerror or error}") from None
    click.echo(result.summary())
    ctx.exit(result.exit_code)


COMMANDS = [fleet]
