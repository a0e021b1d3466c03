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

from vocalens.core import source_name, tr

from ..history import Entry, History


class HistoryWindow(QDialog):
    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history
        self.setWindowTitle(tr("History"))
        self.setAccessibleName(tr("History"))
        self.setAccessibleDescription(tr("Earlier descriptions, newest first. Type to search."))
        self.search = QLineEdit(placeholderText=tr("Search descriptions"))
        self.search.setAccessibleName(tr("Search"))
        self.search.setAccessibleDescription(tr("Filter the history by words in it."))
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Descriptions"))
        self.list.setAccessibleDescription(tr("Choose one to read it below."))
        self.detail = QTextEdit(readOnly=True)
        self.detail.setAccessibleName(tr("Selected description"))
        self.detail.setAccessibleDescription(tr("The full text of the chosen description."))
        self.copy_button = QPushButton(tr("&Copy"))
        self.copy_button.setAccessibleName(tr("Copy"))
        self.copy_button.setAccessibleDescription(tr("Copy the chosen description."))
        self.delete_button = QPushButton(tr("&Delete"))
        self.delete_button.setAccessibleName(tr("Delete"))
        self.delete_button.setAccessibleDescription(tr("Delete the chosen description."))
        self.close_button = QPushButton(tr("C&lose"))
        self.close_button.setAccessibleName(tr("Close"))
        self.close_button.setAccessibleDescription(tr("Close the history."))
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
            source = source_name(entry.source)
            item = QListWidgetItem(f"{when} · {source} · {first}")
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
        source = tr("Source: {source} {label}").format(
            source=source_name(entry.source), label=entry.label
        )
        parts = [entry.spoken, source.strip(), entry.kind]
        if entry.caption:
            parts.append(tr("Caption: {caption}").format(caption=entry.caption))
        if entry.text:
            parts.append(tr("Text:\n{text}").format(text=entry.text))
        if entry.model:
            parts.append(tr("Model: {model}").format(model=entry.model))
        self.detail.setPlainText("\n\n".join(p for p in parts if p))

    def copy(self) -> None:
        if self._entry() is not None:
            QGuiApplication.clipboard().setText(self.detail.toPlainText())

    def delete(self) -> None:
        entry = self._entry()
        if entry is not None:
            self.history.delete(entry.id)
            self.refresh()
