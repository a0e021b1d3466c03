"""Controls found in pixels: push buttons, text fields, checkboxes and radio buttons, from the
frames a screen's edges draw and the text lines read around them (``find_elements``). What
the accessibility tree would say of a program that says nothing: a role, a name, a state, a
box, and how sure the guess is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

import numpy as np
from PIL import Image

from vocalens.core.describing.layout import Box, TextLine
from vocalens.core.describing.outlines import edges, outlines, thickened

Role = Literal["button", "text field", "checkbox", "radio button", "text"]
CONTROL_ROLES: tuple[Role, ...] = ("button", "text field", "checkbox", "radio button")

EDGE_LOW, EDGE_HIGH = 12, 36  # Canny's thresholds: a dark theme's borders are faint
SIDE_COVER = 0.8  # the share of each side of a frame that must be drawn
CIRCLE_FILL = 0.825  # an outline enclosing less of its square box than this is round
PAINTED = 5.0  # how far an indicator's inside is from the ground around it (grey levels)
MARK_APART = 40.0  # how far the middle of a box with a dot in it is from the rest inside
MARK_SPREAD = 22.0  # the spread of grey levels inside a box that has a mark (a tick, a dot)
MARKS = "Oo0©®◎⊙●○•∇✓√vV口□■☐☑☒"  # what an indicator's mark is read as
NEAR_SPELLING = (
    0.8  # how alike a name and the words asked for must be where neither holds the other
)
GAP = 1.0  # the most space between an indicator and its label, in indicator sides
LETTER = 0.3  # an indicator smaller than this share of its label's line is a letter


@dataclass(frozen=True)
class Element:
    role: Role
    name: str  # its text, or the label beside it ("" where none is seen)
    box: Box  # in the image's pixels
    confidence: float
    checked: bool | None = None  # checkboxes and radio buttons
    value: str = ""  # what a text field holds ("" when it is empty)

    @property
    def state(self) -> str:
        """What it shows: "checked", "not checked", "empty", or "" (nothing to say)."""
        if self.checked is not None:
            return "checked" if self.checked else "not checked"
        return "empty" if self.role == "text field" and not self.value else ""

    def to_dict(self) -> dict[str, object]:
        """The JSON form: the box as left, top, width, height."""
        left, top = round(self.box.left), round(self.box.top)
        width, height = round(self.box.right) - left + 1, round(self.box.bottom) - top + 1
        return {
            "role": self.role,
            "name": self.name,
            "state": self.state,
            "value": self.value,
            "box": [left, top, width, height],
            "confidence": round(self.confidence, 2),
        }

    @property
    def centre(self) -> tuple[int, int]:
        return round((self.box.left + self.box.right) / 2), round(
            (self.box.top + self.box.bottom) / 2
        )

    def moved(self, dx: float, dy: float) -> Element:
        """The same element with its box moved (from an image's pixels to the screen's)."""
        box = Box(self.box.left + dx, self.box.top + dy, self.box.right + dx, self.box.bottom + dy)
        return Element(self.role, self.name, box, self.confidence, self.checked, self.value)


def find_elements(image: Image.Image, lines: Sequence[TextLine]) -> list[Element]:
    """The controls in ``image`` and the text beside them (role "text": the lines that name
    no control), in reading order; ``lines``: its text lines, with boxes."""
    grey = np.asarray(image.convert("L"))
    if grey.shape[0] < 8 or grey.shape[1] < 8:
        return []
    frames = _frames(edges(grey, EDGE_LOW, EDGE_HIGH))
    height = _usual_height(lines)
    found: list[Element] = []
    used: set[int] = set()  # lines that name an element already
    for frame, round_ in frames:
        if _indicator(frame, height):
            element = _toggle(frame, round_, grey, lines, used)
            if element is not None:
                found.append(element)
    for frame, _ in frames:
        if not _indicator(frame, height):
            element = _framed(frame, grey, lines, height, used)
            if element is not None:
                found.append(element)
    found = _without_nested(found)
    named = {i for i, line in enumerate(lines) if any(_within(line.box, e.box) for e in found)}
    found += [
        Element("text", line.text, line.box, line.confidence)
        for i, line in enumerate(lines)
        if i not in used and i not in named
    ]
    return _reading_order(found, height)


def _frames(edge: np.ndarray) -> list[tuple[Box, bool]]:
    """Rectangles (or circles) outlined by the edges: each with whether it is round, the
    outermost of nested near-copies (the two edges of one border) kept."""
    near = thickened(edge)  # corners a pixel apart joined
    out: list[tuple[Box, bool]] = []
    for x, y, w, h, area in outlines(near):
        if w < 9 or h < 9 or h > 160 or w > 1200:
            continue
        box = Box(x, y, x + w - 1, y + h - 1)
        round_ = _round(near, box, area / (w * h))
        box = Box(x + 1, y + 1, x + w - 2, y + h - 2)  # the thickening taken off again
        if round_ is None and w <= 48 and h <= 48:
            box, round_ = _marked_square(near, box)
        if round_ is not None:
            out.append((box, round_))
    out.sort(key=lambda f: -_area(f[0]))
    kept: list[tuple[Box, bool]] = []
    for frame in out:
        if not any(_same(frame[0], k[0]) for k in kept):
            kept.append(frame)
    return kept


def _round(near: np.ndarray, box: Box, fill: float) -> bool | None:
    """Whether the outline along ``box`` is a circle (True) or a rectangle (False); None when
    its sides are not drawn. ``fill``: the share of the box the outline encloses (a circle's
    is π/4). A rectangle's sides are drawn along their whole length (rounded corners aside);
    a circle touches each side of its box only in the middle."""
    left, top, right, bottom = int(box.left), int(box.top), int(box.right), int(box.bottom)
    w, h = right - left + 1, bottom - top + 1
    cut_x = cut_y = max(3, min(w, h) // 4)  # rounded corners left out
    across, down = slice(left + cut_x, right - cut_x + 1), slice(top + cut_y, bottom - cut_y + 1)
    bands = (  # each side the outermost line or the two inside it (a bevel's corner sticks out)
        near[top : top + 3, across],
        near[bottom - 2 : bottom + 1, across],
        near[down, left : left + 3].T,
        near[down, right - 2 : right + 1].T,
    )
    sides = [np.asarray(band.any(axis=0)) for band in bands]
    if min(side.size for side in sides) == 0:  # too small to have sides beside its corners
        return None
    middles = all(s[len(s) // 2 - 1 : len(s) // 2 + 2].any() for s in sides)
    corners = int(near[[top + 1, top + 1, bottom - 1, bottom - 1], [left + 1, right - 1] * 2].sum())
    if abs(w - h) <= 2 and w <= 40 and 0.6 <= fill <= CIRCLE_FILL and middles and corners <= 1:
        return True
    if min(float(s.mean()) for s in sides) >= SIDE_COVER:
        return False
    return None


def _marked_square(near: np.ndarray, box: Box) -> tuple[Box, bool | None]:
    """A checkbox whose tick runs over its frame: the square in the outline's bottom left
    corner, its side as long as its left edge's run (the tick leaves top and right)."""
    left, bottom = int(box.left), int(box.bottom)
    column = near[int(box.top) : bottom + 1, left][::-1]
    row = near[bottom, left : int(box.right) + 1]
    up = int(np.argmin(column)) if not column.all() else len(column)
    along = int(np.argmin(row)) if not row.all() else len(row)
    if up < 9 or abs(up - along) > 3:
        return box, None
    square = Box(left, bottom - up + 1, left + along - 1, bottom)
    return square, _round(near, square, 1.0)


