"""The text models run straight on onnxruntime: the same lines and the same text as RapidOCR's
own engine gives with the same models, none of its Python layer (nor OpenCV) in the process,
and a damaged model file said in one sentence. Real OCR on text drawn at test time."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")

from vocalens.core.describing import ocr_ctc, ocr_engine
from vocalens.core.describing.ocr_engine import OCRUnavailableError, TextEngine

PHOTO = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "samples",
                     "house-on-a-hill.png")  # fmt: skip


def page(width: int, height: int, lines: int, size: int, turned: float = 0) -> Image.Image:
    """Lines of text beside a photo."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans.ttf", size)
    for i in range(lines):
        text = f"Day {i + 1}: we walked {i % 5 + 3} miles to the house on the hill"
        draw.text((10, 6 + i * (size + 10)), text, fill="black", font=font)
    photo = Image.open(PHOTO).convert("RGB").resize((width // 3, max(1, height // 2)))
    image.paste(photo, (width - width // 3 - 5, 4))
    return image.rotate(turned, expand=True, fillcolor="white") if turned else image


@pytest.fixture(scope="module")
def engines():
    from rapidocr import RapidOCR

    theirs = RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False,
                              "Det.limit_type": "max"})  # fmt: skip
    ours = TextEngine(scripts="all")
    wheel = theirs._load_rec_model()
    ours.reader = wheel.session.session  # the wheel's recogniser for both: the same model
    ours.characters = ours.reader.get_modelmeta().custom_metadata_map["character"].splitlines()
    return theirs, wheel, ours


@pytest.mark.parametrize(
    ("image", "side"),
    [
        (page(1280, 800, 28, 15), 800),  # a screen, found on a reduced copy
        (page(1280, 800, 28, 15), 1280),  # at full size
        (page(2560, 1440, 40, 22), 1707),  # larger than the engine's 2000 pixels
        (page(1200, 40, 1, 14), 800),  # a wide strip: padded above and below
        (page(300, 20, 1, 10), 300),  # under 30 pixels high: enlarged first
        (page(800, 600, 10, 20, turned=8), 800),  # turned lines
    ],
    ids=["screen", "screen-full", "large", "strip", "small", "turned"],
)
def test_the_same_lines_and_text_as_rapidocr_gives(engines, image, side) -> None:
    """RapidOCR's arithmetic is OpenCV's; ours is numpy's. Its rectangles come from float32
    corners that its clipper truncates, so a box may end a pixel or two from where ours does;
    the text read is the same (but for a space read at a cut-off line's end), and so are the
    cut-out lines, within rounding."""
    from rapidocr.ch_ppocr_rec import TextRecInput
    from rapidocr.utils.process_img import get_rotate_crop_image

    theirs, wheel, ours = engines
    pixels = np.asarray(image)
    theirs._load_det_model().limit_side_len = side
    expected = [
        np.asarray(q, np.float32) for q in theirs(pixels, use_det=True, use_rec=False).boxes
    ]
    found = ours.find(pixels, side)
    assert len(found) == len(expected) > 0
    assert max(float(np.abs(a - b).max()) for a, b in zip(found, expected, strict=True)) <= 3
    for q in expected:
        mine, rapid = ocr_ctc.crop(pixels, q), get_rotate_crop_image(pixels, q.copy())
        assert mine.shape == rapid.shape
        assert np.abs(mine.astype(int) - rapid).mean() < 0.5
    read = wheel(TextRecInput(img=[get_rotate_crop_image(pixels, q.copy()) for q in expected]))
    lines = ours.read([ocr_ctc.crop(pixels, q) for q in found])
    assert [text.strip() for text, _ in lines] == [text.strip() for text in read.txts]
    assert np.allclose([sure for _, sure in lines], read.scores, atol=0.03)
    assert any("we walked" in text for text, _ in lines)


def test_none_of_rapidocrs_python_layer_is_loaded(tmp_path) -> None:
    """Its configuration system, downloader and geometry library cost some 40 MB a process, and
    OpenCV's libraries some 19 MB more."""
    script = (
        "import sys; from PIL import Image, ImageDraw; "
        "from vocalens.core.describing.ocr import TextReader; "
        "image = Image.new('RGB', (400, 60), 'white'); "
        "ImageDraw.Draw(image).text((10, 20), 'Opening hours', fill='black', font_size=24); "
        "print([b.text for b in TextReader().read(image)]); "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('omegaconf', 'shapely', 'requests', 'yaml', 'tqdm', 'cv2') "
        "or m.startswith('rapidocr.')))"
    )
    env = {**os.environ, "VOCALENS_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines() == ["['Opening hours']", "[]"]


def test_a_damaged_text_model_is_one_sentence(tmp_path, monkeypatch) -> None:
    finder, reader = ocr_engine.wheel_models()
    cut = tmp_path / finder.name
    cut.write_bytes(finder.read_bytes()[:100_000])  # a download or a disk that stopped short
    monkeypatch.setattr(ocr_engine, "wheel_models", lambda: (cut, reader))
    with pytest.raises(OCRUnavailableError) as raised:
        TextEngine()
    assert str(raised.value).startswith("The text reading model could not be loaded.")
    assert "pip install" in raised.value.hint


def test_a_derived_text_model_vocalens_did_not_seal_is_made_again() -> None:
    """The int8 copy in the cache runs only when this user's VocaLens sealed it; a file put in
    its place (or its seal's) is replaced before any session runs it."""
    _, reader = ocr_engine.wheel_models()
    made = ocr_engine.derived_copy(reader, "alphabets")
    assert made is not None and ocr_engine.sealed_file(made)
    original = made.read_bytes()
    made.write_bytes(reader.read_bytes())  # another model, with a seal left from the first
    assert not ocr_engine.sealed_file(made)
    assert ocr_engine.derived_copy(reader, "alphabets") == made
    assert made.read_bytes() == original and ocr_engine.sealed_file(made)
