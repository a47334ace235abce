"""`briefing schedule` and `run-scheduler`: read back what would run `briefing daily`, and when.

A fake `crontab` on PATH keeps the crontab in a temporary file (the machine's real crontab is
never touched); systemd units go to a temporary XDG_CONFIG_HOME.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.daily import schedule
from briefing.errors import UsageError
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


TAG = re.compile(r" # briefing-daily [0-9a-f]{12}$")


def channel(folder: Path) -> Path:
    """A library a scheduled daily can run: a folder with a briefing.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "briefing.toml").write_text('[sources]\ninbox = "inbox"\n', encoding="utf-8")
    return folder


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_schedule_installs_one_crontab_line_that_runs_daily_at_the_time(tmp_path, crontab):
    crontab.write_text("MAILTO=me@example.org\n15 2 * * 0 /usr/local/bin/backup\n")
    library = channel(tmp_path / "my news")

    first = invoke("schedule", "--at", "06:30", "--library", str(library))
    second = invoke("schedule", "--at", "07:05", "--library", str(library))

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    lines = crontab.read_text().splitlines()
    assert lines[:2] == ["MAILTO=me@example.org", "15 2 * * 0 /usr/local/bin/backup"]
    [ours] = lines[2:]
    assert TAG.search(ours)
    fields = shlex.split(TAG.sub("", ours))
    briefing = str(Path(sys.executable).parent / "briefing")
    assert fields[:5] == ["5", "7", "*", "*", "*"]
    assert fields[5:] == ["cd", str(tmp_path), "&&", briefing, "daily", "--library", str(library),
                          ">>", str(library / "logs" / "daily.log"), "2>&1"]
    assert (library / "logs").is_dir()


def test_schedule_remove_drops_only_the_briefing_line(tmp_path, crontab):
    crontab.write_text("15 2 * * 0 /usr/local/bin/backup\n")
    invoke("schedule", "--at", "06:30", "--library", str(channel(tmp_path / "lib")))

    result = invoke("schedule", "--remove")

    assert result.exit_code == 0
    assert "Removed the crontab line." in result.output
    assert crontab.read_text() == "15 2 * * 0 /usr/local/bin/backup\n"


def test_schedule_without_a_crontab_yet_creates_one(tmp_path, crontab):
    result = invoke("schedule", "--at", "23:59", "--library", str(channel(tmp_path / "lib")))
    assert result.exit_code == 0
    assert crontab.read_text().startswith("59 23 * * * cd ")


def test_systemd_units_are_printed_and_installed_to_the_user_config(tmp_path, config_home):
    library = channel(tmp_path / "lib")
    printed = invoke("schedule", "--at", "06:30", "--systemd", "--library", str(library))
    assert printed.exit_code == 0
    assert "OnCalendar=*-*-* 06:30:00" in printed.output
    assert not config_home.exists()

    installed = invoke("schedule", "--at", "06:30", "--systemd", "--install", "--library", str(library))

    assert installed.exit_code == 0
    units = config_home / "systemd" / "user"
    name = unit_name(library)
    assert f"systemctl --user enable --now {name}.timer" in installed.output
    service = (units / f"{name}.service").read_text()
    timer = (units / f"{name}.timer").read_text()
    briefing = Path(sys.executable).parent / "briefing"
    assert f"ExecStart={briefing} daily --library {library}\n" in service
    assert f"StandardOutput=append:{library}/logs/daily.log\n" in service
    assert "Type=oneshot" in service
    assert "OnCalendar=*-*-* 06:30:00\nPersistent=true" in timer
    assert "WantedBy=timers.target" in timer

    removed = invoke("schedule", "--remove")
    assert removed.exit_code == 0
    assert list(units.iterdir()) == []


