"""Reading the visible text of an image with RapidOCR (onnxruntime, models inside the wheel)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np
from PIL import Image

from vocalens.core.describing.layout import (
    Box,
    TextBlock,
    TextLine,
    clean_lines,
    group_blocks,
    reading_order,
    rows,
)
from vocalens.core.errors import VocaLensError
from vocalens.core.images import pixel_hash
from vocalens.core.inference.memory import release_freed_memory
from vocalens.core.quiet import route_to_root

MAX_SIDE = 2048  # larger captures are scaled down first: OCR time grows with pixels
# Lines are found on a copy of 800 px a side, or half the size where that is larger (a 1080p
# screen at 960 px): two to three times faster than full size, and the same lines found on UI
# text. Where the lines on that copy are under SMALL_TEXT px tall, or none are found, they are
# looked for again on 1280 px. Recognition reads the full-size pixels.
DETECT_SIDES = (800, 1280)
MOST_SHRINK = 0.5
SMALL_TEXT = 8
REC_BATCH = 8  # lines recognised together after the first block (batched is faster per line)
FIRST_LINES = 2  # the first piece of text is read alone: its words are said at once
REMEMBERED = 4  # images whose text is kept: describing an unchanged window again is instant


class OCRUnavailableError(VocaLensError):
    """The optional OCR extra is not installed."""


class TextReader:
    """Finds text lines and returns them as blocks in reading order. Thread-safe; the engine
    is created on first use (about a second)."""

    def __init__(self, min_confidence: float = 0.5, threads: int | None = None) -> None:
        self.min_confidence = min_confidence
        self.threads = threads
        self._engine: Any = None
        self._lock = threading.Lock()
        self._recent: OrderedDict[bytes, list[TextBlock]] = OrderedDict()

    @staticmethod
    def available() -> bool:
        try:
            import rapidocr  # noqa: F401
        except ImportError:
            return False
        return True

    def _get_engine(self) -> Any:
        if self._engine is None:
            try:
                from rapidocr import RapidOCR
                from rapidocr.utils.log import logger
            except ImportError:
                raise OCRUnavailableError(
                    "Text reading is not installed.",
                    "Install it with: pip install 'vocalens[ocr]'.",
                ) from None
            params: dict[str, Any] = {
                "Global.log_level": "warning",
                # Screens hold upright text: the rotation classifier only costs time.
                "Global.use_cls": False,
                "Det.limit_type": "max",  # see DETECT_SIDES
                "Det.limit_side_len": DETECT_SIDES[0],
            }
            if self.threads:
                params["EngineConfig.onnxruntime.intra_op_num_threads"] = self.threads
            route_to_root(logger)  # no coloured "[WARNING] … detection result is empty"
            self._engine = RapidOCR(params=params)
        return self._engine

    def warm_up(self) -> None:
        """Load the text models now (about a second), not at the first request."""
        with self._lock:
            engine = self._get_engine()
            engine._load_det_model()
            engine._load_rec_model()

    def lines(self, image: Image.Image) -> list[TextLine]:
        """Every line found, in no particular order (all recognised together)."""
        scale, pixels = _scaled(image)
        quads = self._detect(pixels)
        places = [TextLine(str(i), _box(q, scale), 1.0) for i, q in enumerate(quads)]
        return list(self._read_lines(places, quads, pixels).values())

    def read(self, image: Image.Image) -> list[TextBlock]:
        """Text blocks in reading order (top to bottom, left to right, columns respected)."""
        return list(self.stream(image))

    def stream(self, image: Image.Image) -> Iterator[TextBlock]:
        """The text blocks in reading order, each as soon as it is read: the lines are found
        first (one pass over the image), then recognised block by block — the first block
        alone, the rest in batches. An image read a moment ago is answered from memory."""
        key = pixel_hash(image)
        known = self._recent.get(key)
        if known is not None:
            self._recent.move_to_end(key)
            yield from known
            return
        done: list[TextBlock] = []
        for block in self._stream(image):
            done.append(block)
            yield block
        self._recent[key] = done
        while len(self._recent) > REMEMBERED:
            self._recent.popitem(last=False)

    def _detect(self, pixels: np.ndarray) -> list[np.ndarray]:
        """Where the lines are (each a quadrilateral in ``pixels``): found on a reduced copy
        where the text is large enough there, else again on a larger one."""
        quads: list[np.ndarray] = []
        with self._lock:
            engine = self._get_engine()
            detector = engine._load_det_model()
            longest = max(pixels.shape[:2])
            for side in (max(DETECT_SIDES[0], round(longest * MOST_SHRINK)), DETECT_SIDES[1]):
                detector.limit_side_len = side
                found = engine(pixels, use_det=True, use_rec=False)
                boxes = getattr(found, "boxes", None)
                quads = [] if boxes is None else [np.asarray(q, dtype=np.float32) for q in boxes]
                shrink = min(1.0, side / max(pixels.shape[:2]))
                if shrink >= 1.0 or (quads and _median_height(quads) * shrink >= SMALL_TEXT):
                    break  # else: none found, or small text: look again, larger
        release_freed_memory()  # detection's working memory (hundreds of MB) goes back at once
        return quads

    def _stream(self, image: Image.Image) -> Iterator[TextBlock]:
        scale, pixels = _scaled(image)
        quads = self._detect(pixels)
        if not quads:
            return
        # Lines are grouped and ordered by where they are; their text comes afterwards, the
        # first few rows alone (the first words), then a batch of lines at a time.
        places = [TextLine(str(i), _box(q, scale), 1.0) for i, q in enumerate(quads)]
        blocks = reading_order(group_blocks(places))
        pieces = [
            piece
            for n, block in enumerate(blocks)
            for piece in _pieces(block, REC_BATCH, FIRST_LINES if n == 0 else REC_BATCH)
        ]
        batch: list[TextBlock] = []
        for n, piece in enumerate(pieces):
            batch.append(piece)
            if n == 0 or sum(len(b.lines) for b in batch) >= REC_BATCH or n == len(pieces) - 1:
                yield from self._recognise(batch, quads, pixels)
                batch = []

    def _recognise(
        self, blocks: list[TextBlock], quads: list[np.ndarray], pixels: np.ndarray
    ) -> Iterator[TextBlock]:
        read = self._read_lines([line for b in blocks for line in b.lines], quads, pixels)
        for block in blocks:
            lines = clean_lines([read[p.text] for p in block.lines if p.text in read],
                                self.min_confidence)  # fmt: skip
            if lines:
                yield TextBlock(lines)

    def _read_lines(
        self, places: list[TextLine], quads: list[np.ndarray], pixels: np.ndarray
    ) -> dict[str, TextLine]:
        """The text of the lines at ``places`` (whose text names their quadrilateral), read
        together; keyed like ``places``."""
        from rapidocr.ch_ppocr_rec import TextRecInput
        from rapidocr.utils.process_img import get_rotate_crop_image

        if not places:
            return {}
        crops = [get_rotate_crop_image(pixels, quads[int(p.text)].copy()) for p in places]
        with self._lock:
            recognise = self._get_engine()._load_rec_model()
            result = recognise(TextRecInput(img=crops))
        return {
            p.text: TextLine(str(t), p.box, float(c))
            for p, t, c in zip(places, result.txts or (), result.scores or (), strict=False)
        }


def _pieces(block: TextBlock, most: int, first: int) -> list[TextBlock]:
    """A block cut between rows into pieces of about ``most`` lines, the first of ``first``
    (a long block is read out while the rest of it is still being recognised)."""
    pieces: list[TextBlock] = []
    for row in rows(block.lines):
        limit = first if len(pieces) == 1 else most
        if not pieces or len(pieces[-1].lines) + len(row) > limit:
            pieces.append(TextBlock([]))
        pieces[-1].lines.extend(row)
    return pieces


def _median_height(quads: list[np.ndarray]) -> float:
    return float(np.median([q[:, 1].max() - q[:, 1].min() for q in quads]))


def _scaled(image: Image.Image) -> tuple[float, np.ndarray]:
    """The image as OCR reads it (at most ``MAX_SIDE`` a side) and its scale."""
    scale = min(1.0, MAX_SIDE / max(image.size))
    if scale < 1.0:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return scale, np.asarray(image.convert("RGB"))


def _box(points: Any, scale: float) -> Box:
    xs, ys = [p[0] / scale for p in points], [p[1] / scale for p in points]
    return Box(float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))
