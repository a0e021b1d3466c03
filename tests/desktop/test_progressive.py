"""A screen is said as it is read: its window's name at once, its text part by part while the
rest is still being read, the caption last; a newer request cuts the old one off."""

from __future__ import annotations

import threading

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from vocalens.core import WindowInfo
from vocalens.desktop.app import Controller
from vocalens.desktop.history import History
from vocalens.desktop.settings import Settings
from vocalens.desktop.worker import Job

from .conftest import FakeEngine
from .test_speech_queue import Held

EDITOR = WindowInfo(title="notes.txt", app="Editor", width=640, height=480)


def screen_job() -> Job:
    return Job("screen", Image.new("RGB", (64, 48), "red"), label=EDITOR.title, window=EDITOR)


def test_the_first_words_come_before_the_description_is_done(qtbot) -> None:
    engine, voice = FakeEngine(), Held()
    engine.gate = threading.Event()  # the engine has read its text, and holds the rest
    c = Controller(Settings(), History(), engine=engine, speaker=voice, use_tray=False)
    c.start()
    try:
        voice.said.clear()
        c._submit(screen_job())
        qtbot.waitUntil(lambda: voice.said == ["Editor — notes.txt."], timeout=5000)
        announced = c.result_window.text.toPlainText()
        assert announced.startswith("Editor — notes.txt.") and c.result_window.isVisible()
        voice.done()  # the window's name is said: the text read meanwhile follows
        qtbot.waitUntil(lambda: voice.said[-1] == "Text: Hello world.", timeout=5000)
        engine.gate.set()  # the caption is made: it waits its turn
        qtbot.waitUntil(lambda: c.last_description is not None, timeout=5000)
        assert voice.said[-1] == "Text: Hello world."
        voice.done()
        assert voice.said == [
            "Editor — notes.txt.",
            "Text: Hello world.",
            "A red square.",  # a photo in the window: its caption, plainly
        ]
        assert c.last_spoken == " ".join(voice.said)
        c.repeat_last()
        assert voice.said[-1] == c.last_spoken
    finally:
        c.shutdown()
        c.main_window.close()
        c.result_window.close()


def test_a_new_request_cuts_the_old_one_off(qtbot) -> None:
    engine, voice = FakeEngine(), Held()
    engine.gate = threading.Event()
    c = Controller(Settings(), History(), engine=engine, speaker=voice, use_tray=False)
    c.start()
    try:
        voice.said.clear()
        c._submit(screen_job())
        qtbot.waitUntil(lambda: len(voice.said) == 1, timeout=5000)
        c.run_action("stop")
        assert not c.speech.busy
        engine.gate.set()
        qtbot.waitUntil(lambda: c.last_description is not None, timeout=5000)
        voice.done()
        engine.gate = None
        c._submit(screen_job())  # asked again: the same window, from its start
        qtbot.waitUntil(lambda: len(c.history.search()) == 2, timeout=5000)
        while voice.speaking:
            voice.done()
        assert voice.said[-3:] == [
            "Editor — notes.txt.",
            "Text: Hello world.",
            "A red square.",  # a photo in the window: its caption, plainly
        ]
    finally:
        c.shutdown()
        c.main_window.close()
        c.result_window.close()


def describe_with_output(qtbot, output: str) -> tuple[Controller, Held]:
    engine, voice = FakeEngine(), Held()
    settings = Settings()
    settings.set("output", output)
    c = Controller(settings, History(), engine=engine, speaker=voice, use_tray=False)
    c.start()
    voice.said.clear()
    c._submit(screen_job())
    qtbot.waitUntil(lambda: c.last_description is not None, timeout=5000)
    return c, voice


@pytest.mark.parametrize(
    ("output", "spoken", "announced"),
    [("screen reader", False, True), ("own voice", True, False), ("both", True, True)],
)
def test_words_go_once_where_the_user_hears_them(qtbot, output, spoken, announced) -> None:
    """Through the screen reader, VocaLens's voice is silent (no double speech) and the result
    window does not take the focus from where the user is; with its own voice, nothing is
    announced; both, if asked."""
    c, voice = describe_with_output(qtbot, output)
    try:
        whole = c.last_spoken
        while voice.speaking:
            voice.done()
        assert (" ".join(voice.said) == whole) is spoken and bool(voice.said) is spoken
        assert (" ".join(c.result_window.announced) == whole) is announced
        assert c.result_window.isVisible()
        assert c.result_window.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating) is (
            output == "screen reader" or output == "both"
        )
        c.repeat_last()  # the same route for what is said again
        assert (voice.said[-1:] == [whole]) is spoken
    finally:
        c.shutdown()
        c.main_window.close()
        c.result_window.close()
