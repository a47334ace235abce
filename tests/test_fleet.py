"""`briefing fleet`: every channel's daily briefing on a real Dask cluster on 127.0.0.1.

A real `dask scheduler` and `dask worker` processes (loopback only, ``fleet_cluster``), the real CLI (as
a process, or in this one where it only sends channels to a running cluster: ``fleet_here``), the
espeak-ng voice and short budgets; channel articles are local files in each channel's inbox. Workers
are killed with SIGKILL at each stage of a channel: every channel still ends with one episode for the
day, a valid feed and no lock left behind.

The tests that only send channels to a healthy cluster share one (``healthy_cluster``: started once
for the module, its workers warm); a test that kills, blinds or restarts part of a cluster starts its
own (``cluster``, or ``scheduler`` to add its own workers to), and a test about the cluster the
command starts itself (``--workers``) lets it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fleet_cluster import STAGES, Cluster, fleet_here
from helpers import (
    FIXTURES,
    assert_feed_valid,
    briefing_command,
    cli_env,
    daily_episodes,
    requires_espeak,
    requires_ffmpeg,
    run_cli,
    write_article,
)
from local_http import Answer, never_answering, serving

from briefing.library.locking import LOCK_NAME
from briefing.library.store import Library

pytest.importorskip("distributed", reason="the fleet needs Dask: pip install '.[cluster]'")

pytestmark = [pytest.mark.slow, requires_espeak, requires_ffmpeg]

CHANNELS = ["city", "coast", "county", "harbour"]
ARTICLES = ["bank-rates.txt", "bin-collections.txt", "cycle-lanes.txt", "storm-ciaran.txt",
            "harbour-bridge.html", "library-closures.json", "daily/harbour-bridge-closure.txt",
            "daily/rail-fares-freeze.json"]
DATE = "2026-11-25"
# Half a minute, the shortest the command takes: how long an episode is matters to none of these tests.
MINUTES = ["--voice", "british", "--minutes", "0.5"]
FLEET_ARGS = [*MINUTES, "-q"]
LINE = re.compile(r"^(?P<name>\S+): (?P<status>published|quiet|FAILED) .* on (?P<worker>[^)]+)\)$")


def make_fleet(folder: Path, names: list[str] = CHANNELS, articles_each: int = 2, channel_settings: str = "") -> Path:
    """Channels whose inboxes hold ``articles_each`` different fixture articles (rotating per channel)."""
    for index, name in enumerate(names):
        inbox = folder / name / "inbox"
        inbox.mkdir(parents=True)
        for offset in range(articles_each):
            shutil.copy(FIXTURES / ARTICLES[(index + offset) % len(ARTICLES)], inbox)
        (folder / name / "briefing.toml").write_text(
            f'[channel]\ntitle = "{name.title()} briefing"\n{channel_settings}\n[sources]\ninbox = "inbox"\n',
            encoding="utf-8")
    return folder


def assert_channel_done(channel: Path, date: str, episodes: int = 1) -> None:
    """One episode for ``date`` (``episodes`` in all), a valid feed naming each, and no lock or work left."""
    made = daily_episodes(channel)
    assert len(made) == episodes, [episode.title for episode in made]
    with Library.open(channel) as library:
        assert [episode.guid for episode in made].count(library.day_guids(date)[-1]) == 1
    assert assert_feed_valid(channel) == episodes
    leftovers = [path.name for path in channel.iterdir() if path.name.startswith(".briefing.lock")]
    assert leftovers == [], f"{channel.name}: lock files left: {leftovers}"


def fleet_lines(stdout: str, stderr: str) -> dict[str, re.Match]:
    lines = [LINE.match(line) for line in (stdout + stderr).splitlines()]
    return {match["name"]: match for match in lines if match}


# ---- a real cluster on the loopback interface ------------------------------------------------------

def start_cluster(folder: Path, workers: int, **dask_settings: str) -> Cluster:
    # A dead worker's hold on a channel's Dask lock lasts the scheduler's lease timeout (30 s by
    # default; README): shortened here so that each killed worker costs seconds, not half a minute.
    env = cli_env(folder, DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_TIMEOUT="4s",
                  DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_VALIDATION_INTERVAL="1s", **dask_settings)
    running = Cluster(folder, env)
    try:
        for _ in range(workers):
            running.add_worker()
        if workers:
            running.wait_for_workers(workers)
    except BaseException:
        running.close()
        raise
    return running


@pytest.fixture(scope="module")
def healthy_cluster(tmp_path_factory) -> Iterator[Cluster]:
    """A scheduler and two workers for the tests that only send it channels: nothing breaks it."""
    running = start_cluster(tmp_path_factory.mktemp("healthy-cluster"), workers=2)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def cluster(tmp_path) -> Iterator[Cluster]:
    """A scheduler and a worker of this test's own, to kill parts of."""
    folder = tmp_path / "cluster"
    folder.mkdir()
    running = start_cluster(folder, workers=1)
    try:
        yield running
    finally:
        running.close()


