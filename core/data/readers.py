"""Readers for COCO, Karpathy-split, VizWiz-Captions, CSV/JSONL tables, plain folders and
WebDataset shards (``shards``).

``read_dataset`` picks the reader from the file's content (or ``kind``) and always returns
one :class:`Dataset` of images with their captions. Rows that cannot be used are skipped and
counted in ``Dataset.notes``; files that cannot be read at all raise :class:`DataError`.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from vocalens.core.data.samples import DataError, Dataset, Sample, split_from_name
from vocalens.core.data.shards import is_shards, read_shards
from vocalens.core.images import IMAGE_SUFFIXES

KINDS = ("auto", "coco", "karpathy", "vizwiz", "table", "folder", "webdataset")
Reader = Callable[[Any, Path, Path], Dataset]


def read_dataset(path: str | Path, kind: str = "auto", images: str | Path | None = None) -> Dataset:
    """Read ``path`` (a JSON, CSV or JSONL file, a folder, or WebDataset shards: a .tar, a
    pattern such as ``cc3m/{00000..00331}.tar``, a URL). ``images``: the folder image paths
    are relative to (default: the file's own folder)."""
    if kind not in KINDS:
        raise DataError(f"Unknown dataset format '{kind}'.", f"Use one of: {', '.join(KINDS)}.")
    spec = str(path)
    if kind == "webdataset" or (kind == "auto" and is_shards(spec) and not Path(spec).is_dir()):
        return read_shards(spec)
    path = Path(path)
    if not path.exists():
        raise DataError(f"The dataset {path} does not exist.", "Check the path and try again.")
    root = Path(images) if images is not None else (path if path.is_dir() else path.parent)
    if path.is_dir():
        return _folder(path, root)
    if kind in ("table", "auto") and path.suffix.lower() in (".csv", ".jsonl", ".tsv"):
        return _table(_text(path), path, root)
    if kind == "table":
        raise DataError(f"{path} is not a .csv, .tsv or .jsonl file.")
    data = _json(path)
    detected = kind if kind != "auto" else _detect(data, path)
    readers: dict[str, Reader] = {"coco": _coco, "karpathy": _karpathy, "vizwiz": _vizwiz}
    return readers[detected](data, path, root)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path} is not UTF-8 text (bad byte at position {exc.start}).",
            "Save it as UTF-8 and try again.",
        ) from None
    except OSError as exc:
        raise DataError(f"{path} cannot be read ({exc.strerror}).") from None


def _json(path: Path) -> Any:
    try:
        return json.loads(_text(path))
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
            "The file may be cut short or damaged; download it again.",
        ) from None


def _detect(data: Any, path: Path) -> str:
    if isinstance(data, dict) and isinstance(data.get("images"), list):
        if "annotations" not in data:
            first = data["images"][0] if data["images"] else {}
            if isinstance(first, dict) and "sentences" in first:
                return "karpathy"
        elif isinstance(data["annotations"], list):
            first = data["annotations"][0] if data["annotations"] else {}
            return "vizwiz" if isinstance(first, dict) and "is_rejected" in first else "coco"
    raise DataError(
        f"{path} is not a caption dataset this program knows.",
        "Give COCO captions, a Karpathy split, VizWiz-Captions, or a CSV/JSONL of image,caption.",
    )


def _field(row: Any, name: str, path: Path, where: str) -> Any:
    if not isinstance(row, dict) or name not in row:
        raise DataError(f"{path}: {where} has no '{name}' field.", "The file may be damaged.")
    return row[name]


def _coco(data: dict[str, Any], path: Path, root: Path, vizwiz: bool = False) -> Dataset:
    split = split_from_name(path)
    files = {}
    for i, img in enumerate(data["images"]):
        files[_field(img, "id", path, f"image {i}")] = _field(img, "file_name", path, f"image {i}")
    captions: dict[Any, list[str]] = defaultdict(list)
    unknown = empty = skipped = 0
    for i, ann in enumerate(data["annotations"]):
        image_id = _field(ann, "image_id", path, f"annotation {i}")
        text = str(_field(ann, "caption", path, f"annotation {i}") or "").strip()
        if vizwiz and (ann.get("is_rejected") or ann.get("is_precanned")):
            skipped += 1
        elif image_id not in files:
            unknown += 1
        elif not text:
            empty += 1
        else:
            captions[image_id].append(text)
    samples = [
        Sample(name, root / name, tuple(captions.get(image_id, ())), split, image_id)
        for image_id, name in files.items()
        if captions.get(image_id) or split == "test"
    ]
    notes = _notes(unknown=unknown, empty=empty)
    if skipped:
        notes.append(f"{skipped} rejected or pre-canned captions were left out.")
    return Dataset(samples, path, "vizwiz" if vizwiz else "coco", notes)


