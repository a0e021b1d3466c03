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

from .out_of_sight import shown_windows, step_aside
from .pointer import How, press

log = logging.getLogger(__name__)
LOOK_AGAIN_MS = 700  # after a click, when the screen is looked at again (the program redrawn)


class ScreenControls(QObject):
    def __init__(
        self,
        look: Callable[[], int],
        say: Callable[[str], None],
        show: Callable[[Description, Element | None, str], None],
        latest: Callable[[], int],
    ) -> None:
        """``look``: capture and read the screen without saying it (returns the request's
        id); ``say``: words to the user; ``show``: a fresh list of the screen's controls, with
        the first found by name chosen (Enter clicks it) and what was said of it;
        ``latest``: the id of the user's latest request, of whatever kind."""
        super().__init__()
        self._look, self._say, self._show, self._latest = look, say, show, latest
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
        if asked is None:
            self._show(desc, None, "")
            return True
        words, click = asked
        found = matching(desc.elements, words)
        said = found_line(words, found, desc, click)
        self._say(said)
        self._show(desc, found[0] if found and not click else None, said)
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
            asked = self._latest()
            QTimer.singleShot(LOOK_AGAIN_MS, lambda: self._look_again_unless_asked(asked))

    def _look_again_unless_asked(self, asked: int) -> None:
        """The fresh look after a click, unless the user has asked for something since: what
        they asked for goes first and is not cut short."""
        if self._latest() == asked:
            self.look_again()


def _out_of_the_way(x: int, y: int, leave: bool) -> None:
    """Hide VocaLens's windows over ``x``, ``y`` (physical pixels); with ``leave``, the one
    the user is in too, so that the program clicked gets the focus."""
    active = QApplication.activeWindow()
    going = []
    for window in shown_windows():
        screen = window.screen() or QGuiApplication.primaryScreen()
        ratio = screen.devicePixelRatio() if screen is not None else 1.0
        over = window.frameGeometry().contains(QPoint(round(x / ratio), round(y / ratio)))
        if over or (leave and window is active):
            going.append(window)
    step_aside(going)  # gone from the display before the click is sent