def unit_name(library: Path, fleet: bool = False) -> str:
    """What a library's timer and service are called (whatever the time and the command)."""
    name = schedule.Target(dt.time(0, 0), library, Path("briefing"), fleet=fleet).unit_name
    assert re.fullmatch(r"briefing-daily-[0-9a-f]{12}", name)
    return name


def test_each_library_has_its_own_systemd_units_and_remove_takes_only_its_own(tmp_path, config_home):
    city, coast = channel(tmp_path / "city"), channel(tmp_path / "coast")
    units = config_home / "systemd" / "user"

    invoke("schedule", "--at", "06:30", "--systemd", "--install", "--library", str(city))
    invoke("schedule", "--at", "07:00", "--systemd", "--install", "--library", str(coast))
    invoke("schedule", "--at", "06:45", "--systemd", "--install", "--library", str(city))  # city again: replaced

    services = sorted(units.glob("*.service"))
    assert len(services) == 2 and len(list(units.glob("*.timer"))) == 2
    runs = {f"--library {folder}\n": folder for folder in (city, coast)}
    by_library = {runs[key]: path for path in services for key in runs if key in path.read_text()}
    assert set(by_library) == {city, coast} and by_library[city].stem != by_library[coast].stem
    assert "OnCalendar=*-*-* 06:45:00" in by_library[city].with_suffix(".timer").read_text()
    assert "OnCalendar=*-*-* 07:00:00" in by_library[coast].with_suffix(".timer").read_text()

    removed = invoke("schedule", "--remove", "--library", str(coast))

    assert f"systemctl --user disable --now {by_library[coast].stem}.timer;" in removed.output
    assert sorted(path.name for path in units.iterdir()) == [by_library[city].name,
                                                              by_library[city].with_suffix(".timer").name]
    invoke("schedule", "--remove")
    assert list(units.iterdir()) == []


def test_a_library_s_unit_pair_of_an_older_briefing_is_replaced_and_another_s_kept(tmp_path, config_home):
    city, coast = channel(tmp_path / "city"), channel(tmp_path / "coast")
    units = config_home / "systemd" / "user"
    units.mkdir(parents=True)
    older = {name.replace(unit_name(coast), "briefing-daily"): text for name, text in schedule.systemd_units(
        schedule.make_target("05:00", coast)).items()}  # what an older briefing wrote: one pair per user
    for name, text in older.items():
        (units / name).write_text(text)

    kept = invoke("schedule", "--at", "06:30", "--systemd", "--install", "--library", str(city))
    assert (units / "briefing-daily.service").read_text() == older["briefing-daily.service"]
    assert "disable" not in kept.output
    replaced = invoke("schedule", "--at", "07:00", "--systemd", "--install", "--library", str(coast))

    assert "systemctl --user disable --now briefing-daily.timer;" in replaced.output
    assert sorted(path.name for path in units.iterdir()) == sorted(
        f"{unit_name(folder)}.{suffix}" for folder in (city, coast) for suffix in ("service", "timer"))


def test_the_fleets_share_one_cluster_whose_units_go_with_the_last_fleet(tmp_path, recording_briefing):
    north, south = tmp_path / "north", tmp_path / "south"
    units = tmp_path / "units"
    for fleet in (north, south):
        fleet.mkdir()
        schedule.install_systemd(schedule.Target(dt.time(6, 30), fleet, recording_briefing, fleet=True), units)
    cluster = {f"{schedule.SCHEDULER_UNIT}.service", f"{schedule.WORKER_UNIT}.service"}
    assert len(list(units.iterdir())) == 6

    schedule.remove_systemd(units, schedule.Target(dt.time(0, 0), north, Path("briefing"), fleet=True))
    assert cluster <= {path.name for path in units.iterdir()}
    assert unit_name(south, fleet=True) + ".timer" in {path.name for path in units.iterdir()}
    schedule.remove_systemd(units, schedule.Target(dt.time(0, 0), south, Path("briefing"), fleet=True))
    assert list(units.iterdir()) == []


