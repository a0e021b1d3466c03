"""Global hotkeys: ``RegisterHotKey`` on Windows (``hotkeys_windows``), passive key grabs on
X11 (``hotkeys_x11``), pynput on macOS. Where they cannot work (Wayland, missing permission),
``problem`` says so and the command-line remote is the way."""

from __future__ import annotations

import os
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

from vocalens.core import tr

ACTIONS = ("screen", "window", "object", "clipboard", "repeat", "stop", "find")


class Hotkeys(QObject):
    triggered = Signal(str)  # one of ACTIONS, delivered on the Qt thread

    def __init__(self) -> None:
        super().__init__()
        self._listener: Any = None
        self.problem = ""

    def start(self, bindings: dict[str, str]) -> bool:
        """``bindings``: action → pynput hotkey string such as '<ctrl>+<alt>+<shift>+s'."""
        self.stop()
        self.problem = _unsupported()
        if self.problem:
            return False
        if sys.platform == "win32" or sys.platform.startswith("linux"):
            return self._start_registered(bindings)
        try:
            from pynput import keyboard

            mapping = {
                combo: (lambda a=action: self.triggered.emit(a))
                for action, combo in bindings.items()
                if combo
            }
            self._listener = keyboard.GlobalHotKeys(mapping)
            self._listener.daemon = True
            self._listener.start()
        except ValueError as exc:
            self.problem = tr("A shortcut is not valid ({reason}). Change it in Settings.").format(
                reason=exc
            )
            return False
        except Exception as exc:  # no X server, no permission, no backend
            self.problem = _unavailable(exc)
            return False
        if sys.platform == "darwin" and not getattr(self._listener, "IS_TRUSTED", True):
            self.problem = tr(
                "macOS has not allowed VocaLens to watch the keyboard. Allow it in "
                "System Settings → Privacy & Security → Accessibility."
            )
        return True

    def _start_registered(self, bindings: dict[str, str]) -> bool:
        """Shortcuts the system hands to VocaLens alone: RegisterHotKey, or X11 key grabs."""
        if sys.platform == "win32":
            from .hotkeys_windows import RegisteredHotkeys as System
        else:
            from .hotkeys_x11 import GrabbedHotkeys as System
        listener = System(self.triggered.emit)
        try:
            problems = listener.start(bindings)
        except Exception as exc:  # no X server after all, a display that went away
            self.problem = _unavailable(exc)
            return False
        self._listener = listener
        self.problem = " ".join(problems)
        return not problems

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None


def _unsupported() -> str:
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        return tr(
            "Global shortcuts need X11; on this Wayland desktop bind "
            "`vocalens-desktop --describe screen` (and --describe window, --repeat, --stop) "
            "in your desktop's keyboard settings."
        )
    return ""


def _unavailable(exc: Exception) -> str:
    return tr(
        "Global shortcuts are not available here ({reason}). Bind "
        "`vocalens-desktop --describe screen` in your desktop's settings."
    ).format(reason=exc)