def _indicator(box: Box, height: float) -> bool:
    """A small square or circle: the box of a checkbox or radio button."""
    w, h = box.right - box.left + 1, box.bottom - box.top + 1
    return abs(w - h) <= 3 and 9 <= h <= max(28.0, 1.2 * height)


def _toggle(
    box: Box, round_: bool, grey: np.ndarray, lines: Sequence[TextLine], used: set[int]
) -> Element | None:
    """A checkbox or radio button: an indicator with its label just right of it (the text
    reader's box of the label often takes the indicator in; a letter read from the mark is
    dropped)."""
    side = box.bottom - box.top + 1
    middle = (box.top + box.bottom) / 2
    if not _gap_after(grey, box) or not _filled(grey, box):
        return None  # a letter of a word: more letters follow at once, or its inside is ground
    best, gap = None, GAP * side
    for i, line in enumerate(lines):
        away = line.box.left - box.right
        lined_up = abs((line.box.top + line.box.bottom) / 2 - middle) <= 0.5 * side
        starts_here = box.left - side <= line.box.left and line.box.right > box.right + side
        if starts_here and away <= gap and lined_up and i not in used:
            best, gap = i, away
    if best is None or side < LETTER * lines[best].box.height:
        return None  # none, or a letter: an indicator is about as tall as its label's letters
    used.add(best)
    label = lines[best]
    words = label.text.split()
    if label.box.left <= box.left + side / 2 and words:  # the line took the mark in
        first = words[0]
        if len(words) > 1 and len(first) == 1:
            words = words[1:]  # read as a letter of its own
        elif (
            len(first) > 1 and first[0] in MARKS and (not first[0].isalnum() or first[1].isupper())
        ):
            words[0] = first[1:]  # or glued to the first word ("OLeft")
    role: Role = "radio button" if round_ else "checkbox"
    checked = _marked(grey, box)
    whole = Box(box.left, box.top - 1, label.box.right, box.bottom + 1)
    return Element(role, " ".join(words), whole, 0.85, checked=checked)


