"""Screens of real programs, captured on a real X server (Xvfb): terminals, a calculator, an
editor, X11 message boxes, GTK dialogs (zenity) and Qt windows in light and dark themes —
none drawn by the generator the kind rule was fitted on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from tests.e2e import xserver
from vocalens.core import window_stacking

SIZE = (1280, 800)
LISTING = "ls -l /usr/bin | head -40; echo; df -h / /tmp; cal 2026"

QT_WINDOWS = """
import sys
from PySide6 import QtGui, QtWidgets as W
app = W.QApplication([])
which, dark = sys.argv[1], sys.argv[2] == "dark"
app.setStyle("Fusion")
if dark:
    p = QtGui.QPalette()
    for role, colour in ((p.ColorRole.Window, "#2d2d2d"), (p.ColorRole.Base, "#1e1e1e"),
                         (p.ColorRole.Text, "#e0e0e0"), (p.ColorRole.WindowText, "#e0e0e0"),
                         (p.ColorRole.Button, "#3a3a3a"), (p.ColorRole.ButtonText, "#e0e0e0")):
        p.setColor(role, QtGui.QColor(colour))
    app.setPalette(p)
if which == "files":
    w = W.QFileDialog(None, "Open a file", "/usr/share/doc")
    w.setOption(W.QFileDialog.Option.DontUseNativeDialog)
    w.setViewMode(W.QFileDialog.ViewMode.Detail)
elif which == "sheet":
    w = W.QTableWidget(28, 7)
    w.setHorizontalHeaderLabels(["Month", "Sales", "Costs", "Profit", "Units", "Returns", "Rate"])
    for r in range(28):
        w.setItem(r, 0, W.QTableWidgetItem(f"2026-{r % 12 + 1:02d}"))
        for c in range(1, 7):
            w.setItem(r, c, W.QTableWidgetItem(f"{(r * 37 + c * 113) % 9000 / 7:.2f}"))
elif which == "code":
    w = W.QPlainTextEdit(open(__import__("json").__file__).read()[:6000])
elif which == "message":
    w = W.QMessageBox(W.QMessageBox.Icon.Warning, "Disk almost full",
                      "Only 2 GB are free on the system disk. Delete files you no longer need.")
    w.setStandardButtons(W.QMessageBox.StandardButton.Ok | W.QMessageBox.StandardButton.Help)
elif which == "tree":
    w = W.QTreeWidget()
    w.setHeaderLabels(["Name", "Size", "Kind"])
    for n in range(30):
        item = W.QTreeWidgetItem([f"folder {n}", f"{n * 3} items", "Folder"])
        item.addChild(W.QTreeWidgetItem([f"notes {n}.txt", "2 KB", "Text"]))
        w.addTopLevelItem(item)
    w.expandAll()
