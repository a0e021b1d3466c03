"""What kind of image it is: photo, screen, document, chart, icon or blank.

Decided from signals that need no download — the colours and flatness of the pixels, and the
layout of the text that OCR found — by a small written rule (``decide``), so that a chart is
called a chart and a page of text is read as text instead of being captioned with confidence.
When the caption model's CLIP tower is there, its zero-shot vote (``ZeroShot``) may settle
the cases the pixels leave open; the signals alone never need it.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageStat

from vocalens.core.describing import kind_forest
from vocalens.core.describing.parts import Kind
from vocalens.core.images import long_and_thin
from vocalens.core.words import N_

if TYPE_CHECKING:
    from vocalens.core.describing.layout import TextBlock, TextLine

SIDE = 320  # the signals are measured on a copy this size at most (a few milliseconds)
NUMBER = re.compile(r"^[\d.,:%$€£+\-/ ]+$")


@dataclass(frozen=True)
class Signals:
    """What the pixels and the text say, each in 0..1 unless named otherwise."""

    flat: float  # pixels equal to their right and lower neighbours: drawn, not photographed
    background: float  # the commonest colour's share (paper, a window's face)
    colours: int  # colours holding at least 0.2 % of the pixels (4 bits a channel)
    saturated: float  # strongly coloured pixels among the flat ones (charts, logos)
    grey: bool  # no colour at all
    edges: float  # pixels on a strong edge
    text_cover: float  # the share of the image inside text lines
    words: int
    lines: int
    numeric: float  # text lines that are numbers alone (axis ticks, prices)
    aligned: float  # text lines that start where another starts (columns of prose)
    flat_colours: int  # colours of the flat pixels holding at least 1 % of the image
    axes: bool  # a long dark horizontal and vertical line on a light ground (a chart's axes)
    short_side: int  # pixels
    thin: bool = False  # a strip or a long page (a status bar, a banner): never an icon
    dark: bool = False  # a dark ground (a dark theme, a terminal): its marks are light
    margin: float = 0.0  # how far from the left edge the text starts, in widths (a page's margin)
    letters: float = 0.0  # words that are plain words of letters (prose), not codes or numbers
    tall: float = 1.0  # height over width (a page stands: 1.3–1.4; a screen lies: 0.56–0.8)
    ring: float = 0.0  # the edge's pixels in the commonest colour (an icon or chart on its ground)


def measure(image: Image.Image, blocks: list[TextBlock] | None = None) -> Signals:
    """The signals of an RGB image and the text blocks found in it (none: no text)."""
    image = image if image.mode == "RGB" else image.convert("RGB")
    width, height = image.size
    factor = max(width, height) // (2 * SIDE)
    if factor >= 2:  # a big screen: halve and quarter it cheaply first (flat stays flat)
        image = image.reduce(factor)
    size = _fit(image.size)
    rgb = np.asarray(image.resize(size, Image.Resampling.NEAREST), dtype=np.int32)  # flat stays
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    packed = (r << 16) | (g << 8) | b
    box = np.asarray(image.convert("L").resize(size, Image.Resampling.BOX), dtype=np.int16)
    corner = packed[:-1, :-1]
    flat_mask = (packed[:-1, 1:] == corner) & (packed[1:, :-1] == corner)
    grey_levels = r + g + b
    step = np.abs(np.diff(grey_levels, axis=1))[:-1] + np.abs(np.diff(grey_levels, axis=0))[:, :-1]
    codes = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4)
    counts = np.bincount(codes.ravel(), minlength=4096)
    spread = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    flat_spread = spread[:-1, :-1][flat_mask]
    flat_counts = np.bincount(codes[:-1, :-1][flat_mask], minlength=4096)
    lines = [ln for b in blocks or [] for ln in b.lines]
    area = sum((ln.box.right - ln.box.left) * ln.box.height for ln in lines)
    return Signals(
        flat=float(flat_mask.mean()),
        background=float(counts.max() / codes.size),
        colours=int((counts >= 0.002 * codes.size).sum()),
        saturated=float((flat_spread > 80).mean()) if flat_spread.size else 0.0,
        grey=bool(spread.max() <= 12),
        edges=float((step > 180).mean()),  # 60 levels a channel
        text_cover=min(1.0, area / max(width * height, 1)),
        words=sum(len(ln.text.split()) for ln in lines),
        lines=len(lines),
        numeric=sum(bool(NUMBER.match(ln.text)) for ln in lines) / max(len(lines), 1),
        aligned=_aligned(lines),
        flat_colours=int((flat_counts >= 0.01 * codes.size).sum()),
        axes=_axes(box),
        short_side=min(width, height),
        thin=long_and_thin((width, height)),
        dark=_dark(box),
        margin=min((ln.box.left for ln in lines), default=0.0) / max(width, 1),
        letters=_plain_words(lines),
        tall=height / max(width, 1),
        ring=_ring(codes, int(counts.argmax())),
    )


def _ring(codes: np.ndarray, ground: int) -> float:
    """The share of the outermost two pixels on every side that are the commonest colour."""
    if min(codes.shape) < 6:
        return 0.0
    edge = np.concatenate(
        [codes[:2].ravel(), codes[-2:].ravel(), codes[2:-2, :2].ravel(), codes[2:-2, -2:].ravel()]
    )
    return float((edge == ground).mean())


def _fit(size: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, SIDE / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _aligned(lines: list[TextLine]) -> float:
    """The share of lines whose left edge lines up (within half a line height) with another's."""
    if len(lines) < 3:
        return 0.0
    lefts = np.array([ln.box.left for ln in lines])
    tolerance = np.array([max(ln.box.height, 1.0) / 2 for ln in lines])
    close = np.abs(lefts[:, None] - lefts[None, :]) <= tolerance[:, None]
    return float(((close.sum(axis=1) - 1) >= 2).mean())


