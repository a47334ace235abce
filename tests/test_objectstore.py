"""Publishing to object storage, against `moto_server` (moto[server], a test extra) on 127.0.0.1.

moto_server speaks the S3 HTTP API, so this runs briefing's real upload path: fsspec, s3fs, botocore's
request signing, the listing, the order of the PUTs and what is skipped. It is a stand-in for S3, not
S3: it does not enforce bucket policies, and its consistency and limits are not Amazon's. Every
request it answers is recorded (its own recorder), which is how the tests count listings and uploads.
The audio is spoken by espeak-ng (the british profile) and encoded for real.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from helpers import FIXTURES, cli_env, requires_espeak, requires_ffmpeg, run_cli

pytest.importorskip("s3fs", reason="object storage needs s3fs: pip install '.[cluster]'")
MOTO_SERVER = Path(sys.executable).parent / "moto_server"
if not MOTO_SERVER.exists():
    pytest.skip("needs moto_server: pip install 'moto[server]' (the test extra)", allow_module_level=True)

BUCKET = "podcasts"
DATE, NEXT_DATE = "2026-11-25", "2026-11-26"
# The channel's own voice and length ([channel] voice, minutes): daily and fleet run without options.
CHANNEL_SETTINGS = 'voice = "british"\nminutes = 1\n'
BRITISH = "espeak en-gb-x-rp"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
# The README's bucket policy: anyone may read the objects; only the credentials may write.
PUBLIC_READ = {"Version": "2012-10-17", "Statement": [{
    "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}


class MotoServer:
    """moto_server on a free port of 127.0.0.1, recording every request into a file."""

    def __init__(self, folder: Path) -> None:
        self.recording = folder / "requests.jsonl"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "MOTO_ENABLE_RECORDING": "True", "MOTO_RECORDER_FILEPATH": str(self.recording)}
        self.process = subprocess.Popen([str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=folder)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            assert self.process.poll() is None, "moto_server exited"
            assert time.monotonic() < deadline, "moto_server did not answer"
            time.sleep(0.05)

    def requests(self) -> list[dict]:
        """The requests answered since the last ``forget``: method and path (with query) of each."""
        if not self.recording.exists():
            return []
        return [json.loads(line) for line in self.recording.read_text().splitlines() if line]

    def forget(self) -> None:
        self.recording.write_text("")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    import boto3

    client = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    yield server
    server.close()


def channel(folder: Path, name: str, moto: MotoServer, articles: list[str], extra_publish: str = "",
            extra_channel: str = "") -> Path:
    library = folder / name
    (library / "inbox").mkdir(parents=True)
    for article in articles:
        shutil.copy(FIXTURES / article, library / "inbox")
    (library / "briefing.toml").write_text(
        f'[channel]\ntitle = "{name.title()} briefing"\nbase_url = "{moto.endpoint}/{BUCKET}/{name}/"\n'
        f'{CHANNEL_SETTINGS}{extra_channel}\n[sources]\ninbox = "inbox"\n\n'
        f'[publish]\nurl = "s3://{BUCKET}/{name}"\nendpoint_url = "{moto.endpoint}"\n{extra_publish}',
        encoding="utf-8")
    return library


def env_for(home: Path) -> dict[str, str]:
    return cli_env(home, **CREDENTIALS)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """An anonymous GET, as a podcast app or browser sends it."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {}, b""


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith(("#", "data:", "javascript:")):
                self.urls.append(value)


