"""Finding the text lines of a capture: on a reduced copy where the text is large enough
there, and, where only a band of rows changed since the last capture, in that band alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vocalens.core.hashes import blake2b

if TYPE_CHECKING:
    from vocalens.core.describing.ocr_engine import TextEngine

# Lines are found on a copy reduced to two thirds (at least DETECT_SIDE px a side): twice as
# fast as full size, and UI text down to 8 points found as well (at half size, 9- and
# 10-point lines run together). Where that copy shows no lines, lines under SMALL_TEXT px
# tall, or lines that ran together, they are looked for again at full size; the size that
# worked is kept for the next capture of the same size. Recognition reads full-size pixels.
DETECT_SHRINKS = (2 / 3, 1.0)
DETECT_SIDE = 800
SMALL_TEXT = 8
MOST_CHANGED = 0.5  # a change over more of the height than this is searched whole


def find_lines(
    engine: TextEngine, pixels: np.ndarray, known: float | None
) -> tuple[list[np.ndarray], float]:
    """The lines (quadrilaterals in ``pixels``) and the reduction they were found at,
    starting at ``known``, the one that worked for captures of this size."""
    quads: list[np.ndarray] = []
    shrink = DETECT_SHRINKS[0]
    for shrink in DETECT_SHRINKS[DETECT_SHRINKS.index(known) if known in DETECT_SHRINKS else 0 :]:
        quads = _detect(engine, pixels, _side(pixels, shrink))
        if shrink == 1.0 or _resolved(quads, shrink, pixels):
            break  # else: look again, larger
    return quads, shrink


TILE = 1600  # a long image is searched in parts this long (at least twice as long as wide)
TILE_OVERLAP = 240  # and overlapping by this much: a line cut by one part is whole in the next


def find_tiled(engine: TextEngine, pixels: np.ndarray) -> list[np.ndarray]:
    """The lines of a long, thin image (a status bar, a scrolled page), searched in
    overlapping parts along its length, each at its own full detail; a line found in two parts
    (whole in one, cut in the other) is kept once, as the box around both."""
    height, width = pixels.shape[:2]
    along_x = width > height
    length, across = (width, height) if along_x else (height, width)
    tile = max(TILE, 2 * across)
    step = max(1, tile - TILE_OVERLAP)
    found: list[tuple[int, np.ndarray]] = []
    for n, start in enumerate(range(0, max(1, length - TILE_OVERLAP), step)):
        part = pixels[:, start : start + tile] if along_x else pixels[start : start + tile]
        shift = np.array([start, 0] if along_x else [0, start], dtype=np.float32)
        quads, _ = find_lines(engine, np.ascontiguousarray(part), None)
        found += [(n, q + shift) for q in quads]
    return _joined(found)


def _joined(found: list[tuple[int, np.ndarray]]) -> list[np.ndarray]:
    """Lines from neighbouring parts that overlap in one row, joined into one box."""
    kept: list[tuple[int, np.ndarray]] = []
    for part, quad in found:
        for i, (other_part, other) in enumerate(kept):
            if other_part != part and _overlapping_in_a_row(quad, other):
                (left, top), (right, bottom) = (
                    np.minimum(quad.min(0), other.min(0)),
                    np.maximum(quad.max(0), other.max(0)),
                )
                box = [[left, top], [right, top], [right, bottom], [left, bottom]]
                kept[i] = (part, np.array(box, dtype=np.float32))
                break
        else:
            kept.append((part, quad))
    return [quad for _, quad in kept]


def _overlapping_in_a_row(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two boxes touch and share most of their height (parts of one line)."""
    (al, at), (ar, ab) = a.min(axis=0), a.max(axis=0)
    (bl, bt), (br, bb) = b.min(axis=0), b.max(axis=0)
    shared = min(ab, bb) - max(at, bt)
    return bool(min(ar, br) >= max(al, bl) and shared > 0.5 * min(ab - at, bb - bt))


def row_digests(pixels: np.ndarray) -> np.ndarray:
    """A digest of each row of ``pixels``, (rows, 16) bytes: what is kept of a capture to
    find what changed in the next (12 KB for a screen, not its 3 MB of pixels)."""
    rows = np.ascontiguousarray(pixels).reshape(pixels.shape[0], -1)
    return np.frombuffer(
        b"".join(blake2b(row.tobytes(), digest_size=16).digest() for row in rows),
        dtype=np.uint8,
    ).reshape(-1, 16)


