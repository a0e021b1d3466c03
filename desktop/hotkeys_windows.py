"""Global shortcuts on Windows through ``RegisterHotKey``: the system delivers each press as a
message to one thread of ours. No low-level keyboard hook, which Windows silently removes when
a process stalls past its hook timeout (a model load) — hotkeys then stop with no sign.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from ctypes import wintypes
from typing import Any

from vocalens.core import tr

WM_HOTKEY, WM_QUIT = 0x0312, 0x0012
MOD_NOREPEAT = 0x4000  # holding the chord down does not repeat it
MODIFIERS = {"<alt>": 0x1, "<ctrl>": 0x2, "<shift>": 0x4, "<cmd>": 0x8}
NAMED_KEYS = {
    "space": 0x20, "enter": 0x0D, "esc": 0x1B, "tab": 0x09, "backspace": 0x08, "pause": 0x13,
    "page_up": 0x21, "page_down": 0x22, "end": 0x23, "home": 0x24, "left": 0x25, "up": 0x26,
    "right": 0x27, "down": 0x28, "print_screen": 0x2C, "insert": 0x2D, "delete": 0x2E,
}  # fmt: skip
NAMED_KEYS |= {f"f{n}": 0x70 + n - 1 for n in range(1, 25)}


def parse(combo: str) -> tuple[int, int]:
    """A pynput hotkey string ("<ctrl>+<alt>+<shift>+<f1>") as RegisterHotKey's modifiers
    and virtual key; ValueError when it names no key or an unknown one."""
    mods, keys = 0, []
    for part in combo.lower().split("+"):
        if part in MODIFIERS:
            mods |= MODIFIERS[part]
        elif part:
            keys.append(part)
    if len(keys) != 1:
        raise ValueError(f"'{combo}' must name exactly one key besides the modifiers")
    key = keys[0]
    if len(key) == 1 and key.isascii() and key.isalnum():
        return mods, ord(key.upper())
    vk = NAMED_KEYS.get(key.strip("<>"))
    if vk is None:
        raise ValueError(f"'{key}' is not a key VocaLens can register")
    return mods, vk


class RegisteredHotkeys:
    """Registers the bindings on a thread of its own and calls ``on_press(action)`` from it
    for each press. ``user32``/``kernel32``: the system libraries (replaceable in tests)."""

    def __init__(
        self, on_press: Callable[[str], None], user32: Any = None, kernel32: Any = None
    ) -> None:
        self.on_press = on_press
        self.user32 = user32 if user32 is not None else ctypes.WinDLL("user32")  # type: ignore[attr-defined]
        self.kernel32 = kernel32 if kernel32 is not None else ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self._thread_id = 0

    def start(self, bindings: dict[str, str]) -> list[str]:
        """Register every binding; returns one sentence for each that could not be (taken by
        another program, not a key)."""
        self.stop()
        problems: list[str] = []
        wanted: list[tuple[str, str, int, int]] = []
        for action, combo in bindings.items():
            if not combo:
                continue
            try:
                wanted.append((action, combo, *parse(combo)))
            except ValueError as exc:
                problems.append(
                    tr("A shortcut is not valid ({reason}). Change it in Settings.").format(
                        reason=exc
                    )
                )
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(wanted, problems, ready), name="vocalens-hotkeys", daemon=True
        )
        self._thread.start()
        ready.wait(5)
        return problems

    def stop(self) -> None:
        if self._thread is None:
            return
        self.user32.PostThreadMessageW(self._thread_id, WM_QUIT, 0, 0)
        self._thread.join(5)
        self._thread = None

    def _run(self, wanted: list[tuple[str, str, int, int]], problems: list[str], ready) -> None:
        self._thread_id = self.kernel32.GetCurrentThreadId()
        actions: dict[int, str] = {}
        for number, (action, combo, mods, vk) in enumerate(wanted, start=1):
            if self.user32.RegisterHotKey(None, number, mods | MOD_NOREPEAT, vk):
                actions[number] = action
            else:
                problems.append(
                    tr(
                        "The shortcut {keys} is taken by another program; choose another in "
                        "Settings."
                    ).format(keys=_readable(combo))
                )
        ready.set()
        msg = wintypes.MSG()
        try:
            while self.user32.GetMessageW(ctypes.pointer(msg), None, 0, 0) > 0:
                if msg.message == WM_HOTKEY and msg.wParam in actions:
                    self.on_press(actions[msg.wParam])
        finally:
            for number in actions:
                self.user32.UnregisterHotKey(None, number)


def _readable(combo: str) -> str:
    return "+".join(p.strip("<>").capitalize() for p in combo.split("+"))
