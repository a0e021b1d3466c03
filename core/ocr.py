"""Reading the visible text of an image with RapidOCR (onnxruntime, models inside the wheel)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np
from PIL import Image

from .errors import VocaLensError
from .images import pixel_hash
from .layout import Box, TextBlock, TextLine, clean_lines, group_blocks, reading_order, rows
from .memory import release_freed_memory
from .quiet import route_to_root

MAX_SIDE = 2048  # larger captures are scaled down first: OCR time grows with pixels
DETECT_SIDE = 960
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
                # Find lines on at most 960 px (a 1080p screen at half size): under half the
                # time of full size, and the same lines found on UI text down to about 8 px
                # tall; recognition reads the full-size pixels.
                "Det.limit_type": "max",
                "Det.limit_side_len": DETECT_SIDE,
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
        """Every line found, in no particular order (one detection and recognition pass)."""
        scale, pixels = _scaled(image)
        with self._lock:
            result = self._get_engine()(pixels, use_det=True, use_rec=True)
        release_freed_memory()  # detection's working memory (hundreds of MB) goes back at once
        if result.boxes is None or result.txts is None:
            return []
        lines = []
        for points, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
            lines.append(TextLine(str(text), _box(points, scale), float(score)))
        return lines

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

    def _stream(self, image: Image.Image) -> Iterator[TextBlock]:
        scale, pixels = _scaled(image)
        with self._lock:
            found = self._get_engine()(pixels, use_det=True, use_rec=False)
        release_freed_memory()
        boxes = getattr(found, "boxes", None)
        if boxes is None or len(boxes) == 0:
            return
        quads = [np.asarray(q, dtype=np.float32) for q in boxes]
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
        from rapidocr.ch_ppocr_rec import TextRecInput
        from rapidocr.utils.process_img import get_rotate_crop_image

        places = [line for block in blocks for line in block.lines]
        crops = [get_rotate_crop_image(pixels, quads[int(p.text)].copy()) for p in places]
        with self._lock:
            recognise = self._get_engine()._load_rec_model()
            result = recognise(TextRecInput(img=crops))
        read = {
            p.text: TextLine(str(t), p.box, float(c))
            for p, t, c in zip(places, result.txts or (), result.scores or (), strict=False)
        }
        for block in blocks:
            lines = clean_lines([read[p.text] for p in block.lines if p.text in read],
                                self.min_confidence)  # fmt: skip
            if lines:
                yield TextBlock(lines)


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
