"""Grading controls found in pixels against the accessibility tree of the same window."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from vocalens.core.describing.elements import CONTROL_ROLES, Element, find_elements
from vocalens.core.describing.layout import Box
from vocalens.core.describing.ocr import TextReader

from .programs import programs

# the tree's roles for the ones graded
GRADED = {"push button": "button", "text": "text field", "password text": "text field",
          "check box": "checkbox", "radio button": "radio button"}  # fmt: skip
# any control at all: an element there is not a false one, even if its role is not graded
CONTROLS = {*GRADED, "combo box", "page tab", "spin button", "toggle button", "slider",
            "list item", "table cell", "menu item", "link", "table column header"}  # fmt: skip
IOU = 0.5
SCREEN = (1280, 800)


@dataclass
class Truth:
    role: str
    name: str
    box: Box
    checked: bool | None


@dataclass
class Score:
    """Per role: how many the tree has and how many were found right; false elements."""

    wanted: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    state_right: Counter[str] = field(default_factory=Counter)
    elements: int = 0
    false: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.wanted += other.wanted
        self.found += other.found
        self.state_right += other.state_right
        self.elements += other.elements
        self.false += other.false
        self.misses += other.misses

    def share(self, role: str, with_state: bool = False) -> float:
        right = self.state_right if with_state else self.found
        return right[role] / self.wanted[role] if self.wanted[role] else 1.0

    @property
    def false_share(self) -> float:
        return self.false / self.elements if self.elements else 0.0


def truths(nodes: list[dict]) -> tuple[list[Truth], list[Box]]:
    """The graded controls that show, and the boxes of every control."""
    graded, boxes = [], []
    for node in nodes:
        box = node["box"]
        if not box or box[2] <= 0 or box[3] <= 0 or "showing" not in node["states"]:
            continue
        if box[0] < 0 or box[1] < 0 or box[0] + box[2] > SCREEN[0] or box[1] + box[3] > SCREEN[1]:
            continue  # not wholly on the screen: nothing to see
        b = Box(box[0], box[1], box[0] + box[2] - 1, box[1] + box[3] - 1)
        if node["role"] in CONTROLS:
            boxes.append(b)
        if node["role"] in GRADED:
            checked = "checked" in node["states"] if "checkable" in node["states"] else None
            graded.append(Truth(GRADED[node["role"]], node["name"], b, checked))
    return graded, boxes


def iou(a: Box, b: Box) -> float:
    w = min(a.right, b.right) - max(a.left, b.left) + 1
    h = min(a.bottom, b.bottom) - max(a.top, b.top) + 1
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h

    def area(x: Box) -> float:
        return (x.right - x.left + 1) * (x.bottom - x.top + 1)

    return inter / (area(a) + area(b) - inter)


def fit(box: Box, truth: Truth) -> float:
    """How well ``box`` covers ``truth``: their IoU; for a checkbox or radio button, or a text
    field, also the share of ``box`` inside it (toolkits stretch such a widget across the
    free width of its row, beyond what is drawn)."""
    if truth.role == "button":
        return iou(box, truth.box)
    inside = iou(
        box,
        Box(
            max(box.left, truth.box.left),
            max(box.top, truth.box.top),
            min(box.right, truth.box.right),
            min(box.bottom, truth.box.bottom),
        ),
    )
    return max(iou(box, truth.box), inside if inside > 0.9 else 0.0)


def grade(elements: list[Element], nodes: list[dict], name: str = "") -> Score:
    score = Score()
    graded, controls = truths(nodes)
    for truth in graded:
        score.wanted[truth.role] += 1
        match = max(
            (e for e in elements if e.role == truth.role),
            key=lambda e: fit(e.box, truth),
            default=None,
        )
        if match is not None and fit(match.box, truth) >= IOU:
            score.found[truth.role] += 1
            if truth.checked is None or match.checked == truth.checked:
                score.state_right[truth.role] += 1
            else:
                score.misses.append(f"{name}: {truth.role} {truth.name!r} checked={truth.checked}")
        else:
            score.misses.append(f"{name}: {truth.role} {truth.name!r} not found")
    for e in elements:
        if e.role not in CONTROL_ROLES:
            continue
        score.elements += 1
        cx, cy = e.centre
        if not any(b.left <= cx <= b.right and b.top <= cy <= b.bottom for b in controls):
            score.false += 1
            score.misses.append(f"{name}: false {e.role} {e.name!r} at {e.centre}")
    return score


def recognise(png: Path, reader: TextReader) -> list[Element]:
    """The elements of one screenshot, read afresh (nothing kept of the one before)."""
    reader.forget()
    image = Image.open(png).convert("RGB")
    return find_elements(image, reader.lines(image))


def grade_files(files: list[Path], reader: TextReader) -> dict[str, Score]:
    """Scores of the windows among ``files``, by their split (see ``programs``)."""
    split = {p.name: p.split for p in programs()}
    scores = {"fitted": Score(), "looked": Score(), "held": Score()}
    for path in files:
        shot = json.loads(path.read_text())
        elements = recognise(path.with_suffix(".png"), reader)
        scores[split[shot["name"]]].add(grade(elements, shot["nodes"], shot["name"]))
    return scores