def workers_making_a_channel(fleet: Path, cluster: Cluster, running: subprocess.Popen,
                             timeout: float = 60) -> list[subprocess.Popen]:
    """The live workers that hold a channel's lock now (waiting until one does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert running.poll() is None, "the fleet ended before a worker could be killed mid-channel"
        holders = {lock_holder(lock.parent) for lock in fleet.glob(f"*/{LOCK_NAME}")}
        busy = [worker for worker in cluster.live_workers() if worker.pid in holders]
        if busy:
            return busy
        time.sleep(0.02)
    raise AssertionError("no worker was making a channel")


def lock_holder(channel: Path) -> int | None:
    """The pid in the channel's lock file, if there is one."""
    try:
        return json.loads((channel / LOCK_NAME).read_text())["pid"]
    except (OSError, ValueError):
        return None  # released (or being replaced) while we looked


def a_channel_published_while_others_are_made(fleet: Path, cluster: Cluster, running: subprocess.Popen) -> None:
    """Wait until one channel has its feed and a live worker still holds another's lock: past the
    fetch stage, so the run is mid-way with channels both done and under way."""
    deadline = time.monotonic() + 120
    while not any(fleet.glob("*/feed.xml")):
        assert running.poll() is None and time.monotonic() < deadline, "no channel was published"
        time.sleep(0.02)
    workers_making_a_channel(fleet, cluster, running)


def reap_workers_ending_with_their_scheduler(cluster: Cluster) -> None:
    """Wait for the workers, which end once their scheduler is lost, as their supervisor would.

    Until its parent waits for it, a dead worker is a zombie: its pid still answers, so the channel
    lock it held reads as live until its expiry (30 s) instead of free at once."""
    for worker in cluster.workers:
        worker.wait(timeout=60)


