"""Strips and long pages — a status bar, a banner, a toolbar, a page scrolled through many
screens — are read, not refused: their text at its own size, in parts; the caption sees what
CLIP's own preprocessing would show it."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from vocalens.core.describing.describe import Describer
from vocalens.core.describing.ocr import TextReader
from vocalens.core.describing.render import spoken
from vocalens.core.images import ImageError, load_image
from vocalens.core.inference.ort.preprocess import Preprocess

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BAR = "Ready Line 12, Column 4 UTF-8 Spaces: 4"


def strip(width: int, height: int, text: str = BAR) -> Image.Image:
    image = Image.new("RGB", (width, height), (240, 240, 240))
    font = ImageFont.truetype(FONT, 14)
    ImageDraw.Draw(image).text((10, (height - 16) // 2), text, fill="black", font=font)
    return image


def page(height: int, every: int = 600) -> Image.Image:
    """A long white page with a numbered line every ``every`` pixels."""
    image = Image.new("RGB", (800, height), "white")
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(FONT, 14)
    for n, y in enumerate(range(20, height - 30, every)):
        draw.text((10, y), f"Section {n} of the quick brown fox", fill="black", font=font)
    return image


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader()


@pytest.mark.parametrize("size", [(1920, 30), (1200, 40), (2400, 36), (8000, 20), (30, 1920)])
def test_strips_are_read_at_their_own_size(tmp_path, reader, size) -> None:
    image = strip(*size) if size[0] > size[1] else strip(size[1], size[0]).rotate(90, expand=1)
    path = tmp_path / "strip.png"
    image.save(path)
    loaded = load_image(path)
    assert loaded.size == size  # kept whole: its text stays its size
    if size[0] > size[1]:
        assert " ".join(b.text for b in reader.read(loaded)) == BAR
    else:  # a vertical strip holds no readable line, and is not refused either
        assert isinstance(reader.read(loaded), list)


def test_a_long_page_is_read_top_to_bottom_in_parts(tmp_path, reader) -> None:
    path = tmp_path / "page.png"
    page(24_000).save(path)
    loaded = load_image(path)
    assert loaded.size == (800, 24_000)
    text = "\n".join(b.text for b in reader.read(loaded))
    found = [int(word) for word in text.split() if word.isdigit()]
    assert found == list(range(40)), text  # every line once, in order, none cut at a part's edge
    desc = Describer(None, reader).describe(loaded, source="file", label="page.png")
    assert desc.kind != "blank"
    assert "Section 0 of the quick brown fox" in spoken(desc)


def test_a_status_bar_is_not_an_icon(reader) -> None:
    desc = Describer(None, reader).describe(strip(1920, 30), source="file", label="bar.png")
    assert desc.kind not in ("icon", "blank")
    assert BAR in spoken(desc)


def test_what_cannot_hold_anything_is_refused_in_one_sentence(tmp_path) -> None:
    hair = tmp_path / "hair.png"
    Image.new("L", (5000, 2)).save(hair)
    with pytest.raises(ImageError) as caught:
        load_image(hair)
    said = f"{hair}: the image is too thin to show anything (5000×2 pixels)."
    assert str(caught.value) == said


def test_the_caption_sees_what_clip_would_show_it() -> None:
    """ClipCap's preprocessing scales the short side to 224 and keeps the centre: for an
    8000×20 strip that is its middle 20×20, and VocaLens cuts that out first instead of
    building an 89600×224 image."""
    torch = pytest.importorskip("torch", reason="the train extra is not installed")
    from open_clip.transform import PreprocessCfg, image_transform_v2

    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 255, (20, 8000, 3), dtype=np.uint8))
    image.paste(strip(400, 20, "Hello"), (3800, 0))
    ours = Preprocess({"size": 224})([image])[0]
    theirs = image_transform_v2(PreprocessCfg(), is_train=False)(image)
    assert isinstance(theirs, torch.Tensor) and theirs.shape == ours.shape == (3, 224, 224)
    inner = (slice(None), slice(24, 200), slice(24, 200))  # the crop's edges resample apart
    assert float(np.abs(theirs.numpy()[inner] - ours[inner]).mean()) < 0.02


PEAK = """
import json, re, sys
from pathlib import Path
from vocalens.core.describing.ocr import TextReader
from vocalens.core.images import load_image
def high_water():  # this process's own peak (ru_maxrss would count the parent's, from the fork)
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
reader = TextReader()
reader.warm_up()
reader.read(load_image(sys.argv[1]))
print(json.dumps({"peak": high_water()}))
"""


def _peak_mb(path: str, runs: int = 2) -> float:
    """The lowest of ``runs`` peaks: onnxruntime's threads and the allocator's arenas move a
    single run's peak by 100 MB either way on a busy machine."""
    peaks = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PEAK, path], capture_output=True, text=True, timeout=300
        )
        assert out.returncode == 0, out.stderr
        peaks.append(json.loads(out.stdout.splitlines()[-1])["peak"] / 1024)
    return min(peaks)


def test_a_long_page_stays_within_200_mb_of_a_screen(tmp_path) -> None:
    screen, long_page = tmp_path / "screen.png", tmp_path / "page.png"
    shot = Image.new("RGB", (1920, 1080), "white")
    ImageDraw.Draw(shot).text((40, 40), BAR, fill="black", font=ImageFont.truetype(FONT, 14))
    shot.save(screen)
    page(24_000).save(long_page)
    assert _peak_mb(str(long_page)) - _peak_mb(str(screen)) <= 200
