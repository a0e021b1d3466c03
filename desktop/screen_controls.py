"""Finding the controls a screen shows by name, and pressing them: only at the user's
request, said before it is done, never in VocaLens's own windows, and the screen looked at
again afterwards so that the list of controls is fresh."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from vocalens.core import (
    Description,
    Element,
    VocaLensError,
    found_line,
    matching,
    pressing_line,
)

from .pointer import How, press

log = logging.getLogger(__name__)
LOOK_AGAIN_MS = 700  # after a click, when the screen is looked at again (the program redrawn)


class ScreenControls(QObject):
    def __init__(
        self,
        look: Callable[[], int],
        say: Callable[[str], None],
        show: Callable[[Description], None],
    ) -> None:
        """``look``: capture and read the screen without saying it (returns the request's
        id); ``say``: words to the user; ``show``: a fresh list of the screen's controls."""
        super().__init__()
        self._look, self._say, self._show = look, say, show
        self._waiting: dict[int, tuple[str, bool] | None] = {}  # request → (words, click)

    def find(self, words: str, click: bool = False) -> None:
        """Say where ``words`` are on the screen; with ``click``, click the one match."""
        self._waiting = {self._look(): (words.strip(), click)}

    def look_again(self) -> None:
        """Read the screen again, quietly, for a fresh list."""
        self._waiting = {self._look(): None}

    def waits_for(self, request: int) -> bool:
        return request in self._waiting

    def answer(self, request: int, desc: Description) -> bool:
        """Handle the screen read for ``request``; False when it was not one of ours."""
        if request not in self._waiting:
            return False
        asked = self._waiting.pop(request)
        self._show(desc)
        if asked is None:
            return True
        words, click = asked
        found = matching(desc.elements, words)
        self._say(found_line(words, found, desc, click))
        if click and len(found) == 1:
            self.press(found[0], "left", said=True)
        return True

    def failed(self, request: int) -> bool:
        """Forget ``request``, which could not be read; False when it was not one of ours."""
        if request not in self._waiting:
            return False
        del self._waiting[request]
        return True

    def press(self, element: Element, how: How = "left", said: bool = False) -> None:
        """Click ``element``'s middle (or only move the mouse there), saying so first unless
        ``said``; VocaLens's windows over that point step aside, so the program gets it."""
        if not said:
            self._say(pressing_line(element, how))
        x, y = element.centre
        _out_of_the_way(x, y, how != "move")
        try:
            press(x, y, how)
        except VocaLensError as exc:
            self._say(str(exc))
            return
        log.info("%s at %d, %d", how, x, y)
        if how != "move":
            QTimer.singleShot(LOOK_AGAIN_MS, self.look_again)


def _out_of_the_way(x: int, y: int, leave: bool) -> None:
    """Hide VocaLens's windows over ``x``, ``y`` (physical pixels); with ``leave``, the one
    the user is in too, so that the program clicked gets the focus."""
    active = QApplication.activeWindow()
    for window in QApplication.topLevelWidgets():
        if not window.isVisible() or window.isMinimized():
            continue
        screen = window.screen() or QGuiApplication.primaryScreen()
        ratio = screen.devicePixelRatio() if screen is not None else 1.0
        over = window.frameGeometry().contains(QPoint(round(x / ratio), round(y / ratio)))
        if over or (leave and window is active):
            window.hide()
