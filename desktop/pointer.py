"""Moving the mouse and clicking, only ever at the user's request: X11 through XTEST,
Windows through SendInput, macOS through Quartz events. Coordinates are physical screen
pixels, as captures use."""

from __future__ import annotations

import os
import sys
import time
from typing import Literal

from vocalens.core import VocaLensError, tr, x_display

How = Literal["left", "right", "move"]
SETTLE_S = 0.05  # between the pointer's arrival and the press: toolkits want the enter first
HOLD_S = 0.03  # how long the button is held down


class PointerError(VocaLensError):
    """The mouse could not be moved or clicked here."""


def press(x: int, y: int, how: How = "left") -> None:
    """Move the mouse to ``x``, ``y`` and click there with the left or right button, or only
    move it (``how="move"``: a screen reader that follows the mouse reads what is there)."""
    if sys.platform == "win32":
        _windows(x, y, how)
    elif sys.platform == "darwin":
        _macos(x, y, how)
    else:
        _x11(x, y, how)


def _x11(x: int, y: int, how: How) -> None:
    if not os.environ.get("DISPLAY"):
        raise PointerError(
            tr(
                "VocaLens cannot move the mouse in this session (it needs X11; Wayland keeps the "
                "mouse to itself)."
            ),
            tr("Log in to an X11 session, or use the program's own keys."),
        )
    try:
        from Xlib import X
        from Xlib.ext import xtest
    except ImportError as exc:
        raise PointerError(
            tr("Clicking needs python-xlib, which is not installed."),
            tr("Install VocaLens with its desktop extra: pip install 'vocalens[desktop]'."),
        ) from exc
    screen = x_display()
    if screen is None:
        raise PointerError(
            tr("The display {name} could not be reached.").format(name=os.environ["DISPLAY"]),
            tr("Start VocaLens from within your desktop session."),
        )
    try:
        if not screen.has_extension("XTEST"):
            raise PointerError(tr("This X server does not let programs move the mouse (no XTEST)."))
        xtest.fake_input(screen, X.MotionNotify, x=x, y=y)
        screen.sync()
        if how != "move":
            button = 1 if how == "left" else 3
            time.sleep(SETTLE_S)  # the program sees the pointer come in before the press
            xtest.fake_input(screen, X.ButtonPress, button)
            screen.sync()
            time.sleep(HOLD_S)  # a press as long as a hand's, not zero
            xtest.fake_input(screen, X.ButtonRelease, button)
            screen.sync()
    finally:
        screen.close()


def _windows(x: int, y: int, how: How) -> None:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    class MouseInput(ctypes.Structure):
        _fields_ = [
            ("dx", wintypes.LONG),
            ("dy", wintypes.LONG),
            ("mouseData", wintypes.DWORD),
            ("dwFlags", wintypes.DWORD),
            ("time", wintypes.DWORD),
            ("dwExtraInfo", ctypes.c_size_t),
        ]

    class Input(ctypes.Structure):
        _fields_ = [("type", wintypes.DWORD), ("mi", MouseInput), ("pad", ctypes.c_byte * 8)]

    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    if not user32.SetCursorPos(x, y):
        raise PointerError(tr("Windows did not let VocaLens move the mouse."))
    if how == "move":
        return
    down, up = (0x0002, 0x0004) if how == "left" else (0x0008, 0x0010)
    events = (Input * 2)(Input(0, MouseInput(0, 0, 0, down, 0, 0)),
                         Input(0, MouseInput(0, 0, 0, up, 0, 0)))  # fmt: skip
    if user32.SendInput(2, events, ctypes.sizeof(Input)) != 2:
        raise PointerError(
            tr(
                "Windows did not let VocaLens click (a program running as administrator is "
                "above it)."
            ),
            tr("Run VocaLens as administrator to click in such programs."),
        )


def _macos(x: int, y: int, how: How) -> None:  # pragma: no cover - macOS only
    import Quartz
    from ApplicationServices import AXIsProcessTrusted

    if not AXIsProcessTrusted():  # events would be dropped without a word
        raise PointerError(
            tr("macOS has not allowed VocaLens to control the mouse."),
            tr("Allow VocaLens in System Settings → Privacy & Security → Accessibility."),
        )
    main = Quartz.CGMainDisplayID()  # the capture counts pixels, events count points
    scale = Quartz.CGDisplayPixelsWide(main) / max(Quartz.CGDisplayBounds(main).size.width, 1)
    point = (x / scale, y / scale)
    moved = Quartz.CGEventCreateMouseEvent(
        None, Quartz.kCGEventMouseMoved, point, Quartz.kCGMouseButtonLeft
    )
    Quartz.CGEventPost(Quartz.kCGHIDEventTap, moved)
    if how == "move":
        return
    if how == "left":
        kinds = (Quartz.kCGEventLeftMouseDown, Quartz.kCGEventLeftMouseUp)
        button = Quartz.kCGMouseButtonLeft
    else:
        kinds = (Quartz.kCGEventRightMouseDown, Quartz.kCGEventRightMouseUp)
        button = Quartz.kCGMouseButtonRight
    for kind in kinds:
        Quartz.CGEventPost(
            Quartz.kCGHIDEventTap, Quartz.CGEventCreateMouseEvent(None, kind, point, button)
        )
