"""Putting OCR lines in reading order: blocks, columns, rows."""

from __future__ import annotations

from dataclasses import dataclass, field

ICON_HEIGHT = 1.6  # times the usual line height: taller single letters are icons


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def union(self, other: Box) -> Box:
        return Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )


@dataclass(frozen=True)
class TextLine:
    text: str
    box: Box
    confidence: float


@dataclass
class TextBlock:
    lines: list[TextLine] = field(default_factory=list)

    @property
    def box(self) -> Box:
        box = self.lines[0].box
        for line in self.lines[1:]:
            box = box.union(line.box)
        return box

    @property
    def text(self) -> str:
        """Rows joined by line breaks, each row's pieces by spaces."""
        return "\n".join(" ".join(line.text for line in row) for row in rows(self.lines))


def clean_lines(
    lines: list[TextLine], min_confidence: float = 0.5, typical_height: float = 0.0
) -> list[TextLine]:
    """Drop low-confidence, empty and duplicate lines (the same text at nearly the same place),
    and icons read as a letter (see ``icon_like``; ``typical_height``: the image's usual line
    height, 0 where unknown)."""
    kept: list[TextLine] = []
    for line in sorted(lines, key=lambda ln: -ln.confidence):
        text = " ".join(line.text.split())
        if line.confidence < _needed_confidence(text, min_confidence):
            continue
        if icon_like(text, line.box, typical_height):
            continue
        if any(k.text == text and _overlap(k.box, line.box) > 0.5 for k in kept):
            continue
        kept.append(TextLine(text, line.box, line.confidence))
    return kept


def icon_like(text: str, box: Box, typical_height: float) -> bool:
    """A letter or two in a squarish box much taller than the image's lines: a message box's
    warning triangle read as "A", a round icon as "O" — a picture, not text."""
    letters = sum(ch.isalnum() for ch in text)
    width = box.right - box.left
    return (
        typical_height > 0
        and letters <= 2
        and box.height >= ICON_HEIGHT * typical_height
        and 0.6 * box.height <= width <= 1.6 * box.height
    )


def _needed_confidence(text: str, base: float) -> float:
    """Short readings are where OCR hallucinates on pictures ("O" for a sun): ask more of them
    (a little more where the model tells fewer characters apart, as the alphabets-only one
    does: a coffee cup's rim read as "8" scored 0.943 among every script, 0.972 among the
    alphabets)."""
    letters = sum(ch.isalnum() for ch in text)
    if letters == 0:
        return 2.0  # never
    if letters == 1:
        return max(base, 0.98)
    if letters <= 3:
        return max(base, 0.85)
    return base


def rows(lines: list[TextLine]) -> list[list[TextLine]]:
    """Lines sharing a baseline band, top to bottom, each row left to right. Lines of small
    text found with room around them overlap the next row's band; one above another is never
    the same row."""
    result: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.box.top + ln.box.bottom) / 2):
        centre = (line.box.top + line.box.bottom) / 2
        if result:
            last = result[-1]
            top = min(ln.box.top for ln in last)
            bottom = max(ln.box.bottom for ln in last)
            beside = all(_side_by_side(ln.box, line.box) for ln in last)
            if top <= centre <= bottom and beside:  # lines of one row never stack
                last.append(line)
                continue
        result.append([line])
    return [sorted(row, key=lambda ln: ln.box.left) for row in result]


def _side_by_side(a: Box, b: Box) -> bool:
    """Whether two lines overlap across by less than half the narrower (room around words)."""
    across = min(a.right, b.right) - max(a.left, b.left)
    return across < 0.5 * min(a.right - a.left, b.right - b.left)


