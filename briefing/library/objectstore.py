"""Publishing a library's public files to object storage: ``[publish] url = "s3://bucket/prefix"``.

Optional: it needs fsspec and the protocol's package (``s3fs`` for ``s3://``; any fsspec URL works,
``file://`` included, for a folder a web server serves). ``make``, ``daily``, ``fleet``, ``feed`` and
``remove`` upload after the library is published, still holding its lock, so two uploads of one
library never interleave. Credentials come from the environment of the process that uploads (every
Dask worker's, for ``fleet``: ``AWS_ACCESS_KEY_ID`` and friends, or the machine's role), never from
``briefing.toml``; ``endpoint_url`` names an S3-compatible server other than AWS.

What is uploaded is exactly what the local server serves (``publish.published_paths``: the feed, its
stylesheets, the page, the covers, each episode's recorded files; nothing else in the folder, and a
symlink only when what it points to is published too), in an order that never lets a listener read a
file naming an object not yet there: ``episodes/`` first, then the other files, then ``index.html``
and last ``feed.xml`` (an S3 PUT replaces an object whole). One listing of the prefix tells what is
there already: an episode's files have content-addressed names, so an object of the same size is the
same file; any other file is skipped when its MD5 equals the object's ETag.
Each object gets the type the local server would send and a ``Cache-Control`` for how it changes:
episodes never (a year, immutable), the feed and page often (five minutes). ``delete_removed = true``
deletes, after the feed is uploaded, the objects under ``episodes/`` that the feed no longer names.

The feed's URLs come from the base URL, so ``[publish]`` is refused (a settings error, exit code 2)
unless the user configured one (``[channel] base_url``, ``$BRIEFING_BASE_URL``, ``--base-url``) that
listeners can reach: a public address, or any address when the storage itself is local (a
``file://`` folder, or an ``endpoint_url`` on this machine or the local network).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from briefing.config import CONFIG_NAME, Config, SettingsError, load_config
from briefing.errors import BriefingError
from briefing.library.address import BASE_URL_KEY, is_public
from briefing.library.layout import EPISODES_DIR, FEED_NAME, PAGE_NAME
from briefing.library.publish import published_paths
from briefing.library.store import DB_NAME, Library, opened

LAST = (PAGE_NAME, FEED_NAME)  # written after everything they refer to
IMMUTABLE = "public, max-age=31536000, immutable"  # content-addressed: a new file gets a new name
CHANGING = "public, max-age=300"  # the feed and the page: a new episode shows within five minutes
OCCASIONAL = "public, max-age=3600"  # the stylesheet and covers: same name, rarely new content


@dataclass(frozen=True)
class PublishTarget:
    url: str  # e.g. s3://bucket/prefix
    storage_options: dict[str, Any]
    base_url: str  # where listeners fetch what is uploaded
    delete_removed: bool = False


@dataclass(frozen=True)
class UploadReport:
    url: str
    uploaded: int  # objects written
    unchanged: int  # objects already there
    deleted: int = 0  # objects of episodes that left the feed (delete_removed)

    def line(self) -> str:
        deleted = f", {self.deleted} deleted" if self.deleted else ""
        return f"Uploaded {self.uploaded} file(s) to {self.url} ({self.unchanged} unchanged{deleted})"


def publish_target(library_dir: Path, config: Config | None = None, *,
                   library: Library | None = None) -> PublishTarget | None:
    """The checked ``[publish]`` table of the library's ``briefing.toml``, or None when there is none."""
    path = Path(library_dir) / CONFIG_NAME
    config = config or load_config(library_dir)
    table = config.publish
    if table is None:
        return None
    if "://" not in table.url:  # keys and types are checked by config.load_config
        raise SettingsError(f"{path}: [publish] needs url = \"s3://bucket/prefix\"")
    url = table.url.rstrip("/")
    base_url = _configured_base_url(library_dir, config, library)
    if base_url is None:
        raise SettingsError(f"{path}: [publish] needs [channel] base_url, the address listeners fetch "
                            f"{url} from (e.g. https://my-bucket.s3.amazonaws.com/prefix/)")
    endpoint = table.endpoint_url
    local_storage = url.startswith("file://") or (bool(endpoint) and not is_public(endpoint))
    if not is_public(base_url) and not local_storage:
        raise SettingsError(f"{path}: [publish] needs a public base_url; {base_url} is not reachable by listeners")
    options: dict[str, Any] = {"skip_instance_cache": True}  # a fresh listing each time, not a cached one
    if url.startswith("file://"):  # a folder (a web server's, or a mounted bucket): make sub-folders
        options["auto_mkdir"] = True
    if endpoint:
        options["client_kwargs"] = {"endpoint_url": endpoint}
    return PublishTarget(url, options, base_url, table.delete_removed)