def referred_urls(feed_url: str) -> set[str]:
    """Every URL the uploaded feed and page name (the stylesheet included), fetched from the bucket."""
    status, _, body = fetch(feed_url)
    assert status == 200
    urls = {feed_url}
    stylesheets = re.findall(rb'<\?xml-stylesheet [^>]*href="([^"]+)"', body)
    assert len(stylesheets) == 2, "the feed names its stylesheets: XSLT, and CSS for browsers without it"
    urls.update(urljoin(feed_url, href.decode()) for href in stylesheets)
    for element in ET.fromstring(body).iter():
        for attribute in ("url", "href"):
            if element.get(attribute, "").startswith("http"):
                urls.add(element.get(attribute, ""))
        if element.tag == "link" and (element.text or "").startswith("http"):
            urls.add(element.text or "")
    page_url = urljoin(feed_url, "index.html")
    status, _, page = fetch(page_url)
    assert status == 200
    links = _Links()
    links.feed(page.decode())
    urls.update(urljoin(page_url, url) for url in links.urls)
    # S3's REST endpoint answers a folder with a listing, not its index.html (a website endpoint or
    # CDN maps it, as the README says): the channel's folder address is checked as its index.html.
    return {url + "index.html" if url.endswith("/") else url for url in urls}


def assert_bucket_serves_the_library(library: Path, base_url: str) -> set[str]:
    """Every URL of the uploaded feed and page answers 200 with the local file's bytes and type."""
    from briefing.library.media_types import media_type

    urls = referred_urls(base_url + "feed.xml")
    relatives = set()
    for url in sorted(urls):
        assert url.startswith(base_url), f"{url} is not in the bucket"
        relative = unquote(urlsplit(url).path[len(urlsplit(base_url).path):])
        status, headers, body = fetch(url)
        assert status == 200, f"{url}: {status}"
        assert body == (library / relative).read_bytes(), relative
        assert headers["content-type"] == media_type(library / relative), relative
        expected_cache = ("immutable" if relative.startswith("episodes/") else
                          "max-age=300" if relative in ("feed.xml", "index.html") else "max-age=3600")
        assert expected_cache in headers.get("cache-control", ""), (relative, headers.get("cache-control"))
        relatives.add(relative)
    assert {"feed.xsl", "feed.css", "cover.png"} <= relatives
    assert any(path.endswith(".mp3") for path in relatives)
    return relatives


def s3_calls(moto: MotoServer, prefix: str) -> tuple[int, list[str]]:
    """(listings of the prefix, keys PUT under it, in order) among the recorded requests."""
    listings, puts = 0, []
    for request in moto.requests():
        path, _, query = request["url"].partition("?")
        path = urlsplit(path).path
        # (s3fs checks an empty prefix once more, with a HEAD and a one-key listing: not per object.)
        if (request["method"] == "GET" and path.rstrip("/") == f"/{BUCKET}" and f"prefix={prefix}" in query
                and "max-keys=1&" not in query):
            listings += 1
        elif request["method"] == "PUT" and path.startswith(f"/{BUCKET}/{prefix}/"):
            puts.append(unquote(path[len(f"/{BUCKET}/{prefix}/"):]))
        elif request["method"] == "HEAD" and path.startswith(f"/{BUCKET}/{prefix}/"):
            raise AssertionError(f"a HEAD per object: {request['url']}")
    return listings, puts


def bucket_keys(moto: MotoServer, prefix: str) -> set[str]:
    import boto3

    client = boto3.client("s3", endpoint_url=moto.endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    found = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix + "/").get("Contents", [])
    return {item["Key"][len(prefix) + 1:] for item in found}


def published_paths(library: Path) -> set[str]:
    """What the local server answers for the library now: its published files that exist."""
    from briefing.config import load_config
    from briefing.library.store import Library
    from briefing.library.publish import published_paths

    with Library.open(library, create=False) as opened:
        published = published_paths(opened.episodes(), load_config(library).channel.image)
    return {relative for relative in published if (library / relative).is_file()}


def local_bytes(library: Path, relatives: set[str]) -> dict[str, bytes]:
    return {relative: (library / relative).read_bytes() for relative in relatives}


# ---- refusals: fast, nothing rendered ---------------------------------------------------------------

