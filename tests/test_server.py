"""The library server over real HTTP on 127.0.0.1: ranges, types, caching, CORS and containment."""

from __future__ import annotations

import http.client
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from publishing import make_library

from briefing.server import app as server_module
from briefing.server.app import running

SECRET = b"top secret: the library must never serve this"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("site")
    library = base / "library"
    episodes = make_library(library, count=2)
    (base / "secret.txt").write_bytes(SECRET)
    (library / "leak.txt").symlink_to(base / "secret.txt")
    (library / "episodes" / "leak.mp3").symlink_to(base / "secret.txt")
    (library / "briefing.toml").write_text("[channel]\ntitle = 'x'\n")
    (library / ".feed.xml.abc123.tmp").write_bytes(SECRET)
    (library / "inside.txt").symlink_to(library / episodes[0].script_path)
    with running(library) as server:
        yield server, library, episodes


def fetch(server, path: str, method: str = "GET", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def audio(site) -> tuple[str, bytes]:
    _, library, episodes = site
    return "/" + episodes[0].audio_path, (library / episodes[0].audio_path).read_bytes()


def test_head_gives_the_headers_of_get_without_a_body(site):
    server = site[0]
    path, data = audio(site)
    status, headers, body = fetch(server, path, "HEAD")
    assert status == 200 and body == b""
    assert headers["content-length"] == str(len(data))
    assert headers["content-type"] == "audio/mpeg"
    assert headers["accept-ranges"] == "bytes"
    assert headers["etag"] and headers["last-modified"]


def test_full_get_returns_the_file(site):
    path, data = audio(site)
    status, headers, body = fetch(site[0], path)
    assert status == 200 and body == data and headers["content-length"] == str(len(data))


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_byte_range_returns_exactly_those_bytes(site, where):
    path, data = audio(site)
    size = len(data)
    spans = {"start": (0, 99), "middle": (size // 2, size // 2 + 4095), "end": (size - 10, size - 1)}
    first, last = spans[where]
    status, headers, body = fetch(site[0], path, headers={"Range": f"bytes={first}-{last}"})
    assert status == 206
    assert body == data[first:last + 1]
    assert headers["content-range"] == f"bytes {first}-{last}/{size}"
    assert headers["content-length"] == str(last - first + 1)


def test_suffix_range_returns_the_last_bytes(site):
    path, data = audio(site)
    status, headers, body = fetch(site[0], path, headers={"Range": "bytes=-500"})
    assert status == 206 and body == data[-500:]
    assert headers["content-range"] == f"bytes {len(data) - 500}-{len(data) - 1}/{len(data)}"


def test_open_range_runs_to_the_end(site):
    path, data = audio(site)
    status, headers, body = fetch(site[0], path, headers={"Range": "bytes=100-"})
    assert status == 206 and body == data[100:]
    assert headers["content-range"] == f"bytes 100-{len(data) - 1}/{len(data)}"


def test_our_reader_serves_the_bytes_of_full_and_range_requests(site, monkeypatch):
    # server/app.py overrides Starlette's private FileResponse._open_file (pyproject pins the versions that
    # have it): should a release drop or change the hook, Starlette's own reader takes over and this fails.
    read_sizes: list[int] = []
    real_read = server_module._Pread.read

    async def counted_read(self, size: int) -> bytes:
        chunk = await real_read(self, size)
        read_sizes.append(len(chunk))
        return chunk

    monkeypatch.setattr(server_module._Pread, "read", counted_read)
    path, data = audio(site)

    status, _, body = fetch(site[0], path, headers={"Range": "bytes=100-4195"})
    assert status == 206 and body == data[100:4196]
    assert sum(read_sizes) == 4096

    read_sizes.clear()
    status, _, body = fetch(site[0], path)
    assert status == 200 and body == data
    assert sum(read_sizes) == len(data)


def test_range_past_the_end_is_416_with_the_size(site):
    path, data = audio(site)
    status, headers, _ = fetch(site[0], path, headers={"Range": f"bytes={len(data) + 10}-"})
    assert status == 416
    assert headers["content-range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize("name, expected", [
    ("feed.xml", "application/xml"),  # with an XSL stylesheet, so a browser shows a page
    ("index.html", "text/html"),
    ("x.vtt", "text/vtt"),
    ("x.chapters.json", "application/json+chapters"),
    ("x.png", "image/png"),
    ("x.txt", "text/plain"),
])
def test_content_types(site, name, expected):
    _, library, episodes = site
    stem = episodes[0].audio_path  # side files are named after the whole audio name
    path = "/" + name if name in ("feed.xml", "index.html") else "/" + stem + name[1:]
    status, headers, body = fetch(site[0], path)
    assert status == 200
    assert headers["content-type"].split(";")[0] == expected
    assert body == (library / path.lstrip("/")).read_bytes()


def test_root_serves_the_page(site):
    status, headers, body = fetch(site[0], "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert body == (site[1] / "index.html").read_bytes()


@pytest.mark.parametrize("suffix", [".vtt", ".chapters.json"])
def test_side_files_allow_any_origin(site, suffix):
    stem = site[2][0].audio_path  # side files are named after the whole audio name
    status, headers, _ = fetch(site[0], f"/{stem}{suffix}", headers={"Origin": "https://app.example"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"


def test_conditional_get_with_etag_is_304(site):
    path, _ = audio(site)
    _, headers, _ = fetch(site[0], path)
    status, again, body = fetch(site[0], path, headers={"If-None-Match": headers["etag"]})
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]


def test_conditional_get_with_date_is_304_and_a_changed_etag_is_200(site):
    _, headers, _ = fetch(site[0], "/feed.xml")
    assert fetch(site[0], "/feed.xml", headers={"If-Modified-Since": headers["last-modified"]})[0] == 304
    assert fetch(site[0], "/feed.xml", headers={"If-None-Match": '"stale"'})[0] == 200
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert fetch(site[0], "/feed.xml", headers={"If-Modified-Since": old})[0] == 200


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/episodes/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/episodes/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/episodes%2f..%2f..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..\\secret.txt",
    "//secret.txt",
    "/leak.txt",
    "/episodes/leak.mp3",
])
def test_nothing_outside_the_library_is_served(site, path):
    status, _, body = fetch(site[0], path)
    assert status in (403, 404)
    assert SECRET not in body


@pytest.mark.parametrize("path", [
    "/briefing.db", "/briefing.toml", "/.feed.xml.abc123.tmp", "/episodes/", "/episodes", "/briefing.db-wal",
])
def test_database_config_temp_files_and_folders_are_not_served(site, path):
    status, _, body = fetch(site[0], path)
    assert status in (403, 404)
    assert SECRET not in body and not body.startswith(b"SQLite")


def test_a_link_to_a_published_file_under_another_name_is_not_served(site):
    assert fetch(site[0], "/inside.txt")[0] == 404


def test_only_get_and_head(site):
    assert fetch(site[0], "/feed.xml", "POST")[0] == 405


def test_200_concurrent_range_requests_are_byte_correct(site):
    path, data = audio(site)
    rng = random.Random(5)
    ranges = [(start, min(len(data) - 1, start + rng.randint(0, 65535)))
              for start in (rng.randrange(len(data)) for _ in range(200))]

    def get(span):
        status, headers, body = fetch(site[0], path, headers={"Range": "bytes=%d-%d" % span})
        return status, headers["content-range"], body

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(get, ranges))
    for (first, last), (status, content_range, body) in zip(ranges, results, strict=True):
        assert status == 206
        assert content_range == f"bytes {first}-{last}/{len(data)}"
        assert body == data[first:last + 1]


def test_keep_alive_connection_serves_many_ranges(site):
    path, data = audio(site)
    connection = http.client.HTTPConnection("127.0.0.1", site[0].port, timeout=10)
    try:
        for start in range(0, len(data), len(data) // 7):
            connection.request("GET", path, headers={"Range": f"bytes={start}-{start + 999}"})
            response = connection.getresponse()
            assert response.status == 206 and response.read() == data[start:start + 1000]
    finally:
        connection.close()


@pytest.mark.parametrize("value", [
    "items=0-10", "bytes=5-1", "bytes=abc", "bytes=1-2-3", "bytes=", "bytes=0-1,x-2", "bytes = 0-1", "bytes=- 5",
])
def test_an_invalid_range_header_is_ignored_with_the_whole_file(site, value):
    # RFC 9110 §14.2: a Range the server cannot parse as a valid bytes range is ignored: 200, whole file.
    path, data = audio(site)
    status, headers, body = fetch(site[0], path, headers={"Range": value})
    assert status == 200 and body == data and "content-range" not in headers


@pytest.mark.parametrize("value", ["bytes=-0", "bytes=99999999999999999999999999-", "BYTES=999999999-"])
def test_a_valid_but_unsatisfiable_range_is_416(site, value):
    path, data = audio(site)
    status, headers, _ = fetch(site[0], path, headers={"Range": value})
    assert status == 416 and headers["content-range"] == f"bytes */{len(data)}"


def test_only_the_satisfiable_ranges_of_a_valid_header_are_sent(site):
    path, data = audio(site)
    status, headers, body = fetch(site[0], path, headers={"Range": f"bytes=0-9, ,{len(data) + 5}-"})
    assert status == 206 and body == data[:10]
    assert headers["content-range"] == f"bytes 0-9/{len(data)}"


def test_a_range_ignored_because_if_range_no_longer_matches_is_200(site):
    path, data = audio(site)
    status, _, body = fetch(site[0], path, headers={"Range": "bytes=0-9", "If-Range": '"old-etag"'})
    assert status == 200 and body == data


@pytest.fixture()
def private_library(tmp_path):
    """A published library with the private things people keep beside it."""
    library = tmp_path / "library"
    episodes = make_library(library, count=1)
    stem = episodes[0].audio_path  # side files are named after the whole audio name
    (library / f"{stem}.json").write_text('{"sections": []}', encoding="utf-8")  # the timing file
    private = {
        "notes/budget.txt": b"salaries: " + SECRET,
        "inbox/tomorrow.txt": SECRET,
        "inbox/page.html": b"<p>" + SECRET,
        "logs/daily.log": SECRET,
        "episodes/unpublished-draft.mp3": SECRET,
        "episodes/unpublished-draft.txt": SECRET,
        "draft.xml": SECRET,
    }
    for relative, data in private.items():
        (library / relative).parent.mkdir(parents=True, exist_ok=True)
        (library / relative).write_bytes(data)
    (library / "briefing.toml").write_text("[sources]\nfiles = ['notes/budget.txt']\n", encoding="utf-8")
    return library, episodes, private


def test_only_published_files_are_served(private_library):
    library, episodes, private = private_library
    stem = episodes[0].audio_path  # side files are named after the whole audio name
    with running(library) as server:
        for relative in private:
            status, _, body = fetch(server, "/" + relative)
            assert status == 404 and SECRET not in body, relative
        for relative in ("briefing.toml", "briefing.db", "notes/", "logs/daily.log"):
            assert fetch(server, "/" + relative)[0] == 404
        for relative in ("feed.xml", "index.html", "cover.png", episodes[0].audio_path, f"{stem}.json",
                         f"{stem}.vtt", f"{stem}.chapters.json", f"{stem}.txt", f"{stem}.png"):
            status, _, body = fetch(server, "/" + relative)
            assert status == 200 and body == (library / relative).read_bytes(), relative


def test_what_is_served_follows_publishing_and_removing(private_library):
    from publishing import make_episode

    from briefing.library.store import Library
    from briefing.library.publish import publish, regenerate

    library, episodes, _ = private_library
    with running(library) as server:
        newcomer = make_episode(library, "late-news", "2025-03-09T07:00:00+00:00", frequency=880)
        assert fetch(server, "/" + newcomer.audio_path)[0] == 404  # on disk, not yet published
        publish(library, newcomer)
        assert fetch(server, "/" + newcomer.audio_path)[0] == 200
        with Library.open(library) as opened:
            opened.remove(episodes[0].guid)
        regenerate(library)
        assert fetch(server, "/" + episodes[0].audio_path)[0] == 404  # files kept, no longer published
        assert fetch(server, "/" + newcomer.audio_path)[0] == 200


def test_a_library_without_a_database_serves_only_its_generated_files(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    (library / "index.html").write_text("<p>hello</p>", encoding="utf-8")
    (library / "notes.txt").write_bytes(SECRET)
    with running(library) as server:
        assert fetch(server, "/")[0] == 200
        assert fetch(server, "/notes.txt")[0] == 404
