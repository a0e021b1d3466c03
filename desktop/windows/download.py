"""Downloading the caption model from the application, with progress."""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout

from vocalens.core import VocaLensError


class _Download(QThread):
    progress = Signal(str, int, int)
    failed = Signal(str)
    done = Signal(str)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def run(self) -> None:
        from vocalens.core import download_model

        try:
            path = download_model(
                self.name,
                lambda what, n, total: self.progress.emit(
                    what, min(n, 2**31 - 1), min(total, 2**31 - 1)
                ),
            )
        except VocaLensError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a download can fail in many ways; say so, keep running
            self.failed.emit(f"The download failed: {exc}")
        else:
            self.done.emit(str(path))


class DownloadDialog(QDialog):
    """Shows what is being fetched and how far along it is; closes itself when done."""

    finished_ok = Signal(str)  # the model folder

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setWindowTitle("VocaLens — downloading the caption model")
        self.setAccessibleName("Model download")
        self.setAccessibleDescription(f"Downloading {name}; about 1 GB, once.")
        self.label = QLabel(f"Preparing to download {name}…")
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Download status")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Download progress")
        self.bar.setRange(0, 0)
        self.hide_button = QPushButton("&Hide")
        self.hide_button.setAccessibleName("Hide")
        self.hide_button.setAccessibleDescription("Hide this window; the download goes on.")
        self.hide_button.clicked.connect(self.hide)
        layout = QVBoxLayout(self)
        for w in (self.label, self.bar, self.hide_button):
            layout.addWidget(w)
        self.job = _Download(name)
        self.job.progress.connect(self._on_progress)
        self.job.failed.connect(self._on_failed)
        self.job.done.connect(self._on_done)

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

    def _on_done(self, path: str) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.close()
        self.finished_ok.emit(path)
