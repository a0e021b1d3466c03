"""Global shortcuts on X11 through passive key grabs (XGrabKey on the root window): the X
server hands the chord to VocaLens alone, so the focused application never also receives it,
and nothing else of the keyboard is watched. CapsLock and NumLock do not stop a chord.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable
from typing import Any

from vocalens.core import tr, x_display

MODIFIERS = {
    "<ctrl>": "ControlMask",
    "<shift>": "ShiftMask",
    "<alt>": "Mod1Mask",
    "<cmd>": "Mod4Mask",
}
KEYSYM_NAMES = {
    "page_up": "Prior", "page_down": "Next", "esc": "Escape", "enter": "Return",
    "print_screen": "Print", "backspace": "BackSpace", "caps_lock": "Caps_Lock",
    "scroll_lock": "Scroll_Lock", "num_lock": "Num_Lock", "space": "space",
}  # fmt: skip


def parse(combo: str) -> tuple[list[str], str]:
    """A pynput hotkey string as X modifier mask names and a keysym name; ValueError when it
    names no key."""
    mods, keys = [], []
    for part in combo.lower().split("+"):
        if part in MODIFIERS:
            mods.append(MODIFIERS[part])
        elif part:
            keys.append(part.strip("<>"))
    if len(keys) != 1:
        raise ValueError(f"'{combo}' must name exactly one key besides the modifiers")
    key = keys[0]
    if key in KEYSYM_NAMES:
        return mods, KEYSYM_NAMES[key]
    if key[:1] == "f" and key[1:].isdigit():
        return mods, key.upper()  # F1
    return mods, key.capitalize() if len(key) > 1 else key  # Home, Left; a letter as it is


class GrabbedHotkeys:
    """Grabs the bindings on a connection of its own and calls ``on_press(action)`` from its
    thread for each press."""

    def __init__(self, on_press: Callable[[str], None]) -> None:
        self.on_press = on_press
        self._thread: threading.Thread | None = None
        self._wake = -1

    def start(self, bindings: dict[str, str]) -> list[str]:
        """Grab every binding; one sentence for each that could not be (not a key, taken by
        another program)."""
        from Xlib import XK, X, error

        self.stop()
        conn = x_display()
        if conn is None:
            raise OSError(f"no X display at {os.environ.get('DISPLAY')!r}")
        root = conn.screen().root
        problems: list[str] = []
        chords: dict[tuple[int, int], str] = {}
        for action, combo in bindings.items():
            if not combo:
                continue
            try:
                names, key = parse(combo)
            except ValueError as exc:
                problems.append(
                    tr("A shortcut is not valid ({reason}). Change it in Settings.").format(
                        reason=exc
                    )
                )
                continue
            keycode = conn.keysym_to_keycode(XK.string_to_keysym(key))
            if not keycode:
                problems.append(
                    tr("The shortcut {keys} names a key this keyboard lacks.").format(
                        keys=_readable(combo)
                    )
                )
                continue
            mask = 0
            for name in names:
                mask |= getattr(X, name)
            refused = error.CatchError(error.BadAccess)
            for locks in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):  # Caps, NumLock
                root.grab_key(keycode, mask | locks, True, X.GrabModeAsync, X.GrabModeAsync,
                              onerror=refused)  # fmt: skip
            conn.sync()
            if refused.get_error():
                problems.append(
                    tr(
                        "The shortcut {keys} is taken by another program; choose another in "
                        "Settings."
                    ).format(keys=_readable(combo))
                )
                for locks in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):
                    root.ungrab_key(keycode, mask | locks)
                continue
            chords[(keycode, mask)] = action
        conn.sync()
        wake, self._wake = os.pipe()
        self._thread = threading.Thread(
            target=self._run, args=(conn, chords, wake), name="vocalens-hotkeys", daemon=True
        )
        self._thread.start()
        return problems

    def stop(self) -> None:
        if self._thread is None:
            return
        os.write(self._wake, b"x")
        self._thread.join(5)
        os.close(self._wake)
        self._thread = None

    def _run(self, conn: Any, chords: dict[tuple[int, int], str], wake: int) -> None:
        from Xlib import X

        ignored = X.LockMask | X.Mod2Mask
        try:
            while True:
                while conn.pending_events():
                    event = conn.next_event()
                    if event.type == X.KeyPress:
                        action = chords.get((event.detail, event.state & ~ignored))
                        if action is not None:
                            self.on_press(action)
                ready, _, _ = select.select([conn.fileno(), wake], [], [], 1.0)
                if wake in ready:
                    break
        finally:
            os.close(wake)
            conn.close()


def _readable(combo: str) -> str:
    return "+".join(p.strip("<>").capitalize() for p in combo.split("+"))
