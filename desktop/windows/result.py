"""The result window: what was spoken, the full text, Copy; announced to screen readers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..speech.screen_reader import announce


class ResultWindow(QDialog):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Description")
        self.setAccessibleName("Description")
        self.setAccessibleDescription("The last description, as spoken and in full.")
        layout = QVBoxLayout(self)
        self.heading = QLabel("Description")
        self.heading.setAccessibleName("Source")
        self.text = QTextEdit(readOnly=True)
        self.text.setAccessibleName("Description text")
        self.text.setAccessibleDescription("Read-only text; use the arrow keys to review it.")
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setAccessibleName("Copy")
        self.copy_button.setAccessibleDescription("Copy the full description to the clipboard.")
        self.full_button = QPushButton("Read &all")
        self.full_button.setAccessibleName("Read all")
        self.full_button.setAccessibleDescription("Speak the full description and all its text.")
        self.close_button = QPushButton("C&lose")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAccessibleDescription("Close this window.")
        for b in (self.copy_button, self.full_button, self.close_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.copy_button.clicked.connect(self.copy)
        self.close_button.clicked.connect(self.close)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.close)
        self.full_text = ""
        self._earlier = ("", "")  # what earlier descriptions shown above this one (text, full)
        self.announced: list[str] = []  # what was handed to screen readers, in order
        self.announcer: Callable[[QWidget, str], None] = announce  # how it is handed
        self.resize(560, 360)

    def show_result(
        self, heading: str, spoken: str, full: str, seconds: int = 0, reader: bool = True
    ) -> None:
        self.begin(heading, focus=not reader)
        self.grow(spoken, full, spoken if reader else "")
        self.finish(seconds)

    def begin(self, heading: str, focus: bool = True, keep: bool = False) -> None:
        """A new description: shown and in front; focused on its text unless a screen reader
        says it (the user's place there is kept). ``keep``: it follows the ones shown (several
        files), which stay above it."""
        self._timer.stop()
        self.heading.setText(heading)
        if keep and self.text.toPlainText():
            self._earlier = (self.text.toPlainText() + "\n\n", self.full_text + "\n\n")
        else:
            self._earlier = ("", "")
            self.text.clear()
        self.full_text = self._earlier[1]
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, not focus)
        self.show()
        self.raise_()
        if focus:
            self.activateWindow()
            self.text.setFocus()

    def grow(self, spoken: str, full: str, new: str) -> None:
        """What has been said so far (and, once known, the full text); ``new`` is announced to
        screen readers ("" announces nothing)."""
        self.full_text = self._earlier[1] + (full or spoken)
        text = full if full.startswith(spoken) else f"{spoken}\n\n{full}".strip()
        self.text.setPlainText(self._earlier[0] + text)
        if new:
            self.announced.append(new)
            self.announcer(self.text, new)

    def finish(self, seconds: int = 0) -> None:
        """The description is whole: close it after ``seconds`` (0: it stays)."""
        if seconds:
            self._timer.start(seconds * 1000)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