def group_blocks(lines: list[TextLine]) -> list[TextBlock]:
    """Join lines into blocks: vertically close (gap under one line height) and horizontally
    overlapping, or on the same row and close (gap under two line heights)."""
    parent = list(range(len(lines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(lines):
        for j in range(i + 1, len(lines)):
            if _near(a.box, lines[j].box):
                parent[find(i)] = find(j)
    groups: dict[int, TextBlock] = {}
    for i, line in enumerate(lines):
        groups.setdefault(find(i), TextBlock()).lines.append(line)
    return list(groups.values())


def reading_order(blocks: list[TextBlock]) -> list[TextBlock]:
    """Recursive XY-cut: split along the axis with the widest clear gap — rows top to bottom,
    or columns left to right — then order each part the same way."""
    if len(blocks) <= 1:
        return blocks
    cuts = [_cut(blocks, axis) for axis in ("y", "x")]
    parts, _ = max(cuts, key=lambda cut: cut[1])
    if len(parts) > 1:
        return [b for part in parts for b in reading_order(part)]
    return sorted(blocks, key=lambda b: (b.box.top, b.box.left))


def _cut(blocks: list[TextBlock], axis: str) -> tuple[list[list[TextBlock]], float]:
    """Blocks split wherever nothing crosses a band along ``axis``, and the widest such gap."""

    def span(b: TextBlock) -> tuple[float, float]:
        box = b.box
        return (box.top, box.bottom) if axis == "y" else (box.left, box.right)

    ordered = sorted(blocks, key=lambda b: span(b)[0])
    parts: list[list[TextBlock]] = [[ordered[0]]]
    reach, widest = span(ordered[0])[1], 0.0
    for block in ordered[1:]:
        start, end = span(block)
        if start > reach:
            parts.append([block])
            widest = max(widest, start - reach)
        else:
            parts[-1].append(block)
        reach = max(reach, end)
    return parts, widest


def _near(a: Box, b: Box) -> bool:
    h = max(min(a.height, b.height), 1.0)
    vertical_gap = max(a.top, b.top) - min(a.bottom, b.bottom)
    horizontal_gap = max(a.left, b.left) - min(a.right, b.right)
    stacked = vertical_gap < 1.0 * h and horizontal_gap < 0
    same_row = vertical_gap < -0.5 * h and horizontal_gap < 2.0 * h
    return stacked or same_row


def _overlap(a: Box, b: Box) -> float:
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a.right - a.left) * a.height, (b.right - b.left) * b.height)
    return w * h / max(smaller, 1e-6)


@dataclass(frozen=True)
class ReadFirst:
    """Where reading starts, in the image's pixels: the block under ``point`` (the mouse),
    then the blocks inside ``area`` (the active window, on a screen), then the rest — each
    part in reading order."""

    point: tuple[float, float] | None = None
    area: Box | None = None
    windows: tuple[Box, ...] = ()  # the windows on a screen, top one first: read one by one

    def arrange(self, lines: list[TextLine]) -> list[TextBlock]:
        """``lines`` in blocks, in the order they are read: window by window (a line belongs
        to the top window holding its middle; windows by their place, top to bottom and left
        to right), then the rest, each in reading order — then ``order``."""
        parts: list[list[TextLine]] = [[] for _ in range(len(self.windows) + 1)]
        for line in lines:
            middle = ((line.box.left + line.box.right) / 2, (line.box.top + line.box.bottom) / 2)
            found = next((i for i, w in enumerate(self.windows) if _contains(w, middle)), -1)
            parts[found].append(line)
        places = [*self.windows, Box(0, 0, 0, 0)]
        ranked = sorted(
            range(len(parts)), key=lambda i: (i == len(self.windows), _place(places[i]))
        )
        blocks = [b for i in ranked if parts[i] for b in reading_order(group_blocks(parts[i]))]
        return self.order(blocks)

    def order(self, blocks: list[TextBlock]) -> list[TextBlock]:
        under = [b for b in blocks if self.point is not None and _contains(b.box, self.point)]
        inside = [b for b in blocks if self.area is not None and _overlap(b.box, self.area) > 0.5]
        first = under[:1] + [b for b in inside if b not in under[:1]]
        return first + [b for b in blocks if b not in first]


def _place(box: Box) -> tuple[float, float]:
    """Where a window is, for reading windows in order: by rows of windows, then across."""
    return (round(box.top / 200), box.left)


def _contains(box: Box, point: tuple[float, float]) -> bool:
    return box.left <= point[0] <= box.right and box.top <= point[1] <= box.bottom