WORD = re.compile(r"^[^\W\d_]{2,}[.,;:!?)]?$")  # letters only, perhaps a stop after them


def _plain_words(lines: list[TextLine]) -> float:
    words = [w for ln in lines for w in ln.text.split()]
    return sum(bool(WORD.match(w)) for w in words) / max(len(words), 1)


def _dark(grey: np.ndarray) -> bool:
    return bool(np.median(grey) < 96)


def _axes(grey: np.ndarray) -> bool:
    """A thin dark line across at least half the width and one down half the height, on a
    light ground (light lines on a dark one): a chart's axes (a box-filtered copy keeps thin
    lines as darker streaks)."""
    if min(grey.shape) < 8:
        return False
    if _dark(grey):
        grey = 255 - grey
    ground = int(np.median(grey))
    if ground < 160:
        return False
    dark = grey < ground - 60
    pad = np.zeros_like(dark)
    # dark here and light two pixels to one side: the edge of a line, not inside a shape
    across = dark & (~np.vstack([pad[:2], dark[:-2]]) | ~np.vstack([dark[2:], pad[:2]]))
    down = dark & (~np.hstack([pad[:, :2], dark[:, :-2]]) | ~np.hstack([dark[:, 2:], pad[:, :2]]))
    return bool(across.mean(axis=1).max() >= 0.5 and down.mean(axis=0).max() >= 0.5)


KINDS: tuple[Kind, ...] = typing.get_args(Kind)
DRAWN = 0.3  # at least this share of flat pixels: drawn by a computer, not photographed
TINY = 64  # pixels: an image this small without text is an icon
ROOM = 120  # pixels: the least a chart needs (a message box's strip has axes-like borders)
CHART_LINES = 40  # text lines a chart holds at most (a calculator's keys are a window)
PAGE_MARGIN = 0.03  # a page's text starts this far in (a terminal's or a list's at the edge)
PAGE_WORDS = 3  # fewer words than this, all numbers, on a photo: a stray reading, not a page


def decide(s: Signals, source: str = "file") -> tuple[Kind, float]:
    """The kind and how sure VocaLens is of it, from the signals alone: the forest's vote
    (``kind_forest``), which weighs the written rule's answer with the signals, or the rule
    alone where the forest is missing. ``source``: where the image came from — a whole screen
    or window is never an icon. Sureness is the share of the forest's trees that agree (it
    was fitted on files: a window it takes for an icon is left to the rule)."""
    forest = kind_forest.shipped()
    if forest is None:
        return written_rule(s, source)
    votes = forest.vote(s, written_rule(s))  # the rule's answer for a file, as it was fitted
    best = max(votes, key=votes.__getitem__)
    if best == "icon" and source in ("screen", "window"):
        return written_rule(s, source)  # a bare window: the rule knows it is no icon
    return typing.cast("Kind", best), votes[best]


