"""Running ``briefing daily`` every day: a crontab line, systemd user units, or an in-process scheduler.

Owns writing and removing those entries and the foreground scheduler; the run itself is
``briefing daily --library <abs library>``, and its output goes to ``<library>/logs/daily.log``
(appended by the shell for cron and by systemd; a rotating log for ``run-scheduler``).
The crontab is only ever read with ``crontab -l`` and written with ``crontab -``, and only the
line ending in ``CRON_TAG`` is ours: every other line is kept as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path

from briefing.errors import BriefingError, UsageError

CRON_TAG = "# briefing-daily"
UNIT_NAME = "briefing-daily"
LOG_NAME = "logs/daily.log"
LOG_MAX_BYTES = 1024 * 1024
LOG_BACKUPS = 5


@dataclass(frozen=True)
class Target:
    """What runs when: ``briefing daily`` on ``library`` at ``at`` (local time) every day."""

    at: dt.time
    library: Path  # absolute
    executable: Path  # absolute path of the ``briefing`` command

    @property
    def log(self) -> Path:
        return self.library / LOG_NAME

    def command(self) -> list[str]:
        return [str(self.executable), "daily", "--library", str(self.library)]


def parse_at(text: str) -> dt.time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise UsageError(f"--at {text!r}: expected a time of day as HH:MM, e.g. 06:30")
    return dt.time(int(match[1]), int(match[2]))


def briefing_executable() -> Path:
    """The ``briefing`` command of this installation (the virtualenv's, when run from one)."""
    beside = Path(sys.executable).parent / "briefing"
    if beside.is_file():
        return beside.absolute()
    argv0 = Path(sys.argv[0])
    if argv0.name == "briefing" and argv0.is_file():
        return argv0.absolute()
    raise BriefingError("cannot find the briefing command to schedule (is briefing installed?)")


def make_target(at: str, library: Path) -> Target:
    return Target(parse_at(at), Path(library).absolute(), briefing_executable())


# ---- cron --------------------------------------------------------------------------------------

def cron_line(target: Target) -> str:
    command = (f"cd {shlex.quote(str(target.library.parent))} && {shlex.join(target.command())} "
               f">> {shlex.quote(str(target.log))} 2>&1")
    # cron turns an unescaped % into a newline.
    command = command.replace("%", "\\%")
    return f"{target.at.minute} {target.at.hour} * * * {command} {CRON_TAG}"


def read_crontab(crontab: str = "crontab") -> list[str]:
    try:
        result = subprocess.run([crontab, "-l"], capture_output=True, text=True)
    except FileNotFoundError:
        raise BriefingError("no crontab command here: use --systemd, or briefing run-scheduler") from None
    if result.returncode != 0:
        if "no crontab" in result.stderr.lower():
            return []
        raise BriefingError(f"crontab -l failed: {result.stderr.strip() or result.returncode}")
    return result.stdout.splitlines()


def write_crontab(lines: list[str], crontab: str = "crontab") -> None:
    text = "".join(line + "\n" for line in lines)
    result = subprocess.run([crontab, "-"], input=text, capture_output=True, text=True)
    if result.returncode != 0:
        raise BriefingError(f"crontab - failed: {result.stderr.strip() or result.returncode}")


def install_cron(target: Target, crontab: str = "crontab") -> str:
    """Replace any earlier briefing line with one for ``target``; return the line."""
    target.log.parent.mkdir(parents=True, exist_ok=True)
    line = cron_line(target)
    kept = [existing for existing in read_crontab(crontab) if not existing.rstrip().endswith(CRON_TAG)]
    write_crontab(kept + [line], crontab)
    return line


def remove_cron(crontab: str = "crontab") -> bool:
    """Remove the briefing line; return whether there was one."""
    lines = read_crontab(crontab)
    kept = [line for line in lines if not line.rstrip().endswith(CRON_TAG)]
    if len(kept) != len(lines):
        write_crontab(kept, crontab)
    return len(kept) != len(lines)


# ---- systemd -----------------------------------------------------------------------------------

def systemd_units(target: Target) -> dict[str, str]:
    """``briefing-daily.service`` and ``briefing-daily.timer`` for a systemd user instance."""
    log = _systemd_word(str(target.log))
    service = f"""[Unit]
Description=briefing: the daily news briefing for {_systemd_escape(str(target.library))}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={_systemd_word(str(target.library.parent))}
ExecStart={' '.join(_systemd_word(part) for part in target.command())}
StandardOutput=append:{log}
StandardError=append:{log}
"""
    timer = f"""[Unit]
Description=Run the briefing every day at {target.at:%H:%M}

[Timer]
OnCalendar=*-*-* {target.at:%H:%M}:00
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {f"{UNIT_NAME}.service": service, f"{UNIT_NAME}.timer": timer}


def systemd_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def install_systemd(target: Target, directory: Path | None = None) -> list[Path]:
    from briefing.fsutil import atomic_write_text

    target.log.parent.mkdir(parents=True, exist_ok=True)
    directory = directory or systemd_dir()
    written = []
    for name, text in systemd_units(target).items():
        atomic_write_text(directory / name, text)
        written.append(directory / name)
    return written


def remove_systemd(directory: Path | None = None) -> list[Path]:
    directory = directory or systemd_dir()
    removed = []
    for name in (f"{UNIT_NAME}.service", f"{UNIT_NAME}.timer"):
        path = directory / name
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def _systemd_escape(text: str) -> str:
    return text.replace("%", "%%")


def _systemd_word(text: str) -> str:
    text = _systemd_escape(text)
    if re.search(r"[\s\"'\\]", text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


# ---- in-process scheduler ----------------------------------------------------------------------

def scheduler_logger(target: Target) -> logging.Logger:
    target.log.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("briefing.schedule")
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        handler = RotatingFileHandler(target.log, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    return logger


def run_daily_once(target: Target, logger: logging.Logger) -> int:
    """One scheduled run in a child process (a crash or a leak there cannot stop the scheduler)."""
    command = [sys.executable, "-m", "briefing", "daily", "--library", str(target.library), "--quiet"]
    logger.info("running: %s", shlex.join(command))
    result = subprocess.run(command, capture_output=True, text=True, cwd=target.library.parent)
    for line in (result.stdout + result.stderr).splitlines():
        logger.info("  %s", line)
    log = logger.info if result.returncode == 0 else logger.warning
    log("briefing daily exited with %d", result.returncode)
    return result.returncode


def make_scheduler(target: Target, logger: logging.Logger):
    """A BlockingScheduler with one daily job at ``target.at`` local time (not yet started)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler()
    scheduler.add_job(run_daily_once, CronTrigger(hour=target.at.hour, minute=target.at.minute),
                      args=(target, logger), id=UNIT_NAME, coalesce=True, max_instances=1,
                      misfire_grace_time=3600)
    return scheduler