def changed_rows(old: np.ndarray, new: np.ndarray) -> tuple[int, int] | None:
    """The first and last row that differ between two captures' ``row_digests`` ((0, -1):
    none); None where the change spans most of the height."""
    changed = np.flatnonzero((old != new).any(axis=1))
    if changed.size == 0:
        return 0, -1
    if changed[-1] - changed[0] > MOST_CHANGED * new.shape[0]:
        return None
    return int(changed[0]), int(changed[-1])


def find_in_band(
    engine: TextEngine,
    pixels: np.ndarray,
    rows: tuple[int, int],
    lines: list[np.ndarray],
    shrink: float,
) -> list[np.ndarray]:
    """The lines of a capture whose ``rows`` alone changed since it showed ``lines``: those
    away from the change kept, the rest found again in a band around it, at the reduction
    ``shrink`` that worked for the whole capture."""
    first, last = rows
    if last < first:
        return list(lines)
    spans = [(float(q[:, 1].min()), float(q[:, 1].max())) for q in lines]
    margin = float(np.median([b - t for t, b in spans])) if spans else 32.0
    top, bottom = first - margin, last + 1 + margin
    touched = [(t < last + 1 and b > first) or top <= (t + b) / 2 <= bottom for t, b in spans]
    kept = [q for q, hit in zip(lines, touched, strict=True) if not hit]
    for (t, b), hit in zip(spans, touched, strict=True):
        if hit:  # a line the band cuts is searched whole
            top, bottom = min(top, t), max(bottom, b)
    top, bottom = max(0, int(top - margin / 2)), min(pixels.shape[0], int(bottom + margin / 2) + 1)
    strip = pixels[top:bottom]
    found = _detect(engine, strip, _side(strip, shrink))
    moved = [q + np.array([0, top], dtype=np.float32) for q in found]
    return kept + [q for q in moved if not any(_same_place(q, k) for k in kept)]


def _same_place(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two found lines cover mostly the same pixels (one line found twice)."""
    (al, at), (ar, ab) = a.min(axis=0), a.max(axis=0)
    (bl, bt), (br, bb) = b.min(axis=0), b.max(axis=0)
    w, h = min(ar, br) - max(al, bl), min(ab, bb) - max(at, bt)
    if w <= 0 or h <= 0:
        return False
    return bool(w * h > 0.5 * min((ar - al) * (ab - at), (br - bl) * (bb - bt)))


def _side(pixels: np.ndarray, shrink: float) -> int:
    """The side of the copy lines are found on: ``shrink`` of the longest, not under
    ``DETECT_SIDE`` (small images are searched whole)."""
    longest = max(pixels.shape[:2])
    return max(32, min(longest, max(DETECT_SIDE, round(longest * shrink))))


def _detect(engine: TextEngine, pixels: np.ndarray, side: int) -> list[np.ndarray]:
    return engine.find(pixels, side)


def _resolved(quads: list[np.ndarray], shrink: float, pixels: np.ndarray) -> bool:
    """Whether the lines found on a copy reduced by ``shrink`` are the real lines: some were
    found, they were not too small there, and none holds several lines run together."""
    if not quads:
        return False
    heights = [q[:, 1].max() - q[:, 1].min() for q in quads]
    if float(np.median(heights)) * shrink < SMALL_TEXT:
        return False
    return not any(_text_bands(pixels, q) >= 2 for q in quads)


def _text_bands(pixels: np.ndarray, quad: np.ndarray) -> int:
    """How many lines of text a found box holds: bands of rows with ink between rows of
    background, each at least half as tall as the tallest. Bands touching the box's top or
    bottom are the neighbouring lines' descenders or capitals, and are not counted."""
    left, top = np.floor(quad.min(axis=0)).astype(int).clip(0)
    right, bottom = np.ceil(quad.max(axis=0)).astype(int)
    crop = pixels[top:bottom, left:right].mean(axis=2, dtype=np.float32)  # its greys alone
    if crop.size == 0:
        return 0
    spread = crop.max(axis=1) - crop.min(axis=1)
    inked = spread > 0.35 * max(float(spread.max()), 1.0)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], inked.astype(np.int8), [0]))))
    starts, ends = edges[::2], edges[1::2]
    tall = ends - starts >= 0.5 * (ends - starts).max() if starts.size else starts
    inside = (starts > 0) & (ends < len(inked))
    return int((tall & inside).sum())
