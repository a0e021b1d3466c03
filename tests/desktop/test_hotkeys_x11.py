"""X11 shortcuts through passive key grabs, on a real X server (Xvfb) with key presses made
by xdotool (XTEST): the chord reaches VocaLens with NumLock on too, and a chord another client
holds is named."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from vocalens.desktop.hotkeys_x11 import GrabbedHotkeys, parse

from ..e2e import xserver

pytestmark = pytest.mark.skipif(
    not shutil.which("xdotool") or not shutil.which("Xvfb"),
    reason="needs Xvfb and xdotool (.ci/system-deps installs them)",
)


def press(display: str, *keys: str) -> None:
    subprocess.run(["xdotool", "key", *keys], env={**os.environ, "DISPLAY": display}, check=True)


def wait_until(check, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the press did not arrive"
        time.sleep(0.02)


def test_chords_parse_to_x_names() -> None:
    assert parse("<ctrl>+<alt>+<shift>+<f1>") == (["ControlMask", "Mod1Mask", "ShiftMask"], "F1")
    assert parse("<cmd>+<page_up>") == (["Mod4Mask"], "Prior")
    assert parse("<alt>+<space>") == (["Mod1Mask"], "space")  # X names it in lower case
    with pytest.raises(ValueError):
        parse("<ctrl>+<alt>")


def test_grabbed_chords_arrive_even_with_numlock_on(monkeypatch) -> None:
    with xserver() as display:
        monkeypatch.setenv("DISPLAY", display)
        pressed: list[str] = []
        keys = GrabbedHotkeys(pressed.append)
        bindings = {"screen": "<ctrl>+<alt>+<shift>+<f1>", "stop": "<ctrl>+<alt>+<shift>+<f6>"}
        assert keys.start(bindings) == []
        try:
            press(display, "ctrl+alt+shift+F6", "ctrl+alt+shift+F1", "F1", "ctrl+F1")
            wait_until(lambda: pressed == ["stop", "screen"])
            press(display, "Num_Lock", "ctrl+alt+shift+F1", "Num_Lock")
            wait_until(lambda: pressed == ["stop", "screen", "screen"])
            other = GrabbedHotkeys(pressed.append)
            assert other.start({"screen": "<ctrl>+<alt>+<shift>+<f1>"}) == [
                "The shortcut Ctrl+Alt+Shift+F1 is taken by another program; choose another in "
                "Settings."
            ]
            other.stop()
        finally:
            keys.stop()
        press(display, "ctrl+alt+shift+F1")  # released: nothing arrives any more
        time.sleep(0.3)
        assert pressed == ["stop", "screen", "screen"]
