"""The settings dialog, built from the declarations in ``settings.SETTINGS``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..settings import SETTINGS, Setting, Settings
from .hotkey_text import from_pynput, to_pynput


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.setAccessibleDescription("Changes apply when you choose OK.")
        tabs = QTabWidget()
        tabs.setAccessibleName("Setting groups")
        tabs.setUsesScrollButtons(False)  # every group's tab in sight: the window fits them
        self.editors: dict[str, QWidget] = {}
        forms: dict[str, QFormLayout] = {}
        for s in SETTINGS:
            if s.group not in forms:
                page = QWidget()
                forms[s.group] = QFormLayout(page)
                tabs.addTab(page, s.group)
            editor = self._editor(s, settings[s.name])
            editor.setAccessibleName(s.title)
            editor.setAccessibleDescription(s.description)
            editor.setToolTip(s.description)
            label = QLabel(s.title + ":")
            label.setBuddy(editor)
            forms[s.group].addRow(label, editor)
            self.editors[s.name] = editor
        self.error = QLabel("")
        self.error.setAccessibleName("Problem")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        for b in buttons.buttons():
            b.setAccessibleName(b.text().replace("&", ""))
            b.setAccessibleDescription(
                "Save the settings" if b is buttons.buttons()[0] else "Discard changes"
            )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _editor(self, s: Setting, value: Any) -> QWidget:
        if isinstance(s.default, bool):
            box = QCheckBox()
            box.setChecked(value)
            return box
        if s.choices:
            combo = QComboBox()
            combo.addItems([str(c) for c in s.choices])
            combo.setCurrentText(str(value))
            return combo
        if isinstance(s.default, int):
            spin = QSpinBox()
            spin.setRange(int(s.minimum or 0), int(s.maximum or 10**6))
            spin.setValue(value)
            return spin
        if isinstance(s.default, float):
            dspin = QDoubleSpinBox()
            dspin.setRange(s.minimum or 0.0, s.maximum or 1e6)
            dspin.setSingleStep(0.1)
            dspin.setValue(value)
            return dspin
        if s.name.startswith("hotkey_"):
            keys = QKeySequenceEdit(from_pynput(value))
            keys.setMaximumSequenceLength(1)
            return keys
        return QLineEdit(str(value))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QCheckBox):
                out[name] = editor.isChecked()
            elif isinstance(editor, QComboBox):
                out[name] = editor.currentText()
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                out[name] = editor.value()
            elif isinstance(editor, QKeySequenceEdit):
                out[name] = to_pynput(editor.keySequence())
            elif isinstance(editor, QLineEdit):
                out[name] = editor.text().strip()
        return out

    def accept(self) -> None:
        """Validate everything first; apply only when all values are acceptable."""
        try:
            self.settings.update(self.values())
        except ValueError as exc:  # refused, or not saved: the dialog stays open, nothing lost
            self.error.setText(str(exc))
            self.error.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().accept()
