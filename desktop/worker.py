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

from vocalens.core import Description, Notice, ReadFirst, Source, VocaLensError, WindowInfo, tr

ImageSource = Image.Image | Callable[[], Image.Image]
PRELOAD = "<preload>"


@dataclass
class Job:
    source: Source
    image: ImageSource  # an image, or a function that loads it on the worker thread
    label: str = ""
    window: WindowInfo | None = None
    id: int = 0
    options: dict[str, Any] = field(default_factory=dict)  # caption search for this request
    first: ReadFirst | None = None  # where reading starts: under the mouse, the active window
    origin: tuple[int, int] = (0, 0)  # the capture's top left on the screen


class Superseded(Exception):
    """A newer request is waiting: the one in hand stops at its next part."""


class Engine:
    """What the worker needs from the ML side; the default builds a real ``Describer``."""

    def load(self, settings: dict[str, Any], notify: Callable[[Notice], None]) -> None:
        raise NotImplementedError

    def describe(
        self, job: Job, image: Image.Image, on_update: Callable[[Description], None]
    ) -> Description:
        """Describe ``image``; ``on_update`` hears the description as it grows."""
        raise NotImplementedError

    def check(self, settings: dict[str, Any]) -> Notice | None:
        """Why captions would be off with ``settings`` (None if they would work); quick."""
        return None


class _Runner(QObject):
    """Lives on the worker thread; everything it does happens there."""

    done = Signal(int, object, object)
    grew = Signal(int, object)
    error = Signal(int, str)
    note = Signal(object)  # Notice
    wake = Signal()
    check = Signal()
    task = Signal(str, object)  # name, a function to run here
    task_done = Signal(str, object)
    task_failed = Signal(str, str)

    def __init__(self, owner: Worker) -> None:
        super().__init__()
        self.owner = owner
        self.wake.connect(self.run_pending)
        self.check.connect(self.run_check)
        self.task.connect(self.run_task)

    @Slot(str, object)
    def run_task(self, name: str, function: Callable[[], Any]) -> None:
        try:
            self.task_done.emit(name, function())
        except VocaLensError as exc:
            self.task_failed.emit(name, str(exc))
        except Exception as exc:  # the worker must survive anything and say what happened
            self.task_failed.emit(name, tr("Something went wrong: {reason}").format(reason=exc))

    @Slot()
    def run_check(self) -> None:
        with self.owner._lock:
            settings = self.owner.settings
        try:
            problem = self.owner.engine.check(settings)
        except Exception as exc:  # a check must never take the worker down
            problem = Notice("captions_off", reason=str(exc))
        if problem is not None:
            self.note.emit(problem)

    @Slot()
    def run_pending(self) -> None:
        job, settings, need_load = self.owner._take()
        if job is None:
            return
        try:
            if need_load:
                self.owner.engine.load(settings, self.note.emit)
                self.owner._mark_loaded(settings)
            if job.label == PRELOAD:
                return
            image = job.image() if callable(job.image) else job.image

            def grew(desc: Description) -> None:
                if self.owner.waiting():
                    raise Superseded
                self.grew.emit(job.id, desc)

            self.done.emit(job.id, self.owner.engine.describe(job, image, grew), image)
        except Superseded:
            self.owner.superseded.emit(job.id)  # cut short: the newer request runs next
        except VocaLensError as exc:
            self.error.emit(job.id, str(exc))
        except MemoryError:
            self.error.emit(job.id, tr("Out of memory while describing. Try a smaller image."))
        except Exception as exc:  # the worker must survive anything and say what happened
            self.error.emit(
                job.id, tr("Something went wrong while describing: {reason}").format(reason=exc)
            )


class Worker(QObject):
    """The main thread's handle on the worker thread. Its signals always arrive on the main
    thread, whoever listens."""

    finished = Signal(int, object, object)  # job id, Description, the image described
    progressed = Signal(int, object)  # job id, the Description so far (context, text read, …)
    failed = Signal(int, str)  # job id, one sentence for the user
    superseded = Signal(int)  # job id that never ran
    status = Signal(object)  # a Notice worth telling the user (loading, captions off, …)
    task_done = Signal(str, object)  # name, result of ``run_task``
    task_failed = Signal(str, str)  # name, one sentence for the user

    def __init__(self, engine: Engine, settings: dict[str, Any]) -> None:
        super().__init__()
        self.engine = engine
        self.settings = dict(settings)
        self._lock = threading.Lock()
        self._pending: Job | None = None
        self._cancelled = False  # the job in hand stops at its next part, and nothing follows
        self._next_id = 0
        self._loaded_with: dict[str, Any] | None = None
        self._thread = QThread()
        self._thread.setObjectName("vocalens-worker")
        self._runner = _Runner(self)
        self._runner.moveToThread(self._thread)
        self._runner.done.connect(self._relay_done)
        self._runner.grew.connect(self.progressed)
        self._runner.error.connect(self._relay_error)
        self._runner.note.connect(self._relay_note)
        self._runner.task_done.connect(self.task_done)
        self._runner.task_failed.connect(self.task_failed)

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait_ms: int = 3_000) -> bool:
        """Drop what waits and end the thread after the work in hand. False when that work
        (a model loading or converting, which cannot be cut short) outlasts ``wait_ms``."""
        with self._lock:
            self._pending = None
        self._thread.quit()
        return bool(self._thread.wait(wait_ms))

    def submit(self, job: Job) -> int:
        """Queue ``job``, replacing a waiting one. Returns its id."""
        with self._lock:
            self._next_id += 1
            job.id = self._next_id
            old, self._pending = self._pending, job
        if old is not None:
            self.superseded.emit(old.id)
        self._runner.wake.emit()
        return job.id

    def reconfigure(self, settings: dict[str, Any]) -> None:
        """New model settings take effect at the next job (the model reloads then)."""
        with self._lock:
            self.settings = dict(settings)

    def preload(self) -> None:
        """Load the model now, on the worker thread."""
        self.submit(Job("file", Image.new("RGB", (1, 1)), label=PRELOAD))

    def run_task(self, name: str, function: Callable[[], Any]) -> None:
        """Run other model work (converting a download) here, between descriptions; never
        superseded. Ends in ``task_done`` or ``task_failed``."""
        self._runner.task.emit(name, function)

    def check_model(self) -> None:
        """Say now, without loading it, if the model cannot be used (status signal)."""
        self._runner.check.emit()

    def cancel(self) -> None:
        """Drop the waiting request and cut the one in hand short (Stop)."""
        with self._lock:
            self._pending, self._cancelled = None, True

    def waiting(self) -> bool:
        """Whether a newer request waits or the user cancelled (the one in hand is then cut
        short)."""
        with self._lock:
            return self._pending is not None or self._cancelled

    def _take(self) -> tuple[Job | None, dict[str, Any], bool]:
        with self._lock:
            job, self._pending = self._pending, None
            self._cancelled = False
            return job, self.settings, self._loaded_with is not self.settings

    def _mark_loaded(self, settings: dict[str, Any]) -> None:
        with self._lock:
            self._loaded_with = settings

    @Slot(int, object, object)
    def _relay_done(self, job_id: int, desc: Description, image: Image.Image) -> None:
        self.finished.emit(job_id, desc, image)

    @Slot(int, str)
    def _relay_error(self, job_id: int, message: str) -> None:
        self.failed.emit(job_id, message)

    @Slot(object)
    def _relay_note(self, notice: Notice) -> None:
        self.status.emit(notice)
