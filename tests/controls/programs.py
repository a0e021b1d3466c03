"""Real Qt and GTK programs whose windows hold the controls a user meets: forms of fields,
checkboxes, radio buttons and push buttons (laid out afresh from a seed), and zenity's GTK
dialogs. Each is a ``Program``: a command to start it, and its ``split``: "fitted" (looked
at, with its failures, while the recogniser was written), "looked" (graded while it was
written: its failures were seen, so it is not held out any more) or "held" (graded only,
never looked at)."""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from typing import Literal

Split = Literal["fitted", "looked", "held"]

FIELDS = [
    "Name",
    "Email address",
    "Phone",
    "City",
    "Postcode",
    "Company",
    "Username",
    "Search",
    "Comment",
    "Title",
    "Street",
    "Country",
    "Website",
    "Account number",
]
CHECKS = [
    "Remember me",
    "Send me news",
    "Open at login",
    "Show hidden files",
    "Check spelling",
    "Keep a copy",
    "Ask before closing",
    "Use large icons",
    "Play sounds",
    "Update automatically",
]
RADIOS = [
    "Small",
    "Medium",
    "Large",
    "Daily",
    "Weekly",
    "Never",
    "Portrait",
    "Landscape",
    "Left",
    "Right",
    "Centre",
]
BUTTONS = [
    "Save",
    "Cancel",
    "Apply",
    "Next",
    "Back",
    "Help",
    "Delete",
    "Open",
    "Close",
    "Finish",
    "Install",
    "Browse",
    "Reset",
    "Send",
    "Print",
    "Skip",
]
VALUES = [
    "Ada Lovelace",
    "Berlin",
    "42",
    "ACME Ltd",
    "hello world",
    "June report",
    "12 Elm Street",
    "Norway",
]


def form(seed: int) -> dict:
    """A form's content, the same for one seed whichever toolkit draws it."""
    rnd = random.Random(seed)
    fields = [
        (name, rnd.choice(VALUES) if rnd.random() < 0.4 else "")
        for name in rnd.sample(FIELDS, rnd.randint(1, 4))
    ]
    checks = [(name, rnd.random() < 0.5) for name in rnd.sample(CHECKS, rnd.randint(0, 3))]
    radios = rnd.sample(RADIOS, rnd.choice([0, 2, 3]))
    return {
        "heading": rnd.choice(["Account", "Preferences", "Shipping", "Export", "New project"]),
        "fields": fields,
        "label_above": rnd.random() < 0.3,
        "checks": checks,
        "radios": radios,
        "chosen": rnd.randrange(len(radios)) if radios else -1,
        "buttons": rnd.sample(BUTTONS, rnd.randint(1, 4)),
        "at": [rnd.randint(0, 500), rnd.randint(0, 300)],
        "width": rnd.choice([0, 360, 520]),
    }


QT = r"""
import json, sys
from PySide6.QtGui import QFont, QPalette, QColor
from PySide6.QtWidgets import (QApplication, QButtonGroup, QCheckBox, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QPushButton, QRadioButton, QVBoxLayout, QWidget)
spec = json.loads(sys.argv[1])
app = QApplication([])
app.setStyle(spec["style"])
font = app.font(); font.setPointSize(spec["point"]); app.setFont(font)
if spec["dark"]:
    p = QPalette()
    for role, colour in [(QPalette.Window, "#2b2b2b"), (QPalette.WindowText, "#e6e6e6"),
                         (QPalette.Base, "#1e1e1e"), (QPalette.Text, "#e6e6e6"),
                         (QPalette.Button, "#3a3a3a"), (QPalette.ButtonText, "#e6e6e6"),
                         (QPalette.Highlight, "#2f65ca"), (QPalette.HighlightedText, "#ffffff")]:
        p.setColor(role, QColor(colour))
    app.setPalette(p)
f = spec["form"]
w = QWidget(); w.setWindowTitle(f["heading"])
box = QVBoxLayout(w)
box.addWidget(QLabel(f["heading"]))
rows = QFormLayout(); box.addLayout(rows)
for name, value in f["fields"]:
    edit = QLineEdit(value)
    if f["label_above"]:
        box.addWidget(QLabel(name)); box.addWidget(edit)
    else:
        rows.addRow(name, edit)
for name, checked in f["checks"]:
    c = QCheckBox(name); c.setChecked(checked); box.addWidget(c)
group = QButtonGroup(w)
for i, name in enumerate(f["radios"]):
    r = QRadioButton(name); group.addButton(r); r.setChecked(i == f["chosen"]); box.addWidget(r)
row = QHBoxLayout(); row.addStretch(); box.addLayout(row)
def pressed(name):
    print("pressed", name, flush=True); app.exit(0)
for name in f["buttons"]:
    b = QPushButton(name); b.clicked.connect(lambda _=False, n=name: pressed(n)); row.addWidget(b)
if f["width"]:
    w.resize(f["width"], 10)
w.move(*f["at"])
w.show()
app.exec()
"""

