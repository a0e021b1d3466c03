"""Edges and outlines in numpy, as OpenCV's Canny and findContours give them (the app carries
no OpenCV): the same edge pixels, and every closed outline with the same box and area, on
drawn shapes and, where OpenCV is installed, on real windows' pixels; and screen recognition
runs where OpenCV cannot be imported at all."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vocalens.core.describing.outlines import edges, outlines, thickened


def drawn() -> np.ndarray:
    image = Image.new("L", (160, 120), 230)
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 90, 40), outline=40)  # a frame
    draw.rectangle((20, 18, 30, 28), fill=40)  # something inside it
    draw.ellipse((110, 15, 126, 31), outline=20)  # a ring
    draw.ellipse((115, 20, 121, 26), fill=20)  # with a dot: a chosen radio button
    draw.text((12, 60), "Name", fill=0)
    draw.rounded_rectangle((60, 55, 150, 80), 5, outline=90, fill=250)
    return np.asarray(image)


def test_a_frame_and_its_hole_are_both_outlines() -> None:
    mask = np.zeros((12, 12), bool)
    mask[2:9, 2:10] = True
    mask[4:7, 4:8] = False  # a 3×4 hole
    found = sorted(outlines(mask))
    assert [o[:4] for o in found] == [(2, 2, 8, 7), (3, 3, 6, 5)]
    outer, hole = found
    assert outer.area == 8 * 7 - 26 / 2 - 1  # Pick: the polygon through the border's centres
    assert hole.area == 3 * 4 + 14 / 2 - 1


def test_edges_and_outlines_match_opencv() -> None:
    cv2 = pytest.importorskip("cv2", reason="OpenCV (the ocr extra) is the reference")
    grey = drawn()
    ours = edges(grey, 12, 36)
    theirs = cv2.Canny(grey, 12, 36, L2gradient=True) > 0
    assert ours.any() and np.array_equal(ours, theirs)
    thick = thickened(ours)
    assert np.array_equal(thick, cv2.dilate(theirs.astype(np.uint8), np.ones((3, 3))) > 0)
    contours, _ = cv2.findContours(thick.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    want = sorted((*cv2.boundingRect(c), cv2.contourArea(c)) for c in contours)
    assert sorted(tuple(o) for o in outlines(thick)) == want  # areas are halves: exact


def test_controls_are_found_where_opencv_cannot_be_imported() -> None:
    script = (
        "import sys; sys.modules['cv2'] = None\n"  # importing it raises, as in the packaged app
        "from tests.core.test_elements import form\n"
        "from vocalens.core.describing.elements import find_elements\n"
        "image, lines = form()\n"
        "print(sorted({e.role for e in find_elements(image, lines)}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "button" in run.stdout and "checkbox" in run.stdout