@pytest.mark.parametrize("at", ["6.30", "24:00", "06:60", "morning"])
def test_a_bad_time_is_a_usage_error(tmp_path, crontab, at):
    result = invoke("schedule", "--at", at, "--library", str(tmp_path))
    assert result.exit_code == 2
    assert "expected a time of day as HH:MM" in result.stderr


def test_run_scheduler_has_one_daily_job_at_the_time_and_logs_to_the_library(tmp_path):
    library = channel(tmp_path / "lib")
    (library / "briefing.toml").write_text('[channel]\ntitle = "Lib"\n', encoding="utf-8")  # no [sources] yet
    target = schedule.make_target("06:30", library)
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
    assert code == 2  # the library has no sources yet: a settings mistake, not a quiet day
    assert "briefing daily exited with 2" in log
    assert "no sources configured in" in log


# ---- hostile paths (issue 10, point 10) -----------------------------------------------------------

INJECTED = "/x/nl\n* * * * * touch ~/PWNED #"
# Everything a shell, cron or systemd might read as syntax, in one folder name (no control characters).
AWKWARD = "news 100% $HOME \\%x 'q' \"d\" ;a` $(id)\\"


@pytest.mark.parametrize("path", [INJECTED, "/x/tab\there", "/x/cr\rhere", "/x/del\x7fhere", "/x/c1\x85here"])
@pytest.mark.parametrize("systemd", [False, True])
def test_a_path_with_a_control_character_is_refused_before_anything_is_written(tmp_path, crontab, config_home,
                                                                                 path, systemd):
    crontab.write_text("15 2 * * 0 /usr/local/bin/backup\n")
    extra = ["--systemd", "--install"] if systemd else []

    result = invoke("schedule", "--at", "06:30", "--library", path, *extra)

    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "control character" in line
    assert crontab.read_text() == "15 2 * * 0 /usr/local/bin/backup\n"
    assert not config_home.exists()


def test_remove_also_removes_an_entry_an_older_briefing_let_a_newline_split(tmp_path, crontab):
    # What the old quoting wrote for INJECTED: one entry over three lines, only the last one tagged.
    old_entry = ("30 6 * * * cd /x && /venv/bin/briefing daily --library " + shlex.quote(INJECTED)
                 + " >> " + shlex.quote(INJECTED + "/logs/daily.log") + " 2>&1 # briefing-daily")
    assert len(old_entry.splitlines()) == 3
    crontab.write_text("MAILTO=me@example.org\n" + old_entry + "\n15 2 * * 0 /usr/local/bin/backup # nightly\n")

    result = invoke("schedule", "--remove")

    assert result.exit_code == 0 and "Removed the crontab line." in result.output
    assert crontab.read_text() == "MAILTO=me@example.org\n15 2 * * 0 /usr/local/bin/backup # nightly\n"


def cron_command(line: str) -> str:
    """What cron hands to /bin/sh: the command field, cut at the first unescaped % (crontab(5))."""
    command = line.split(" ", 5)[5]
    out: list[str] = []
    escaped = False
    for character in command:
        if escaped:
            if character == "%":
                out[-1] = "%"  # "\\%" becomes "%"
            else:
                out.append(character)
            escaped = False
            continue
        if character == "%":
            break
        escaped = character == "\\"
        out.append(character)
    return "".join(out)


@pytest.fixture
def recording_briefing(tmp_path) -> Path:
    """A stand-in `briefing` executable (in a folder with an awkward name) that records its arguments."""
    # systemd refuses quotes and backslashes in an executable's path (see the test below)
    folder = tmp_path / ("bin " + AWKWARD.translate(str.maketrans("", "", "'\"\\")))
    folder.mkdir()
    command = folder / "briefing"
    command.write_text('#!/bin/sh\nprintf \'%s\\n\' "$PWD" "$@" > "$ARGUMENTS_FILE"\n')
    command.chmod(0o755)
    return command


