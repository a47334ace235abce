"""Publishing a library's public files to object storage: ``[publish] url = "s3://bucket/prefix"``.

Optional: it needs fsspec and the protocol's package (``s3fs`` for ``s3://``; any fsspec URL works,
``file://`` included, for a folder a web server serves).
Credentials come from the environment (``AWS_ACCESS_KEY_ID`` and friends, or the machine's role),
never from ``briefing.toml``; ``endpoint_url`` names an S3-compatible server other than AWS.

What is uploaded is what the server answers (``publish.published_paths``), nothing else in the
folder: ``episodes/`` (content-addressed names: an object already there with the same
size is the same file and is skipped), then the channel cover and the feed's stylesheet, then
``index.html`` and last ``feed.xml``, so a listener never reads a feed naming an object not yet uploaded (an S3 PUT
replaces an object whole). Objects of removed episodes are left in the bucket. The feed's enclosure
URLs come from ``[channel] base_url``: set it to the bucket's public or CDN address.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.config import load_config
from briefing.errors import BriefingError, InputError

EPISODES_DIR = "episodes"
LAST = ("index.html", "feed.xml")  # written after everything they refer to


@dataclass(frozen=True)
class PublishTarget:
    url: str  # e.g. s3://bucket/prefix
    storage_options: dict[str, Any]


def publish_target(library_dir: Path) -> PublishTarget | None:
    """The ``[publish]`` table of the library's ``briefing.toml``, or None when there is none."""
    path = Path(library_dir) / "briefing.toml"
    table = load_config(library_dir).raw.get("publish")
    if table is None:
        return None
    if "://" not in table.get("url", ""):  # keys and types are checked by config.load_config
        raise InputError(f"{path}: [publish] needs url = \"s3://bucket/prefix\"")
    options: dict[str, Any] = {}
    if table["url"].startswith("file://"):  # a folder (a web server's, or a mounted bucket): make sub-folders
        options["auto_mkdir"] = True
    if "endpoint_url" in table:
        options["client_kwargs"] = {"endpoint_url": str(table["endpoint_url"])}
    return PublishTarget(table["url"].rstrip("/"), options)


def public_files(library_dir: Path) -> list[Path]:
    """The published files (what the server answers: nothing else in the folder), relative to the
    library, in upload order. A symlink is sent only when what it points to is published too."""
    from briefing.library import Library
    from briefing.publish import published_paths

    library_dir = Path(library_dir)
    with Library.open(library_dir, create=False) as library:
        published = published_paths(library.episodes(), load_config(library_dir).channel.image)
    root = library_dir.resolve()

    def sendable(relative: str) -> bool:
        real = (root / relative).resolve()
        return real.is_file() and real.is_relative_to(root) and real.relative_to(root).as_posix() in published

    return sorted((Path(relative) for relative in published if sendable(relative)), key=_upload_order)


def _upload_order(path: Path) -> tuple[int, int, str]:
    """The episodes' files, then the rest, then the page and the feed that name them."""
    if path.parts[0] == EPISODES_DIR:
        return 0, 0, path.as_posix()
    if path.as_posix() in LAST:
        return 2, LAST.index(path.as_posix()), ""
    return 1, 0, path.as_posix()


def upload_library(library_dir: Path) -> int | None:
    """Upload the public files to ``[publish] url``; return how many were sent (None: not configured)."""
    target = publish_target(library_dir)
    if target is None:
        return None
    try:
        import fsspec
    except ImportError:
        raise BriefingError(f"{target.url}: publishing to object storage needs fsspec and s3fs: "
                            "pip install 'briefing[cluster]'") from None
    try:
        filesystem, root = fsspec.core.url_to_fs(target.url, **target.storage_options)
        sent = 0
        for relative in public_files(library_dir):
            local = Path(library_dir) / relative
            remote = f"{root}/{relative.as_posix()}"
            if relative.parts[0] == EPISODES_DIR and _same_size(filesystem, remote, local):
                continue
            filesystem.put_file(str(local), remote)
            sent += 1
        return sent
    except Exception as error:  # each protocol's package has errors of its own (botocore's, for S3)
        raise BriefingError(f"{target.url}: upload failed: {error}") from None


def _same_size(filesystem: Any, remote: str, local: Path) -> bool:
    try:
        return int(filesystem.info(remote)["size"]) == local.stat().st_size
    except FileNotFoundError:
        return False
