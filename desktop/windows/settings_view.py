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

from vocalens.core import tr

from ..settings import SETTINGS, Setting, Settings, choice_name
from .hotkey_text import from_pynput, to_pynput


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.setWindowTitle(tr("Settings"))
        self.setAccessibleName(tr("Settings"))
        self.setAccessibleDescription(tr("Changes apply when you choose OK."))
        tabs = QTabWidget()
        tabs.setAccessibleName(tr("Setting groups"))
        tabs.setUsesScrollButtons(False)  # every group's tab in sight: the window fits them
        self.editors: dict[str, QWidget] = {}
        forms: dict[str, QFormLayout] = {}
        for s in SETTINGS:
            if s.group not in forms:
                page = QWidget()
                forms[s.group] = QFormLayout(page)
                tabs.addTab(page, tr(s.group))
            editor = self._editor(s, settings[s.name])
            editor.setAccessibleName(tr(s.title))
            editor.setAccessibleDescription(tr(s.description))
            editor.setToolTip(tr(s.description))
            label = QLabel(tr("{setting}:").format(setting=tr(s.title)))
            label.setBuddy(editor)
            forms[s.group].addRow(label, editor)
            self.editors[s.name] = editor
        self.error = QLabel("")
        self.error.setAccessibleName(tr("Problem"))
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        ok.setText(tr("OK"))
        cancel.setText(tr("Cancel"))
        for b, what in ((ok, tr("Save the settings")), (cancel, tr("Discard changes"))):
            b.setAccessibleName(b.text().replace("&", ""))
            b.setAccessibleDescription(what)
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
            for choice in s.choices:
                combo.addItem(choice_name(choice), choice)
            combo.setCurrentIndex(max(combo.findData(value), 0))
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
                out[name] = editor.currentData()
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
