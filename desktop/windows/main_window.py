"""The main window: every action as a button, and a place to drop images.

It stands in for the tray icon where the desktop has none, and opens from the tray menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget

from ..capture_qt import local_files
from .result import announce

BUTTONS = (
    ("screen", "Describe &screen", "Describe everything on the screen under the mouse."),
    ("window", "Describe active &window", "Describe the window that had focus."),
    ("object", "Describe &focused object", "Describe just the control the keyboard is on."),
    ("region", "Describe &region…", "Choose part of the screen with the keyboard or mouse."),
    ("clipboard", "Describe &clipboard image", "Describe an image or image file you copied."),
    ("find", "F&ind on screen…", "Say where a control or text is on the screen; Enter clicks it."),
    ("open", "&Open image(s)…", "Choose image files to describe."),
    ("repeat", "R&epeat last", "Say the last description again."),
    ("stop", "Sto&p speaking", "Stop speech at once."),
    ("history", "&History…", "Browse, search and copy earlier descriptions."),
    ("settings", "Se&ttings…", "Model, speech, shortcuts, history and start-up options."),
    ("download", "&Download caption model…", "Fetch the caption model once (about 1 GB)."),
    ("quit", "&Quit", "Close VocaLens."),
)


class MainWindow(QMainWindow):
    action = Signal(str)  # one of the BUTTONS keys
    dropped = Signal(list)  # list[Path]

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("VocaLens")
        self.setAccessibleName("VocaLens")
        self.setAccessibleDescription("Describe the screen or images out loud.")
        self.setAcceptDrops(True)
        self.setMinimumWidth(420)  # room for the notices and the drop area's sentence
        body = QWidget()
        layout = self.body = QVBoxLayout(body)
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        layout.addWidget(self.notice)
        self.drop_label = QLabel("Drop images here, or use the buttons below.")
        self.drop_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_label.setAccessibleName("Drop area")
        self.drop_label.setAccessibleDescription("Drop image files here to describe them.")
        self.drop_label.setMinimumHeight(80)
        self.drop_label.setFrameShape(QLabel.Shape.StyledPanel)
        layout.addWidget(self.drop_label)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, tip in BUTTONS:
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
