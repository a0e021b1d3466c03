"""What the user is looking at: the active window's title, application and position."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class WindowInfo:
    title: str = ""
    app: str = ""
    left: int = 0
    top: int = 0
    width: int = 0
    height: int = 0
    pid: int = 0  # its process, where the system says (0: unknown)

    @property
    def known(self) -> bool:
        return bool(self.title or self.app)


def active_window(not_of: int = 0) -> WindowInfo:
    """The focused window where the platform can tell (X11, Windows, macOS); else unknown.
    ``not_of``: a process (VocaLens's own) whose windows never count: where one of them has
    the focus, the window the user was in before it (on X11, the top one of the others)."""
    try:
        if sys.platform == "win32":
            return _windows()
        if sys.platform == "darwin":
            return _macos()
        if os.environ.get("DISPLAY"):
            return _x11(not_of)
    except Exception:  # a desktop that will not say is not an error for the user
        pass
    return WindowInfo()


def x_display() -> Any:
    """A connection to the X server named by ``DISPLAY``, or None where there is none to reach
    (or no python-xlib). A failed attempt's sockets, which python-xlib leaves to the garbage
    collector, are closed here, quietly."""
    if not os.environ.get("DISPLAY"):
        return None
    try:
        from Xlib import display
    except ImportError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return display.Display()
        except Exception:  # refused, a bad name, a server that went away
            pass
        gc.collect()
    return None


def _x11(not_of: int = 0) -> WindowInfo:
    from Xlib import X

    d = x_display()
    if d is None:
        return WindowInfo()
    try:
        root = d.screen().root
        active = root.get_full_property(d.intern_atom("_NET_ACTIVE_WINDOW"), X.AnyPropertyType)
        found = WindowInfo()
        if active and active.value and active.value[0]:
            found = _x11_window(d, root, active.value[0])
        if not_of and (found.pid == not_of or not found.known):
            listed = root.get_full_property(
                d.intern_atom("_NET_CLIENT_LIST_STACKING"), X.AnyPropertyType
            )
            for wid in reversed(list(listed.value) if listed else []):
                try:
                    window = d.create_resource_object("window", wid)
                    if window.get_attributes().map_state != X.IsViewable:
                        continue  # hidden or minimised
                    other = _x11_window(d, root, wid)
                except Exception:  # a window that went away meanwhile
                    continue
                if other.pid != not_of and other.known and other.width > 0:
                    return other
            return WindowInfo() if found.pid == not_of else found
        return found
    finally:
        d.close()


def _x11_window(d: Any, root: Any, wid: int) -> WindowInfo:
    """What X11 says of one top-level window."""
    from Xlib import X

    window = d.create_resource_object("window", wid)
    name = window.get_full_property(d.intern_atom("_NET_WM_NAME"), 0)
    title = name.value.decode("utf-8", "replace") if name else (window.get_wm_name() or "")
    wm_class = window.get_wm_class()
    app = wm_class[1] if wm_class else ""
    pid_property = window.get_full_property(d.intern_atom("_NET_WM_PID"), X.AnyPropertyType)
    pid = int(pid_property.value[0]) if pid_property and pid_property.value else 0
    if pid and not app:
        app = Path(f"/proc/{pid}/comm").read_text().strip()
    geometry = window.get_geometry()
    pos = window.translate_coords(root, 0, 0)
    return WindowInfo(str(title), str(app), -pos.x, -pos.y, geometry.width, geometry.height, pid)


_ASKED: list[tuple[float, bool]] = []  # the last answer and when it was given


def screen_reader_running(fresh_for: float = 3.0) -> bool:
    """Whether a screen reader is on, where the platform says: Windows (the system's
    screen-reader flag), Linux (the accessibility bus's ``ScreenReaderEnabled``, which Orca
    sets), macOS (VoiceOver's setting). False when it cannot be told. An answer younger than
    ``fresh_for`` seconds is reused (asking runs a small command)."""
    now = time.monotonic()
    if _ASKED and now - _ASKED[0][0] < fresh_for:
        return _ASKED[0][1]
    answer = _ask_screen_reader()
    _ASKED[:] = [(now, answer)]
    return answer


def _ask_screen_reader() -> bool:
    try:
        if sys.platform == "win32":
            import ctypes

            flag = ctypes.c_int(0)
            get = ctypes.windll.user32.SystemParametersInfoW  # type: ignore[attr-defined]
            return bool(get(0x0046, 0, ctypes.byref(flag), 0) and flag.value)  # GETSCREENREADER
        if sys.platform == "darwin":
            cmd = ["defaults", "read", "com.apple.universalaccess", "voiceOverOnOffKey"]
        else:
            cmd = ["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus",
                   "/org/a11y/bus", "org.freedesktop.DBus.Properties.Get",
                   "string:org.a11y.Status", "string:ScreenReaderEnabled"]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=1)
    except (OSError, subprocess.SubprocessError, AttributeError):
        return False
    return out.returncode == 0 and out.stdout.split()[-1:] in (["true"], ["1"])


def window_stacking() -> list[tuple[int, tuple[int, int, int, int]]] | None:
    """The screen's top-level windows bottom to top, each (id, (left, top, width, height)), where
    the platform says (X11: the window manager's stacking list, else the root's children);
    None elsewhere."""
    if sys.platform in ("win32", "darwin") or not os.environ.get("DISPLAY"):
        return None
    try:
        from Xlib import X
    except ImportError:
        return None
    d = x_display()
    if d is None:
        return None
    try:
        root = d.screen().root
        listed = root.get_full_property(
            d.intern_atom("_NET_CLIENT_LIST_STACKING"), X.AnyPropertyType
        )
        ids = list(listed.value) if listed else [w.id for w in root.query_tree().children]
        found = []
        for wid in ids:
            window = d.create_resource_object("window", wid)
            try:
                attrs = window.get_attributes()
                if attrs.map_state != X.IsViewable:
                    continue
                geometry = window.get_geometry()
                pos = window.translate_coords(root, 0, 0)
            except Exception:  # a window that went away meanwhile
                continue
            found.append((int(wid), (-pos.x, -pos.y, geometry.width, geometry.height)))
        return found
    except Exception:  # a display that will not say
        return None
    finally:
        d.close()


def _windows() -> WindowInfo:
    import ctypes
    from ctypes import wintypes

    user32, kernel32 = ctypes.windll.user32, ctypes.windll.kernel32  # type: ignore[attr-defined]
    hwnd = user32.GetForegroundWindow()
    if not hwnd:
        return WindowInfo()
    length = user32.GetWindowTextLengthW(hwnd)
    buf = ctypes.create_unicode_buffer(length + 1)
    user32.GetWindowTextW(hwnd, buf, length + 1)
    rect = wintypes.RECT()
    user32.GetWindowRect(hwnd, ctypes.byref(rect))
    pid = wintypes.DWORD()
    user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
    app = ""
    handle = kernel32.OpenProcess(0x1000, False, pid.value)  # QUERY_LIMITED_INFORMATION
    if handle:
        size = wintypes.DWORD(1024)
        path = ctypes.create_unicode_buffer(1024)
        if kernel32.QueryFullProcessImageNameW(handle, 0, path, ctypes.byref(size)):
            app = Path(path.value).stem
        kernel32.CloseHandle(handle)
    return WindowInfo(
        buf.value, app, rect.left, rect.top, rect.right - rect.left, rect.bottom - rect.top
    )


def _macos() -> WindowInfo:
    from AppKit import NSWorkspace
    from Quartz import (
        CGWindowListCopyWindowInfo,
        kCGNullWindowID,
        kCGWindowListOptionOnScreenOnly,
    )

    app = NSWorkspace.sharedWorkspace().frontmostApplication()
    pid = app.processIdentifier()
    for info in CGWindowListCopyWindowInfo(kCGWindowListOptionOnScreenOnly, kCGNullWindowID):
        if info.get("kCGWindowOwnerPID") == pid and info.get("kCGWindowLayer") == 0:
            b = info.get("kCGWindowBounds", {})
            return WindowInfo(
                str(info.get("kCGWindowName") or ""),
                str(app.localizedName()),
                int(b.get("X", 0)),
                int(b.get("Y", 0)),
                int(b.get("Width", 0)),
                int(b.get("Height", 0)),
            )
    return WindowInfo("", str(app.localizedName()))
