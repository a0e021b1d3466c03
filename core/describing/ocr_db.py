"""Finding text lines with the wheel's DB detection model: its input made and its probability
map turned into line quadrilaterals as RapidOCR does (the same sizes, thresholds, dilation,
box scores and unclipping), in numpy: parts of the map are found as 8-connected regions and
measured by their smallest rotated rectangles."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyclipper

from vocalens.core.describing.raster import resized
from vocalens.core.describing.regions import mean_inside, parts, smallest_rectangle

MIN_SIDE, MAX_SIDE = 30, 2000  # images are brought within these first
PAD_BELOW, PAD_RATIO = 30, 8  # strips this low or this wide get bands of black above and below
THRESHOLD, BOX_THRESHOLD, UNCLIP = 0.3, 0.5, 1.6
MOST_CANDIDATES, SMALLEST = 1000, 3
SAME_ROW = 10  # boxes whose tops differ by less are in one row


def find(session: Any, pixels: np.ndarray, side: int) -> list[np.ndarray]:
    """The lines in ``pixels`` (RGB), found on a copy of ``side`` pixels a side at most: each a
    float32 quadrilateral (top left, top right, bottom right, bottom left) in ``pixels``."""
    height, width = pixels.shape[:2]
    image, ratio_h, ratio_w = _within_bounds(pixels)
    image, top = _padded(image)
    scaled = _multiple_of_32(image, side)
    if scaled is None:
        return []
    batch = _normalised(scaled)
    prob = session.run(None, {session.get_inputs()[0].name: batch})[0][0, 0]
    boxes = _boxes(prob, image.shape[1], image.shape[0])
    if not boxes:
        return []
    found = np.array(_sorted(np.array(boxes)), dtype=np.float32)
    found[:, :, 1] -= top
    found[:, :, 0] *= ratio_w
    found[:, :, 1] *= ratio_h
    found = np.where(found < 0, 0, found)
    found[..., 0] = np.minimum(found[..., 0], width)
    found[..., 1] = np.minimum(found[..., 1], height)
    return list(found)


def _size(image: np.ndarray, ratio: float) -> tuple[int, int]:
    """(width, height) of ``image`` scaled by ``ratio``, each rounded to a multiple of 32."""
    h, w = image.shape[:2]
    return int(round(int(w * ratio) / 32) * 32), int(round(int(h * ratio) / 32) * 32)


def _resized(image: np.ndarray, ratio: float) -> np.ndarray:
    size = _size(image, ratio)
    return image if size == image.shape[1::-1] else resized(image, size)


def _within_bounds(image: np.ndarray) -> tuple[np.ndarray, float, float]:
    h, w = image.shape[:2]
    ratio_h = ratio_w = 1.0
    if max(h, w) > MAX_SIDE:
        image = _resized(image, MAX_SIDE / max(h, w))
        ratio_h, ratio_w = h / image.shape[0], w / image.shape[1]
    h2, w2 = image.shape[:2]
    if min(h2, w2) < MIN_SIDE:
        image = _resized(image, MIN_SIDE / min(h2, w2))
        ratio_h, ratio_w = h2 / image.shape[0], w2 / image.shape[1]
    return image, ratio_h, ratio_w


def _padded(image: np.ndarray) -> tuple[np.ndarray, int]:
    h, w = image.shape[:2]
    if h > PAD_BELOW and w / h <= PAD_RATIO:
        return image, 0
    pad = int(abs(max(int(w / PAD_RATIO), PAD_BELOW) * 2 - h) / 2)
    return np.pad(image, ((pad, pad), (0, 0), (0, 0))), pad


def _multiple_of_32(image: np.ndarray, side: int) -> np.ndarray | None:
    longest = max(image.shape[:2])
    size = _size(image, side / longest if longest > side else 1.0)
    return None if min(size) <= 0 else resized(image, size)


def _normalised(image: np.ndarray) -> np.ndarray:
    half = np.array([0.5, 0.5, 0.5])
    scaled = (image.astype("float32") * (1 / 255.0) - half) / half
    return scaled.transpose(2, 0, 1)[np.newaxis].astype(np.float32)


def _boxes(prob: np.ndarray, width: int, height: int) -> list[np.ndarray]:
    """DB's post-processing: the regions over the threshold, scored, grown back by the
    unclip ratio (the model finds the lines' shrunk cores) and scaled to ``width``×``height``."""
    h, w = prob.shape
    boxes = []
    for contour in parts(_dilated(prob > THRESHOLD))[:MOST_CANDIDATES]:
        points, short = _smallest_box(contour)
        if short < SMALLEST or _score(prob, points) < BOX_THRESHOLD:
            continue
        box, short = _smallest_box(_unclipped(points))
        if short < SMALLEST + 2:
            continue
        box[:, 0] = np.clip(np.round(box[:, 0] / w * width), 0, width)
        box[:, 1] = np.clip(np.round(box[:, 1] / h * height), 0, height)
        box = _clockwise(box.astype(np.int32))
        box[:, 0] = np.clip(box[:, 0], 0, width - 1).astype(np.int32)
        box[:, 1] = np.clip(box[:, 1], 0, height - 1).astype(np.int32)
        if int(np.linalg.norm(box[0] - box[1])) > 3 and int(np.linalg.norm(box[0] - box[3])) > 3:
            boxes.append(box)
    return boxes


def _dilated(mask: np.ndarray) -> np.ndarray:
    """``mask`` grown by one pixel right and down (a 2 × 2 dilation)."""
    grown = mask.copy()
    grown[1:] |= mask[:-1]
    grown[:, 1:] |= mask[:, :-1]
    grown[1:, 1:] |= mask[:-1, :-1]
    return grown


def _smallest_box(contour: np.ndarray) -> tuple[np.ndarray, float]:
    """The rotated rectangle around ``contour``, its corners from the top left, and its
    shorter side."""
    corners, length, width = smallest_rectangle(contour)
    points = sorted(corners, key=lambda p: p[0])
    left = (0, 1) if points[1][1] > points[0][1] else (1, 0)
    right = (2, 3) if points[3][1] > points[2][1] else (3, 2)
    order = (left[0], right[0], right[1], left[1])
    return np.array([points[i] for i in order]), min(length, width)


def _score(prob: np.ndarray, box: np.ndarray) -> float:
    """The mean probability inside ``box``."""
    last = np.array(prob.shape[::-1]) - 1  # the last column and row
    xmin, ymin = np.clip(np.floor(box.min(axis=0)), 0, last).astype(np.int32)
    xmax, ymax = np.clip(np.ceil(box.max(axis=0)), 0, last).astype(np.int32)
    shifted = (box - np.array([xmin, ymin])).astype(np.int32)
    return mean_inside(prob[ymin : ymax + 1, xmin : xmax + 1], shifted)


def _unclipped(box: np.ndarray) -> np.ndarray:
    """``box`` grown by area × ratio / perimeter on every side."""
    corners = box.astype(np.float64)
    x, y = corners[:, 0], corners[:, 1]
    area = 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))
    perimeter = float(np.linalg.norm(corners - np.roll(corners, 1, axis=0), axis=1).sum())
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(box, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return np.array(offset.Execute(area * UNCLIP / perimeter)).reshape((-1, 1, 2))


def _clockwise(box: np.ndarray) -> np.ndarray:
    by_x = box[np.argsort(box[:, 0]), :]
    left, right = by_x[:2], by_x[2:]
    top_left, bottom_left = left[np.argsort(left[:, 1]), :]
    top_right, bottom_right = right[np.argsort(right[:, 1]), :]
    return np.array([top_left, top_right, bottom_right, bottom_left], dtype="float32")


def _sorted(boxes: np.ndarray) -> np.ndarray:
    """Top to bottom, and left to right within a row."""
    tops = boxes[:, 0, 1]
    by_top = np.argsort(tops, kind="stable")
    rows = np.concatenate([[0], np.cumsum(np.diff(tops[by_top]) >= SAME_ROW)])
    return boxes[by_top][np.lexsort((boxes[by_top][:, 0, 0], rows))]