def _configured_base_url(library_dir: Path, config: Config, library: Library | None) -> str | None:
    """The base URL the user chose (option, environment, settings, or stored by ``feed --base-url``)."""
    if config.base_url_chosen:
        return config.channel.base_url
    if library is None and not (Path(library_dir) / DB_NAME).is_file():
        return None
    with opened(library_dir, library, create=False) as known:
        return known.stored_meta(BASE_URL_KEY) or None


def public_files(library_dir: Path, image: str | None, library: Library | None = None) -> list[str]:
    """The published files (what the server answers: nothing else in the folder), relative to the
    library, in upload order; ``image`` is the configured channel image. A symlink is sent only when
    what it points to is published too."""
    library_dir = Path(library_dir)
    with opened(library_dir, library, create=False) as known:
        published = published_paths(known.episodes(), image)
    root = library_dir.resolve()

    def sendable(relative: str) -> bool:
        real = (root / relative).resolve()
        return real.is_file() and real.is_relative_to(root) and real.relative_to(root).as_posix() in published

    return sorted((relative for relative in published if sendable(relative)), key=_upload_order)


def _upload_order(relative: str) -> tuple[int, int, str]:
    """The episodes' files, then the rest, then the page and the feed that name them."""
    if relative.startswith(EPISODES_DIR + "/"):
        return 0, 0, relative
    if relative in LAST:
        return 2, LAST.index(relative), ""
    return 1, 0, relative


def upload_library(library_dir: Path, config: Config | None = None, *,
                   library: Library | None = None) -> UploadReport | None:
    """Upload the public files to ``[publish] url``, feed last (None: not configured)."""
    config = config or load_config(library_dir)
    target = publish_target(library_dir, config, library=library)
    if target is None:
        return None
    try:
        import fsspec
    except ImportError:
        raise BriefingError(f"{target.url}: publishing to object storage needs fsspec and s3fs: "
                            "pip install 'briefing[cluster]'") from None
    try:
        filesystem, root = fsspec.core.url_to_fs(target.url, **target.storage_options)
        files = public_files(Path(library_dir), config.channel.image, library)
        return _upload(filesystem, root.rstrip("/"), Path(library_dir), target, files)
    except BriefingError:
        raise
    except Exception as error:  # each protocol's package has errors of its own (botocore's, for S3)
        raise BriefingError(f"{target.url}: upload failed: {error}") from None


def _upload(filesystem: Any, root: str, library_dir: Path, target: PublishTarget, files: list[str]) -> UploadReport:
    there = _listing(filesystem, root)
    uploaded = 0
    for relative in files:
        local = library_dir / relative
        if _unchanged(there.get(relative), local, relative):
            continue
        filesystem.put_file(str(local), f"{root}/{relative}", **_headers(filesystem, local, relative))
        uploaded += 1
    deleted = 0
    if target.delete_removed:
        kept = set(files)
        gone = [f"{root}/{relative}" for relative in there
                if relative.startswith(EPISODES_DIR + "/") and relative not in kept]
        if gone:
            filesystem.rm(gone)
        deleted = len(gone)
    return UploadReport(target.url, uploaded, len(files) - uploaded, deleted)


def _listing(filesystem: Any, root: str) -> dict[str, dict[str, Any]]:
    """Every object under ``root`` by its path relative to it: one listing (paged by the store)."""
    try:
        found = filesystem.find(root, detail=True)
    except FileNotFoundError:
        return {}
    prefix = root + "/"
    return {path[len(prefix):]: info for path, info in found.items() if path.startswith(prefix)}


def _unchanged(info: dict[str, Any] | None, local: Path, relative: str) -> bool:
    if info is None or int(info.get("size", -1)) != local.stat().st_size:
        return False
    if relative.startswith(EPISODES_DIR + "/"):  # content-addressed: the same name and size is the same file
        return True
    etag = str(info.get("ETag") or info.get("etag") or "").strip('"')
    if len(etag) == 32 and "-" not in etag:  # a single-part upload's ETag is its MD5
        return etag == _md5(local)
    return False


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _headers(filesystem: Any, local: Path, relative: str) -> dict[str, str]:
    """S3's object metadata: the type the local server sends, and how long caches may keep it."""
    from briefing.library.media_types import media_type

    protocols = filesystem.protocol if isinstance(filesystem.protocol, tuple) else (filesystem.protocol,)
    if not {"s3", "s3a"} & set(protocols):
        return {}
    if relative.startswith(EPISODES_DIR + "/"):
        cache = IMMUTABLE
    elif PurePosixPath(relative).name in LAST:
        cache = CHANGING
    else:
        cache = OCCASIONAL
    return {"ContentType": media_type(local), "CacheControl": cache}
