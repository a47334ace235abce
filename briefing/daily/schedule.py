"""Running ``briefing daily`` every day: a crontab line, systemd user units, or an in-process scheduler.

Owns writing and removing those entries and the foreground scheduler; the run itself is
``briefing daily --library <abs library>``, and its output goes to ``<library>/logs/daily.log``
(appended by the shell for cron and by systemd; a rotating log for ``run-scheduler``).
The crontab is only ever read with ``crontab -l`` and written with ``crontab -``, and only lines
ending in ``CRON_TAG`` are ours: one per library (the tag ends in a digest of the library's path,
so scheduling a second library keeps the first one's line); every other line is kept as it was.
Each library's systemd timer and service are named after the same digest
(``briefing-daily-<digest>.timer``); a fleet's Dask scheduler and worker units are shared by every
fleet of the user that runs its own cluster, and removed with the last of them.
The run reads the channel's own settings (``[channel] voice``, ``minutes``, ``audio``) from its
``briefing.toml``, so a library without one is refused.

Paths are written by each format's own rules: a path with a control character (a newline would
start a line of its own, in the crontab or in a unit) is refused; cron hands the line to /bin/sh,
so words are shell-quoted and every ``%`` escaped for cron; systemd quotes ``ExecStart=`` words C-style
(``$`` doubled in the arguments, where variables are substituted) and takes ``WorkingDirectory=`` and
``append:`` paths unquoted; ``%`` (specifiers) is doubled everywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import shlex
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path

from briefing.errors import BriefingError, UsageError

CRON_TAG = "# briefing-daily"
UNIT_NAME = "briefing-daily"
SCHEDULER_UNIT, WORKER_UNIT = "briefing-dask-scheduler", "briefing-dask-worker@"
FLEET_SCHEDULER = "tcp://127.0.0.1:8786"  # where the fleet's units put the Dask scheduler
LOG_NAME = "logs/daily.log"
LOG_MAX_BYTES = 1024 * 1024
LOG_BACKUPS = 5


@dataclass(frozen=True)
class Target:
    """What runs when: ``briefing daily`` on ``library`` at ``at`` (local time) every day."""

    at: dt.time
    library: Path  # absolute
    executable: Path  # absolute path of the ``briefing`` command
    fleet: bool = False  # ``library`` is a folder of channels: run ``briefing fleet`` on it
    scheduler: str | None = None  # with fleet: the running Dask scheduler to send the channels to

    def __post_init__(self) -> None:
        for path in (self.library, self.executable):
            if any(unicodedata.category(character) == "Cc" for character in str(path)):
                raise UsageError(f"{str(path)!r}: a path with a control character (a newline, a tab…) "
                                 "cannot be scheduled; rename it")

    @property
    def log(self) -> Path:
        return self.library / LOG_NAME

    @property
    def own_cluster(self) -> bool:
        """A fleet with no --scheduler: its systemd units run a Dask scheduler and workers of its own."""
        return self.fleet and not self.scheduler

    def arguments(self) -> list[str]:
        if not self.fleet:
            return ["daily", "--library", str(self.library)]
        return ["fleet", str(self.library), *(["--scheduler", self.scheduler] if self.scheduler else [])]

    @property
    def digest(self) -> str:
        """Short and stable for one library (and kind of run): names its crontab line and its units."""
        kind = "fleet" if self.fleet else "daily"
        return hashlib.sha256(f"{kind}:{self.library}".encode()).hexdigest()[:12]

    @property
    def tag(self) -> str:
        """The crontab tag of this library's line: one line per library (and kind of run)."""
        return f"{CRON_TAG} {self.digest}"

    @property
    def unit_name(self) -> str:
        """This library's systemd timer and service, without the suffix."""
        return f"{UNIT_NAME}-{self.digest}"

    def command(self) -> list[str]:
        return [str(self.executable), *self.arguments()]


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


def make_target(at: str, library: Path, fleet: bool = False, scheduler: str | None = None) -> Target:
    """What to run when; refused when the library has no ``briefing.toml`` (or the folder no channels)."""
    from briefing.config import CONFIG_NAME

    if scheduler and not fleet:
        raise UsageError("--scheduler goes with --fleet")
    target = Target(parse_at(at), Path(library).absolute(), briefing_executable(), fleet, scheduler)
    if fleet:
        from briefing.daily.fleet import find_channels

        find_channels(target.library)
    elif not (target.library / CONFIG_NAME).is_file():
        raise UsageError(f"{target.library}: no {CONFIG_NAME} here: a scheduled daily needs one "
                         "with [sources] (see the README's daily briefing)")
    return target


# ---- cron --------------------------------------------------------------------------------------

def cron_line(target: Target) -> str:
    words = " ".join(_cron_word(part) for part in target.command())
    command = f"cd {_cron_word(str(target.library.parent))} && {words} >> {_cron_word(str(target.log))} 2>&1"
    return f"{target.at.minute} {target.at.hour} * * * {command} {target.tag}"


