"""Several files, a folder or repeated drops are described one after another, each named
and heard whole; a new request or Stop drops the rest and says how many."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QTimer

from vocalens.desktop.speech.base import Speaker


class TimedSpeaker(Speaker):
    """Takes 30 ms an utterance, as a voice takes time; counts utterances cut off."""

    name = "timed"

    def __init__(self) -> None:
        super().__init__()
        self.said: list[str] = []
        self.cut: list[str] = []  # utterances started over one still being said
        self.speaking: str | None = None
        self._timer = QTimer(singleShot=True)
        self._timer.timeout.connect(self._end)

    def speak(self, text: str) -> None:
        if self.speaking is not None:
            self.cut.append(self.speaking)
        self.speaking = text
        self.said.append(text)
        self.started.emit(text)
        self._timer.start(30)

    def stop(self) -> None:
        self.speaking = None
        self._timer.stop()

    def _end(self) -> None:
        self.speaking = None
        self.finished.emit()


@pytest.fixture()
def speaker() -> TimedSpeaker:
    return TimedSpeaker()


@pytest.fixture()
def timed(speaker, controller, qtbot) -> TimedSpeaker:
    qtbot.waitUntil(lambda: speaker.speaking is None, timeout=5000)  # the no-tray sentence
    return speaker


def image(folder: Path, name: str, colour: str) -> Path:
    path = folder / name
    Image.new("RGB", (40, 40), colour).save(path)
    return path


def test_a_folder_is_heard_whole_file_by_file(controller, timed, qtbot, tmp_path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    image(folder, "1-invoice.png", "red")
    (folder / "2-empty.png").write_bytes(b"")
    image(folder, "3-chart.png", "blue")
    seen = []
    controller.described.connect(seen.append)
    controller.describe_files([folder])
    qtbot.waitUntil(lambda: len(seen) == 2 and timed.speaking is None, timeout=10_000)
    assert timed.cut == []  # nothing cut off
    spoken = timed.said[1:]
    assert spoken == [
        "1-invoice.png: A red square.",
        "Text in the image: Hello world.",
        "2-empty.png: the file is empty.",
        "3-chart.png: A blue square.",
        "Text in the image: Hello world.",
    ]
    shown = controller.result_window.text.toPlainText()
    for said in spoken:
        assert said in shown
    assert len(controller.history.search()) == 2


def test_files_asked_for_meanwhile_join_the_queue(controller, engine, timed, qtbot, tmp_path):
    seen = []
    controller.described.connect(seen.append)
    controller.describe_files([image(tmp_path, "a.png", "red")])
    controller.describe_files([image(tmp_path, "b.png", "blue")])
    qtbot.waitUntil(lambda: len(seen) == 2 and timed.speaking is None, timeout=10_000)
    assert [d.caption for d in seen] == ["a red square", "a blue square"]
    assert timed.cut == []


def test_a_new_request_drops_the_rest_and_says_so(controller, engine, timed, qtbot, tmp_path):
    engine.gate = threading.Event()  # the first file is held mid-way
    seen = []
    controller.described.connect(seen.append)
    controller.describe_files([image(tmp_path, f"{n}.png", "red") for n in range(4)])
    assert engine.entered.wait(5)
    controller.describe_clipboard()  # something new: the files waiting are dropped
    engine.gate.set()
    assert "3 more images were not described." in timed.said
    qtbot.wait(300)
    assert seen == [] and len(engine.jobs) == 1  # the file in hand is cut short, none follow


def test_stop_drops_the_rest(controller, engine, timed, qtbot, tmp_path) -> None:
    engine.gate = threading.Event()
    seen = []
    controller.described.connect(seen.append)
    controller.describe_files([image(tmp_path, f"{n}.png", "blue") for n in range(3)])
    assert engine.entered.wait(5)
    controller.stop_speaking()
    engine.gate.set()
    assert timed.said[-1] == "2 more images were not described."
    qtbot.wait(300)
    assert seen == [] and len(engine.jobs) == 1
    assert timed.said[-1] == "2 more images were not described."  # and nothing after it


def test_a_folder_of_bad_files_is_summed_up_not_read_out(controller, timed, qtbot, tmp_path):
    """Three problems in a row are said one by one; the rest are counted and said once, at
    the end, with their reasons; a good file among them is heard in its turn."""
    folder = tmp_path / "junk"
    folder.mkdir()
    for n in range(200):
        (folder / f"{n:03d}-empty.png").write_bytes(b"")
    (folder / "100-z.png").write_bytes(b"not an image at all")
    image(folder, "150-good.png", "red")
    seen = []
    controller.described.connect(seen.append)
    controller.describe_files([folder])
    qtbot.waitUntil(lambda: "could not be read" in timed.said[-1] and timed.speaking is None,
                    timeout=60_000)  # fmt: skip
    assert timed.cut == [] and len(seen) == 1
    assert timed.said[1:] == [
        "000-empty.png: the file is empty.",
        "001-empty.png: the file is empty.",
        "002-empty.png: the file is empty.",
        "150-good.png: A red square.",
        "Text in the image: Hello world.",
        "151-empty.png: the file is empty.",
        "152-empty.png: the file is empty.",
        "153-empty.png: the file is empty.",
        "195 more files could not be read (the file is empty: 194; not an image, or a format "
        "VocaLens cannot read: 1).",
    ]
