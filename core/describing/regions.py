"""Regions of a mask in numpy: its 8-connected parts (as the ends of their runs along rows,
which hold each part's convex hull), the smallest rotated rectangle around a set of points,
and the mean of an array inside a convex polygon."""

from __future__ import annotations

import numpy as np


def parts(mask: np.ndarray) -> list[np.ndarray]:
    """Each 8-connected part of ``mask`` (2-D, true where set), top to bottom by its first
    pixel: the (x, y) ends of its runs along rows, int32."""
    width = mask.shape[1]
    edges = np.diff(mask.astype(np.int8), axis=1, prepend=0, append=0)
    rows, starts = np.nonzero(edges == 1)
    ends = np.nonzero(edges == -1)[1]  # one past each run's last pixel
    if not len(rows):
        return []
    stride = width + 2
    start_keys, end_keys = rows * stride + starts, rows * stride + ends
    # the runs of the row above that touch each run, corners included, lie in [first, last)
    above = (rows - 1) * stride
    first = np.searchsorted(end_keys, above + starts, side="left")
    last = np.searchsorted(start_keys, above + ends, side="right")
    counts = np.maximum(last - first, 0)
    runs = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    touching = np.repeat(first, counts) + offsets
    labels = joined(len(rows), runs, touching)
    order = np.argsort(labels, kind="stable")
    splits = np.nonzero(np.diff(labels[order]))[0] + 1
    points = np.stack([np.concatenate([starts, ends - 1]), np.concatenate([rows, rows])], axis=1)
    return [
        points[np.concatenate([group, group + len(rows)])].astype(np.int32)
        for group in np.split(order, splits)
    ]


def joined(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each of ``count`` nodes, the smallest node joined to it through the edges a—b."""
    labels = np.arange(count)
    while True:
        lowest = np.minimum(labels[a], labels[b])
        joined = labels.copy()
        np.minimum.at(joined, a, lowest)
        np.minimum.at(joined, b, lowest)
        joined = joined[joined]
        if np.array_equal(joined, labels):
            return labels
        labels = joined


def smallest_rectangle(points: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The rotated rectangle of least area around ``points`` (n × 2): its four corners in
    order around it (float32), and its two sides."""
    hull = _hull(points.reshape(-1, 2).astype(np.float64))
    if len(hull) < 3:
        ends = np.array([hull[0], hull[-1], hull[-1], hull[0]], dtype=np.float32)
        return ends, float(np.linalg.norm(hull[-1] - hull[0])), 0.0
    along = np.roll(hull, -1, axis=0) - hull
    along /= np.linalg.norm(along, axis=1, keepdims=True)
    across = np.stack([-along[:, 1], along[:, 0]], axis=1)
    on_along, on_across = hull @ along.T, hull @ across.T  # hull points × edges
    lengths = on_along.max(axis=0) - on_along.min(axis=0)
    widths = on_across.max(axis=0) - on_across.min(axis=0)
    best = int(np.argmin(lengths * widths))
    u, v = along[best], across[best]
    (a0, a1), (c0, c1) = (
        (on_along[:, best].min(), on_along[:, best].max()),
        (on_across[:, best].min(), on_across[:, best].max()),
    )
    corners = np.array([a0 * u + c0 * v, a1 * u + c0 * v, a1 * u + c1 * v, a0 * u + c1 * v])
    return corners.astype(np.float32), float(lengths[best]), float(widths[best])


def _hull(points: np.ndarray) -> np.ndarray:
    """The corners of the convex hull of ``points``, counter-clockwise (Andrew's monotone
    chain); fewer than three where the points lie on one line."""
    ordered = sorted({(float(x), float(y)) for x, y in points})
    if len(ordered) < 3:
        return np.array(ordered)

    def chain(sequence: list[tuple[float, float]]) -> list[tuple[float, float]]:
        kept: list[tuple[float, float]] = []
        for p in sequence:
            while len(kept) >= 2:
                (ax, ay), (bx, by) = kept[-2], kept[-1]
                if (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) > 0:
                    break
                kept.pop()
            kept.append(p)
        return kept

    lower, upper = chain(ordered), chain(ordered[::-1])
    hull = lower[:-1] + upper[:-1]
    return np.array(hull if len(hull) >= 3 else [ordered[0], ordered[-1]])


def upright(quad: np.ndarray) -> bool:
    """Whether ``quad`` (top left, top right, bottom right, bottom left) is an upright
    rectangle."""
    if len(quad) != 4:
        return False
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad.tolist()
    return bool(y0 == y1 and y2 == y3 and x0 == x3 and x1 == x2)


def mean_inside(values: np.ndarray, polygon: np.ndarray) -> float:
    """The mean of ``values`` over the pixels inside or on the convex ``polygon`` (integer
    corners in order, in ``values``' columns and rows); 0 where none are."""
    start = polygon.astype(np.int64)
    if upright(start):  # a slice
        (x0, y0), (x1, _), (_, y2), _ = start.tolist()
        rows = slice(max(min(y0, y2), 0), max(y0, y2) + 1)
        part = values[rows, max(min(x0, x1), 0) : max(x0, x1) + 1]
        return float(part.mean()) if part.size else 0.0
    y, x = np.mgrid[0 : values.shape[0], 0 : values.shape[1]]
    edge = np.roll(start, -1, axis=0) - start
    sides = [ex * (y - sy) - ey * (x - sx) for (sx, sy), (ex, ey) in zip(start, edge, strict=True)]
    stacked = np.stack(sides)
    inside = (stacked >= 0).all(axis=0) | (stacked <= 0).all(axis=0)
    return float(values[inside].mean()) if inside.any() else 0.0
