"""Desktop test helpers: a fake engine, a recording speaker, private config and data folders."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

pytest.importorskip("PySide6", reason="the desktop extra is not installed")

from vocalens.core import Context, Description, Notice, TextPart
from vocalens.desktop.speech.base import Speaker
from vocalens.desktop.worker import Engine, Job


@pytest.fixture(autouse=True)
def _desktop_dirs(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("VOCALENS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("VOCALENS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (tmp_path / "run").mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))


class FakeEngine(Engine):
    """Describes by colour; can be held mid-job, and fails on request."""

    def __init__(self, notice: Notice | None = None) -> None:
        self.jobs: list[Job] = []
        self.loads = 0
        self.notice = notice
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self.fail_with: Callable[[], Exception] | None = None

    def load(self, settings: dict[str, Any], notify: Callable[[Notice], None]) -> None:
        self.loads += 1
        if self.notice:
            notify(self.notice)

    def check(self, settings: dict[str, Any]) -> Notice | None:
        return self.notice

    def describe(
        self, job: Job, image: Image.Image, on_update: Callable[[Description], None]
    ) -> Description:
        self.jobs.append(job)
        # as a real one grows: its context, then its text; the kind and caption come last
        on_update(Description([Context(job.source, job.label, job.window)]))
        on_update(
            Description([Context(job.source, job.label, job.window), TextPart("Hello world")])
        )
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(10)
            # more of the text read (nothing new here): a newer request cuts this one short
            on_update(
                Description([Context(job.source, job.label, job.window), TextPart("Hello world")])
            )
        if self.fail_with is not None:
            raise self.fail_with()
        r, g, b = image.convert("RGB").getpixel((0, 0))
        colour = "red" if r > 200 and g < 80 else "blue" if b > 200 and r < 80 else "other"
        return Description.of(
            job.source,
            job.label,
            window=job.window,
            caption=f"a {colour} square",
            blocks=["Hello world"],
            kind="photo",
            model="fake",
        )


class RecordingSpeaker(Speaker):
    name = "recording"

    def __init__(self) -> None:
        super().__init__()
        self.said: list[str] = []
        self.stops = 0

    def speak(self, text: str) -> None:
        """Said in no time: the next waiting utterance follows at once."""
        self.said.append(text)
        self.started.emit(text)
        self.finished.emit()

    def stop(self) -> None:
        self.stops += 1


@pytest.fixture()
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture()
def speaker() -> RecordingSpeaker:
    return RecordingSpeaker()


@pytest.fixture()
def controller(qtbot, engine, speaker):
    """A started controller with the fake engine and the ``speaker`` fixture's voice, no tray."""
    from vocalens.desktop.app import Controller
    from vocalens.desktop.history import History
    from vocalens.desktop.settings import Settings

    c = Controller(Settings(), History(), engine=engine, speaker=speaker, use_tray=False)
    c.start()
    yield c
    c.shutdown()
    for w in (c.main_window, c.result_window):
        w.close()