def fleet_process(fleet: Path, *args: str, home: Path) -> subprocess.Popen:
    return subprocess.Popen(briefing_command() + ["fleet", str(fleet), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=cli_env(home), cwd=home)


def audio_in_feed(channel: Path) -> set[str]:
    """The episode audio files (``episodes/…``) the channel's feed on disk names."""
    if not (channel / "feed.xml").exists():
        return set()
    return set(re.findall(r'<enclosure url="[^"]*/(episodes/[^"/]+)"', (channel / "feed.xml").read_text()))


def audio_in_episodes(channel: Path) -> set[str]:
    """The episode audio files in the channel's ``episodes/`` (side files aside)."""
    return {f"episodes/{path.name}" for path in (channel / "episodes").glob("*") if path.suffix in (".mp3", ".m4a")}


# ---- the acceptance tests ----------------------------------------------------------------------

def test_channels_on_a_scheduler_and_two_workers_each_get_one_episode_and_a_valid_feed(tmp_path, healthy_cluster):
    names = CHANNELS[:3]
    fleet = make_fleet(tmp_path / "fleet", names)

    result = fleet_here([fleet, "--scheduler", healthy_cluster.address, "--date", DATE, *MINUTES], tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = fleet_lines(result.stdout, result.stderr)
    assert sorted(lines) == names and {line["status"] for line in lines.values()} == {"published"}
    assert len({line["worker"] for line in lines.values()}) == 2  # both workers made channels
    assert result.stdout.splitlines()[-1].startswith("3 channels: 3 published, 0 quiet, 0 failed")
    for name in names:
        assert_channel_done(fleet / name, DATE)

    # The same channels again for the same date: each day's episode is replaced, not added to.
    again = fleet_here([fleet, "--scheduler", healthy_cluster.address, "--date", DATE, *FLEET_ARGS], tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    for name in names:
        assert_channel_done(fleet / name, DATE)


def test_a_worker_killed_at_each_stage_of_a_channel_leaves_every_channel_with_one_episode(tmp_path, scheduler):
    """Four workers each halt in the first channel they make, one at each stage that leaves a channel
    in another state (``fleet_cluster.STAGES``: about to speak; its files placed in ``episodes/``;
    recorded but not in the feed; published but not reported), and are killed there with SIGKILL; a
    fifth worker makes what they leave. Every channel ends with one episode of the day, a valid feed,
    no lock, and no audio file the feed does not name."""
    steady = scheduler.add_worker()
    victims = {stage: scheduler.add_worker(stop_at=stage) for stage in STAGES}
    scheduler.wait_for_workers(1 + len(victims))
    names = [*CHANNELS, "rail"]  # as many channels as workers: each takes one at the start
    fleet = make_fleet(tmp_path / "fleet", names, articles_each=1)

    running = fleet_process(fleet, "--scheduler", scheduler.address, "--date", DATE, *FLEET_ARGS, home=tmp_path)
    halted: dict[str, str] = {}
    deadline = time.monotonic() + 300  # five workers' first channels at once, on a machine maybe busy
    while len(halted) < len(victims):
        for stage, worker in victims.items():
            note = None if stage in halted else scheduler.stopped_at(stage)
            if note is None:
                continue
            assert note["pid"] == worker.pid, note
            assert_left_at(stage, fleet / note["channel"], worker.pid)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            halted[stage] = note["channel"]
        assert running.poll() is None, f"the fleet ended with workers not halted: {sorted(set(victims) - set(halted))}"
        assert time.monotonic() < deadline, f"no worker halted at {sorted(set(victims) - set(halted))}"
        time.sleep(0.02)

    stdout, stderr = running.communicate(timeout=300)

    assert running.returncode == 0, stdout + stderr
    assert len(set(halted.values())) == len(victims), halted  # four channels, each killed once
    for name in names:
        assert_channel_done(fleet / name, DATE)
        assert audio_in_episodes(fleet / name) == audio_in_feed(fleet / name), name
    assert steady.poll() is None


def assert_left_at(stage: str, channel: Path, pid: int) -> None:
    """What a channel's run halted at ``stage`` by worker ``pid`` has left so far: whether it holds the
    lock, audio in ``episodes/`` the feed does not name, episodes recorded (the channel is new)."""
    held = lock_holder(channel) == pid
    unnamed = audio_in_episodes(channel) - audio_in_feed(channel)
    recorded = len(daily_episodes(channel)) if (channel / "briefing.db").exists() else 0
    expected = {"speaking": (True, False, 0), "placing": (True, True, 0), "recorded": (True, True, 1),
                "reporting": (False, False, 1)}[stage]
    assert (held, bool(unnamed), recorded) == expected, (stage, channel.name, held, unnamed, recorded)
    if stage == "reporting":
        assert audio_in_feed(channel), channel.name


def test_two_fleets_on_the_same_channels_at_once_make_one_episode_each(tmp_path, healthy_cluster):
    """Two clusters, the running one and the one the second command starts: nothing but each channel's
    lock keeps them apart."""
    fleet = make_fleet(tmp_path / "fleet", CHANNELS[:2], articles_each=1)
    elsewhere = fleet_process(fleet, "--workers", "1", "--date", DATE, *FLEET_ARGS, home=tmp_path)
    here = fleet_here([fleet, "--scheduler", healthy_cluster.address, "--date", DATE, *FLEET_ARGS], tmp_path)
    stdout, stderr = elsewhere.communicate(timeout=300)
    assert (here.returncode, elsewhere.returncode) == (0, 0), (here, stdout, stderr)
    for name in CHANNELS[:2]:
        assert_channel_done(fleet / name, DATE)


def test_quiet_channels_are_not_failures_and_failed_sources_are_named_in_the_line_and_the_json(
        tmp_path, healthy_cluster):
    fleet = make_fleet(tmp_path / "fleet", ["news", "quiet", "partly"], articles_each=1)
    on_cluster = ["--scheduler", healthy_cluster.address]
    for article in (fleet / "quiet" / "inbox").iterdir():
        article.unlink()
    calm = fleet_here([fleet, *on_cluster, "--date", DATE, *MINUTES, "--json", tmp_path / "calm.json"], tmp_path)
    assert calm.returncode == 0, calm.stdout + calm.stderr
    lines = fleet_lines(calm.stdout, calm.stderr)
    assert {name: line["status"] for name, line in lines.items()} == {"news": "published", "quiet": "quiet",
                                                                     "partly": "published"}
    assert calm.stdout.splitlines()[-1].startswith("3 channels: 2 published, 1 quiet, 0 failed, in ")

    # A source that cannot be read: named in its channel's line (shown with -q too) and in the report.
    (fleet / "partly" / "briefing.toml").write_text(
        '[sources]\ninbox = "inbox"\nfiles = ["gone.txt"]\n', encoding="utf-8")
    write_article(fleet / "partly" / "inbox", 1)
    write_article(fleet / "news" / "inbox", 2)
    some = fleet_here([fleet, *on_cluster, "--date", "2026-11-26", *FLEET_ARGS, "--json", tmp_path / "some.json"],
                      tmp_path)
    assert some.returncode == 3, some.stdout + some.stderr
    [partly] = [line for line in some.stderr.splitlines() if line.startswith("partly: published")]
    assert "sources failed: " in partly and "gone.txt" in partly
    assert "news:" not in some.stdout + some.stderr and "quiet:" not in some.stdout + some.stderr  # -q
    report = json.loads((tmp_path / "some.json").read_text())
    by_name = {channel["channel"]: channel for channel in report["channels"]}
    assert [by_name[name]["outcome"] for name in ("news", "partly", "quiet")] == ["published", "published", "quiet"]
    assert len(by_name["partly"]["sources_failed"]) == 1 and "gone.txt" in by_name["partly"]["sources_failed"][0]
    assert by_name["news"]["sources_failed"] == [] and by_name["news"]["worker"].count(":") == 1
    assert report["exit_code"] == 3 and all(channel["seconds"] >= 0 for channel in report["channels"])

    (fleet / "news" / "briefing.toml").write_text("[sources\n", encoding="utf-8")  # a broken configuration
    none = fleet_here([fleet, *on_cluster, "--date", "2026-11-27", *FLEET_ARGS], tmp_path)
    assert none.returncode == 1, none.stdout + none.stderr
    assert "news: FAILED" in none.stderr


def test_publish_url_uploads_the_feed_last_and_skips_episodes_already_there(tmp_path, healthy_cluster):
    """Through fsspec's real local filesystem (file://), a folder a web server serves; S3 itself is
    tested against moto_server in test_objectstore.py."""
    fleet = make_fleet(tmp_path / "fleet", ["blocked", "news"], articles_each=1)
    bucket, blocker = tmp_path / "bucket", tmp_path / "a-file"
    blocker.write_text("not a folder")
    for name, url in [("news", f"file://{bucket}/news"), ("blocked", f"file://{blocker}/blocked")]:
        with (fleet / name / "briefing.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[publish]\nurl = "{url}"\n')
        text = (fleet / name / "briefing.toml").read_text(encoding="utf-8")
        (fleet / name / "briefing.toml").write_text(
            text.replace("[channel]\n", f'[channel]\nbase_url = "http://127.0.0.1:8080/{name}/"\n'), encoding="utf-8")
    command = [fleet, "--scheduler", healthy_cluster.address, "--date", DATE, *MINUTES]

    first = fleet_here(command, tmp_path)

    assert first.returncode == 3, first.stdout + first.stderr  # made everywhere, uploaded but once
    assert re.search(rf"^blocked: FAILED  file://{blocker}/blocked: upload failed: .* \(published in "
                     rf"{fleet / 'blocked'}; `briefing feed` uploads it again\)", first.stderr, re.MULTILINE), first.stderr
    library, published = fleet / "news", bucket / "news"
    episode_files = sorted(path.name for path in (library / "episodes").iterdir())
    assert sorted(path.name for path in (published / "episodes").iterdir()) == episode_files
    top = ["feed.xml", "feed.xsl", "feed.css", "index.html", "cover.png"]
    for name in [*top, *(f"episodes/{file}" for file in episode_files)]:
        assert (published / name).read_bytes() == (library / name).read_bytes(), name
    assert f"; {len(episode_files) + len(top)} file(s) uploaded" in first.stdout
    assert not list(published.glob("*.db")) and not (published / "inbox").exists()

    again = fleet_here(command, tmp_path)
    assert again.returncode == 3, again.stdout + again.stderr
    assert (published / "feed.xml").read_bytes() == (library / "feed.xml").read_bytes()
    new_files = {path.name for path in (library / "episodes").iterdir()} - set(episode_files)
    # The unchanged episode files are skipped; a folder has no ETag, so the five others are sent again.
    assert f"; {len(new_files) + 5} file(s) uploaded" in again.stdout


def test_a_folder_without_channels_is_a_one_line_usage_error(tmp_path):
    (tmp_path / "empty" / "not-a-channel").mkdir(parents=True)
    result = run_cli(["fleet", tmp_path / "empty", "--workers", "1"], home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'empty'}: no channels (sub-folders holding a briefing.toml)"]


def test_schedule_and_run_scheduler_run_the_fleet(tmp_path, monkeypatch, healthy_cluster):
    from briefing.daily import schedule

    fleet = make_fleet(tmp_path / "fleet", ["news"], articles_each=1,
                       channel_settings='voice = "british"\nminutes = 0.5\n')
    target = schedule.make_target("06:30", fleet, fleet=True)
    assert schedule.cron_line(target).split(" && ")[1].startswith(
        f"{Path(sys.executable).parent / 'briefing'} fleet {fleet} >> {fleet / 'logs' / 'daily.log'}")
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "unused"))
    # What the in-process scheduler's job does: one real fleet run, here on a running cluster (as
    # `briefing schedule --fleet --scheduler` sets it up); its exit code and log are what is checked.
    on_cluster = schedule.make_target("06:30", fleet, fleet=True, scheduler=healthy_cluster.address)
    logger = schedule.scheduler_logger(on_cluster)
    code = schedule.run_daily_once(on_cluster, logger)
    for handler in logger.handlers:
        handler.flush()
    log = (fleet / "logs" / "daily.log").read_text()
    assert "briefing fleet exited with" in log and f" fleet {fleet} --scheduler {healthy_cluster.address} --quiet" in log
    assert code == 0 and "1 channel: 1 published" in log


# This module is also a speech engine (registered as "reporting" below): espeak-ng, whose process first
# writes down the MALLOC_TRIM_THRESHOLD_ it started with.
REPORT_TO = "BRIEFING_TEST_ENGINE_ENVIRONMENT_REPORT"


def create(settings):
    from briefing.audio.engines import espeak

    Path(os.environ[REPORT_TO]).write_text(os.environ.get("MALLOC_TRIM_THRESHOLD_", "unset"), encoding="utf-8")
    return espeak.create(settings)


def test_a_channel_s_speech_process_starts_without_dask_s_malloc_setting(tmp_path, monkeypatch):
    """Dask's nanny gives workers MALLOC_TRIM_THRESHOLD_=65536; inherited, it made hibari 40% slower."""
    from briefing.audio import engines
    from briefing.daily.fleet import FleetOptions, make_channel
    from briefing.pipeline import RenderOptions
    from briefing.voices import load_profile

    report = tmp_path / "engine-environment"
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.setenv(REPORT_TO, str(report))
    monkeypatch.setitem(engines.ENGINE_MODULES, "reporting", __name__)
    fleet = make_fleet(tmp_path / "fleet", names=["city"], articles_each=1)
    options = FleetOptions(date=dt.date(2026, 11, 25), minutes=1,
                           render=RenderOptions(profile=load_profile("british"), engine="reporting"))
    outcome = make_channel(str(fleet / "city"), options)
    assert outcome.published, outcome.summary
    assert report.read_text(encoding="utf-8") == "unset"
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "65536"  # the worker's own setting is put back afterwards


def test_a_channel_s_task_ends_with_the_channel_not_at_its_next_poll(tmp_path, monkeypatch):
    """The task's thread, serving the channel's, saw it end only at its next poll of the channel's
    asks: a second after it was made, every channel kept its worker's slot (a day of eight quiet
    channels took 8 s on one worker, not 0.2 s). With the poll made an hour, the task ends at once."""
    from briefing.daily import fleet as fleet_module
    from briefing.daily.fleet import QUIET, FleetOptions, make_channel
    from briefing.pipeline import RenderOptions
    from briefing.voices import load_profile

    monkeypatch.setattr(fleet_module, "POLL_S", 3600.0)
    fleet = make_fleet(tmp_path / "fleet", names=["quiet"], articles_each=0)
    options = FleetOptions(date=dt.date(2026, 11, 25), render=RenderOptions(profile=load_profile("british")))
    outcomes: list = []
    task = threading.Thread(target=lambda: outcomes.append(make_channel(str(fleet / "quiet"), options)), daemon=True)
    task.start()
    task.join(timeout=120)  # far beyond what a quiet channel takes, far short of the hour
    fleet_module._drop_standing_pool()  # the speech process it started for the channel, as a worker would keep
    assert [outcome.status for outcome in outcomes] == [QUIET], outcomes


def test_workers_option_does_not_go_with_a_scheduler(tmp_path):
    fleet = make_fleet(tmp_path / "fleet", ["news"], articles_each=1)
    result = run_cli(["fleet", fleet, "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], home=tmp_path)
    assert result.returncode == 2 and "with --scheduler" in result.stderr


def test_an_unreachable_scheduler_is_one_line(tmp_path):
    fleet = make_fleet(tmp_path / "fleet", ["news"], articles_each=1)
    env = cli_env(tmp_path, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s")
    result = run_cli(["fleet", fleet, "--scheduler", "tcp://127.0.0.1:9"], home=tmp_path, env=env, timeout=120)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: tcp://127.0.0.1:9: cannot reach the Dask scheduler")



def _busy_for_a_while() -> int:
    started = time.process_time()
    while time.process_time() - started < 0.5:
        pass
    return 1


def _profiled_samples(dask_worker) -> int:
    return dask_worker.profile_recent["count"]


def test_the_cluster_started_here_does_not_profile_its_workers():
    """Dask's statistical profiler (for a dashboard this cluster does not have) cost 4% of the CPU."""
    from briefing.daily.fleet import cluster_client

    with cluster_client(None, 1) as client:
        assert client.submit(_busy_for_a_while, pure=False).result(timeout=60) == 1
        samples = client.run(_profiled_samples)
    assert list(samples.values()) == [0]


@pytest.mark.parametrize("address", ["localhost:notaport", "tcp://127.0.0.1:99999", "127.0.0.1"])
def test_a_malformed_scheduler_address_is_a_usage_error(tmp_path, address):
    fleet = make_fleet(tmp_path / "fleet", ["alpha"])
    result = run_cli(["fleet", fleet, "--scheduler", address], home=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: --scheduler {address}: not a scheduler address")


HOLDER = """
import sys
from briefing.library.locking import library_lock
with library_lock(sys.argv[1], ttl=3):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_channel_held_by_a_hung_run_and_one_whose_source_hangs_hit_their_deadline(tmp_path):
    fleet = make_fleet(tmp_path / "fleet", ["held", "hung", "news"], articles_each=1)
    with never_answering() as url:
        (fleet / "hung" / "briefing.toml").write_text(
            f'[sources]\ninbox = "inbox"\nurls = ["{url}"]\nallow_private_urls = true\ntimeout_s = 600\n',
            encoding="utf-8")
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(fleet / "held")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=cli_env(tmp_path))
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            result = run_cli(["fleet", fleet, "--workers", "2", "--date", DATE, *FLEET_ARGS, "--channel-timeout",
                              "8", "--json", tmp_path / "report.json"], home=tmp_path, timeout=300)
        finally:
            holder.communicate("")
    assert result.returncode == 3, result.stdout + result.stderr
    report = {channel["channel"]: channel for channel in json.loads((tmp_path / "report.json").read_text())["channels"]}
    assert report["news"]["outcome"] == "published"
    assert report["held"]["outcome"] == "failed" and "waited 8 s" in report["held"]["summary"]
    assert report["hung"]["outcome"] == "failed" and "8 s deadline" in report["hung"]["summary"]
    assert report["hung"]["seconds"] < 60
    assert daily_episodes(fleet / "hung") == [] if (fleet / "hung" / "briefing.db").exists() else True


def blind_worker(cluster: Cluster, fleet: Path, empty: Path) -> subprocess.Popen:
    """A worker in a mount namespace of its own where ``fleet`` is an empty folder (``empty``)."""
    def blinded(command: list[str]) -> list[str]:
        script = f"mount --bind {empty} {fleet} && exec {' '.join(command)}"
        return ["unshare", "--mount", "sh", "-c", script]

    return cluster.add_worker(wrap=blinded)


@pytest.fixture
def scheduler(tmp_path) -> Iterator[Cluster]:
    """A scheduler of this test's own, with no workers yet. A worker halted at a stage looks idle to
    it, so a channel of a killed worker may wait on each of the others halted, and die with each:
    it gives up on a channel only after more deaths than there are stages."""
    folder = tmp_path / "cluster"
    folder.mkdir()
    running = start_cluster(folder, workers=0, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(len(STAGES)))
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def bare_cluster(scheduler):
    if os.geteuid() != 0 or subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs root and unshare(1) for a worker that cannot see the fleet's folder")
    return scheduler


def test_a_worker_that_cannot_see_dir_sends_its_channels_elsewhere_and_creates_nothing(tmp_path, bare_cluster):
    fleet = make_fleet(tmp_path / "fleet", CHANNELS[:3], articles_each=1)
    empty = tmp_path / "blind-view"
    empty.mkdir()
    blind_worker(bare_cluster, fleet, empty)
    bare_cluster.wait_for_workers(1)
    alone = fleet_here([fleet, "--scheduler", bare_cluster.address, "--date", DATE, *FLEET_ARGS], tmp_path)
    assert alone.returncode == 1, alone.stdout + alone.stderr
    for name in CHANNELS[:3]:
        assert re.search(rf"^{name}: FAILED  worker \S+ cannot see {re.escape(str(fleet / name))} ", alone.stderr,
                         re.MULTILINE), alone.stderr
    assert list(empty.iterdir()) == []  # nothing created on the blind worker's own disk

    bare_cluster.add_worker()
    bare_cluster.wait_for_workers(2)
    both = fleet_here([fleet, "--scheduler", bare_cluster.address, "--date", DATE, *MINUTES], tmp_path)
    assert both.returncode == 0, both.stdout + both.stderr
    for name in CHANNELS[:3]:
        assert_channel_done(fleet / name, DATE)
    assert list(empty.iterdir()) == []


def test_the_scheduler_killed_mid_run_gives_a_report_that_matches_the_feeds_on_disk(tmp_path, cluster):
    fleet = make_fleet(tmp_path / "fleet", CHANNELS[:3], articles_each=1)  # published, under way, waiting
    env = {**cli_env(tmp_path), "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"}
    running = subprocess.Popen(briefing_command() + ["fleet", str(fleet), "--scheduler", cluster.address, "--date",
                                                     DATE, *FLEET_ARGS[:-1], "--json", str(tmp_path / "report.json")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    a_channel_published_while_others_are_made(fleet, cluster, running)
    cluster.scheduler.send_signal(signal.SIGKILL)
    cluster.scheduler.wait()
    reap_workers_ending_with_their_scheduler(cluster)
    stdout, stderr = running.communicate(timeout=300)
    assert (tmp_path / "report.json").exists(), stdout + stderr

    report = {channel["channel"]: channel["outcome"] for channel in
              json.loads((tmp_path / "report.json").read_text())["channels"]}
    on_disk = {name: daily_episodes(fleet / name) != [] if (fleet / name / "briefing.db").exists() else False
               for name in CHANNELS[:3]}
    assert report == {name: "published" if made else "failed" for name, made in on_disk.items()}, stdout + stderr
    for name, made in on_disk.items():
        if made:
            assert_channel_done(fleet / name, DATE)
        else:
            assert f"{name}: FAILED  the scheduler was lost; not known to be published" in stderr
    assert running.returncode == (0 if all(on_disk.values()) else 3), stdout + stderr


def test_a_scheduler_restarted_by_its_supervisor_gets_the_lost_channels_once_more(tmp_path, cluster):
    fleet = make_fleet(tmp_path / "fleet", CHANNELS[:3], articles_each=1)  # one published, two lost
    env = {**cli_env(tmp_path), "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "60s"}
    running = subprocess.Popen(briefing_command() + ["fleet", str(fleet), "--scheduler", cluster.address, "--date",
                                                     DATE, *FLEET_ARGS], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    a_channel_published_while_others_are_made(fleet, cluster, running)
    cluster.scheduler.send_signal(signal.SIGKILL)
    cluster.scheduler.wait()
    # As systemd would: the scheduler again, on its port, and a fresh worker (Dask's end with their
    # scheduler; one is enough to make the lost channels).
    port = cluster.address.rsplit(":", 1)[1]
    cluster.scheduler = cluster.start(["scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
                                      "scheduler-again")
    reap_workers_ending_with_their_scheduler(cluster)
    cluster.add_worker()
    stdout, stderr = running.communicate(timeout=300)
    assert running.returncode == 0, stdout + stderr
    for name in CHANNELS[:3]:
        assert_channel_done(fleet / name, DATE)


def test_a_channel_waiting_on_a_slow_source_leaves_its_worker_to_another_channel(tmp_path):
    """One worker: the first channel's source answers only once the second channel has published, which
    it can do only if the first gave up the worker while it fetched."""
    fleet = make_fleet(tmp_path / "fleet", ["a-slow", "b-fast"], articles_each=1)
    for article in (fleet / "a-slow" / "inbox").iterdir():
        article.unlink()
    page = (FIXTURES / "harbour-bridge.html").read_bytes()
    seen: dict[str, bool] = {}

    def wait_for_the_other(path: str) -> Answer:
        seen["other published before we were asked"] = (fleet / "b-fast" / "feed.xml").exists()
        deadline = time.monotonic() + 90
        while not (fleet / "b-fast" / "feed.xml").exists():
            if time.monotonic() > deadline:  # the other channel never ran while we were asked
                return 503
            time.sleep(0.05)
        return page, "text/html; charset=utf-8"

    with serving(wait_for_the_other) as base:
        (fleet / "a-slow" / "briefing.toml").write_text(
            f'[sources]\nurls = ["{base}/harbour"]\nallow_private_urls = true\ntimeout_s = 150\n', encoding="utf-8")
        result = run_cli(["fleet", fleet, "--workers", "1", "--date", DATE, *MINUTES], home=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert seen == {"other published before we were asked": False}
    for name in ("a-slow", "b-fast"):
        assert_channel_done(fleet / name, DATE)


def test_channels_not_made_by_the_run_s_deadline_are_reported_so(tmp_path):
    fleet = make_fleet(tmp_path / "fleet", ["hung"], articles_each=1)
    with never_answering() as url:
        (fleet / "hung" / "briefing.toml").write_text(
            f'[sources]\nurls = ["{url}"]\nallow_private_urls = true\ntimeout_s = 600\n', encoding="utf-8")
        result = run_cli(["fleet", fleet, "--workers", "1", "--date", DATE, *FLEET_ARGS, "--deadline", "5"],
                         home=tmp_path, timeout=300)
    assert result.returncode == 3, result.stdout + result.stderr  # not known to have failed: it may publish yet
    assert "hung: FAILED  not made by the run's deadline" in result.stderr
