"""Describing the focused object on a real accessibility bus (AT-SPI) under Xvfb: a Qt window
whose unlabelled 64×64 icon button has the keyboard focus; its role and bounds come from the
bus, just it is captured, and its role and name are said first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..e2e import xserver

pytestmark = pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and Path("/usr/libexec/at-spi-bus-launcher").exists()),
    reason="needs dbus-run-session and at-spi2-core (.ci/system-deps installs them)",
)

WINDOW = r"""
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygon
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
app = QApplication([])
window = QWidget()
window.setWindowTitle("Player")
layout = QVBoxLayout(window)
layout.addWidget(QLabel("Now playing: Morning news"))
layout.addWidget(QLineEdit("search"))
icon = QPixmap(64, 64)
icon.fill(QColor("white"))
painter = QPainter(icon)
painter.setBrush(QColor(200, 30, 30))
painter.drawEllipse(2, 2, 60, 60)
painter.setBrush(QColor("white"))
painter.drawPolygon(QPolygon([QPoint(24, 16), QPoint(24, 48), QPoint(48, 32)]))
painter.end()
button = QPushButton()  # an icon and no name: what screen-reader users meet
button.setIcon(QIcon(icon))
button.setIconSize(icon.size())
button.setFixedSize(72, 72)
layout.addWidget(button)
window.move(100, 100)
window.show()
window.activateWindow()
button.setFocus()
app.processEvents()
at = button.mapToGlobal(button.rect().topLeft())
print(f"ready {at.x()} {at.y()}", flush=True)
app.exec()
"""

SESSION = r"""
import json, os, subprocess, sys, time
bus = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1)
a11y = {**os.environ, "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1"}
frozen = None
if len(sys.argv) > 2:  # an application that stops answering, on the bus before the window
    frozen = subprocess.Popen([sys.executable, "-c", sys.argv[2]], stdout=subprocess.PIPE,
                              text=True, env=a11y)
    frozen.stdout.readline()
    time.sleep(1)
    frozen.send_signal(19)  # SIGSTOP
window = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True,
                          env=a11y)
_, x, y = window.stdout.readline().split()
time.sleep(1)
from vocalens.core.describing.capture import grab
from vocalens.core.describing.context import WindowInfo
from vocalens.core.describing.describe import Describer
from vocalens.core.describing.render import spoken
from vocalens.desktop.focus import focused_object
start = time.perf_counter()
found = focused_object(None if frozen else window.pid)
image = grab(found.left, found.top, found.width, found.height)
seen = WindowInfo(found.name, found.role, found.left, found.top, found.width, found.height)
said = []
desc = Describer(None, None).describe(image, "object", found.label, seen,
                                      on_update=lambda d: said.append(time.perf_counter()))
first_ms, whole_ms = (said[0] - start) * 1000, (time.perf_counter() - start) * 1000
print(json.dumps({"x": int(x), "y": int(y), "found": found.__dict__, "label": found.label,
                  "spoken": spoken(desc), "kind": desc.kind, "first_ms": first_ms,
                  "whole_ms": whole_ms}))
if frozen:
    frozen.kill()
window.terminate()
bus.terminate()
"""


FROZEN = r"""
from PySide6.QtWidgets import QApplication, QLineEdit
app = QApplication([])
edit = QLineEdit("stuck")
edit.move(700, 500)
edit.show()
app.processEvents()
print("ready", flush=True)
app.exec()
"""


def focus_session(*others: str) -> dict:
    """One run of SESSION on a fresh X server and accessibility bus; its JSON result."""
    with xserver() as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        run = subprocess.run(
            ["dbus-run-session", "--", sys.executable, "-c", SESSION, WINDOW, *others],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_focused_icon_button_is_found_captured_and_named_first() -> None:
    result = focus_session()
    found = result["found"]
    assert found["role"] == "push button" and found["name"] == ""
    assert (found["width"], found["height"]) == (72, 72)
    assert (found["left"], found["top"]) == (result["x"], result["y"])
    assert result["spoken"].startswith("Push button, no name. An icon or logo")
    assert result["kind"] == "icon"


def test_a_frozen_application_is_passed_over(tmp_path) -> None:
    """It is asked first and never answers: the next application's focus is found soon."""
    result = focus_session(FROZEN)
    assert result["found"]["role"] == "push button"
    assert result["first_ms"] < 5000


def test_without_an_accessibility_bus_it_says_how_to_go_on(tmp_path) -> None:
    """A closed bus: one sentence and a way forward, no traceback."""
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus"}
    code = "from vocalens.desktop.focus import focused_object\nfocused_object()"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "CaptureError: The accessibility service could not say what has the focus" in run.stderr
    assert "describe the active window instead" in run.stderr


def test_windows_ui_automation_element_becomes_the_focused_object() -> None:
    """Through a stand-in with IUIAutomationElement's properties (RECT is left/top/right/bottom)."""
    from types import SimpleNamespace

    from vocalens.desktop.focus import from_uia

    rect = SimpleNamespace(left=300, top=200, right=364, bottom=264)
    element = SimpleNamespace(
        CurrentBoundingRectangle=rect, CurrentLocalizedControlType="button", CurrentName=" "
    )
    found = from_uia(element)
    assert (found.left, found.top, found.width, found.height) == (300, 200, 64, 64)
    assert found.label == "Button, no name"


def test_a_macos_ax_element_becomes_the_focused_object() -> None:
    """Through a stand-in for AXUIElementCopyAttributeValue's answers."""
    from vocalens.desktop.focus import from_ax

    values = {"AXRole": "AXImage", "AXDescription": "Play", "AXPosition": "p", "AXSize": "s"}
    found = from_ax(
        values.get, lambda p, s: ((10.5, 20.0), (64.0, 64.0)) if (p, s) == ("p", "s") else None
    )
    assert (found.role, found.name, found.left, found.width) == ("AXImage", "Play", 10, 64)
    assert found.label == "AXImage “Play”"
