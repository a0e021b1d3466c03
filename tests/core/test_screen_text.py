"""Real OCR on real UI rendered by Qt (offscreen) at test time."""

from __future__ import annotations

import re

import pytest
from PIL import Image

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
pytest.importorskip("PySide6", reason="the desktop extra is not installed")

from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from vocalens.core.describing.context import WindowInfo
from vocalens.core.describing.describe import Describer
from vocalens.core.describing.ocr import TextReader
from vocalens.core.describing.render import spoken


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader()


def shot(widget: QWidget) -> Image.Image:
    widget.setFont(QFont(widget.font().family(), 12))
    widget.adjustSize()
    widget.show()
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    widget.close()
    data = bytes(image.constBits())
    return Image.frombytes(
        "RGB", (image.width(), image.height()), data, "raw", "RGB", image.bytesPerLine()
    )


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9@.]+", text.lower().replace(".", " "))


def in_order(haystack: str, needles: list[str]) -> bool:
    haystack = " ".join(haystack.split())
    pos = 0
    for needle in needles:
        found = haystack.lower().find(needle.lower(), pos)
        if found < 0:
            return False
        pos = found + len(needle)
    return True


def test_message_box_reads_message_then_buttons(qtbot, reader) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Unsaved changes",
        "Do you want to save the changes to report.txt?",
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
    )
    qtbot.addWidget(box)
    text = " ".join(b.text for b in reader.read(shot(box)))
    assert in_order(text, ["Do you want to save the changes to report.txt?"])
    assert in_order(text, ["report.txt", "Save"]) and "Cancel" in text


def test_form_reads_each_label_before_its_value(qtbot, reader) -> None:
    form = QWidget()
    layout = QFormLayout(form)
    for label, value in (
        ("Name:", "Ada Lovelace"),
        ("Email:", "ada@example.com"),
        ("City:", "London"),
    ):
        field = QLineEdit(value)
        field.setMinimumWidth(260)  # the whole value shows, in DejaVu Sans or Noto Sans
        layout.addRow(label, field)
    qtbot.addWidget(form)
    text = " ".join(b.text for b in reader.read(shot(form)))
    assert in_order(text, ["Name", "Ada Lovelace", "Email", "ada@example.com", "City", "London"])


def test_two_columns_are_read_one_after_the_other(qtbot, reader) -> None:
    left = (
        "Apples grow on trees in the orchard. Pears ripen late in the summer. "
        "Cherries are picked by hand."
    )
    right = (
        "Rivers carry water to the sea. Mountains rise above the valley. Glaciers move very slowly."
    )
    page = QWidget()
    outer = QVBoxLayout(page)
    outer.addWidget(QLabel("Nature notes"))
    columns = QHBoxLayout()
    outer.addLayout(columns)
    for text in (left, right):
        label = QLabel(text)
        label.setWordWrap(True)
        label.setFixedWidth(260)
        columns.addWidget(label)
        columns.addSpacing(60)
    qtbot.addWidget(page)
    blocks = [b.text for b in reader.read(shot(page))]
    text = " ".join(blocks)
    assert text.lower().startswith("nature notes")
    assert in_order(text, ["Apples", "Pears", "Cherries", "Rivers", "Mountains", "Glaciers"])


def test_small_text_is_mostly_read(qtbot, reader) -> None:
    sentence = "The quick brown fox jumps over the lazy dog near the river bank"
    label = QLabel(sentence)
    label.setFont(QFont(label.font().family(), 7))
    label.adjustSize()
    label.show()
    image = label.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    qtbot.addWidget(label)
    pil = Image.frombytes(
        "RGB",
        (image.width(), image.height()),
        bytes(image.constBits()),
        "raw",
        "RGB",
        image.bytesPerLine(),
    )
    found = set(words(" ".join(b.text for b in reader.read(pil))))
    expected = words(sentence)
    recall = sum(w in found for w in expected) / len(expected)
    assert recall >= 0.7, (recall, found)


def test_white_on_black_text(qtbot, reader) -> None:
    label = QLabel("Battery low: 5 percent remaining")
    label.setAutoFillBackground(True)
    label.setStyleSheet("QLabel { background: black; color: white; padding: 12px; }")
    qtbot.addWidget(label)
    text = " ".join(b.text for b in reader.read(shot(label)))
    assert in_order(text, ["Battery low", "5 percent remaining"])


def test_pictures_without_text_give_no_text(reader) -> None:
    noise = Image.effect_noise((400, 300), 60).convert("RGB")
    from importlib.resources import files

    house = Image.open(str(files("vocalens.resources") / "samples" / "house-on-a-hill.png"))
    assert reader.read(noise) == []
    assert reader.read(house.convert("RGB")) == []


