"""Moving and clicking the mouse: on a real X server the pointer goes where it was sent; where
it cannot (no display, a display that is gone), one sentence says why and what to do, and a
click asked for by the user is said, then that sentence, with nothing else pressed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.e2e import xserver
from vocalens.core.describing.elements import Element
from vocalens.core.describing.layout import Box
from vocalens.desktop.pointer import PointerError, press
from vocalens.desktop.screen_controls import ScreenControls


def test_without_a_display_a_click_is_refused_in_one_sentence(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(PointerError) as refused:
        press(10, 10)
    assert "X11" in str(refused.value) and "\n" not in str(refused.value)


def test_a_display_that_is_gone_is_said_not_raised(monkeypatch) -> None:
    monkeypatch.setenv("DISPLAY", ":239")  # no server there
    said: list[str] = []
    controls = ScreenControls(lambda: 0, said.append, lambda *_: None, lambda: 0)
    controls.press(Element("button", "Save", Box(100, 200, 60, 24), 0.9))
    assert said[0].startswith("Clicking Button: Save")
    assert len(said) == 2 and said[1].startswith("The display :239 could not be reached.")


@pytest.mark.display
@pytest.mark.skipif(
    shutil.which("Xvfb") is None, reason="Xvfb is needed (the test command installs it)"
)
def test_the_pointer_goes_where_it_was_sent(monkeypatch) -> None:
    from Xlib import display as xlib

    with xserver() as display:
        monkeypatch.setenv("DISPLAY", display)
        kept = xlib.Display()  # a client stays: Xvfb resets itself when its last one leaves
        try:
            for x, y in ((5, 7), (300, 200), (1279, 799)):
                press(x, y, "move")
                where = subprocess.run(
                    ["xdotool", "getmouselocation", "--shell"], capture_output=True, text=True
                ).stdout
                assert f"X={x}\nY={y}\n" in where
        finally:
            kept.close()
