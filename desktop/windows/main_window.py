"""The main window: every action as a button, and a place to drop images.

It stands in for the tray icon where the desktop has none, and opens from the tray menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget

from vocalens.core import N_, tr

from ..capture_qt import local_files
from .result import announce

BUTTONS = (  # key, label, what it does (translated where shown)
    ("screen", N_("Describe &screen"), N_("Describe everything on the screen under the mouse.")),
    ("window", N_("Describe active &window"), N_("Describe the window that had focus.")),
    ("object", N_("Describe &focused object"), N_("Describe just the control the keyboard is on.")),
    (
        "region",
        N_("Describe &region…"),
        N_("Choose part of the screen with the keyboard or mouse."),
    ),
    (
        "clipboard",
        N_("Describe &clipboard image"),
        N_("Describe an image or image file you copied."),
    ),
    (
        "find",
        N_("F&ind on screen…"),
        N_("Say where a control or text is on the screen; Enter clicks it."),
    ),
    ("open", N_("&Open image(s)…"), N_("Choose image files to describe.")),
    ("repeat", N_("R&epeat last"), N_("Say the last description again.")),
    ("stop", N_("Sto&p speaking"), N_("Stop speech at once.")),
    ("history", N_("&History…"), N_("Browse, search and copy earlier descriptions.")),
    ("settings", N_("Se&ttings…"), N_("Model, speech, shortcuts, history and start-up options.")),
    ("download", N_("&Download caption model…"), N_("Fetch the caption model once (about 1 GB).")),
    ("quit", N_("&Quit"), N_("Close VocaLens.")),
)


class MainWindow(QMainWindow):
    action = Signal(str)  # one of the BUTTONS keys
    dropped = Signal(list)  # list[Path]

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("VocaLens")
        self.setAccessibleName("VocaLens")
        self.setAccessibleDescription(tr("Describe the screen or images out loud."))
        self.setAcceptDrops(True)
        self.setMinimumWidth(420)  # room for the notices and the drop area's sentence
        body = QWidget()
        layout = self.body = QVBoxLayout(body)
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        layout.addWidget(self.notice)
        self.drop_label = QLabel(tr("Drop images here, or use the buttons below."))
        self.drop_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_label.setAccessibleName(tr("Drop area"))
        self.drop_label.setAccessibleDescription(tr("Drop image files here to describe them."))
        self.drop_label.setMinimumHeight(80)
        self.drop_label.setFrameShape(QLabel.Shape.StyledPanel)
        layout.addWidget(self.drop_label)
        self.buttons: dict[str, QPushButton] = {}
        for key, label, what in BUTTONS:
            text, tip = tr(label), tr(what)
            button = QPushButton(text)
            button.setAccessibleName(text.replace("&", ""))
            button.setAccessibleDescription(tip)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, k=key: self.action.emit(k))
            layout.addWidget(button)
            self.buttons[key] = button
        self.setCentralWidget(body)

    def show_notice(self, text: str) -> None:
        """Add a notice (each distinct one once) above the buttons; announced when new."""
        lines = [line for line in self.notice.text().split("\n") if line]
        if text and text not in lines:
            lines.append(text)
            announce(self, text)
        self.notice.setText("\n".join(lines))
        self.notice.setAccessibleName(" ".join(lines))  # what a screen reader reads on it
        self.notice.setVisible(bool(lines))
        self._fit_notice()

    def show_message(self, text: str) -> None:
        """A passing message on the status line, announced to screen readers."""
        self.statusBar().showMessage(text, 30_000)
        announce(self, text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_notice()

    def _fit_notice(self) -> None:
        """Give the wrapped notices all the lines they need (a layout alone clips them)."""
        margins = self.body.contentsMargins()
        width = self.body.geometry().width() - margins.left() - margins.right()
        self.notice.setMinimumHeight(self.notice.heightForWidth(width) if self.notice.text() else 0)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files: list[Path] = local_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.dropped.emit(files)
