"""The worker thread: owns the models, runs one description at a time.

Requests carry ids. Only the newest request waits: a newer one replaces it, so pressing the
hotkey many times never builds a backlog. Results and errors come back as signals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from PySide6.QtCore import QObject, QThread, Signal, Slot

from vocalens.core.context import WindowInfo
from vocalens.core.describe import Description, Source
from vocalens.core.errors import VocaLensError

ImageSource = Image.Image | Callable[[], Image.Image]


@dataclass
class Job:
    source: Source
    image: ImageSource  # an image, or a function that loads it on the worker thread
    label: str = ""
    window: WindowInfo | None = None
    id: int = 0
    options: dict[str, Any] = field(default_factory=dict)


class Engine:
    """What the worker needs from the ML side; the default builds a real ``Describer``."""

    def load(self, settings: dict[str, Any], notify: Callable[[str], None]) -> None:
        raise NotImplementedError

    def describe(self, job: Job, image: Image.Image) -> Description:
        raise NotImplementedError


class Worker(QObject):
    finished = Signal(int, object, object)  # job id, Description, the image described
    failed = Signal(int, str)  # job id, one sentence for the user
    superseded = Signal(int)  # job id that never ran
    status = Signal(str)  # progress worth telling the user ("Loading the caption model…")
    _wake = Signal()

    def __init__(self, engine: Engine, settings: dict[str, Any]) -> None:
        super().__init__()
        self.engine = engine
        self.settings = dict(settings)
        self._lock = threading.Lock()
        self._pending: Job | None = None
        self._next_id = 0
        self._loaded = False
        self._thread = QThread()
        self._thread.setObjectName("vocalens-worker")
        self.moveToThread(self._thread)
        self._wake.connect(self._run_pending)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._pending = None
        self._thread.quit()
        self._thread.wait(10_000)

    def submit(self, job: Job) -> int:
        """Queue ``job`` (from any thread), replacing a waiting one. Returns its id."""
        with self._lock:
            self._next_id += 1
            job.id = self._next_id
            old, self._pending = self._pending, job
        if old is not None:
            self.superseded.emit(old.id)
        self._wake.emit()
        return job.id

    def reconfigure(self, settings: dict[str, Any]) -> None:
        """New model settings take effect at the next job (the model reloads then)."""
        with self._lock:
            self.settings = dict(settings)
            self._loaded = False

    def preload(self) -> None:
        """Load the model now, on the worker thread."""
        self.submit(Job("file", Image.new("RGB", (1, 1)), label="<preload>"))

    @Slot()
    def _run_pending(self) -> None:
        with self._lock:
            job, self._pending = self._pending, None
            settings, need_load = self.settings, not self._loaded
        if job is None:
            return
        try:
            if need_load:
                self.engine.load(settings, self.status.emit)
                self._loaded = True
            if job.label == "<preload>":
                return
            image = job.image() if callable(job.image) else job.image
            self.finished.emit(job.id, self.engine.describe(job, image), image)
        except VocaLensError as exc:
            self.failed.emit(job.id, str(exc))
        except MemoryError:
            self.failed.emit(job.id, "Out of memory while describing. Try a smaller image.")
        except Exception as exc:  # the worker must survive anything and say what happened
            self.failed.emit(job.id, f"Something went wrong while describing: {exc}")
