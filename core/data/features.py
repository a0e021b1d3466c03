"""The CLIP feature cache: each image encoded once, in fp16 safetensors shards plus an index.

Training reads embeddings from here and never touches the images again. Encoding is
resumable (finished shards are kept; the index is rewritten atomically after each one) and
the cache remembers which encoder made it, so it is never mixed with another encoder's.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from vocalens.core.data.samples import DataError, Sample
from vocalens.core.data.shards import MemberReader
from vocalens.core.errors import VocaLensError
from vocalens.core.files import write_text_atomic
from vocalens.core.images import load_image
from vocalens.core.model.encoder import ImageEncoder

INDEX = "index.json"
PART = "index-rank{}.json"  # what one rank of several has encoded, until rank 0 merges it
REPORT = "unreadable.txt"
FORMAT = 1
Progress = Callable[[int], None]


class Group(Protocol):
    """The processes encoding together (``train.distributed.World``): each takes every
    ``size``-th image still to do, from its ``rank``."""

    @property
    def rank(self) -> int: ...

    @property
    def size(self) -> int: ...

    def barrier(self) -> None: ...


class Alone:
    rank, size = 0, 1

    def barrier(self) -> None:
        pass


def encoder_identity(encoder: ImageEncoder) -> dict[str, Any]:
    """What makes two encoders interchangeable: architecture, preprocessing and weights."""
    digest = hashlib.sha256()
    for name, tensor in sorted(encoder.visual.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    cfg = encoder.cfg
    identity = {
        "model": cfg.model,
        "pretrained": cfg.pretrained,
        "preprocess": cfg.preprocess,
        "normalize": cfg.normalize,
        "weights_sha256": digest.hexdigest(),
    }
    return dict(json.loads(json.dumps(identity)))  # as the index stores it (tuples → lists)


@dataclass
class CacheIndex:
    encoder: dict[str, Any]
    dim: int
    shards: list[dict[str, Any]] = field(default_factory=list)  # {"file", "keys"}
    unreadable: dict[str, str] = field(default_factory=dict)  # image key → reason
    format: int = FORMAT

    def done(self) -> set[str]:
        return {k for shard in self.shards for k in shard["keys"]} | set(self.unreadable)


class FeatureCache:
    """A folder of encoded images. ``embeddings(keys)`` gives (N, D) fp32 in ``keys`` order."""

    def __init__(self, folder: Path, index: CacheIndex) -> None:
        self.folder, self.index = folder, index
        self._table: dict[str, torch.Tensor] | None = None

    @classmethod
    def open(cls, folder: str | Path, identity: dict[str, Any] | None = None) -> FeatureCache:
        folder = Path(folder)
        path = folder / INDEX
        if not path.is_file():
            raise DataError(
                f"{folder} is not a feature cache (no {INDEX}).",
                "Make one with `vocalens encode`.",
            )
        cache = cls(folder, _read_index(path, "Delete the folder and encode again."))
        if identity is not None:
            cache.check(identity)
        return cache

    def check(self, identity: dict[str, Any]) -> None:
        if self.index.encoder != identity:
            theirs = self.index.encoder
            raise DataError(
                f"The feature cache {self.folder} was made by another image encoder "
                f"({theirs.get('model')}/{theirs.get('pretrained')}, weights "
                f"{str(theirs.get('weights_sha256'))[:12]}).",
                "Encode the images again with this model's encoder, into a new folder.",
            )

    def unreadable_note(self) -> str | None:
        """One sentence about skipped images, or None when every image was read."""
        if not self.index.unreadable:
            return None
        return (
            f"{len(self.index.unreadable)} images could not be read and were skipped "
            f"(listed in {self.folder / REPORT})."
        )

    def keys(self) -> set[str]:
        return {k for shard in self.index.shards for k in shard["keys"]}

    def embeddings(self, keys: Sequence[str]) -> torch.Tensor:
        if self._table is None:
            self._table = {}
            for shard in self.index.shards:
                block = load_file(str(self.folder / shard["file"]))["embeddings"]
                self._table.update(zip(shard["keys"], block, strict=True))
        missing = [k for k in keys if k not in self._table]
        if missing:
            raise DataError(
                f"{len(missing)} images are not in the feature cache (first: {missing[0]}).",
                "Run `vocalens encode` again on the same data to finish the cache.",
            )
        if not keys:
            return torch.zeros((0, self.index.dim))
        return torch.stack([self._table[k] for k in keys]).float()


def encode_samples(
    encoder: ImageEncoder,
    samples: Sequence[Sample],
    folder: str | Path,
    batch_size: int = 64,
    shard_size: int = 4096,
    progress: Progress | None = None,
    group: Group | None = None,
) -> FeatureCache:
    """Encode every image of ``samples`` not yet in ``folder``; unreadable ones are listed in
    the index and in ``unreadable.txt``. Returns the finished cache.

    With a ``group`` of several processes, each encodes its share into shards of its own and
    lists them in its own part of the index; rank 0 merges the parts when all are done, or
    when a stopped run is resumed (on any number of processes)."""
    folder = Path(folder)
    group = group or Alone()
    identity = encoder_identity(encoder)
    if group.rank == 0:
        index = _opened(folder, identity, encoder.embed_dim)
    group.barrier()
    if group.rank != 0:
        index = FeatureCache.open(folder, identity).index
    done = index.done()
    todo = list({s.key: s for s in samples if s.key not in done}.values())
    mine = _share(todo, group.rank, group.size)
    if progress:
        progress(len(done & {s.key for s in samples}) // group.size)
    alone = group.size == 1
    part = index if alone else CacheIndex(identity, encoder.embed_dim)
    prefix = "shard-" if alone else f"shard-r{group.rank}of{group.size}-"
    count = sum(shard["file"].startswith(prefix) for shard in index.shards)
    for start in range(0, len(mine), shard_size):
        keys, block = _encoded(
            encoder, mine[start : start + shard_size], batch_size, part, progress
        )
        if keys:
            name = f"{prefix}{(len(index.shards) if alone else count):05d}.safetensors"
            save_file({"embeddings": block}, str(folder / name))
            part.shards.append({"file": name, "keys": keys})
            count += 1
        if alone:
            _write_index(folder, index)
        else:
            write_text_atomic(folder / PART.format(group.rank), json.dumps(asdict(part)))
    if not alone:
        group.barrier()
        if group.rank == 0:
            index = _merged(folder, index)
        group.barrier()
        index = FeatureCache.open(folder, identity).index
    return FeatureCache(folder, index)


def _opened(folder: Path, identity: dict[str, Any], dim: int) -> CacheIndex:
    """The folder's index, with the parts a stopped run of several processes left merged
    in; or a new one in a new or empty folder."""
    if (folder / INDEX).is_file():
        return _merged(folder, FeatureCache.open(folder, identity).index)
    if folder.is_dir() and any(folder.iterdir()):
        raise DataError(
            f"{folder} already holds other files; a feature cache needs its own folder.",
            "Choose an empty or new folder.",
        )
    folder.mkdir(parents=True, exist_ok=True)
    index = CacheIndex(identity, dim)
    _write_index(folder, index)
    return index


def _merged(folder: Path, index: CacheIndex) -> CacheIndex:
    """``index`` with every rank's part added (their shards, their unreadable images), the
    parts removed once the whole is written."""
    parts = sorted(folder.glob(PART.format("*")))
    for path in parts:
        part = _read_index(path, "Delete it: its images are encoded again.")
        if part.encoder != index.encoder:
            continue  # another encoder's: never mixed in
        known = {shard["file"] for shard in index.shards}
        index.shards += [shard for shard in part.shards if shard["file"] not in known]
        index.unreadable.update(part.unreadable)
    if parts:
        _write_index(folder, index)
        for path in parts:
            path.unlink(missing_ok=True)
    return index


def _encoded(
    encoder: ImageEncoder,
    chunk: list[Sample],
    batch_size: int,
    index: CacheIndex,
    progress: Progress | None,
) -> tuple[list[str], torch.Tensor]:
    """The keys and fp16 embeddings of a shard's images; the unreadable ones go in ``index``."""
    device = next(encoder.parameters()).device
    dtype = next(encoder.parameters()).dtype
    keys: list[str] = []
    blocks = []
    members = MemberReader()
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        for batch in _batches(chunk, batch_size):
            packed = [_packed(s, members) for s in batch]  # in order: a shard is read forward
            pixels = list(pool.map(lambda s, data: _pixels(encoder, s, data), batch, packed))
            for sample, result in zip(batch, pixels, strict=True):
                if isinstance(result, str):
                    index.unreadable[sample.key] = result
            good = [(s, p) for s, p in zip(batch, pixels, strict=True) if not isinstance(p, str)]
            if good:
                stack = torch.stack([p for _, p in good]).to(device, dtype)
                with torch.inference_mode():
                    blocks.append(encoder(stack).to("cpu", torch.float16))
                keys += [s.key for s, _ in good]
            if progress:
                progress(len(batch))
    return keys, (torch.cat(blocks).contiguous() if blocks else torch.zeros(0))