def test_the_cron_line_runs_exactly_the_scheduled_command_through_cron_and_sh(tmp_path, recording_briefing):
    library = tmp_path / AWKWARD / "lib"
    library.mkdir(parents=True)
    target = schedule.Target(dt.time(6, 30), library, recording_briefing)
    line = schedule.cron_line(target)
    assert "\n" not in line and TAG.search(line)
    arguments = tmp_path / "arguments.txt"
    (library / "logs").mkdir()

    ran = subprocess.run(["/bin/sh", "-c", cron_command(line)], env={**os.environ, "ARGUMENTS_FILE": str(arguments)},
                         capture_output=True, text=True)

    assert ran.returncode == 0, ran.stderr
    assert arguments.read_text().splitlines() == [str(library.parent), "daily", "--library", str(library)]
    assert (library / "logs" / "daily.log").exists()


def test_systemd_units_for_awkward_paths_pass_systemd_analyze_verify(tmp_path, recording_briefing):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    library = tmp_path / AWKWARD / "my lib "  # a trailing space, too
    library.mkdir(parents=True)
    target = schedule.Target(dt.time(6, 30), library, recording_briefing)
    units = tmp_path / "units"
    written = schedule.install_systemd(target, units)
    assert {path.name for path in written} == {f"{target.unit_name}.service", f"{target.unit_name}.timer"}

    result = subprocess.run([analyze, "verify", "--man=no", *map(str, written)], capture_output=True, text=True,
                            env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})

    if "Failed to" in result.stderr and "briefing-daily" not in result.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()[:200]}")
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if "briefing-daily" in line]
    assert result.returncode == 0 and complaints == [], result.stdout + result.stderr
    service = (units / f"{target.unit_name}.service").read_text()
    assert f"StandardOutput=append:{str(library / 'logs' / 'daily.log').replace('%', '%%')}\n" in service
    assert f"WorkingDirectory={str(library.parent).replace('%', '%%')}" in service
    # verify found the executable through the ExecStart quoting; the arguments are quoted the same way
    assert service.count("\n") == schedule.systemd_units(target)[f"{target.unit_name}.service"].count("\n")


def test_systemd_refuses_an_executable_path_it_cannot_run_in_one_line(tmp_path, recording_briefing):
    quoted = tmp_path / "it's here" / "briefing"
    quoted.parent.mkdir()
    shutil.copy(recording_briefing, quoted)
    target = schedule.Target(dt.time(6, 30), tmp_path / "lib", quoted)
    with pytest.raises(UsageError, match="systemd cannot run a command whose path holds a quote"):
        schedule.systemd_units(target)
    assert str(quoted) in shlex.split(cron_command(schedule.cron_line(target)))  # cron can


def test_each_library_has_its_own_crontab_line_and_remove_takes_one_or_all(tmp_path, crontab):
    city, coast = channel(tmp_path / "city"), channel(tmp_path / "coast")
    old_briefing_line = ("0 5 * * * cd /x && /venv/bin/briefing daily --library " + shlex.quote(str(coast))
                         + " >> " + shlex.quote(str(coast / "logs" / "daily.log")) + " 2>&1 # briefing-daily")
    crontab.write_text(old_briefing_line + "\n")

    invoke("schedule", "--at", "06:30", "--library", str(city))
    invoke("schedule", "--at", "07:00", "--library", str(coast))  # replaces coast's line of an older briefing
    invoke("schedule", "--at", "06:45", "--library", str(city))

    lines = crontab.read_text().splitlines()
    assert len(lines) == 2 and len({TAG.search(line)[0] for line in lines}) == 2
    assert sorted(line.split()[:2] for line in lines) == [["0", "7"], ["45", "6"]]
    assert invoke("schedule", "--remove", "--library", str(coast)).exit_code == 0
    [left] = crontab.read_text().splitlines()
    assert f"--library {shlex.quote(str(city))}" in left
    assert "Removed the crontab line." in invoke("schedule", "--remove").output
    assert crontab.read_text() == ""


