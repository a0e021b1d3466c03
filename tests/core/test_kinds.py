"""The content kind on a labelled set of real photographs and scans, rendered screens, drawn
charts and icons, and blank images (``tests/kind_set.py``), through the whole describer with
real OCR: the signals alone, no CLIP weights."""

from __future__ import annotations

from collections import Counter

import pytest
from PIL import Image

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
pytest.importorskip("PySide6", reason="the desktop extra is not installed")
pytest.importorskip("skimage", reason="scikit-image (the dev extra) carries the photographs")

from vocalens.core.describing.describe import Describer
from vocalens.core.describing.ocr import TextReader
from vocalens.core.describing.parts import Description
from vocalens.core.describing.render import spoken

from ..kind_set import labelled_set


@pytest.fixture(scope="module")
def described(tiny) -> list[tuple[str, str, Image.Image, Description]]:
    describer = Describer(tiny, TextReader(), parallel=False)
    try:
        return [
            (name, kind, image, describer.describe(image, caption_text=False))
            for name, kind, image in labelled_set()
        ]
    finally:
        describer.close()


def test_the_set_is_big_and_covers_every_kind(described) -> None:
    counts = Counter(kind for _, kind, _, _ in described)
    assert len(described) >= 40 and set(counts) == {
        "photo", "screen", "document", "chart", "icon", "blank"
    }  # fmt: skip
    assert min(counts.values()) >= 5


def test_the_kind_is_right_for_nine_images_in_ten(described) -> None:
    wrong = [(name, kind, d.kind) for name, kind, _, d in described if d.kind != kind]
    assert len(wrong) <= 0.1 * len(described), wrong


def test_no_photo_is_called_blank_or_a_document(described) -> None:
    photos = [(name, d.kind) for name, kind, _, d in described if kind == "photo"]
    assert not [p for p in photos if p[1] in ("blank", "document")], photos


def test_no_screen_or_document_is_spoken_with_a_caption(described) -> None:
    for name, kind, _, d in described:
        if kind in ("screen", "document"):
            assert d.caption is None or d.caption not in spoken(d), name
            assert "It may show" not in spoken(d), name


def test_a_chart_is_said_to_be_one(described) -> None:
    for name, kind, _, d in described:
        if kind == "chart" and d.kind == "chart":
            assert spoken(d).startswith("A chart or diagram."), name


def test_the_kind_is_in_the_json(described) -> None:
    _, _, _, d = described[0]
    data = d.to_dict()
    assert data["kind"] == d.kind and 0.2 <= data["kind_confidence"] <= 1.0