GTK = r"""
import json, sys
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk
spec = json.loads(sys.argv[1])
f = spec["form"]
settings = Gtk.Settings.get_default()
settings.set_property("gtk-font-name", "Sans %d" % spec["point"])
settings.set_property("gtk-application-prefer-dark-theme", spec["dark"])
w = Gtk.Window(title=f["heading"])
w.connect("destroy", Gtk.main_quit)
box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6, margin=12)
w.add(box)
box.pack_start(Gtk.Label(label=f["heading"], xalign=0), False, False, 0)
grid = Gtk.Grid(column_spacing=12, row_spacing=6)
box.pack_start(grid, False, False, 0)
for i, (name, value) in enumerate(f["fields"]):
    entry = Gtk.Entry(text=value, hexpand=True)
    label = Gtk.Label(label=name, xalign=0)
    if f["label_above"]:
        box.pack_start(label, False, False, 0); box.pack_start(entry, False, False, 0)
    else:
        grid.attach(label, 0, i, 1, 1); grid.attach(entry, 1, i, 1, 1)
for name, checked in f["checks"]:
    box.pack_start(Gtk.CheckButton(label=name, active=checked), False, False, 0)
first = None
for i, name in enumerate(f["radios"]):
    r = Gtk.RadioButton.new_with_label_from_widget(first, name)
    first = first or r
    box.pack_start(r, False, False, 0)
    if i == f["chosen"]:
        r.set_active(True)
row = Gtk.Box(spacing=6, halign=Gtk.Align.END)
box.pack_start(row, False, False, 0)
def pressed(_, name):
    print("pressed", name, flush=True); Gtk.main_quit()
for name in f["buttons"]:
    b = Gtk.Button(label=name); b.connect("clicked", pressed, name)
    row.pack_start(b, False, False, 0)
if f["width"]:
    w.set_default_size(f["width"], -1)
w.move(*f["at"])
w.show_all()
Gtk.main()
"""


@dataclass(frozen=True)
class Program:
    name: str
    command: list[str]
    split: Split
    env: dict[str, str] = field(default_factory=dict)
    pressed: dict[str, int] = field(default_factory=dict)  # zenity: button → exit code


def qt(seed: int, style: str, dark: bool, point: int, split: Split) -> Program:
    spec = {"form": form(seed), "style": style, "dark": dark, "point": point}
    shade = "dark" if dark else "light"
    name = f"qt-{style.lower()}-{shade}-{point}pt-{seed}"
    return Program(name, [sys.executable, "-c", QT, json.dumps(spec)], split)


def gtk(seed: int, dark: bool, point: int, split: Split) -> Program:
    spec = {"form": form(seed), "dark": dark, "point": point}
    name = f"gtk-{'dark' if dark else 'light'}-{point}pt-{seed}"
    return Program(name, ["/usr/bin/python3", "-c", GTK, json.dumps(spec)], split)


