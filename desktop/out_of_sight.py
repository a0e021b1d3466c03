"""VocaLens never sees itself: its windows leave the screen before a capture, the pixels
beneath them are captured, and they come back afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QWidget

from vocalens.core import window_stacking

SETTLE_S = 0.6  # the longest a capture waits for the display to take the windows away
FRAME_S = 0.03  # and one frame more, for a compositor to draw what was beneath them


def shown_windows() -> list[QWidget]:
    """VocaLens's own windows on the screen now."""
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and not w.isMinimized()]


@contextmanager
def out_of_sight() -> Iterator[list[QWidget]]:
    """Hide VocaLens's windows, wait until the display has unmapped them (X11 does so after
    the request, and a compositor keeps the last frame a moment longer), and show them again
    afterwards, whatever happens in between: the one that had the focus gets it back."""
    windows = shown_windows()
    active = next((w for w in windows if w.isActiveWindow()), None)
    step_aside(windows)
    try:
        yield windows
    finally:
        for window in windows:
            window.show()
        if active is not None:
            active.raise_()
            active.activateWindow()


def step_aside(windows: list[QWidget]) -> None:
    """Hide ``windows`` and wait until the display has taken them away."""
    ids = {int(w.winId()) for w in windows}
    for window in windows:
        window.hide()
    if windows:
        _wait_until_gone(ids)


def _wait_until_gone(ids: set[int]) -> None:
    app = QApplication.instance()
    deadline = time.monotonic() + SETTLE_S
    while True:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        if app is not None and hasattr(app, "sync"):
            app.sync()  # the unmap requests reach the display server
        stacking = window_stacking()
        if stacking is None or not ids & {wid for wid, _ in stacking}:
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    time.sleep(FRAME_S)