def test_screen_description_leads_with_window_and_text(qtbot, reader, tiny) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Backup",
        "Backup finished without errors.",
        QMessageBox.StandardButton.Ok,
    )
    qtbot.addWidget(box)
    describer = Describer(tiny, reader)
    desc = describer.describe(
        shot(box), source="window", window=WindowInfo("Backup", "deja-dup", 0, 0, 300, 100)
    )
    said = spoken(desc)
    assert said.startswith("deja-dup — Backup.")
    assert in_order(said, ["Text:", "Backup finished without errors", "OK"])
    assert desc.timings["ocr_ms"] > 0 and desc.timings["caption_ms"] > 0
    describer.close()


def test_blank_screen_is_called_blank_not_a_scene(tiny) -> None:
    describer = Describer(tiny, None)
    desc = describer.describe(Image.new("RGB", (800, 600), (250, 250, 250)), source="screen")
    assert desc.kind == "blank" and desc.caption is None
    assert spoken(desc) == "The screen is blank: plain white."
    describer.close()


def page(lines: int) -> Image.Image:
    """A page of ``lines`` lines of text, 1280 pixels wide."""
    from PIL import ImageDraw, ImageFont

    image = Image.new("RGB", (1280, 40 + 26 * lines), "white")
    font = ImageFont.load_default(size=18)
    draw = ImageDraw.Draw(image)
    for i in range(lines):
        draw.text((40, 20 + i * 26), f"Line {i + 1}: the quick brown fox jumps {i * 7}", font=font,
                  fill="black")  # fmt: skip
    return image


def test_text_comes_in_reading_order_piece_by_piece(reader) -> None:
    """The first two lines come alone (said at once), the rest in batches; together they are
    what one pass over the whole page reads."""
    from vocalens.core.describing.layout import clean_lines, group_blocks, reading_order

    image = page(12)
    pieces = list(reader.stream(image))
    assert len(pieces[0].lines) == 2 and len(pieces) > 2
    whole = reading_order(group_blocks(clean_lines(reader.lines(image))))
    assert "\n".join(p.text for p in pieces) == "\n".join(b.text for b in whole)
    assert pieces[0].text.startswith("Line 1:") and "Line 12:" in pieces[-1].text


def test_a_description_grows_and_an_unchanged_window_is_answered_from_memory(
    reader, tiny, monkeypatch
) -> None:
    image = page(12)
    describer = Describer(tiny, reader, parallel=False)
    window = WindowInfo("notes.txt", "Editor", 0, 0, 1280, 352)
    grown = []
    desc = describer.describe(image, source="window", window=window, on_update=grown.append)
    assert [len(d.blocks) for d in grown] == sorted({len(d.blocks) for d in grown})
    assert grown[0].parts == desc.parts[:1]  # the context first, before anything was read
    assert len(grown) >= 3 and grown[-1].blocks == desc.blocks

    from vocalens.core.model.text import Caption

    read, captioned = [], []
    monkeypatch.setattr(reader, "_stream", lambda im, first: read.append(im) or iter(()))
    monkeypatch.setattr(tiny, "caption", lambda *a, **k: captioned.append(a) or [Caption("", [])])
    again = describer.describe(image.copy(), source="window", window=window)
    assert again.parts == desc.parts and read == [] and captioned == []
    changed = image.copy()
    changed.putpixel((5, 5), (0, 0, 0))
    describer.describe(changed, source="window", window=window)
    assert len(read) == 1 and len(captioned) == 1  # a changed pixel is read again
    describer.close()


def test_only_pictures_are_captioned_when_the_caption_would_not_be_said(reader, tiny):
    """A screen's caption is said only at full verbosity: at normal, none is made. A photo
    (here real noise, textured as a photograph is) is captioned."""
    import numpy as np

    describer = Describer(tiny, reader, parallel=False)
    desc = describer.describe(page(12), source="screen", caption_text=False)
    assert desc.kind in ("screen", "document") and desc.caption is None
    assert "caption_ms" not in desc.timings
    noise = np.random.default_rng(0).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    photo = describer.describe(Image.fromarray(noise), source="file", caption_text=False)
    assert photo.kind == "photo" and photo.caption is not None
    describer.close()


def test_an_icon_read_as_a_letter_is_left_out() -> None:
    """A warning triangle beside two lines of text was read as "A" (0.99 sure): a letter or two
    in a squarish box twice the height of the lines is a picture; a short word is kept."""
    from vocalens.core.describing.layout import Box, TextLine, clean_lines

    lines = [
        TextLine("A", Box(11, 13, 57, 60), 0.99),
        TextLine("Do you want to save the changes to", Box(76, 12, 348, 35), 0.99),
        TextLine("report.txt?", Box(74, 34, 160, 57), 0.99),
        TextLine("OK", Box(200, 70, 230, 93), 0.99),
    ]
    assert [ln.text for ln in clean_lines(lines, 0.5, 23.0)] == [
        "Do you want to save the changes to", "report.txt?", "OK"
    ]  # fmt: skip
    assert "A" in [ln.text for ln in clean_lines(lines, 0.5)]  # no usual height known