def test_a_library_without_briefing_toml_is_refused_before_the_crontab_is_touched(tmp_path, crontab):
    crontab.write_text("15 2 * * 0 /usr/local/bin/backup\n")
    (tmp_path / "empty").mkdir()
    result = invoke("schedule", "--at", "06:30", "--library", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'empty'}: no briefing.toml here: a scheduled daily needs one with [sources] "
        "(see the README's daily briefing)"]
    assert crontab.read_text() == "15 2 * * 0 /usr/local/bin/backup\n"


def test_the_fleet_is_scheduled_with_its_dask_scheduler(tmp_path, crontab):
    fleet = tmp_path / "fleet"
    channel(fleet / "news")
    result = invoke("schedule", "--at", "06:30", "--fleet", str(fleet), "--scheduler", "tcp://10.0.0.5:8786")
    assert result.exit_code == 0, result.output
    [line] = crontab.read_text().splitlines()
    assert shlex.split(TAG.sub("", line))[9:13] == ["fleet", str(fleet), "--scheduler", "tcp://10.0.0.5:8786"]
    target = schedule.make_target("06:30", fleet, fleet=True, scheduler="tcp://10.0.0.5:8786")
    assert target.arguments() == ["fleet", str(fleet), "--scheduler", "tcp://10.0.0.5:8786"]
    assert invoke("schedule", "--at", "06:30", "--library", str(fleet / "news"),
                  "--scheduler", "tcp://x:1").exit_code == 2
    # systemd: the service goes to that cluster once, and no local scheduler or worker units are written
    units = schedule.systemd_units(schedule.Target(dt.time(6, 30), fleet, target.executable, fleet=True,
                                                   scheduler="tcp://10.0.0.5:8786"))
    name = unit_name(fleet, fleet=True)
    assert set(units) == {f"{name}.service", f"{name}.timer"}
    [exec_start] = [line for line in units[f"{name}.service"].splitlines() if line.startswith("ExecStart=")]
    assert exec_start.count("--scheduler") == 1 and exec_start.endswith("--scheduler tcp://10.0.0.5:8786")


def test_a_fleet_s_systemd_units_run_a_scheduler_and_workers_that_restart_and_send_the_fleet_to_them(
        tmp_path, recording_briefing):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    units = schedule.systemd_units(schedule.Target(dt.time(6, 30), fleet, recording_briefing, fleet=True))
    daily = unit_name(fleet, fleet=True)
    assert set(units) == {f"{daily}.service", f"{daily}.timer", "briefing-dask-scheduler.service",
                          "briefing-dask-worker@.service"}
    assert f"--scheduler {schedule.FLEET_SCHEDULER}" in units[f"{daily}.service"]
    for name in ("briefing-dask-scheduler.service", "briefing-dask-worker@.service"):
        assert "\nRestart=always\n" in units[name] and "\nRestartSec=5\n" in units[name]
    assert "dask\" scheduler --host 127.0.0.1 --port 8786" in units["briefing-dask-scheduler.service"]
    assert f"dask\" worker {schedule.FLEET_SCHEDULER} --nthreads 1" in units["briefing-dask-worker@.service"]
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    written = schedule.install_systemd(schedule.Target(dt.time(6, 30), fleet, recording_briefing, fleet=True),
                                       tmp_path / "units")
    (tmp_path / "units" / "briefing-dask-worker@1.service").symlink_to("briefing-dask-worker@.service")
    result = subprocess.run([analyze, "verify", "--man=no", *map(str, written[:3]),
                             str(tmp_path / "units" / "briefing-dask-worker@1.service")],
                            capture_output=True, text=True, env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if "briefing-" in line and "dask" not in line.split(":", 1)[0]]
    assert complaints == [], result.stdout + result.stderr
