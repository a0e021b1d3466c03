"""Reading the visible text of an image with RapidOCR's models (``ocr_engine``)."""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from vocalens.core.describing.layout import (
    Box,
    ReadFirst,
    TextBlock,
    TextLine,
    clean_lines,
    reading_order,
    rows,
)
from vocalens.core.describing.ocr_ctc import crop
from vocalens.core.describing.ocr_detect import (
    DETECT_SIDE,
    changed_rows,
    find_in_band,
    find_lines,
    find_tiled,
    row_digests,
)
from vocalens.core.describing.ocr_engine import (
    OCRUnavailableError as OCRUnavailableError,
)
from vocalens.core.describing.ocr_engine import TextEngine
from vocalens.core.describing.ocr_languages import LanguageReader, better
from vocalens.core.hashes import blake2b
from vocalens.core.images import long_and_thin, pixel_hash, work_reduction
from vocalens.core.inference.memory import release_freed_memory

MAX_SIDE = 2048  # larger captures are scaled down first: OCR time grows with pixels
REC_BATCH = 6  # lines recognised together after the first block: RapidOCR's own batch
FIRST_LINES = 2  # the first piece of text is read alone: its words are said at once
REMEMBERED = 4  # images whose text is kept: describing an unchanged window again is instant
LINES_REMEMBERED = (
    4000  # lines whose text is kept: a window that changed in part reads the rest at once
)