def _marked(grey: np.ndarray, box: Box) -> bool:
    """Whether an indicator shows a mark (a tick, a dot, a fill): its middle differs from the
    rest of its inside, or is not flat."""
    side = box.bottom - box.top + 1

    def inside(share: float) -> np.ndarray:
        inset = max(2, round(side * share))
        return grey[
            int(box.top) + inset : int(box.bottom) - inset + 1,
            int(box.left) + inset : int(box.right) - inset + 1,
        ]

    ring, middle = inside(0.2), inside(0.35)
    if ring.size == 0 or middle.size == 0:
        return False
    apart = abs(float(middle.mean()) - float(np.median(ring)))
    return apart >= MARK_APART or float(middle.std()) >= MARK_SPREAD


def _filled(grey: np.ndarray, box: Box) -> bool:
    """An indicator's inside is painted (white on grey, a fill when checked); a letter's is
    the ground around it. Its paint is read around the middle, where a mark is not."""
    left, top, right, bottom = int(box.left), int(box.top), int(box.right), int(box.bottom)
    side = bottom - top + 1
    outer, inner = max(2, round(side * 0.2)), max(3, round(side * 0.35))
    inside = grey[top + outer : bottom - outer + 1, left + outer : right - outer + 1]
    if inside.size == 0:
        return False
    ring = np.ones(inside.shape, dtype=bool)
    ring[
        inner - outer : inside.shape[0] - (inner - outer),
        inner - outer : inside.shape[1] - (inner - outer),
    ] = False
    above, below = max(top - 2, 0), min(bottom + 2, grey.shape[0] - 1)
    around = np.concatenate([grey[above, left : right + 1], grey[below, left : right + 1]])
    paint = inside[ring] if ring.any() else inside.ravel()
    return abs(float(np.median(paint)) - float(np.median(around))) >= PAINTED


def _gap_after(grey: np.ndarray, box: Box) -> bool:
    """Nothing drawn just right of ``box`` (an indicator stands apart from its label)."""
    side = box.bottom - box.top + 1
    top, bottom = int(box.top + side * 0.5), int(box.bottom - side * 0.2) + 1
    left = int(box.right) + 1
    strip = grey[top:bottom, left : left + 2]
    return strip.size > 0 and int(strip.max()) - int(strip.min()) < 40


def _framed(
    box: Box, grey: np.ndarray, lines: Sequence[TextLine], height: float, used: set[int]
) -> Element | None:
    """A push button (a short label in the middle of a frame) or a text field (a frame
    holding nothing, or text from its left edge); None for anything else framed."""
    h, w = box.bottom - box.top + 1, box.right - box.left + 1
    unit = height or 14.0
    if not (0.7 * unit <= h <= 2.6 * unit) or w < 1.4 * h:
        return None
    inside = [i for i, line in enumerate(lines) if _within(line.box, box)]
    if len({round(lines[i].box.top / unit) for i in inside}) > 1:
        return None  # several rows: a group or a panel, not a control
    if not inside:
        if w < 3 * h:  # a picture in a frame: a button showing an icon
            return None if _flat(grey, box) else Element("button", "", box, 0.5)
        if not _flat(grey, box):
            return None
        label = _label_of(box, lines, unit, used)
        return Element("text field", label, box, 0.7)
    words = " ".join(lines[i].text for i in sorted(inside, key=lambda i: lines[i].box.left))
    spanned = lines[inside[0]].box
    for i in inside[1:]:
        spanned = spanned.union(lines[i].box)
    centre_off = abs((spanned.left + spanned.right) / 2 - (box.left + box.right) / 2)
    from_left = spanned.left - box.left
    centred = centre_off <= 0.12 * w + 2 and (from_left > 0.2 * h or w < 4 * h)
    if centred and len(words.split()) <= 5:
        used.update(inside)
        return Element("button", words, box, 0.9)
    if from_left <= 1.2 * h and w >= 3 * h:
        used.update(inside)
        label = _label_of(box, lines, unit, used)
        return Element("text field", label, box, 0.75, value=words)
    return None


