"""Reading screens fast without reading them worse: small UI text on a full-HD screen, a
changed line found without searching the whole screen, reading that starts where the user is,
and the int8 text model (made once, a damaged copy replaced, none where the cache is
read-only). Real OCR on text rendered by Qt at test time."""

from __future__ import annotations

import os
import re

import pytest
from PIL import Image, ImageDraw

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
pytest.importorskip("PySide6", reason="the desktop extra is not installed")

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTextEdit

from vocalens.core.describing import ocr_detect
from vocalens.core.describing.layout import Box, ReadFirst, TextBlock, TextLine
from vocalens.core.describing.ocr import TextReader

from ..kind_set import grab


def editor(width: int, height: int, lines: int, points: int) -> Image.Image:
    """An editor window filled with numbered lines, as Qt draws it."""
    page = QTextEdit()
    page.setFont(QFont("DejaVu Sans", points))
    page.setPlainText(
        "\n".join(
            f"{i + 1}. Sales in region {i % 7 + 1} rose by {i * 3 % 17} percent"
            for i in range(lines)
        )
    )
    page.resize(width, height)
    return grab(page, points)


def numbers_read(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"(\d+)\. Sales", text)}


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader()


@pytest.mark.parametrize("points", [9, 10])
def test_small_text_on_a_full_hd_screen_is_read_line_by_line(qtbot, reader, points) -> None:
    """9- and 10-point text runs together on a half-size copy: the lines are found again
    larger, so each is read on its own."""
    image = editor(1920, 1080, 90, points)
    lines = [line for block in reader.read(image) for line in block.text.splitlines()]
    shown = max(numbers_read("\n".join(lines)))
    assert shown >= 60  # the screen holds 60 lines and more at these sizes
    assert len(numbers_read("\n".join(lines))) >= 0.95 * shown
    assert all(len(numbers_read(line)) <= 1 for line in lines)  # no two lines read as one


def test_a_changed_line_is_searched_for_in_its_band_alone(qtbot, reader, monkeypatch) -> None:
    before = editor(1280, 800, 20, 11)
    after = before.copy()
    ImageDraw.Draw(after).text((12, 700), "Total for the year 97", fill="black", font_size=18)
    searched: list[tuple[int, ...]] = []
    search = ocr_detect._detect
    monkeypatch.setattr(
        ocr_detect, "_detect", lambda e, px, side: searched.append(px.shape) or search(e, px, side)
    )
    old = "\n".join(b.text for b in reader.read(before))
    assert searched[0][:2] == (800, 1280)
    searched.clear()
    new = "\n".join(b.text for b in reader.read(after))
    assert len(searched) == 1 and searched[0][0] < 120  # a band of a few lines, not the screen
    assert "Total for the year 97" in new and new.startswith(old)
    fresh = "\n".join(b.text for b in TextReader().read(after))
    assert numbers_read(new) == numbers_read(fresh) and "Total for the year 97" in fresh


def block(text: str, left: float, top: float) -> TextBlock:
    return TextBlock([TextLine(text, Box(left, top, left + 200, top + 20), 1.0)])


def test_reading_starts_under_the_mouse_then_in_the_active_window() -> None:
    menu, title, body, side = (
        block("File Edit View", 0, 0),
        block("Report", 300, 100),
        block("Sales rose", 300, 140),
        block("Chat: hello", 900, 100),
    )
    natural = [menu, title, body, side]
    window = Box(290, 90, 800, 600)
    assert ReadFirst(area=window).order(natural) == [title, body, menu, side]
    assert ReadFirst((350, 150), window).order(natural) == [body, title, menu, side]
    assert ReadFirst((950, 110), window).order(natural) == [side, title, body, menu]
    assert ReadFirst((5, 700)).order(natural) == natural  # nothing under the mouse


def test_a_screen_is_read_from_the_mouse_then_the_active_window() -> None:
    """On a second monitor at (1920, 0), the active window at (2100, 200) and the mouse at
    (2300, 450): in the capture's own pixels."""
    from vocalens.core.describing.capture import reading_start
    from vocalens.core.describing.context import WindowInfo

    window = WindowInfo("Report", "Editor", 2100, 200, 800, 600)
    start = reading_start((2300, 450), (1920, 0), window)
    assert start.point == (380, 450) and start.area == Box(180, 200, 980, 800)
    alone = reading_start((2300, 450), (2100, 200))  # a window capture: its own top left
    assert alone.point == (200, 250) and alone.area is None
    unknown = reading_start((10, 10), (0, 0), WindowInfo())
    assert unknown.area is None