def encode_with_bar(
    encoder: ImageEncoder,
    samples: Sequence[Sample],
    folder: str | Path,
    batch_size: int = 64,
    show: bool = True,
    group: Group | None = None,
    shard_size: int = 4096,
) -> FeatureCache:
    """:func:`encode_samples` with a progress bar over the distinct images (rank 0's share of
    them, when several processes encode)."""
    size = group.size if group else 1
    images = -(-len({s.key for s in samples}) // size)
    show = show and (group is None or group.rank == 0)
    with tqdm(total=images, desc="encoding images", unit="img", disable=not show) as bar:
        return encode_samples(
            encoder, samples, folder, batch_size, shard_size, progress=bar.update, group=group
        )


def _share(todo: list[Sample], rank: int, size: int) -> list[Sample]:
    """One rank's part of the images still to encode: every ``size``-th image, or, from
    WebDataset shards, every ``size``-th shard (each rank reads only its own shards)."""
    if size == 1:
        return todo
    shards = list(dict.fromkeys(s.shard for s in todo if s.shard))
    owner = {shard: i % size for i, shard in enumerate(shards)}
    plain = [s for s in todo if not s.shard]
    return plain[rank::size] + [s for s in todo if s.shard and owner[s.shard] == rank]


def _packed(sample: Sample, members: MemberReader) -> bytes | str | None:
    """A WebDataset sample's image bytes (or why they cannot be read); None for a file."""
    if not sample.member:
        return None
    try:
        return members.read(sample)
    except (OSError, EOFError, tarfile.TarError) as exc:
        return f"{sample.key} cannot be read from its shard ({exc})."


def _pixels(encoder: ImageEncoder, sample: Sample, data: bytes | str | None) -> torch.Tensor | str:
    if isinstance(data, str):
        return data
    try:
        if data is not None:
            return encoder.preprocess(load_image(data, name=sample.key))
        return encoder.preprocess(load_image(sample.path))
    except VocaLensError as exc:
        return exc.message
    except OSError as exc:
        return f"{sample.path} cannot be read ({exc})."


def _batches(items: list[Sample], size: int) -> Iterator[list[Sample]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _read_index(path: Path, hint: str) -> CacheIndex:
    try:
        return CacheIndex(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise DataError(f"{path} is damaged ({exc}).", hint) from None


def _write_index(folder: Path, index: CacheIndex) -> None:
    write_text_atomic(folder / INDEX, json.dumps(asdict(index), indent=1) + "\n")
    report = "".join(f"{key}\t{why}\n" for key, why in sorted(index.unreadable.items()))
    (folder / REPORT).write_text(report, encoding="utf-8")
