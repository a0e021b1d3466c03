"""Reading the visible text of an image with RapidOCR (onnxruntime, models inside the wheel)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image

from .errors import VocaLensError
from .layout import Box, TextBlock, TextLine, clean_lines, group_blocks, reading_order
from .memory import release_freed_memory
from .quiet import route_to_root

MAX_SIDE = 2048  # larger captures are scaled down first: OCR time grows with pixels
DETECT_SIDE = 1280


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
                # Detect on at most 1280 px (a 1080p screen at 2/3): a third of the time of
                # full size, and the same lines found on UI text; recognition stays full size.
                "Det.limit_type": "max",
                "Det.limit_side_len": DETECT_SIDE,
            }
            if self.threads:
                params["EngineConfig.onnxruntime.intra_op_num_threads"] = self.threads
            route_to_root(logger)  # no coloured "[WARNING] … detection result is empty"
            self._engine = RapidOCR(params=params)
        return self._engine

    def warm_up(self) -> None:
        with self._lock:
            self._get_engine()

    def lines(self, image: Image.Image) -> list[TextLine]:
        scale = min(1.0, MAX_SIDE / max(image.size))
        if scale < 1.0:
            size = (round(image.width * scale), round(image.height * scale))
            image = image.resize(size, Image.Resampling.LANCZOS)
        with self._lock:
            result = self._get_engine()(np.asarray(image.convert("RGB")))
        release_freed_memory()  # detection's working memory (hundreds of MB) goes back at once
        if result.boxes is None or result.txts is None:
            return []
        lines = []
        for points, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
            xs, ys = [p[0] / scale for p in points], [p[1] / scale for p in points]
            box = Box(float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))
            lines.append(TextLine(str(text), box, float(score)))
        return lines

    def read(self, image: Image.Image) -> list[TextBlock]:
        """Text blocks in reading order (top to bottom, left to right, columns respected)."""
        lines = clean_lines(self.lines(image), self.min_confidence)
        return reading_order(group_blocks(lines))
