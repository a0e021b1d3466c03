"""Windows' RegisterHotKey route, through a stand-in for user32 that keeps a real message
queue per thread (the presses arrive as WM_HOTKEY messages on the registering thread)."""

from __future__ import annotations

import queue
import threading
import time

import pytest

from vocalens.desktop.hotkeys_windows import (
    MOD_NOREPEAT,
    WM_HOTKEY,
    WM_QUIT,
    RegisteredHotkeys,
    parse,
)


class FakeUser32:
    """RegisterHotKey/GetMessageW/PostThreadMessageW as Windows behaves: a hotkey belongs to
    the thread that registered it; a chord another program holds is refused."""

    def __init__(self, taken: set[tuple[int, int]] = frozenset()) -> None:
        self.taken = taken
        self.queues: dict[int, queue.Queue] = {}
        self.registered: dict[int, tuple[int, int, int]] = {}  # id → (thread, mods, vk)
        self.unregistered: list[int] = []

    def RegisterHotKey(self, hwnd, number, mods, vk) -> int:
        if (mods & ~MOD_NOREPEAT, vk) in self.taken:
            return 0
        self.registered[number] = (threading.get_ident(), mods, vk)
        return 1

    def UnregisterHotKey(self, hwnd, number) -> int:
        self.unregistered.append(number)
        return 1

    def GetMessageW(self, msg, hwnd, first, last) -> int:
        message, wparam = self.queues.setdefault(threading.get_ident(), queue.Queue()).get()
        msg.contents.message, msg.contents.wParam = message, wparam
        return 0 if message == WM_QUIT else 1

    def PostThreadMessageW(self, thread, message, wparam, lparam) -> int:
        self.queues.setdefault(thread, queue.Queue()).put((message, wparam))
        return 1

    def press(self, mods: int, vk: int) -> None:
        """The user presses a chord: the system posts WM_HOTKEY to the registering thread."""
        for number, (thread, m, v) in self.registered.items():
            if (m & ~MOD_NOREPEAT, v) == (mods, vk):
                self.PostThreadMessageW(thread, WM_HOTKEY, number, 0)


class FakeKernel32:
    def GetCurrentThreadId(self) -> int:
        return threading.get_ident()


def wait_until(check, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_chords_become_registered_keys() -> None:
    assert parse("<ctrl>+<alt>+<shift>+<f1>") == (0x2 | 0x1 | 0x4, 0x70)
    assert parse("<cmd>+a") == (0x8, ord("A"))
    assert parse("<ctrl>+<page_down>") == (0x2, 0x22)
    for bad in ("<ctrl>+<alt>", "<ctrl>+<nokey>", "<ctrl>+a+b"):
        with pytest.raises(ValueError):
            parse(bad)


def test_presses_arrive_and_stop_unregisters_everything() -> None:
    user32, pressed = FakeUser32(), []
    keys = RegisteredHotkeys(pressed.append, user32, FakeKernel32())
    problems = keys.start(
        {"screen": "<ctrl>+<alt>+<shift>+<f1>", "stop": "<ctrl>+<alt>+<shift>+<f6>"}
    )
    assert problems == [] and all(m & MOD_NOREPEAT for _, m, _ in user32.registered.values())
    user32.press(0x7, 0x75)
    user32.press(0x7, 0x70)
    wait_until(lambda: pressed == ["stop", "screen"])
    keys.stop()
    assert sorted(user32.unregistered) == sorted(user32.registered)


def test_a_chord_another_program_holds_is_said_and_the_rest_work() -> None:
    user32, pressed = FakeUser32(taken={(0x7, 0x70)}), []
    keys = RegisteredHotkeys(pressed.append, user32, FakeKernel32())
    problems = keys.start(
        {
            "screen": "<ctrl>+<alt>+<shift>+<f1>",
            "window": "<ctrl>+<alt>+<shift>+<f2>",
            "stop": "<ctrl>+<nokey>",
        }
    )
    assert problems == [
        "A shortcut is not valid ('<nokey>' is not a key VocaLens can register). Change it in "
        "Settings.",
        "The shortcut Ctrl+Alt+Shift+F1 is taken by another program; choose another in Settings.",
    ]
    user32.press(0x7, 0x71)
    wait_until(lambda: pressed == ["window"])
    keys.stop()


def test_presses_made_while_the_app_is_busy_are_kept() -> None:
    """Unlike a low-level hook, nothing is dropped when the app stalls: presses wait in the
    thread's queue until they are read."""
    user32, pressed = FakeUser32(), []
    gate = threading.Event()

    def slow(action: str) -> None:
        gate.wait(5)  # the app is loading a model
        pressed.append(action)

    keys = RegisteredHotkeys(slow, user32, FakeKernel32())
    keys.start({"repeat": "<ctrl>+<alt>+<shift>+<f5>"})
    for _ in range(3):
        user32.press(0x7, 0x74)
    gate.set()
    wait_until(lambda: pressed == ["repeat"] * 3)
    keys.stop()
