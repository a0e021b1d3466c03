"""Start at login: an XDG autostart entry on Linux, a Run key on Windows, a LaunchAgent on macOS."""

from __future__ import annotations

import contextlib
import os
import plistlib
import shlex
import sys
from pathlib import Path

from vocalens.core import tr

NAME = "vocalens"


def launch_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, "--background"]
    return [sys.executable, "-m", "vocalens.desktop", "--background"]


def set_autostart(enabled: bool) -> str:
    """Turn starting at login on or off; returns a sentence when it could not be done."""
    try:
        if sys.platform == "win32":
            _windows(enabled)
        elif sys.platform == "darwin":
            _macos(enabled)
        else:
            _xdg(enabled)
    except OSError as exc:
        return tr("Start at login could not be changed ({reason}).").format(reason=exc)
    return ""


def xdg_entry_path() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "autostart" / f"{NAME}.desktop"


def _xdg(enabled: bool) -> None:
    path = xdg_entry_path()
    if not enabled:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[Desktop Entry]\nType=Application\nName=VocaLens\n"
        "Comment=Describe the screen and images out loud\n"
        f"Exec={shlex.join(launch_command())}\nIcon=vocalens\nTerminal=false\n"
        "X-GNOME-Autostart-enabled=true\n",
        encoding="utf-8",
    )


def _windows(enabled: bool) -> None:
    if sys.platform != "win32":  # also tells type checkers where winreg exists
        return
    import winreg

    key = winreg.OpenKey(
        winreg.HKEY_CURRENT_USER,
        r"Software\Microsoft\Windows\CurrentVersion\Run",
        0,
        winreg.KEY_SET_VALUE,
    )
    with key:
        if enabled:
            winreg.SetValueEx(
                key, "VocaLens", 0, winreg.REG_SZ, " ".join(f'"{p}"' for p in launch_command())
            )
        else:
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteValue(key, "VocaLens")


def _macos(enabled: bool) -> None:
    path = Path.home() / "Library" / "LaunchAgents" / "org.vocalens.app.plist"
    if not enabled:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        plistlib.dumps(
            {"Label": "org.vocalens.app", "ProgramArguments": launch_command(), "RunAtLoad": True}
        )
    )
