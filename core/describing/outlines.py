"""Edges and the outlines they close, in numpy (the app carries no OpenCV): Canny's edges with
the L2 gradient, and every closed outline of a mask — each 8-connected part's outer border and
the border of each hole in it — with its bounding box and the area it encloses, as OpenCV's
``Canny`` and ``findContours(RETR_LIST)`` with ``contourArea`` give them."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from vocalens.core.describing.regions import joined

TAN_22_5 = 0.4142135623730951


class Outline(NamedTuple):
    left: int
    top: int
    width: int
    height: int
    area: float  # enclosed by the polygon through the border pixels' centres


def edges(grey: np.ndarray, low: float, high: float) -> np.ndarray:
    """Canny's edges of a grey image: Sobel gradients (edges repeated at the border), the
    L2 magnitude thinned to its ridges, kept above ``high`` and, joined to those, above
    ``low``."""
    g = np.pad(grey.astype(np.int32), 1, mode="edge")
    dx = (g[:-2, 2:] + 2 * g[1:-1, 2:] + g[2:, 2:]) - (g[:-2, :-2] + 2 * g[1:-1, :-2] + g[2:, :-2])
    dy = (g[2:, :-2] + 2 * g[2:, 1:-1] + g[2:, 2:]) - (g[:-2, :-2] + 2 * g[:-2, 1:-1] + g[:-2, 2:])
    mag = np.hypot(dx, dy)
    m = np.pad(mag, 1)  # nothing beyond the border
    centre = m[1:-1, 1:-1]
    ax, ay = np.abs(dx), np.abs(dy)
    across = ay < TAN_22_5 * ax  # the gradient runs along the row
    down = ay > (TAN_22_5 + 2) * ax  # along the column
    rising = (dx ^ dy) >= 0  # the diagonal it runs along
    keep = np.where(
        across,
        (centre > m[1:-1, :-2]) & (centre >= m[1:-1, 2:]),
        np.where(
            down,
            (centre > m[:-2, 1:-1]) & (centre >= m[2:, 1:-1]),
            np.where(
                rising,
                (centre > m[:-2, :-2]) & (centre > m[2:, 2:]),
                (centre > m[:-2, 2:]) & (centre > m[2:, :-2]),
            ),
        ),
    )
    candidate = keep & (mag > low)
    labels, count = label(candidate, corners=True)
    strong = np.zeros(count + 1, bool)
    strong[labels[candidate & (mag > high)]] = True
    strong[0] = False
    return strong[labels]


def thickened(mask: np.ndarray) -> np.ndarray:
    """``mask`` grown by one pixel each way (a 3×3 dilation)."""
    p = np.pad(mask, 1)
    out = np.zeros_like(mask)
    h, w = mask.shape
    for dy in range(3):
        for dx in range(3):
            out |= p[dy : dy + h, dx : dx + w]
    return out


def outlines(mask: np.ndarray) -> list[Outline]:
    """Every closed outline of ``mask``: each 8-connected part's outer border, and each hole's
    (its box one pixel out into the part around it). The area is what the polygon through the
    border pixels' centres encloses (Pick's theorem: inner points plus half the border's,
    less one)."""
    padded = np.pad(mask, 1)  # the outside is one background part
    fg, n_fg = label(padded, corners=True)
    bg, n_bg = label(~padded, corners=False)
    if not n_fg:
        return []
    width = padded.shape[1]
    fg_box, fg_size, fg_first = _boxes(fg, n_fg)
    bg_box, bg_size, bg_first = _boxes(bg, n_bg)
    outside = int(bg[0, 0])
    # what surrounds each part: the background just above its first pixel; and what holds
    # each hole: the part just above its first pixel
    around = bg.ravel()[fg_first - width]
    holder = fg.ravel()[bg_first - width]
    # the border pixels: a part's pixel beside (not diagonally) a background part's; the
    # frame is background, so no part's pixel has a neighbour that wraps around
    pairs = []
    where_fg = np.flatnonzero(fg)
    for step in (1, -1, width, -width):
        there = bg.ravel()[where_fg + step]
        beside_bg = there > 0
        pairs.append(np.stack([where_fg[beside_bg], there[beside_bg]], axis=1))
    border = np.unique(np.concatenate(pairs), axis=0)  # each pixel once per background part
    part_of = fg.ravel()[border[:, 0]]
    key = part_of.astype(np.int64) * (n_bg + 1) + border[:, 1]
    keys, counts = np.unique(key, return_counts=True)
    # the area each encloses, smallest first, so that what is nested is counted before
    filled_fg = fg_size.astype(np.float64)
    filled_bg = bg_size.astype(np.float64)
    spans = np.concatenate([_areas(fg_box), _areas(bg_box)])
    for k in np.argsort(spans, kind="stable").tolist():
        if k < n_fg:  # a part, nested in a hole unless the outside holds it
            if around[k] != outside:
                filled_bg[around[k] - 1] += filled_fg[k]
        elif k - n_fg + 1 != outside:  # a hole, in the part that holds it
            filled_fg[holder[k - n_fg] - 1] += filled_bg[k - n_fg]
    parts = np.arange(1, n_fg + 1)
    holes = np.array([j for j in range(1, n_bg + 1) if j != outside], np.int64)
    outer_b = _count(keys, counts, parts * (n_bg + 1) + around)
    hole_b = _count(keys, counts, holder[holes - 1] * (n_bg + 1) + holes)
    fb, hb = fg_box, bg_box[holes - 1]
    return [
        *(
            Outline(int(x0) - 1, int(y0) - 1, int(x1 - x0) + 1, int(y1 - y0) + 1, float(a))
            for (x0, y0, x1, y1), a in zip(fb, filled_fg - outer_b / 2 - 1, strict=True)
        ),
        *(
            Outline(int(x0) - 2, int(y0) - 2, int(x1 - x0) + 3, int(y1 - y0) + 3, float(a))
            for (x0, y0, x1, y1), a in zip(hb, filled_bg[holes - 1] + hole_b / 2 - 1, strict=True)
        ),
    ]


def _count(keys: np.ndarray, counts: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The count of each of ``wanted`` among ``keys`` (sorted), 0 where it is not there."""
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, counts[at], 0)