def _label_of(box: Box, lines: Sequence[TextLine], unit: float, used: set[int]) -> str:
    """The text that names a field: the nearest line ending left of it on its row, or
    starting near its left edge just above it."""
    middle = (box.top + box.bottom) / 2
    best, score = None, float("inf")
    for i, line in enumerate(lines):
        if i in used:
            continue
        lb = line.box
        if lb.top <= middle <= lb.bottom and lb.right <= box.left + 2:
            away = box.left - lb.right
            if away <= 12 * unit and away < score:
                best, score = i, away
        elif 0 <= box.top - lb.bottom <= 1.2 * unit and abs(lb.left - box.left) <= 1.5 * unit:
            away = box.top - lb.bottom
            if away < score:
                best, score = i, away
    if best is None:
        return ""
    used.add(best)
    return lines[best].text.rstrip(" :：")


def _flat(grey: np.ndarray, box: Box) -> bool:
    """Nothing drawn inside a frame (a text caret at most)."""
    inside = grey[int(box.top) + 3 : int(box.bottom) - 2, int(box.left) + 3 : int(box.right) - 2]
    return inside.size > 0 and float(np.percentile(inside, 95) - np.percentile(inside, 5)) < 30


def _within(inner: Box, outer: Box) -> bool:
    cx, cy = (inner.left + inner.right) / 2, (inner.top + inner.bottom) / 2
    return (
        outer.left <= cx <= outer.right
        and outer.top <= cy <= outer.bottom
        and (inner.right - inner.left <= outer.right - outer.left + 4)
    )


def _usual_height(lines: Sequence[TextLine]) -> float:
    heights = sorted(line.box.height for line in lines)
    return float(heights[len(heights) // 4]) if heights else 0.0


def _area(box: Box) -> float:
    return (box.right - box.left + 1) * (box.bottom - box.top + 1)


def _same(a: Box, b: Box, slack: float = 4) -> bool:
    return all(
        abs(x - y) <= slack
        for x, y in zip(
            (a.left, a.top, a.right, a.bottom), (b.left, b.top, b.right, b.bottom), strict=True
        )
    )


def _without_nested(found: list[Element]) -> list[Element]:
    """A frame around two or more controls is a group, not a control; an element inside
    another one is a part of it (a field's frame inside a combo box)."""
    groups = {id(e) for e in found if sum(o is not e and _within(o.box, e.box) for o in found) >= 2}
    kept = [e for e in found if id(e) not in groups]
    return [
        e
        for e in kept
        if not any(
            o is not e
            and _area(o.box) > _area(e.box)
            and o.role in ("button", "text field")
            and _within(e.box, o.box)
            for o in kept
        )
    ]


def _reading_order(found: list[Element], height: float) -> list[Element]:
    row = max(height, 8.0)
    return sorted(found, key=lambda e: (round((e.box.top + e.box.bottom) / 2 / row), e.box.left))


def matching(elements: Sequence[Element], words: str) -> list[Element]:
    """The elements whose name (or text) ``words`` names best: a whole name before its start,
    its start before a part, a near spelling (the text reader's slips) last; controls before
    plain text. More than one when several are equally good."""
    wanted = _words(words)
    if not wanted:
        return []
    scored = []
    for e in elements:
        have = _words(e.name or e.value)
        if not have:
            continue
        if have == wanted:
            score = 4.0
        elif have.startswith(wanted):
            score = 3.0
        elif wanted in have:
            score = 2.0
        else:
            ratio = SequenceMatcher(None, have, wanted).ratio()
            score = ratio if ratio >= NEAR_SPELLING else 0.0
        if score:
            scored.append((score + (0.5 if e.role in CONTROL_ROLES else 0.0), e))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    return [e for score, e in scored if score == best]


def _words(text: str) -> str:
    return " ".join("".join(ch for ch in text.casefold() if ch.isalnum() or ch.isspace()).split())