def _vizwiz(data: dict[str, Any], path: Path, root: Path) -> Dataset:
    return _coco(data, path, root, vizwiz=True)


def _karpathy(data: dict[str, Any], path: Path, root: Path) -> Dataset:
    samples, empty = [], 0
    for i, img in enumerate(data["images"]):
        name = _field(img, "filename", path, f"image {i}")
        rel = str(Path(img.get("filepath", "")) / name)
        texts = []
        for sentence in _field(img, "sentences", path, f"image {i}"):
            raw = str(sentence.get("raw", "")).strip() if isinstance(sentence, dict) else ""
            if raw:
                texts.append(raw)
            else:
                empty += 1
        split = str(img.get("split", "train"))
        split = "train" if split == "restval" else split
        image_id = img.get("cocoid", img.get("imgid", i))
        if texts or split == "test":
            samples.append(Sample(rel, root / rel, tuple(texts), split, image_id))
    return Dataset(samples, path, "karpathy", _notes(empty=empty))


def _table(text: str, path: Path, root: Path) -> Dataset:
    rows = _jsonl(text, path) if path.suffix.lower() == ".jsonl" else _csv(text, path)
    return _group(rows, path, root, "table")


def _jsonl(text: str, path: Path) -> Iterable[dict[str, Any]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}, line {number}, is not valid JSON ({exc.msg}).") from None
        if not isinstance(row, dict):
            raise DataError(f"{path}, line {number}, is not an object with image and caption.")
        yield row


def _csv(text: str, path: Path) -> Iterable[dict[str, Any]]:
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames or not {"image", "caption"} <= set(reader.fieldnames):
        raise DataError(
            f"{path} has no 'image' and 'caption' columns in its first line.",
            "Add a header line such as: image,caption",
        )
    yield from reader


def _group(rows: Iterable[dict[str, Any]], path: Path, root: Path, kind: str) -> Dataset:
    captions: dict[str, list[str]] = {}
    splits: dict[str, str] = {}
    empty = 0
    for number, row in enumerate(rows, 1):
        image = str(row.get("image") or "").strip()
        if not image:
            raise DataError(f"{path}: row {number} names no image.")
        text = str(row.get("caption") or "").strip()
        captions.setdefault(image, [])
        splits.setdefault(image, str(row.get("split") or "train"))
        if text:
            captions[image].append(text)
        else:
            empty += 1
    samples = [
        Sample(name, root / name, tuple(texts), splits[name], name)
        for name, texts in captions.items()
        if texts or splits[name] == "test"
    ]
    return Dataset(samples, path, kind, _notes(empty=empty))


def _folder(folder: Path, root: Path) -> Dataset:
    """A folder of images with a ``captions.csv``/``.jsonl`` inside, or a ``name.txt`` beside
    each image holding its captions one per line."""
    for table in ("captions.csv", "captions.jsonl", "captions.tsv"):
        if (folder / table).is_file():
            return _table(_text(folder / table), folder / table, root)
    rows = []
    for image in sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        sidecar = image.with_suffix(".txt")
        if sidecar.is_file():
            rel = str(image.relative_to(folder))
            rows += [{"image": rel, "caption": line} for line in _text(sidecar).splitlines()]
    if not rows:
        raise DataError(
            f"{folder} holds no captioned images.",
            "Put a name.txt with captions beside each image, or a captions.csv in the folder.",
        )
    return _group([r for r in rows if r["caption"].strip()], folder, root, "folder")


def _notes(unknown: int = 0, empty: int = 0) -> list[str]:
    notes = []
    if unknown:
        notes.append(f"{unknown} captions refer to images the file does not list; left out.")
    if empty:
        notes.append(f"{empty} empty captions were left out.")
    return notes
