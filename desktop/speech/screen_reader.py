"""Handing words to the user's screen reader.

Everywhere, Qt's accessibility announcement reaches the screen reader that listens (AT-SPI's
announcement for Orca, a UI Automation notification for Narrator and others, a VoiceOver
announcement). On Windows, NVDA and JAWS are also reached through their own interfaces
(accessible_output2: NVDA's controller client, JAWS's API), which add what an announcement
cannot: a braille message, and cancelling speech when the user says Stop.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)
FRESH_FOR = 3.0  # seconds an answer to "which screen reader runs?" is reused


def announce(widget: QWidget, message: str) -> None:
    """Ask screen readers to announce ``message`` (when one is listening)."""
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, message))


class DirectReader:
    """A screen reader reached through its own interface: ``output`` is an accessible_output2
    output (speak, braille, silence)."""

    def __init__(self, output: Any) -> None:
        self.output = output
        self.name = str(getattr(output, "name", "screen reader"))

    def say(self, text: str, interrupt: bool) -> bool:
        """Speak and braille ``text``; False when the screen reader did not take it (it was
        closed since), so the caller can fall back to an announcement."""
        try:
            self.output.speak(text, interrupt=interrupt)
        except Exception as exc:
            log.info("%s did not take the words: %s", self.name, exc)
            return False
        try:
            self.output.braille(text)
        except Exception as exc:  # no braille display, or none the reader reports
            log.debug("%s braille: %s", self.name, exc)
        return True

    def silence(self) -> None:
        try:
            self.output.silence()
        except Exception as exc:
            log.info("%s could not be silenced: %s", self.name, exc)


def windows_outputs() -> list[Callable[[], Any]]:
    """NVDA's and JAWS's accessible_output2 outputs, in that order (none elsewhere)."""
    if sys.platform != "win32":
        return []
    try:
        from accessible_output2.outputs import jaws, nvda
    except Exception as exc:  # not installed, or its system libraries are missing
        log.info("accessible_output2 is not usable: %s", exc)
        return []
    return [nvda.NVDA, jaws.Jaws]


_FOUND: list[tuple[float, DirectReader | None]] = []  # the last answer and when it was given


def running_reader(outputs: Iterable[Callable[[], Any]] | None = None) -> DirectReader | None:
    """The first screen reader of ``outputs`` (default: NVDA, then JAWS, on Windows) that is
    running; None when none is, or it cannot be reached directly. The default's answer is
    reused for a few seconds (each description asks; asking loads their interfaces)."""
    if outputs is None:
        now = time.monotonic()
        if not _FOUND or now - _FOUND[0][0] > FRESH_FOR:
            _FOUND[:] = [(now, _first_running(windows_outputs()))]
        return _FOUND[0][1]
    return _first_running(outputs)


def _first_running(outputs: Iterable[Callable[[], Any]]) -> DirectReader | None:
    for make in outputs:
        try:
            output = make()
            if output.is_active():
                return DirectReader(output)
        except Exception as exc:  # its interface is not installed (the reader is not either)
            log.debug("%s: %s", getattr(make, "__name__", make), exc)
    return None
