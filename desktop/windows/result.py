"""The result window: what was spoken, the full text, Copy; announced to screen readers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from vocalens.core import CONTROL_ROLES, Description, Element, element_line, tr

from ..speech.screen_reader import announce

PRESSES = {  # key modifiers → what Enter does on a control in the list
    Qt.KeyboardModifier.NoModifier: "left",
    Qt.KeyboardModifier.ShiftModifier: "right",
    Qt.KeyboardModifier.ControlModifier: "move",
}


class ControlList(QListWidget):
    """The screen's controls and text in reading order: Enter clicks one, Shift+Enter
    right-clicks it, Ctrl+Enter moves the mouse onto it."""

    pressed = Signal(object, str)  # the element, and how

    def keyPressEvent(self, event: QKeyEvent) -> None:
        how = PRESSES.get(event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and how and item is not None:
            self.pressed.emit(item.data(Qt.ItemDataRole.UserRole), how)
            return
        super().keyPressEvent(event)


class ResultWindow(QDialog):
    pressed = Signal(object, str)  # a control of the list to click (left, right) or point at

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(tr("Description"))
        self.setAccessibleName(tr("Description"))
        self.setAccessibleDescription(tr("The last description, as spoken and in full."))
        layout = QVBoxLayout(self)
        self.heading = QLabel(tr("Description"))
        self.heading.setAccessibleName(tr("Source"))
        self.text = QTextEdit(readOnly=True)
        self.text.setAccessibleName(tr("Description text"))
        self.text.setAccessibleDescription(tr("Read-only text; use the arrow keys to review it."))
        self.controls_label = QLabel(tr("C&ontrols on the screen"))
        self.controls = ControlList()
        self.controls.setAccessibleName(tr("Controls on the screen"))
        self.controls.setAccessibleDescription(
            tr(
                "Found in the picture, in reading order. Enter clicks the one chosen, Shift+Enter "
                "right-clicks it, Ctrl+Enter moves the mouse onto it."
            )
        )
        self.controls_label.setBuddy(self.controls)
        self.controls.pressed.connect(self.pressed)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(tr("&Copy"))
        self.copy_button.setAccessibleName(tr("Copy"))
        self.copy_button.setAccessibleDescription(tr("Copy the full description to the clipboard."))
        self.full_button = QPushButton(tr("Read &all"))
        self.full_button.setAccessibleName(tr("Read all"))
        self.full_button.setAccessibleDescription(
            tr("Speak the full description and all its text.")
        )
        self.close_button = QPushButton(tr("C&lose"))
        self.close_button.setAccessibleName(tr("Close"))
        self.close_button.setAccessibleDescription(tr("Close this window."))
        for b in (self.copy_button, self.full_button, self.close_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        layout.addWidget(self.controls_label)
        layout.addWidget(self.controls)
        layout.addWidget(buttons)
        self.list(None)
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

    def list(self, desc: Description | None, chosen: Element | None = None, said: str = "") -> None:
        """The controls of a screen (and the text beside them), or none: the list is hidden
        where a picture shows no control. ``chosen`` (found by name, as ``said``) is shown and
        has the focus: Enter clicks it."""
        elements: list[Element] = desc.elements if desc is not None else []
        self.controls.clear()
        if not any(e.role in CONTROL_ROLES for e in elements):
            elements = []
        for element in elements:
            item = QListWidgetItem(element_line(element))
            item.setData(Qt.ItemDataRole.UserRole, element)
            self.controls.addItem(item)
        if elements:
            self.controls.setCurrentRow(elements.index(chosen) if chosen in elements else 0)
        self.controls.setVisible(bool(elements))
        self.controls_label.setVisible(bool(elements))
        if chosen is not None and elements:
            self._timer.stop()
            self.heading.setText(tr("Found on the screen"))
            self.text.setPlainText(said)
            self.full_text = said
            self.show()
            self.raise_()
            self.activateWindow()
            self.controls.setFocus()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
