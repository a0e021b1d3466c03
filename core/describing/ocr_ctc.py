"""Reading found lines with the wheel's CTC recognition model: each line cut out straight,
brought to the model's height, read in batches of similar widths and decoded as RapidOCR does
(repeats and blanks dropped; the confidence the mean of the kept characters')."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from vocalens.core.describing.raster import resized, straightened

HEIGHT, WIDTH = 48, 320  # the model's input: lines at this height, batches at least this wide
BATCH = 6


def crop(pixels: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The line inside ``quad`` (top left, top right, bottom right, bottom left), cut out and
    made straight; one much taller than wide is turned to lie along its text."""
    quad = quad.astype(np.float32)
    width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    line = straightened(pixels, quad, width, height)
    return np.rot90(line) if line.shape[0] >= 1.5 * line.shape[1] else line


def read(session: Any, characters: list[str], lines: list[np.ndarray]) -> list[tuple[str, float]]:
    """The text of each of ``lines`` and its confidence (0–1). ``characters``: the model's
    classes after the blank."""
    order = np.argsort(np.array([line.shape[1] / float(line.shape[0]) for line in lines]))
    found: list[tuple[str, float]] = [("", 0.0)] * len(lines)
    name = session.get_inputs()[0].name
    for start in range(0, len(lines), BATCH):
        chosen = order[start : start + BATCH]
        widest = max([WIDTH / HEIGHT] + [lines[i].shape[1] / lines[i].shape[0] for i in chosen])
        batch = np.stack([_normalised(lines[i], widest) for i in chosen]).astype(np.float32)
        for i, probs in zip(chosen, session.run(None, {name: batch})[0], strict=True):
            found[i] = _decoded(probs, characters)
    return found


def _normalised(line: np.ndarray, widest: float) -> np.ndarray:
    width = int(HEIGHT * widest)
    h, w = line.shape[:2]
    fitted = min(width, math.ceil(HEIGHT * w / float(h)))
    scaled = resized(line, (fitted, HEIGHT)).astype("float32").transpose((2, 0, 1)) / 255
    scaled -= 0.5
    scaled /= 0.5
    padded = np.zeros((3, HEIGHT, width), dtype=np.float32)
    padded[:, :, :fitted] = scaled
    return padded


def _decoded(probs: np.ndarray, characters: list[str]) -> tuple[str, float]:
    """CTC's greedy reading of one line's (steps, classes) probabilities: class 0 is the blank,
    then ``characters``, then a space."""
    best, sure = probs.argmax(axis=1), probs.max(axis=1)
    kept = np.ones(len(best), dtype=bool)
    kept[1:] = best[1:] != best[:-1]
    kept &= best != 0
    classes = ["", *characters, " "]
    text = "".join(classes[i] for i in best[kept])
    scores = [round(s, 5) for s in sure[kept].tolist()] or [0]
    return text, float(np.mean(scores).round(5))