def _cron_word(text: str) -> str:
    """One shell word, quoted for /bin/sh, with every ``%`` escaped for cron (see crontab(5)).

    Cron turns an unescaped ``%`` into a newline and ``\\%`` into ``%``, but a backslash before the
    ``\\%`` would escape it instead; so each ``%`` is written outside the shell quotes, after a quote.
    """
    if "%" not in text:
        return shlex.quote(text)
    quoted = "'" + text.replace("'", "'\\''") + "'"
    return quoted.replace("%", "'\\%'")


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
    """Replace this library's earlier line with one for ``target``; return the line."""
    target.log.parent.mkdir(parents=True, exist_ok=True)
    line = cron_line(target)
    lines = read_crontab(crontab)
    replaced = _our_lines(lines, target)
    write_crontab([existing for number, existing in enumerate(lines) if number not in replaced] + [line], crontab)
    return line


def remove_cron(crontab: str = "crontab", target: Target | None = None) -> bool:
    """Remove ``target``'s line, or every briefing line (and the pieces of any entry split by an older
    briefing); return whether there was one."""
    lines = read_crontab(crontab)
    ours = _our_lines(lines, target)
    if ours:
        write_crontab([line for number, line in enumerate(lines) if number not in ours], crontab)
    return bool(ours)


_ENTRY_HEAD = re.compile(r"\d{1,2} \d{1,2} \* \* \* cd ")
MAX_SPLIT_LINES = 64


_TAGGED = re.compile(re.escape(CRON_TAG) + r"( [0-9a-f]{12})?$")


def _our_lines(lines: list[str], target: Target | None = None) -> set[int]:
    """The numbers of the lines we wrote (``target``'s only, when given): each tagged line, and, when a
    tagged line is only the tail of an entry that a newline in a path split over several lines (before
    such paths were refused), every line of that entry: from the nearest line above that makes it one
    whole briefing entry. A line of an older briefing (one tag for all) is ``target``'s when it
    appends to its log."""
    ours: set[int] = set()
    for number, line in enumerate(lines):
        tagged = _TAGGED.search(line.rstrip())
        if not tagged:
            continue
        if target is not None and not line.rstrip().endswith(target.tag) and (
                tagged[1] or _cron_word(str(target.log)) not in line):
            continue
        ours.add(number)
        if _is_whole_entry(line):
            continue
        for start in range(number - 1, max(-1, number - MAX_SPLIT_LINES), -1):
            if _is_whole_entry("\n".join(lines[start:number + 1])):
                ours.update(range(start, number))
                break
    return ours


def _is_whole_entry(text: str) -> bool:
    if not _ENTRY_HEAD.match(text):
        return False
    try:
        words = shlex.split(_TAGGED.sub("", text.rstrip()))
    except ValueError:  # an unclosed quote: only part of an entry
        return False
    return "2>&1" in words and ("daily" in words or "fleet" in words)


# ---- systemd -----------------------------------------------------------------------------------

def systemd_units(target: Target) -> dict[str, str]:
    """This library's ``.service`` and ``.timer`` for a systemd user instance (and a fleet's cluster units)."""
    log = _systemd_path(str(target.log))
    service = f"""[Unit]
Description=briefing: the daily news briefing for {_systemd_path(str(target.library))}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={_systemd_path(str(target.library.parent))}
ExecStart={_systemd_command(target.command() + (["--scheduler", FLEET_SCHEDULER] if target.own_cluster else []))}
StandardOutput=append:{log}
StandardError=append:{log}
"""
    timer = f"""[Unit]
Description=Run the briefing for {_systemd_path(str(target.library))} every day at {target.at:%H:%M}

[Timer]
OnCalendar=*-*-* {target.at:%H:%M}:00
Persistent=true

[Install]
WantedBy=timers.target
"""
    units = {f"{target.unit_name}.service": service, f"{target.unit_name}.timer": timer}
    return {**units, **_cluster_units(target)} if target.own_cluster else units


def _cluster_units(target: Target) -> dict[str, str]:
    """A Dask scheduler and a template for workers (``briefing-dask-worker@1`` …), each restarted by
    systemd when it dies; every fleet of the user that runs its own cluster sends its channels to them."""
    dask = target.executable.parent / "dask"
    port = FLEET_SCHEDULER.rsplit(":", 1)[1]
    scheduler = f"""[Unit]
Description=briefing: the Dask scheduler of the fleets
After=network-online.target

[Service]
ExecStart={_systemd_command([str(dask), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"])}
Restart=always
RestartSec=5

[Install]
WantedBy=default.target
"""
    worker = f"""[Unit]
Description=briefing: Dask worker %i of the fleets
After={SCHEDULER_UNIT}.service

[Service]
ExecStart={_systemd_command([str(dask), "worker", FLEET_SCHEDULER, "--nthreads", "1", "--no-dashboard"])}
Restart=always
RestartSec=5

[Install]
WantedBy=default.target
"""
    return {f"{SCHEDULER_UNIT}.service": scheduler, f"{WORKER_UNIT}.service": worker}


