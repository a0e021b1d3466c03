"""One image with its reference captions, and what a reader noticed on the way."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from vocalens.core.errors import VocaLensError

SPLITS = ("train", "val", "test")


class DataError(VocaLensError):
    """A dataset file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Sample:
    key: str  # the image's stable name within the dataset (its path relative to the root)
    path: Path  # the image file
    captions: tuple[str, ...]  # reference captions (may be empty for test-only images)
    split: str = "train"
    image_id: int | str = 0  # the id COCO-format results use
    shard: str = ""  # a WebDataset shard (path or URL) holding the image, as ``member``
    member: str = ""


@dataclass
class Dataset:
    samples: list[Sample]
    source: Path
    kind: str
    notes: list[str] = field(default_factory=list)  # skipped rows, said once each

    def split(self, name: str) -> list[Sample]:
        return [s for s in self.samples if s.split == name]

    def splits(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.samples:
            counts[s.split] = counts.get(s.split, 0) + 1
        return counts


def normalise_caption(text: str, stop: str = ".", lowercase: bool = False) -> str:
    """One line, single spaces, ending with exactly one ``stop`` string: what training
    appends is what decoding stops on."""
    text = re.sub(r"\s+", " ", text).strip()
    if lowercase:
        text = text.lower()
    if stop:
        text = text.rstrip(" .,;:!?" + stop).rstrip()
        text = f"{text}{stop}" if text else ""
    return text


def split_from_name(path: Path) -> str:
    """COCO and VizWiz name their files after the split (captions_val2014.json, val.json)."""
    name = path.stem.lower()
    for split in ("train", "val", "test"):
        if split in name:
            return split
    return "train"
