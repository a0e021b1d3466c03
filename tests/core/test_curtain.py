"""A black screen while a screen reader runs is a screen curtain (or protected content), and
VocaLens says it cannot see, not that the screen is blank."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from vocalens.core.describing.describe import Describer
from vocalens.core.describing.render import spoken

BLACK = Image.new("RGB", (640, 400), "black")
LAUNCHER = "/usr/libexec/at-spi-bus-launcher"


def test_a_black_screen_with_a_screen_reader_is_a_curtain() -> None:
    describer = Describer(None, None)
    curtained = spoken(describer.describe(BLACK, source="screen", screen_reader=True))
    assert curtained.startswith("VocaLens cannot see the screen (a screen curtain or protected")
    assert "blank" not in curtained
    assert spoken(describer.describe(BLACK, source="screen")) == "The screen is blank: plain black."
    photo = describer.describe(BLACK, source="file", screen_reader=True)
    assert spoken(photo) == "The image is blank: plain black."  # a black photo is just black
    white = describer.describe(Image.new("RGB", (64, 64), "white"), "screen", screen_reader=True)
    assert spoken(white) == "The screen is blank: plain white."
    describer.close()


@pytest.mark.skipif(
    sys.platform != "linux" or not shutil.which("dbus-run-session") or not Path(LAUNCHER).exists(),
    reason="needs dbus-run-session and at-spi2-core (the test command installs them)",
)
def test_the_accessibility_bus_says_whether_a_screen_reader_runs(tmp_path) -> None:
    """On a real session bus with the accessibility bus: off, then on as Orca turns it on
    (the setting persists in the desktop's settings, so the test has a home of its own)."""
    ask = f"{sys.executable} -c 'from vocalens.core import screen_reader_running as r; print(r(0))'"
    turn_on = (
        "dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus "
        "org.freedesktop.DBus.Properties.Set string:org.a11y.Status "
        "string:ScreenReaderEnabled variant:boolean:true >/dev/null"
    )
    script = f"{LAUNCHER} --launch-immediately & sleep 1; {ask}; {turn_on}; {ask}; kill %1"
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    out = subprocess.run(["dbus-run-session", "--", "bash", "-c", script], env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.stdout.split() == ["False", "True"], out.stderr
