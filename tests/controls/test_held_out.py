"""Screen recognition judged where it was never tuned: the held-out windows of real Qt and GTK
programs (tests/controls/programs.py, split "held") are started under Xvfb, their pixels read
and graded against their accessibility trees, and each of their buttons clicked by name with
the program's own reaction checked (a dialog's exit code, the name a form prints). The floors
are the product's bars."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vocalens.core.describing.ocr import TextReader

from .clicks import click_all
from .gather import gather
from .grade import grade_files
from .programs import programs

pytestmark = [pytest.mark.display, pytest.mark.slow]

for tool in ("Xvfb", "dbus-run-session", "zenity", "/usr/libexec/at-spi-bus-launcher"):
    if shutil.which(tool) is None and not Path(tool).exists():
        pytest.skip(f"{tool} is needed (the test command installs it)", allow_module_level=True)

HELD = [p for p in programs() if p.split == "held"]
FLOORS = {"button": 0.95, "text field": 0.85, "checkbox": 0.85, "radio button": 0.85}


def test_held_out_windows_are_recognised_to_the_bars(tmp_path) -> None:
    score = grade_files(gather(HELD, tmp_path), TextReader())["held"]
    for role, floor in FLOORS.items():
        assert score.wanted[role] >= 10, f"too few {role}s to judge"
        kept = score.share(role, with_state=role in ("checkbox", "radio button"))
        assert kept >= floor, f"{role}s: {kept:.0%} found (bar {floor:.0%}): {score.misses}"
    assert score.false_share <= 0.05, score.misses


def test_held_out_buttons_are_clicked_by_name() -> None:
    done = click_all(HELD)
    assert len(done) >= 40
    missed = [f"{c.program} {c.button}: {c.said}" for c in done if not c.landed]
    assert len(missed) <= 0.02 * len(done), missed
