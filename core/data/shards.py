"""WebDataset shards: the tar files img2dataset writes for CC3M, CC12M and LAION, read where
they lie (local paths, or any URL the ``webdataset`` library opens), never unpacked.

A sample is the members of a tar that share a name up to the first dot of their file name
(``00042.jpg``, ``00042.txt``, ``00042.json``): its image, and its caption from the ``.txt``
member or the ``caption`` of the ``.json`` one. The shards are read twice: once for the
captions (a local tar's images are skipped over, not read), once, in order, for the images
as they are encoded. A sample without an image or a caption, and the rest of a shard cut
short, are skipped and counted."""

from __future__ import annotations

import json
import os
import re
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from vocalens.core.data.samples import DataError, Dataset, Sample

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp")
REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, s3:, pipe:, gs:
MOST_TEXT = 1 << 20  # a caption member larger than this is not a caption


def is_shards(spec: str) -> bool:
    """``spec`` names WebDataset shards: a .tar, a brace pattern of them, or a URL."""
    return spec.endswith(".tar") or ("{" in spec and ".." in spec) or remote(spec)


def shard_urls(spec: str) -> list[str]:
    from braceexpand import braceexpand

    return [url for part in spec.split("::") for url in braceexpand(part)]


def read_shards(spec: str) -> Dataset:
    """Every usable sample of the shards ``spec`` names (``{00000..00331}.tar``, a URL)."""
    urls = shard_urls(spec)
    if not urls:
        raise DataError(f"{spec} names no shards.", "Give a .tar file or a pattern of them.")
    missing = [u for u in urls if not remote(u) and not Path(u).is_file()]
    if missing:
        raise DataError(
            f"{len(missing)} of {len(urls)} shards do not exist (first: {missing[0]}).",
            "Check the pattern; {00000..00331}.tar names 332 files.",
        )
    samples: list[Sample] = []
    incomplete = cut = 0
    for url in urls:
        found, lacking, broken = _scan(url)
        samples += found
        incomplete += lacking
        cut += broken
    notes = []
    if incomplete:
        notes.append(f"Skipped {incomplete} samples without an image or a caption.")
    if cut:
        notes.append(f"{cut} shards were cut short or damaged; their readable samples are used.")
    if not samples:
        raise DataError(f"{spec} holds no samples with an image and a caption.")
    return Dataset(samples, Path(urls[0]).parent, "webdataset", notes)


def remote(url: str) -> bool:
    """``url`` is opened by the ``webdataset`` library (http:, s3:, pipe:), not as a file."""
    return bool(REMOTE.match(url)) and not re.match(r"^[a-zA-Z]:[\\/]", url)


def _open(url: str) -> IO[bytes]:
    if remote(url):
        from webdataset.gopen import gopen

        return gopen(url, "rb")
    return open(url, "rb")


def _members(url: str) -> Iterator[tuple[tarfile.TarInfo, tarfile.TarFile]]:
    """The regular members of a shard, in order; a local one's contents are skipped over."""
    with _open(url) as stream:
        streamed = remote(url)
        size = 0 if streamed else os.fstat(stream.fileno()).st_size
        with tarfile.open(fileobj=stream, mode="r|*" if streamed else "r:*") as tar:
            while (member := tar.next()) is not None:
                if size and member.offset_data + member.size > size:
                    raise tarfile.ReadError("the shard is cut short")  # tarfile ends quietly
                if member.isfile():
                    yield member, tar
            if size and tar.offset + tarfile.BLOCKSIZE > size:
                raise tarfile.ReadError("the shard is cut short")  # within a header


def _split(name: str) -> tuple[str, str]:
    folder, _, base = name.rpartition("/")
    stem, _, extension = base.partition(".")
    return (f"{folder}/{stem}" if folder else stem), extension.lower()


def _scan(url: str) -> tuple[list[Sample], int, int]:
    """The samples of one shard, the count lacking an image or caption, and 1 when the
    shard ended in damage (the samples before it are kept)."""
    images: dict[str, str] = {}
    captions: dict[str, str] = {}
    order: list[str] = []
    broken = 0
    try:
        for member, tar in _members(url):
            key, extension = _split(member.name)
            if key not in images and key not in captions:
                order.append(key)
            if extension in IMAGE_EXTENSIONS:
                images[key] = member.name
            elif extension in ("txt", "json") and member.size <= MOST_TEXT:
                opened = tar.extractfile(member)
                text = _caption(opened.read() if opened else b"", extension)
                if text:
                    captions[key] = text
    except (tarfile.TarError, EOFError, OSError, ValueError):
        broken = 1
    name = url.rstrip("/").rpartition("/")[2]
    found = [
        Sample(f"{name}/{key}", Path(name), (captions[key],), "train", f"{name}/{key}", url, image)
        for key in order
        if (image := images.get(key)) and key in captions
    ]
    return found, len(order) - len(found), broken


def _caption(data: bytes, extension: str) -> str:
    text = data.decode("utf-8", errors="replace")
    if extension == "json":
        try:
            value: Any = json.loads(text)
        except ValueError:
            return ""
        text = value.get("caption", "") if isinstance(value, dict) else ""
    return text.strip() if isinstance(text, str) else ""


class MemberReader:
    """The bytes of samples' images, asked for in their shards' order: a shard is opened
    once and read forward (a remote one streamed); asking for an earlier member opens it
    again. Threads take turns."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url: str | None = None
        self._members: Iterator[tuple[tarfile.TarInfo, tarfile.TarFile]] | None = None

    def read(self, sample: Sample) -> bytes:
        url = sample.shard
        with self._lock:
            for attempt in range(2):
                if self._url != url or self._members is None or attempt:
                    self._url, self._members = url, _members(url)
                for member, tar in self._members:
                    if member.name == sample.member:
                        opened = tar.extractfile(member)
                        return opened.read() if opened else b""
                self._members = None  # passed it, or not there: once more from the start
        raise OSError(f"{sample.member} is not in {sample.path}")