w.setWindowTitle(which)
w.setGeometry(0, 0, 1280, 800)
w.show()
app.exec()
"""


def programs() -> dict[str, list[str]]:
    py = sys.executable
    term = ["xterm", "-geometry", "160x50+0+0", "-fa", "DejaVu Sans Mono", "-fs", "10"]
    dark = [*term, "-bg", "black", "-fg", "#d0d0d0"]
    zen = ["zenity", "--width=900", "--height=600"]
    return {
        "xterm-listing": [*term, "-e", "sh", "-c", f"{LISTING}; sleep 60"],
        "xterm-dark-listing": [*dark, "-e", "sh", "-c", f"{LISTING}; sleep 60"],
        "xterm-dark-top": [*dark, "-e", "sh", "-c", "ps aux | head -45; sleep 60"],
        "xterm-manual": [*term, "-e", "sh", "-c", "man -P cat ls | head -48; sleep 60"],
        "xcalc": ["xcalc", "-geometry", "480x640+0+0"],
        "xedit": ["xedit", "-geometry", "1000x700+0+0", "/usr/share/common-licenses/Apache-2.0"],
        "xmessage": [
            "xmessage",
            "-geometry",
            "+0+0",
            "-buttons",
            "Save,Discard,Cancel",
            "Save the changes to the document before closing?",
        ],
        "zenity-question": [*zen, "--question", "--text=Replace the file report.odt?"],
        "zenity-entry": [*zen, "--entry", "--text=Name of the new folder:", "--entry-text=Work"],
        "zenity-list": [
            *zen,
            "--list",
            "--column=Package",
            "--column=Version",
            *[w for n in range(20) for w in (f"lib{n}-tools", f"{n}.{n % 7}.1")],
        ],
        "zenity-forms": [
            *zen,
            "--forms",
            "--text=New contact",
            "--add-entry=First name",
            "--add-entry=Last name",
            "--add-entry=Email",
            "--add-calendar=Birthday",
        ],
        "zenity-files": ["zenity", "--file-selection", "--filename=/usr/share/doc/"],
        "zenity-progress": [*zen, "--progress", "--percentage=40", "--text=Copying 24 files"],
        "xfontsel": ["xfontsel", "-geometry", "900x400+0+0"],
        "xclipboard": ["xclipboard", "-geometry", "600x400+0+0"],
        "qt-files": [py, "-c", QT_WINDOWS, "files", "light"],
        "qt-files-dark": [py, "-c", QT_WINDOWS, "files", "dark"],
        "qt-sheet": [py, "-c", QT_WINDOWS, "sheet", "light"],
        "qt-sheet-dark": [py, "-c", QT_WINDOWS, "sheet", "dark"],
        "qt-code-dark": [py, "-c", QT_WINDOWS, "code", "dark"],
        "qt-message": [py, "-c", QT_WINDOWS, "message", "light"],
        "qt-tree": [py, "-c", QT_WINDOWS, "tree", "light"],
    }


def _settled(grab, wait: float = 0.8, cap: float = 10.0) -> Image.Image:
    """The screen once something is drawn and it stopped changing for ``wait`` seconds."""
    deadline = time.monotonic() + cap
    last, since = grab(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = grab()
        if now.tobytes() != last.tobytes():
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= wait and now.getextrema() != ((0, 0),) * 3:
            break
    return last


def captures(commands: dict[str, list[str]] | None = None) -> list[tuple[str, Image.Image]]:
    """(name, screenshot) of each program, alone on a 1280×800 screen, cropped to its window.
    The process's own DISPLAY is pointed at that screen meanwhile (``window_stacking`` asks
    it), and given back afterwards."""
    before = os.environ.get("DISPLAY")
    try:
        with xserver() as display:
            os.environ["DISPLAY"] = display
            return list(_capture_all(display, commands or programs()))
    finally:
        if before is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = before


def _capture_all(display: str, commands: dict[str, list[str]]) -> Iterator[tuple[str, Image.Image]]:
    import mss

    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=display, NO_AT_BRIDGE="1", GTK_A11Y="none", MANWIDTH="150")
    with mss.MSS(display=display) if hasattr(mss, "MSS") else mss.mss(display=display) as sct:

        def grab() -> Image.Image:
            shot = sct.grab({"left": 0, "top": 0, "width": SIZE[0], "height": SIZE[1]})
            return Image.frombytes("RGB", shot.size, shot.bgra, "raw", "BGRX")

        for name, command in commands.items():
            proc = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                shot = _settled(grab)
                windows = window_stacking() or []
            finally:
                proc.kill()
                proc.wait(10)
            if windows:  # the program's window: the largest one shown
                x, y, w, h = max((rect for _, rect in windows), key=lambda r: r[2] * r[3])
                shot = shot.crop((max(x, 0), max(y, 0), min(x + w, SIZE[0]), min(y + h, SIZE[1])))
            yield name, shot
            _settled(grab, wait=0.3, cap=3)  # gone before the next starts


if __name__ == "__main__":  # look at them: python -m tests.kinds_held_out.programs DIR
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, image in captures():
        image.save(out / f"{name}.png")
