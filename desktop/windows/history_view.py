"""Browsing the history: search, read, copy, delete."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
)

from ..history import Entry, History


class HistoryWindow(QDialog):
    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history
        self.setWindowTitle("History")
        self.setAccessibleName("History")
        self.setAccessibleDescription("Earlier descriptions, newest first. Type to search.")
        self.search = QLineEdit(placeholderText="Search descriptions")
        self.search.setAccessibleName("Search")
        self.search.setAccessibleDescription("Filter the history by words in it.")
        self.list = QListWidget()
        self.list.setAccessibleName("Descriptions")
        self.list.setAccessibleDescription("Choose one to read it below.")
        self.detail = QTextEdit(readOnly=True)
        self.detail.setAccessibleName("Selected description")
        self.detail.setAccessibleDescription("The full text of the chosen description.")
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setAccessibleName("Copy")
        self.copy_button.setAccessibleDescription("Copy the chosen description.")
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setAccessibleName("Delete")
        self.delete_button.setAccessibleDescription("Delete the chosen description.")
        self.close_button = QPushButton("C&lose")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAccessibleDescription("Close the history.")
        row = QHBoxLayout()
        for b in (self.copy_button, self.delete_button, self.close_button):
            row.addWidget(b)
        layout = QVBoxLayout(self)
        for w in (self.search, self.list, self.detail):
            layout.addWidget(w)
        layout.addLayout(row)
        self.search.textChanged.connect(self.refresh)
        self.list.currentItemChanged.connect(self._show)
        self.copy_button.clicked.connect(self.copy)
        self.delete_button.clicked.connect(self.delete)
        self.close_button.clicked.connect(self.close)
        self.resize(640, 520)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for entry in self.history.search(self.search.text().strip()):
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.created))
            first = (entry.spoken or entry.caption or entry.text).split(". ")[0][:80]
            item = QListWidgetItem(f"{when} · {entry.source} · {first}")
            item.setData(Qt.ItemDataRole.UserRole, entry)
            if entry.thumbnail:
                pixmap = QPixmap()
                pixmap.loadFromData(entry.thumbnail)
                item.setIcon(QIcon(pixmap))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.detail.clear()

    def _entry(self) -> Entry | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _show(self) -> None:
        entry = self._entry()
        if entry is None:
            return
        parts = [entry.spoken, f"Source: {entry.source} {entry.label}".strip(), entry.kind]
        if entry.caption:
            parts.append(f"Caption: {entry.caption}")
        if entry.text:
            parts.append(f"Text:\n{entry.text}")
        if entry.model:
            parts.append(f"Model: {entry.model}")
        self.detail.setPlainText("\n\n".join(p for p in parts if p))

    def copy(self) -> None:
        if self._entry() is not None:
            QGuiApplication.clipboard().setText(self.detail.toPlainText())

    def delete(self) -> None:
        entry = self._entry()
        if entry is not None:
            self.history.delete(entry.id)
            self.refresh()