class TextReader:
    """Finds text lines and returns them as blocks in reading order. Thread-safe; the engine
    is created on first use (about a second)."""

    def __init__(
        self,
        min_confidence: float = 0.5,
        threads: int | None = None,
        scripts: str = "auto",
        languages: LanguageReader | None = None,
    ) -> None:
        """``scripts``: "alphabets" (Latin, Greek, Cyrillic, … — faster), "all" (Chinese,
        Japanese and Korean too) or "auto" (by the user's language). ``languages``: reads
        each line again in the user's languages written in other scripts (Cyrillic, Greek,
        Arabic, Hebrew, Devanagari; see ``ocr_languages``)."""
        self.min_confidence = min_confidence
        self.languages = languages
        self.threads, self.scripts = threads, scripts
        self._engine: TextEngine | None = None
        self._lock = threading.Lock()
        self._recent: OrderedDict[bytes, tuple[list[TextBlock], ReadFirst | None]] = OrderedDict()
        self._lines: OrderedDict[bytes, tuple[str, float]] = OrderedDict()  # line pixels → text
        # the last capture: its size, its rows' digests and its lines
        self._last: tuple[tuple[int, ...], np.ndarray, list[np.ndarray]] | None = None
        self._shrinks: dict[tuple[int, ...], float] = {}  # capture size → reduction that worked

    @staticmethod
    def available() -> bool:
        return all(importlib.util.find_spec(name) for name in ("rapidocr", "pyclipper"))

    def _get_engine(self) -> TextEngine:
        if self._engine is None:
            self._engine = TextEngine(self.threads, self.scripts)
        return self._engine

    def warm_up(self) -> None:
        """Load the text models now (about a second), not at the first request, and run each
        once on a little text: their first run costs more than the ones after it."""
        sample = Image.new("RGB", (320, 64), "white")
        ImageDraw.Draw(sample).text((8, 20), "VocaLens", fill="black")
        with self._lock:
            engine = self._get_engine()
            engine.find(np.asarray(sample), DETECT_SIDE)
            engine.read([np.asarray(sample)])
        release_freed_memory()  # the first runs' memory

    def forget(self) -> None:
        """Drop what is remembered of earlier captures: the next read reads everything."""
        with self._lock:
            self._recent.clear()
            self._lines.clear()
            self._last = None

    def lines(self, image: Image.Image) -> list[TextLine]:
        """Every line found, in no particular order (all recognised together)."""
        scale, pixels = _scaled(image)
        quads = self._detect(pixels)
        places = [TextLine(str(i), _box(q, scale), 1.0) for i, q in enumerate(quads)]
        return list(self._read_lines(places, quads, pixels).values())

    def read(self, image: Image.Image) -> list[TextBlock]:
        """Text blocks in reading order (top to bottom, left to right, columns respected)."""
        return list(self.stream(image))

    def stream(self, image: Image.Image, first: ReadFirst | None = None) -> Iterator[TextBlock]:
        """The text blocks in reading order, each as soon as it is read: the lines are found
        first (one pass over the image), then recognised block by block — the first block
        alone, the rest in batches; ``first`` says where to start. An image read a moment ago
        is answered from memory."""
        key = pixel_hash(image)
        if key in self._recent:
            self._recent.move_to_end(key)
            known, known_first = self._recent[key]
            if known_first == first:
                yield from known
            else:  # the same text, started elsewhere
                yield from (first or ReadFirst()).order(reading_order(known))
            return
        done: list[TextBlock] = []
        for block in self._stream(image, first):
            done.append(block)
            yield block
        self._recent[key] = (done, first)
        while len(self._recent) > REMEMBERED:
            self._recent.popitem(last=False)

    def _detect(self, pixels: np.ndarray) -> list[np.ndarray]:
        """Where the lines are (each a quadrilateral in ``pixels``). Where the last capture of
        this size differs only in a band of rows (a line typed, a field changed), only that
        band is searched again."""
        shape = pixels.shape[:2]
        with self._lock:
            engine = self._get_engine()
            if long_and_thin(shape[::-1]):
                self._last = None
                quads = find_tiled(engine, pixels)
                release_freed_memory()
                return quads
            last, rows, digests = self._last, None, row_digests(pixels)
            if last is not None and last[0] == pixels.shape and shape in self._shrinks:
                rows = changed_rows(last[1], digests)
            if last is not None and rows is not None:
                quads = find_in_band(engine, pixels, rows, last[2], self._shrinks[shape])
            else:
                quads, shrink = find_lines(engine, pixels, self._shrinks.get(shape))
                if quads:
                    self._shrinks[shape] = shrink
            self._last = (pixels.shape, digests, quads)
        release_freed_memory()  # detection's working memory (hundreds of MB) goes back at once
        return quads

    def _stream(self, image: Image.Image, first: ReadFirst | None) -> Iterator[TextBlock]:
        scale, pixels = _scaled(image)
        quads = self._detect(pixels)
        if not quads:
            return
        # Lines are grouped and ordered by where they are; their text comes afterwards, the
        # first few rows alone (the first words), then a batch of lines at a time.
        places = [TextLine(str(i), _box(q, scale), 1.0) for i, q in enumerate(quads)]
        heights = [p.box.height for p in places]  # the lower quartile: text, not buttons
        typical = float(np.percentile(heights, 25)) if len(places) > 2 else 0.0
        blocks = (first or ReadFirst()).arrange(places)
        pieces = [
            piece
            for n, block in enumerate(blocks)
            for piece in _pieces(block, REC_BATCH, FIRST_LINES if n == 0 else REC_BATCH)
        ]
        batch: list[TextBlock] = []
        for n, piece in enumerate(pieces):
            batch.append(piece)
            if n == 0 or sum(len(b.lines) for b in batch) >= REC_BATCH or n == len(pieces) - 1:
                yield from self._recognise(batch, quads, pixels, typical)
                batch = []

    def _recognise(
        self, blocks: list[TextBlock], quads: list[np.ndarray], pixels: np.ndarray, typical: float
    ) -> Iterator[TextBlock]:
        """The blocks' text; ``typical``: the image's usual line height (0: unknown)."""
        read = self._read_lines([line for b in blocks for line in b.lines], quads, pixels)
        for block in blocks:
            found = [read[p.text] for p in block.lines if p.text in read]
            lines = clean_lines(found, self.min_confidence, typical)
            if lines:
                yield TextBlock(lines)

    def _read_lines(
        self, places: list[TextLine], quads: list[np.ndarray], pixels: np.ndarray
    ) -> dict[str, TextLine]:
        """The text of the lines at ``places`` (whose text names their quadrilateral), read
        together; keyed like ``places``."""
        if not places:
            return {}
        crops = [crop(pixels, quads[int(p.text)]) for p in places]
        keys = [_crop_key(crop) for crop in crops]
        read = {}
        with self._lock:
            new = [i for i, key in enumerate(keys) if key not in self._lines]
            if new:
                result = self._get_engine().read([crops[i] for i in new])
                for i, reading in zip(new, result, strict=True):
                    if self.languages is not None:
                        reading = better(reading, self.languages.read(crops[i]))
                    self._lines[keys[i]] = reading
            for place, key in zip(places, keys, strict=True):
                if key in self._lines:
                    self._lines.move_to_end(key)
                    text, confidence = self._lines[key]
                    read[place.text] = TextLine(text, place.box, confidence)
            while len(self._lines) > LINES_REMEMBERED:
                self._lines.popitem(last=False)
        return read


def _crop_key(crop: np.ndarray) -> bytes:
    """A digest of a line's pixels: the same line, wherever it moved, is not read twice."""
    return blake2b(crop.tobytes() + repr(crop.shape).encode(), digest_size=16).digest()


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
    """The image as OCR reads it (at most ``MAX_SIDE`` a side; a long, thin one at most
    ``MAX_SIDE`` across and ``WORK_PIXELS`` in all, read in tiles) and its scale."""
    if long_and_thin(image.size):
        scale = min(1.0, 1 / work_reduction(image.size))
    else:
        scale = min(1.0, MAX_SIDE / max(image.size))
    if scale < 1.0:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return scale, rgb_array(image)


def rgb_array(image: Image.Image, band: int = 512) -> np.ndarray:
    """The image's pixels as an (H, W, 3) array, filled band by band: ``np.asarray`` would
    hold two more whole copies on the way (Pillow's bytes, then their join)."""
    pixels = np.empty((image.height, image.width, 3), dtype=np.uint8)
    for top in range(0, image.height, band):
        part = image.crop((0, top, image.width, min(top + band, image.height)))
        pixels[top : top + part.height] = np.asarray(part.convert("RGB"))
    return pixels


def _box(points: Any, scale: float) -> Box:
    xs, ys = [p[0] / scale for p in points], [p[1] / scale for p in points]
    return Box(float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))
