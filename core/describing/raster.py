"""Resizing and straightening pixels in numpy, with OpenCV's conventions (pixel centres at
half-integers for bilinear resizing, Keys' cubic with a = -0.75 sampled at 1/32 of a pixel,
edges repeated), so that the text models see what they were trained on without OpenCV's
libraries in the process."""

from __future__ import annotations

import numpy as np

from vocalens.core.describing.regions import upright

CUBIC_A = -0.75
STEPS = 32  # sub-pixel positions a warp samples at


def resized(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` (uint8, rows × columns [× channels]) brought to ``size`` (width, height) by
    bilinear interpolation, without smoothing first."""
    width, height = size
    out = image
    if height != image.shape[0]:
        rows, weight = _taps(image.shape[0], height)
        out = _between(out, rows, _along(weight, image, 0), axis=0)
    if width != image.shape[1]:
        columns, weight = _taps(image.shape[1], width)
        out = _between(out, columns, _along(weight, image, 1), axis=1)
    return image.copy() if out is image else _bytes(out)


def _between(values: np.ndarray, before: np.ndarray, weight: np.ndarray, axis: int) -> np.ndarray:
    """``values`` interpolated along ``axis`` between index ``before`` and the next one."""
    low = np.take(values, before, axis=axis).astype(np.float32)
    high = np.take(values, before + (weight.ravel() > 0), axis=axis).astype(np.float32)
    high -= low
    high *= weight
    high += low
    return high


def _taps(source: int, target: int) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``target`` positions, the source index before it and the weight of the one
    after, both held at the edges."""
    at = (np.arange(target) + 0.5) * (source / target) - 0.5
    before = np.floor(at)
    weight = (at - before).astype(np.float32)
    weight[(before < 0) | (before >= source - 1)] = 0
    return np.clip(before, 0, source - 1).astype(np.intp), weight


def straightened(pixels: np.ndarray, quad: np.ndarray, width: int, height: int) -> np.ndarray:
    """The ``width`` × ``height`` picture of the quadrilateral ``quad`` (top left, top right,
    bottom right, bottom left, in ``pixels``), sampled by bicubic interpolation."""
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    to_source = _perspective(corners, quad.astype(np.float64))
    if upright(quad):  # each column samples the same rows, each row the same columns
        along, down = np.arange(width, dtype=np.float64), np.arange(height, dtype=np.float64)
        xs = _positions(to_source, along, np.zeros_like(along))[0]
        ys = _positions(to_source, np.zeros_like(down), down)[1]
    else:
        v, u = np.mgrid[0:height, 0:width].astype(np.float64)
        xs, ys = _positions(to_source, u, v)
    rows, row_weights = _cubic(ys, pixels.shape[0])
    columns, column_weights = _cubic(xs, pixels.shape[1])
    first_row, first_column = int(rows[0].min()), int(columns[0].min())
    block = pixels[first_row : int(rows[3].max()) + 1, first_column : int(columns[3].max()) + 1]
    block = block.astype(np.float32)  # all the pixels the samples need
    rows, columns = [r - first_row for r in rows], [c - first_column for c in columns]
    if xs.ndim == 1:  # rows, then columns
        across = sum(
            np.take(block, r, axis=0) * _along(w, block, 0)
            for r, w in zip(rows, row_weights, strict=True)
        )
        return _bytes(sum(
            np.take(across, c, axis=1) * _along(w, block, 1)
            for c, w in zip(columns, column_weights, strict=True)
        ))  # fmt: skip
    flat = block.reshape(block.shape[0] * block.shape[1], -1)  # pixels × channels
    out = np.zeros((height * width, flat.shape[1]), dtype=np.float32)
    for r, row_weight in zip(rows, row_weights, strict=True):
        for c, column_weight in zip(columns, column_weights, strict=True):
            at = (r * block.shape[1] + c).ravel()
            out += np.take(flat, at, axis=0) * (row_weight * column_weight).reshape(-1, 1)
    return _bytes(out).reshape((height, width, *pixels.shape[2:]))


def _positions(to_source: np.ndarray, u: np.ndarray, v: np.ndarray) -> list[np.ndarray]:
    """Where ``to_source`` takes the points (``u``, ``v``): x and y, in 1/32 pixels."""
    x, y, w = np.einsum("ij,j...->i...", to_source, np.stack([u, v, np.ones_like(u)]))
    w = np.divide(1.0, w, out=np.zeros_like(w), where=w != 0)
    return [np.round(np.clip(c * w, -(2**20), 2**20) * STEPS).astype(np.int64) for c in (x, y)]


def _along(weight: np.ndarray, values: np.ndarray, axis: int) -> np.ndarray:
    """``weight`` shaped to multiply ``values`` along ``axis``, the same for the axes after."""
    return weight.reshape((-1,) + (1,) * (values.ndim - axis - 1))


def _bytes(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to the nearest level, within 0–255."""
    values += 0.5
    return np.clip(values, 0, 255, out=values).astype(np.uint8)


def _cubic(at: np.ndarray, size: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The four source indices around each position (in 1/32 pixels), held at the edges, and
    Keys' weights for them."""
    start, t = at // STEPS - 1, (at % STEPS).astype(np.float32) / STEPS
    a = CUBIC_A
    weights = [
        ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
        ((a + 2) * t - (a + 3)) * t * t + 1,
        ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
    ]
    weights.append(1 - weights[0] - weights[1] - weights[2])
    return [np.minimum(np.maximum(start + k, 0), size - 1) for k in range(4)], weights


def _perspective(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 3 × 3 projective map taking the four ``source`` points to the four ``target`` ones."""
    rows, values = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    solved = np.linalg.solve(np.array(rows), np.array(values))
    return np.append(solved, 1.0).reshape(3, 3)