def written_rule(s: Signals, source: str = "file") -> tuple[Kind, float]:
    """The kind and how sure the rule is of it (0.5–1), from the signals alone. ``source``:
    where the image came from — a whole screen or window is never an icon.

    The rule, in order (thresholds set on ``tests/kind_set.py``'s images, see its docs):
    photographs are textured, so few of their pixels equal their neighbours; among them,
    one mostly covered by text (not a stray number or two) is a page (a scan or a photo of
    one). Drawn images with no
    text are icons or logos; thin dark axes with numbers, or large strong colours with little
    text, make a chart; a page of prose on one plain ground is a document; the rest is a
    screen (windows, dialogs, lists, terminals)."""
    sure = min(1.0, 0.5 + abs(s.flat - DRAWN) * 1.5)  # far from the line: surer
    if s.short_side <= TINY and not s.thin and s.lines <= 1:
        return "icon", 0.7  # a toolbar's or a menu's picture, shaded or not
    if s.flat < DRAWN:
        if s.text_cover >= 0.15 and (s.words >= PAGE_WORDS or s.numeric < 0.5):
            return "document", min(sure, 0.5 + s.text_cover)
        return "photo", sure
    if (
        s.lines <= 1
        and not s.thin
        and (source in ("file", "clipboard", "region", "object") or s.short_side <= 128)
    ):
        big = s.short_side > 128  # a large drawing with no text may be a chart: not sure
        return "icon", min(sure, 0.6 if s.short_side > 600 else 0.75 if big else 0.9)
    roomy = s.short_side >= ROOM and s.lines <= CHART_LINES  # a chart: room, and little text
    if roomy and s.axes and (s.numeric >= 0.15 or s.lines <= 25):
        return "chart", 0.9 if s.numeric >= 0.15 else 0.7
    if roomy and s.numeric >= 0.6 and s.lines >= 5 and s.text_cover < 0.3:
        return "chart", 0.7  # axis numbers without axis lines (white grids on grey)
    drawing = s.edges >= 0.75 * s.text_cover and s.text_cover < 0.15 and s.background >= 0.9
    if roomy and drawing and 5 <= s.lines <= 30 and s.short_side >= 200:
        return "chart", 0.6  # boxes and lines with a few words: a diagram
    if s.saturated >= 0.1 and s.flat_colours >= 4 and s.text_cover < 0.1:
        return "chart", 0.7
    paper = s.margin >= PAGE_MARGIN and not s.dark  # text starts clear of the edge, on paper
    prose = s.words >= 150 and s.text_cover >= 0.2 and paper
    column = s.lines >= 30 and s.flat_colours == 1 and s.background >= 0.93 and paper
    if prose or column:
        return "document", 0.9 if prose else 0.7
    if source in ("screen", "window"):
        return "screen", 0.8 if s.lines >= 2 else 0.6
    return "screen", 0.7 if s.lines >= 2 else 0.6  # what no test above claimed: fairly sure


COLOURS = {  # names marked for the catalogue: said as "plain white"
    N_("black"): (0, 0, 0),
    N_("white"): (255, 255, 255),
    N_("grey"): (128, 128, 128),
    N_("light grey"): (200, 200, 200),
    N_("dark grey"): (60, 60, 60),
    N_("red"): (200, 30, 30),
    N_("green"): (40, 160, 60),
    N_("blue"): (40, 70, 200),
    N_("yellow"): (235, 215, 50),
    N_("orange"): (240, 140, 30),
    N_("purple"): (130, 50, 160),
    N_("pink"): (240, 150, 190),
    N_("brown"): (120, 75, 40),
    N_("teal"): (0, 128, 128),
    N_("navy"): (20, 30, 90),
}


INK = 48  # levels from the ground colour that a mark (a letter, a line) differs by at least
MOST_MARKS = 64  # pixels that far off which still leave an image blank (a text cursor)


def blank_colour(image: Image.Image, tolerance: float = 4.0) -> str | None:
    """The colour's name when the image is one flat colour (a blank or curtained screen):
    even on average, and with no marks at full size — a long page with a few lines of text
    averages out flat, and is not blank."""
    small = image.resize((64, 64), Image.Resampling.BOX, reducing_gap=2.0).convert("RGB")
    stat = ImageStat.Stat(small)
    if max(stat.stddev) > tolerance:
        return None
    mean = stat.mean
    ground = np.asarray(mean, dtype=np.int16)
    marks = 0
    for start in range(0, image.height, 1024):  # in bands: no full-size copy in int16
        box = (0, start, image.width, min(start + 1024, image.height))
        band = np.asarray(image.crop(box).convert("RGB"))
        marks += int((np.abs(band.astype(np.int16) - ground).max(axis=2) > INK).sum())
        if marks > MOST_MARKS:
            return None
    return min(
        COLOURS, key=lambda n: sum((a - b) ** 2 for a, b in zip(COLOURS[n], mean, strict=True))
    )