def _areas(box: np.ndarray) -> np.ndarray:
    return (box[:, 2] - box[:, 0] + 1) * (box[:, 3] - box[:, 1] + 1)


def label(mask: np.ndarray, corners: bool) -> tuple[np.ndarray, int]:
    """The connected parts of ``mask``, numbered from 1 (0: not in ``mask``), joined through
    corners too (8-connected) or only through sides (4-connected)."""
    h, w = mask.shape
    change = np.diff(mask.astype(np.int8), axis=1, prepend=0, append=0)
    rows, starts = np.nonzero(change == 1)
    ends = np.nonzero(change == -1)[1]  # one past each run's last pixel
    out = np.zeros((h, w), np.int32)
    if not len(rows):
        return out, 0
    stride = w + 2
    start_keys, end_keys = rows * stride + starts, rows * stride + ends
    above = (rows - 1) * stride
    reach = 0 if corners else 1  # a run above touches from one pixel further out diagonally
    first = np.searchsorted(end_keys, above + starts + reach, side="left")
    last = np.searchsorted(start_keys, above + ends - reach, side="right")
    counts = np.maximum(last - first, 0)
    runs = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    roots = joined(len(rows), runs, np.repeat(first, counts) + offsets)
    _, numbers = np.unique(roots, return_inverse=True)
    lengths = ends - starts
    flat = np.repeat(rows * w + starts, lengths) + (
        np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    )
    out.ravel()[flat] = np.repeat(numbers + 1, lengths)
    return out, int(numbers.max()) + 1


def _boxes(labels: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each part's box (left, top, right, bottom, inclusive), size in pixels and first pixel
    (the leftmost of its top row, as a flat index)."""
    flat = np.flatnonzero(labels)
    ys, xs = np.divmod(flat, labels.shape[1])
    which = labels.ravel()[flat] - 1
    box = np.empty((count, 4), np.int64)
    box[:, :2] = np.iinfo(np.int64).max
    box[:, 2:] = -1
    np.minimum.at(box[:, 0], which, xs)
    np.minimum.at(box[:, 1], which, ys)
    np.maximum.at(box[:, 2], which, xs)
    np.maximum.at(box[:, 3], which, ys)
    first = np.full(count, labels.size, np.int64)
    np.minimum.at(first, which, flat)
    return box, np.bincount(which, minlength=count), first
