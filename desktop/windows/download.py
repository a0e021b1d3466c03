"""Downloading the caption model from the application, with progress."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout

from vocalens.core import VocaLensError, tr


class _Download(QThread):
    """The network half on a thread of its own; the conversion runs on the model's worker."""

    progress = Signal(str, int, int)
    failed = Signal(str)
    fetched = Signal(object)  # Fetched

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.cancel = threading.Event()

    def run(self) -> None:
        from vocalens.core import fetch_model

        try:
            parts = fetch_model(
                self.name,
                lambda what, n, total: self.progress.emit(
                    what, min(n, 2**31 - 1), min(total, 2**31 - 1)
                ),
                self.cancel,
            )
        except VocaLensError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a download can fail in many ways; say so, keep running
            self.failed.emit(tr("The download failed: {reason}").format(reason=exc))
        else:
            self.fetched.emit(parts)


class DownloadDialog(QDialog):
    """Shows what is being fetched and how far along it is; closes itself when done."""

    fetched = Signal(object)  # the parts, to be converted on the worker

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setWindowTitle(tr("Downloading the caption model"))
        self.setAccessibleName(tr("Model download"))
        self.setAccessibleDescription(tr("Downloading {name}; about 1 GB, once.").format(name=name))
        self.label = QLabel(tr("Preparing to download {name}…").format(name=name))
        self.label.setWordWrap(True)
        self.label.setAccessibleName(tr("Download status"))
        self.bar = QProgressBar()
        self.bar.setAccessibleName(tr("Download progress"))
        self.bar.setRange(0, 0)
        self.hide_button = QPushButton(tr("&Hide"))
        self.hide_button.setAccessibleName(tr("Hide"))
        self.hide_button.setAccessibleDescription(tr("Hide this window; the download goes on."))
        self.hide_button.clicked.connect(self.hide)
        self.cancel_button = QPushButton(tr("&Stop download"))
        self.cancel_button.setAccessibleName(tr("Stop download"))
        self.cancel_button.setAccessibleDescription(
            tr("Stop downloading; files already fetched are kept for the next download.")
        )
        self.cancel_button.clicked.connect(self.stop)
        layout = QVBoxLayout(self)
        for w in (self.label, self.bar, self.hide_button, self.cancel_button):
            layout.addWidget(w)
        self.job = _Download(name)
        self.job.progress.connect(self._on_progress)
        self.job.failed.connect(self._on_failed)
        self.job.fetched.connect(self._on_fetched)

    def start(self) -> None:
        self.show()
        self.job.start()

    def _on_progress(self, what: str, done: int, total: int) -> None:
        self.label.setText(what)
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        else:
            self.bar.setRange(0, 0)

    def _on_failed(self, message: str) -> None:
        self.label.setText(message)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.show()

    def stop(self) -> None:
        self.job.cancel.set()

    def _on_fetched(self, parts: object) -> None:
        self.label.setText(tr("Converting the model for VocaLens…"))
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(False)
        self.fetched.emit(parts)

    def converted(self) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.close()