ZENITY = {
    "question": (["--question", "--text", "Delete the selected files?"], {"Yes": 0, "No": 1}),
    "entry": (
        ["--entry", "--text", "Name of the new folder:", "--entry-text", "Untitled"],
        {"OK": 0, "Cancel": 1},
    ),
    "forms": (
        [
            "--forms",
            "--text",
            "Sign in",
            "--add-entry",
            "User",
            "--add-password",
            "Password",
            "--add-entry",
            "Server",
        ],
        {"OK": 0, "Cancel": 1},
    ),
    "info": (["--info", "--text", "The backup has finished."], {"OK": 0}),
    "list": (
        [
            "--list",
            "--checklist",
            "--column",
            "Use",
            "--column",
            "Part",
            "TRUE",
            "Documents",
            "FALSE",
            "Music",
            "TRUE",
            "Pictures",
        ],
        {"OK": 0, "Cancel": 1},
    ),
    "files": (
        ["--file-selection", "--filename", "/usr/share/", "--height", "560"],
        {"OK": 0, "Cancel": 1},
    ),
    "warning": (["--warning", "--text", "The disk is almost full."], {"OK": 0}),
    "password": (["--password", "--title", "Unlock keyring"], {"OK": 0, "Cancel": 1}),
    "install": (
        [
            "--question",
            "--text",
            "Install the 3 updates now?",
            "--ok-label",
            "Install",
            "--cancel-label",
            "Not now",
        ],
        {"Install": 0, "Not now": 1},
    ),
    "signup": (
        [
            "--forms",
            "--text",
            "Create an account",
            "--add-entry",
            "First name",
            "--add-entry",
            "Last name",
            "--add-password",
            "PIN code",
        ],
        {"OK": 0, "Cancel": 1},
    ),
    "rename": (
        [
            "--entry",
            "--text",
            "New name for the photo:",
            "--entry-text",
            "holiday-2026.jpg",
            "--ok-label",
            "Rename",
        ],
        {"Rename": 0, "Cancel": 1},
    ),
}


HELD_ZENITY = {"password", "install", "signup", "rename"}  # dialogs none of the others show


def zenity(
    kind: str, dark: bool, scale: str, width: int | None = None, split: Split = "looked"
) -> Program:
    args, pressed = ZENITY[kind]
    size = ["--width", str(width)] if width else []
    env = {"GDK_DPI_SCALE": scale}
    if dark:
        env["GTK_THEME"] = "Adwaita:dark"
    name = f"zenity-{kind}-{'dark' if dark else 'light'}-{scale}{'-' + str(width) if width else ''}"
    return Program(name, ["zenity", *args, *size], split, env, pressed)


def programs() -> list[Program]:
    """Fitted: Qt's Fusion style and GTK's Adwaita, light, at usual sizes. Looked at: Qt's
    Windows style, dark palettes, large fonts, other forms, and zenity's dialogs. Held out:
    other forms at sizes neither used, and zenity's dialogs with other words, at 1.5 times."""
    out = [qt(seed, "Fusion", False, 9 + seed % 3, "fitted") for seed in range(12)]
    out += [gtk(seed, False, 9 + seed % 3, "fitted") for seed in range(12, 20)]
    out += [
        qt(seed, "Windows", seed % 2 == 0, 9 + seed % 4 * 2, "looked") for seed in range(100, 110)
    ]
    out += [qt(seed, "Fusion", True, 10 + seed % 3 * 2, "looked") for seed in range(110, 114)]
    out += [gtk(seed, seed % 2 == 0, 10 + seed % 3 * 2, "looked") for seed in range(120, 128)]
    for n, kind in enumerate(sorted(ZENITY)):
        if kind not in HELD_ZENITY:
            out.append(zenity(kind, False, "1"))
            out.append(zenity(kind, True, "1.25", 420 if n % 2 else None))
    out += [
        qt(seed, "Fusion", seed % 3 == 0, (13, 8, 16)[seed % 3], "held") for seed in range(200, 206)
    ]
    out += [
        qt(seed, "Windows", seed % 2 == 1, (10, 12)[seed % 2], "held") for seed in range(206, 210)
    ]
    out += [gtk(seed, seed % 2 == 1, (13, 8, 15)[seed % 3], "held") for seed in range(210, 216)]
    for n, kind in enumerate(sorted(HELD_ZENITY)):
        out.append(zenity(kind, n % 2 == 0, "1.5", split="held"))
        out.append(zenity(kind, n % 2 == 1, "0.9", 480, split="held"))
    return out
