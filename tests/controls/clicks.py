"""Clicking a real program's buttons by name, from the screen's pixels alone: each button of
a zenity dialog (its exit code says which was pressed) or of a form (it prints its name)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from unittest.mock import patch

from PIL import Image

from vocalens.core.describing.describe import Describer
from vocalens.core.describing.elements import matching
from vocalens.core.describing.ocr import TextReader

from ..e2e import xserver
from .programs import Program, form


@dataclass
class Click:
    program: str
    button: str
    landed: bool
    said: str  # what was found: the one match, or why none was clicked


def wanted(program: Program) -> dict[str, str]:
    """Each button's name, and what the program does when it is pressed (its exit code, or
    the line it prints)."""
    if program.pressed:
        return {name: f"exit {code}" for name, code in program.pressed.items()}
    seed = int(program.name.rsplit("-", 1)[1])  # a form is drawn from its seed
    return {name: f"pressed {name}" for name in form(seed)["buttons"]}


def click_all(programs: list[Program], wait: float = 20) -> list[Click]:
    """Start each program once per button, find the button by its name and click it."""
    reader = TextReader()
    describer = Describer(None, reader)
    clicks: list[Click] = []
    # the capture and the click are made in this process: its DISPLAY is the server's while
    # it runs, and what it was before afterwards (no later test meets a display that is gone)
    with xserver() as display, patch.dict(os.environ, {"DISPLAY": display}):
        env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
        for program in programs:
            for name, reaction in wanted(program).items():
                proc = subprocess.Popen(
                    program.command, env={**env, **program.env}, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, text=True,
                )  # fmt: skip
                try:
                    clicks.append(_click(proc, program.name, name, reaction, describer, wait))
                finally:
                    proc.kill()
                    proc.wait()
                reader.forget()
    return clicks


def _click(
    proc: subprocess.Popen, program: str, name: str, reaction: str, describer: Describer,
    wait: float,
) -> Click:  # fmt: skip
    from vocalens.core.describing.capture import grab_screen
    from vocalens.desktop.pointer import press

    deadline = time.monotonic() + wait
    found: list = []
    while time.monotonic() < deadline:  # until the window is drawn and the button read
        time.sleep(0.5)
        image: Image.Image = grab_screen()
        desc = describer.describe(image, "screen")
        found = matching(desc.elements, name)
        if len(found) == 1 and found[0].role == "button":
            break
    if len(found) != 1:
        return Click(program, name, False, f"{len(found)} matches")
    press(*found[0].centre)
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        return Click(program, name, False, f"no reaction to a click on {found[0].name!r}")
    got = f"exit {proc.returncode}" if reaction.startswith("exit") else out.strip()
    return Click(program, name, got == reaction, f"{found[0].role} {found[0].name!r}: {got}")