def systemd_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def install_systemd(target: Target, directory: Path | None = None) -> list[Path]:
    """Write ``target``'s units (replacing its earlier ones, and the one pair an older briefing wrote for
    every library when it ran this one); other libraries' units are kept. Return the paths written."""
    from briefing.system.fsutil import atomic_write_text

    target.log.parent.mkdir(parents=True, exist_ok=True)
    directory = directory or systemd_dir()
    for path in legacy_units(target, directory):
        path.unlink()
    written = []
    for name, text in systemd_units(target).items():
        atomic_write_text(directory / name, text)
        written.append(directory / name)
    return written


_OUR_UNIT = re.compile(re.escape(UNIT_NAME) + r"(-[0-9a-f]{12})?\.(service|timer)")


def legacy_units(target: Target, directory: Path | None = None) -> list[Path]:
    """The ``briefing-daily`` service and timer of an older briefing (one pair per user), when they run
    ``target``'s library."""
    directory = directory or systemd_dir()
    service = directory / f"{UNIT_NAME}.service"
    try:
        text = service.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return []
    if f"\nStandardOutput=append:{_systemd_path(str(target.log))}\n" not in text:
        return []
    return [path for path in (service, directory / f"{UNIT_NAME}.timer") if path.is_file()]


def remove_systemd(directory: Path | None = None, target: Target | None = None) -> list[Path]:
    """Remove ``target``'s units, or every library's; the fleets' cluster units go with the last fleet
    service that sends its channels to them. Return the paths removed."""
    directory = directory or systemd_dir()
    if target is None:
        doomed = [path for path in directory.glob(f"{UNIT_NAME}*") if _OUR_UNIT.fullmatch(path.name)]
    else:
        doomed = [directory / f"{target.unit_name}.{suffix}" for suffix in ("service", "timer")]
        doomed += legacy_units(target, directory)
    removed = [path for path in doomed if path.is_file()]
    for path in removed:
        path.unlink()
    if not _cluster_in_use(directory):
        for name in (f"{SCHEDULER_UNIT}.service", f"{WORKER_UNIT}.service"):
            if (directory / name).is_file():
                (directory / name).unlink()
                removed.append(directory / name)
    return removed


def _cluster_in_use(directory: Path) -> bool:
    """Whether a briefing service left in ``directory`` sends its channels to the fleets' own cluster."""
    sends = f"--scheduler {FLEET_SCHEDULER}"
    return any(_OUR_UNIT.fullmatch(path.name) and sends in path.read_text(encoding="utf-8", errors="replace")
               for path in directory.glob(f"{UNIT_NAME}*.service"))


def _systemd_path(text: str) -> str:
    """A path as the whole value of a setting that takes it unquoted (``WorkingDirectory=``, ``append:``).

    Specifiers are expanded there, so ``%`` is doubled. A value ending in a backslash would continue
    on the next line and one ending in a space would lose it: a trailing ``/`` names the same folder.
    """
    text = text.replace("%", "%%")
    return text + "/" if text[-1:].isspace() or text.endswith("\\") else text


def _systemd_command(words: list[str]) -> str:
    if re.search(r"[\"'\\]", words[0]):  # systemd refuses such executable paths however they are quoted
        raise UsageError(f"{words[0]!r}: systemd cannot run a command whose path holds a quote or a backslash; "
                         "schedule with cron (without --systemd) or briefing run-scheduler")
    # Variables are substituted in the arguments only: the executable's own path keeps its "$".
    return " ".join([_systemd_word(words[0])] + [_systemd_word(word.replace("$", "$$")) for word in words[1:]])


def _systemd_word(text: str) -> str:
    """One ``ExecStart=`` word: specifiers doubled, quoted C-style when it must be."""
    text = text.replace("%", "%%")
    if re.search(r"[\s\"'\\;]", text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


# ---- in-process scheduler ----------------------------------------------------------------------

def scheduler_logger(target: Target) -> logging.Logger:
    target.log.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"briefing.daily.schedule.{target.log}")  # one logger per log file
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        handler = RotatingFileHandler(target.log, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    return logger


def run_daily_once(target: Target, logger: logging.Logger) -> int:
    """One scheduled run in a child process (a crash or a leak there cannot stop the scheduler)."""
    command = [sys.executable, "-m", "briefing", *target.arguments(), "--quiet"]
    logger.info("running: %s", shlex.join(command))
    result = subprocess.run(command, capture_output=True, text=True, cwd=target.library.parent)
    for line in (result.stdout + result.stderr).splitlines():
        logger.info("  %s", line)
    log = logger.info if result.returncode == 0 else logger.warning
    log("briefing %s exited with %d", target.arguments()[0], result.returncode)
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