def test_publish_without_a_base_url_is_refused_in_one_line_before_anything_is_made(tmp_path):
    library = tmp_path / "news"
    (library / "inbox").mkdir(parents=True)
    shutil.copy(FIXTURES / "bank-rates.txt", library / "inbox")
    (library / "briefing.toml").write_text(
        '[sources]\ninbox = "inbox"\n\n[publish]\nurl = "s3://podcasts/news"\n', encoding="utf-8")
    for command in (["daily", "--library", library], ["make", FIXTURES / "bank-rates.txt", "--library", library]):
        result = run_cli(command, home=tmp_path, env=env_for(tmp_path))
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.strip().splitlines() == [
            f"Error: {library / 'briefing.toml'}: [publish] needs [channel] base_url, the address listeners "
            "fetch s3://podcasts/news from (e.g. https://my-bucket.s3.amazonaws.com/prefix/)"], command[0]
    assert not (library / "episodes").exists()


def test_a_loopback_base_url_is_refused_for_a_remote_bucket(tmp_path):
    library = tmp_path / "news"
    library.mkdir()
    (library / "briefing.toml").write_text(
        '[channel]\nbase_url = "http://127.0.0.1:8000/"\n\n[sources]\ninbox = "inbox"\n\n'
        '[publish]\nurl = "s3://podcasts/news"\n', encoding="utf-8")
    result = run_cli(["daily", "--library", library], home=tmp_path, env=env_for(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"Error: {library / 'briefing.toml'}: [publish] needs a public base_url; "
                                     "http://127.0.0.1:8000/ is not reachable by listeners")


# ---- daily and fleet against moto_server ------------------------------------------------------------

@pytest.mark.slow
@requires_espeak
@requires_ffmpeg
def test_daily_uploads_every_file_the_feed_and_page_name_feed_last_and_a_rerun_sends_only_changes(tmp_path, moto):
    library = channel(tmp_path, "daily", moto, ["bank-rates.txt", "cycle-lanes.txt"])
    base_url = f"{moto.endpoint}/{BUCKET}/daily/"
    moto.forget()

    made = run_cli(["daily", "--library", library, "--date", DATE], home=tmp_path, env=env_for(tmp_path), timeout=300)

    assert made.returncode == 0, made.stdout + made.stderr
    listings, puts = s3_calls(moto, "daily")
    assert listings == 1
    assert puts[-1] == "feed.xml" and puts[-2] == "index.html"
    episodes_first = [path.startswith("episodes/") for path in puts]
    assert episodes_first == sorted(episodes_first, reverse=True)  # every episode file before the others
    assert f"Uploaded {len(puts)} file(s) to s3://{BUCKET}/daily (0 unchanged)" in made.stdout
    served = assert_bucket_serves_the_library(library, base_url)
    # Every file named, and nothing the local server would not serve (no database, inbox or settings).
    assert served <= set(puts) <= published_paths(library)
    assert not {"briefing.db", "briefing.toml"} & bucket_keys(moto, "daily")

    before = local_bytes(library, set(puts))
    moto.forget()
    again = run_cli(["feed", "--library", library], home=tmp_path, env=env_for(tmp_path))
    assert again.returncode == 0, again.stderr
    listings, puts = s3_calls(moto, "daily")
    changed = {path for path, data in before.items() if (library / path).read_bytes() != data}
    assert listings == 1
    assert set(puts) == changed and "feed.xml" in changed  # lastBuildDate moved; the episodes did not
    assert f"Uploaded {len(puts)} file(s) to s3://{BUCKET}/daily ({len(before) - len(puts)} unchanged)" in again.stdout
    assert_bucket_serves_the_library(library, base_url)
    [episode] = episodes_of(library)
    assert episode.voice == BRITISH and 45 <= episode.duration_s <= 80  # the channel's voice and minutes

    before = local_bytes(library, published_paths(library))
    moto.forget()
    article = run_cli(["make", FIXTURES / "storm-ciaran.txt", "--library", library, "--max-words", "30"],
                      home=tmp_path, env=env_for(tmp_path), timeout=300)
    assert article.returncode == 0, article.stderr
    listings, puts = s3_calls(moto, "daily")
    new = published_paths(library) - set(before)
    assert listings == 1 and puts[-1] == "feed.xml"
    assert {path for path in puts if path.startswith("episodes/")} == new  # only the new episode's files
    assert f"Uploaded {len(puts)} file(s) to s3://{BUCKET}/daily" in article.stdout
    assert_bucket_serves_the_library(library, base_url)


def episodes_of(library: Path) -> list:
    from briefing.library.store import Library

    with Library.open(library, create=False) as opened:
        return opened.episodes()


@pytest.fixture
def dask_cluster(tmp_path):
    """A running scheduler and worker (which uploads: it has the credentials) for both days of a fleet,
    whose command runs in this process (``fleet_here``): a cluster the command starts itself would cost
    a worker's start-up each day, and the command's process the import of Dask and briefing."""
    pytest.importorskip("distributed", reason="the fleet needs Dask: pip install '.[cluster]'")
    from fleet_cluster import Cluster

    cluster = Cluster(tmp_path / "cluster", env_for(tmp_path))
    try:
        cluster.add_worker()
        cluster.wait_for_workers(1)
        yield cluster
    finally:
        cluster.close()


@pytest.mark.slow
@requires_espeak
@requires_ffmpeg
def test_fleet_publishes_each_channel_and_the_next_day_uploads_only_the_new_episode(tmp_path, moto, dask_cluster):
    from fleet_cluster import fleet_here

    fleet = tmp_path / "fleet"
    city = channel(fleet, "city", moto, ["bank-rates.txt"], "delete_removed = true\n", "keep = 1\n")
    coast = channel(fleet, "coast", moto, ["storm-ciaran.txt"])
    moto.forget()

    first = fleet_here([fleet, "--scheduler", dask_cluster.address, "--date", DATE], tmp_path)

    assert first.returncode == 0, first.stdout + first.stderr
    day_one = {}
    for library in (city, coast):
        listings, puts = s3_calls(moto, library.name)
        assert listings == 1 and puts[-1] == "feed.xml"
        assert re.search(rf"^{library.name}: published .*; {len(puts)} file\(s\) uploaded", first.stdout, re.M)
        assert_bucket_serves_the_library(library, f"{moto.endpoint}/{BUCKET}/{library.name}/")
        day_one[library.name] = published_paths(library)
        assert [episode.voice for episode in episodes_of(library)] == [BRITISH]  # each channel's own voice

    shutil.copy(FIXTURES / "cycle-lanes.txt", city / "inbox")
    shutil.copy(FIXTURES / "bin-collections.txt", coast / "inbox")
    moto.forget()
    day_two = {}
    second = fleet_here([fleet, "--scheduler", dask_cluster.address, "--date", NEXT_DATE], tmp_path)

    assert second.returncode == 0, second.stdout + second.stderr
    for library in (city, coast):
        listings, puts = s3_calls(moto, library.name)
        assert_bucket_serves_the_library(library, f"{moto.endpoint}/{BUCKET}/{library.name}/")
        served = published_paths(library)
        new_episode_files = {path for path in served - day_one[library.name] if path.startswith("episodes/")}
        assert listings == 1
        assert {path for path in puts if path.startswith("episodes/")} == new_episode_files  # old ones skipped
        assert puts[-1] == "feed.xml"
        day_two[library.name] = served
    # keep = 1 with delete_removed: the first day's objects are gone; without it they stay.
    city_keys = {key for key in bucket_keys(moto, "city") if key.startswith("episodes/")}
    assert city_keys == {path for path in day_two["city"] if path.startswith("episodes/")}
    assert not city_keys & day_one["city"]
    assert day_one["coast"] <= bucket_keys(moto, "coast")