def test_the_reader_starts_under_the_mouse(qtbot, reader) -> None:
    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), "Opening hours", fill="black", font_size=22)
    draw.text((20, 220), "Call us on Monday", fill="black", font_size=22)
    plain = [b.text for b in reader.read(image)]
    started = [b.text for b in reader.stream(image, ReadFirst((60, 230)))]
    assert plain == ["Opening hours", "Call us on Monday"]
    assert started == ["Call us on Monday", "Opening hours"]


def test_the_int8_text_model_is_made_once_and_a_damaged_copy_is_replaced(
    qtbot, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("VOCALENS_CACHE_DIR", str(tmp_path / "cache"))  # nothing made yet
    image = editor(640, 200, 4, 12)
    reader = TextReader()
    reader.warm_up()
    assert ".int8-" in reader._get_engine().reader._model_path
    copies = list(_cache().glob("ocr/*.int8-*.onnx"))
    assert len(copies) == 1
    made = copies[0].stat().st_mtime_ns
    text = [b.text for b in reader.read(image)]
    assert numbers_read("\n".join(text)) == {1, 2, 3, 4}

    again = TextReader()
    again.warm_up()
    assert copies[0].stat().st_mtime_ns == made  # made once

    whole = copies[0].read_bytes()
    copies[0].write_bytes(whole[:5000])  # a damaged copy: its seal no longer holds
    damaged = TextReader()
    assert [b.text for b in damaged.read(image)] == text
    assert copies[0].read_bytes() == whole  # made again before it was used


def test_the_text_model_is_derived_in_a_process_of_its_own(tmp_path) -> None:
    """The quantizer's libraries never enter the app's process: its memory stays what every
    later start has."""
    import subprocess
    import sys

    script = (
        "import sys; from vocalens.core.describing.ocr import TextReader; "
        "TextReader().warm_up(); "
        "print(sorted(m for m in sys.modules if m == 'onnx' or 'quantization' in m))"
    )
    env = {**os.environ, "VOCALENS_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr[-2000:]
    assert list((tmp_path / "cache" / "ocr").glob("*.int8-*.onnx"))  # and it was made


def test_a_cache_that_cannot_be_written_reads_with_the_original_model(
    qtbot, monkeypatch, tmp_path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("VOCALENS_CACHE_DIR", str(blocked / "cache"))  # no folder can be made
    image = editor(640, 200, 4, 12)
    reader = TextReader()
    assert numbers_read("\n".join(b.text for b in reader.read(image))) == {1, 2, 3, 4}
    model = reader._get_engine().reader._model_path
    assert "int8" not in model


def _cache():
    from vocalens.core.paths import cache_dir

    return cache_dir()


def test_the_alphabets_model_reads_what_the_whole_one_reads(qtbot, monkeypatch) -> None:
    """The narrowed model (1750 classes, not 18710) reads accented Latin, Greek and Cyrillic
    text as the model of every script does (no better: it is the same model); a Chinese,
    Japanese or Korean language keeps every script."""
    from vocalens.core.describing.ocr_scripts import chosen

    image = Image.new("RGB", (900, 260), "white")
    draw = ImageDraw.Draw(image)
    for n, text in enumerate(
        ("Zażółć gęślą jaźń, naïve café", "Привет, как дела сегодня", "Καλημέρα σε όλους")
    ):
        draw.text((20, 20 + 80 * n), text, fill="black", font_size=28, font=_font())
    narrow, whole = TextReader(scripts="alphabets"), TextReader(scripts="all")
    read = [b.text for b in narrow.read(image)]
    assert read == [b.text for b in whole.read(image)]
    assert read[0] == "Zażółć gęślą jaźń, naïve café"  # (the model reads little Cyrillic)
    assert len(narrow._get_engine().characters) < 2000 < len(whole._get_engine().characters)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert chosen("auto") == "all"
    monkeypatch.setenv("LANG", "pl_PL.UTF-8")
    for name in ("LC_ALL", "LC_CTYPE", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    assert chosen("auto") == ("all" if _system_language_is_cjk() else "alphabets")


def _font():
    from PIL import ImageFont

    return ImageFont.truetype("DejaVuSans.ttf", 28)


def _system_language_is_cjk() -> bool:
    import locale

    return (locale.getlocale()[0] or "").lower().startswith(("zh", "ja", "ko", "yue"))
