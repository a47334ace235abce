"""`briefing schedule` and `run-scheduler`: read back what would run `briefing daily`, and when.

A fake `crontab` on PATH keeps the crontab in a temporary file (the machine's real crontab is
never touched); systemd units go to a temporary XDG_CONFIG_HOME.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing import schedule
from briefing.cli import main

FAKE_CRONTAB = """#!/bin/sh
# crontab -l / crontab - against $FAKE_CRONTAB_FILE
case "$1" in
  -l) if [ -f "$FAKE_CRONTAB_FILE" ]; then cat "$FAKE_CRONTAB_FILE"; else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;
  -) cat > "$FAKE_CRONTAB_FILE" ;;
  *) echo "fake crontab: unsupported $*" >&2; exit 2 ;;
esac
"""


@pytest.fixture
def crontab(tmp_path, monkeypatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "crontab"
    command.write_text(FAKE_CRONTAB)
    command.chmod(0o755)
    store = tmp_path / "crontab.txt"
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_CRONTAB_FILE", str(store))
    return store


@pytest.fixture
def config_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_schedule_installs_one_crontab_line_that_runs_daily_at_the_time(tmp_path, crontab):
    crontab.write_text("MAILTO=me@example.org\n15 2 * * 0 /usr/local/bin/backup\n")
    library = tmp_path / "my news"

    first = invoke("schedule", "--at", "06:30", "--library", str(library))
    second = invoke("schedule", "--at", "07:05", "--library", str(library))

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    lines = crontab.read_text().splitlines()
    assert lines[:2] == ["MAILTO=me@example.org", "15 2 * * 0 /usr/local/bin/backup"]
    [ours] = lines[2:]
    assert ours.endswith(" # briefing-daily")
    fields = shlex.split(ours.removesuffix(" # briefing-daily"))
    briefing = str(Path(sys.executable).parent / "briefing")
    assert fields[:5] == ["5", "7", "*", "*", "*"]
    assert fields[5:] == ["cd", str(tmp_path), "&&", briefing, "daily", "--library", str(library),
                          ">>", str(library / "logs" / "daily.log"), "2>&1"]
    assert (library / "logs").is_dir()


def test_schedule_remove_drops_only_the_briefing_line(tmp_path, crontab):
    crontab.write_text("15 2 * * 0 /usr/local/bin/backup\n")
    invoke("schedule", "--at", "06:30", "--library", str(tmp_path / "lib"))

    result = invoke("schedule", "--remove")

    assert result.exit_code == 0
    assert "Removed the crontab line." in result.output
    assert crontab.read_text() == "15 2 * * 0 /usr/local/bin/backup\n"


def test_schedule_without_a_crontab_yet_creates_one(tmp_path, crontab):
    result = invoke("schedule", "--at", "23:59", "--library", str(tmp_path / "lib"))
    assert result.exit_code == 0
    assert crontab.read_text().startswith("59 23 * * * cd ")


def test_systemd_units_are_printed_and_installed_to_the_user_config(tmp_path, config_home):
    library = tmp_path / "lib"
    printed = invoke("schedule", "--at", "06:30", "--systemd", "--library", str(library))
    assert printed.exit_code == 0
    assert "OnCalendar=*-*-* 06:30:00" in printed.output
    assert not config_home.exists()

    installed = invoke("schedule", "--at", "06:30", "--systemd", "--install", "--library", str(library))

    assert installed.exit_code == 0
    units = config_home / "systemd" / "user"
    service = (units / "briefing-daily.service").read_text()
    timer = (units / "briefing-daily.timer").read_text()
    briefing = Path(sys.executable).parent / "briefing"
    assert f"ExecStart={briefing} daily --library {library}\n" in service
    assert f"StandardOutput=append:{library}/logs/daily.log\n" in service
    assert "Type=oneshot" in service
    assert "OnCalendar=*-*-* 06:30:00\nPersistent=true" in timer
    assert "WantedBy=timers.target" in timer

    removed = invoke("schedule", "--remove")
    assert removed.exit_code == 0
    assert not (units / "briefing-daily.service").exists() and not (units / "briefing-daily.timer").exists()


@pytest.mark.parametrize("at", ["6.30", "24:00", "06:60", "morning"])
def test_a_bad_time_is_a_usage_error(tmp_path, crontab, at):
    result = invoke("schedule", "--at", at, "--library", str(tmp_path))
    assert result.exit_code == 2
    assert "expected a time of day as HH:MM" in result.stderr


def test_run_scheduler_has_one_daily_job_at_the_time_and_logs_to_the_library(tmp_path):
    target = schedule.make_target("06:30", tmp_path / "lib")
    logger = schedule.scheduler_logger(target)
    scheduler = schedule.make_scheduler(target, logger)
    [job] = scheduler.get_jobs()
    fields = {field.name: str(field) for field in job.trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day"]) == ("6", "30", "*")
    assert job.func is schedule.run_daily_once

    code = schedule.run_daily_once(target, logger)  # what the job does: one real run, logged

    for handler in logger.handlers:
        handler.flush()
    log = (tmp_path / "lib" / "logs" / "daily.log").read_text()
    assert code == 1  # the library has no sources yet
    assert "briefing daily exited with 1" in log
    assert "nothing to brief" in log
