"""Every dataset format reads into the same samples; bad files get one clear message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vocalens.core.data.readers import read_dataset
from vocalens.core.data.samples import DataError, normalise_caption


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_coco_annotations(tmp_path: Path) -> None:
    path = write(tmp_path / "captions_val2014.json", {
        "images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2, "file_name": "b.jpg"}],
        "annotations": [
            {"image_id": 1, "caption": "A dog. "}, {"image_id": 1, "caption": "A pup."},
            {"image_id": 2, "caption": "  "}, {"image_id": 9, "caption": "Nobody."},
        ],
    })  # fmt: skip
    data = read_dataset(path, images=tmp_path / "imgs")
    assert data.kind == "coco"
    assert [(s.key, s.captions, s.split, s.image_id) for s in data.samples] == [
        ("a.jpg", ("A dog.", "A pup."), "val", 1)
    ]
    assert data.samples[0].path == tmp_path / "imgs" / "a.jpg"
    assert any("1 captions refer to images the file does not list" in n for n in data.notes)
    assert any("1 empty captions" in n for n in data.notes)


def test_karpathy_split_folds_restval_into_train(tmp_path: Path) -> None:
    path = write(tmp_path / "dataset_coco.json", {"dataset": "coco", "images": [
        {"filepath": "val2014", "filename": "x.jpg", "split": "restval", "cocoid": 7,
         "sentences": [{"raw": "A cat."}, {"raw": "A kitten."}]},
        {"filepath": "val2014", "filename": "y.jpg", "split": "test", "cocoid": 8,
         "sentences": [{"raw": "A bus."}]},
    ]})  # fmt: skip
    data = read_dataset(path)
    assert data.kind == "karpathy"
    assert [(s.key, s.split, s.image_id, len(s.captions)) for s in data.samples] == [
        ("val2014/x.jpg", "train", 7, 2), ("val2014/y.jpg", "test", 8, 1)
    ]  # fmt: skip


def test_vizwiz_skips_rejected_and_precanned(tmp_path: Path) -> None:
    path = write(tmp_path / "train.json", {
        "images": [{"id": 0, "file_name": "VizWiz_train_0.jpg"}],
        "annotations": [
            {"image_id": 0, "caption": "A can of soup.", "is_rejected": False,
             "is_precanned": False},
            {"image_id": 0, "caption": "Quality issues are too severe.", "is_rejected": False,
             "is_precanned": True},
            {"image_id": 0, "caption": "bad", "is_rejected": True, "is_precanned": False},
        ],
    })  # fmt: skip
    data = read_dataset(path)
    assert data.kind == "vizwiz"
    assert data.samples[0].captions == ("A can of soup.",)
    assert any("2 rejected or pre-canned" in n for n in data.notes)


def test_csv_jsonl_and_folders(tmp_path: Path) -> None:
    table = "image,caption,split\na.png,A red dot.,train\na.png,A dot.,train\nb.png,A line.,val\n"
    (tmp_path / "t.csv").write_text(table, encoding="utf-8")
    rows = [{"image": "a.png", "caption": "A red dot."}, {"image": "b.png", "caption": "Hi."}]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    csv = read_dataset(tmp_path / "t.csv")
    assert [(s.key, s.captions, s.split) for s in csv.samples] == [
        ("a.png", ("A red dot.", "A dot."), "train"), ("b.png", ("A line.",), "val")
    ]  # fmt: skip
    assert [s.captions for s in read_dataset(tmp_path / "t.jsonl").samples] == [
        ("A red dot.",), ("Hi.",)
    ]  # fmt: skip
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "cat.jpg").write_bytes(b"x")
    (folder / "sub" / "cat.txt").write_text("A cat.\n\nA grey cat.\n")
    (folder / "dog.jpg").write_bytes(b"x")  # no captions: not a sample
    data = read_dataset(folder)
    assert [(s.key, s.captions) for s in data.samples] == [
        ("sub/cat.jpg", ("A cat.", "A grey cat."))
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not valid JSON (line 1"),
        (b'{"images": "x"}', "is not a caption dataset this program knows"),
        (b'\xff\xfe{"images": []}', "is not UTF-8 text"),
        (b'{"images": [{"id": 1}], "annotations": []}', "image 0 has no 'file_name' field"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "data.json"
    path.write_bytes(content)
    with pytest.raises(DataError, match=re.escape(message)):
        read_dataset(path)


def test_missing_files_and_headers(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_dataset(tmp_path / "nothing.json")
    (tmp_path / "t.csv").write_text("path,text\na.png,hello\n")
    with pytest.raises(DataError, match="no 'image' and 'caption' columns"):
        read_dataset(tmp_path / "t.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no captioned images"):
        read_dataset(tmp_path / "empty")


def test_captions_are_normalised_to_end_with_the_stop_string() -> None:
    assert normalise_caption("  A dog\n on   grass ") == "A dog on grass."
    assert normalise_caption("A dog!!") == "A dog."
    assert normalise_caption("A dog.", lowercase=True) == "a dog."
    assert normalise_caption("A dog", stop="") == "A dog"
    assert normalise_caption(" . ") == ""
