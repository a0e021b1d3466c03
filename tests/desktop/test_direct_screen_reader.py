"""NVDA and JAWS reached through their own interfaces (Windows), through a stand-in with the
interface accessible_output2 gives them: words spoken and brailled by the screen reader, none
by our own voice, Stop silences it, and a reader that went away falls back to announcements."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import Qt

from vocalens.core import WindowInfo
from vocalens.desktop.app import Controller
from vocalens.desktop.history import History
from vocalens.desktop.settings import Settings
from vocalens.desktop.speech.screen_reader import DirectReader, running_reader
from vocalens.desktop.worker import Job

from .conftest import FakeEngine, RecordingSpeaker


class FakeNVDA:
    """accessible_output2's NVDA output: speak(text, interrupt), braille, silence, is_active."""

    name = "NVDA"

    def __init__(self, running: bool = True) -> None:
        self.running = running
        self.spoken: list[tuple[str, bool]] = []
        self.brailled: list[str] = []
        self.silenced = 0

    def is_active(self) -> bool:
        return self.running

    def speak(self, text: str, interrupt: bool = False) -> None:
        if not self.running:
            raise OSError("NVDA is not running")  # the controller client's error
        self.spoken.append((text, interrupt))

    def braille(self, text: str) -> None:
        self.brailled.append(text)

    def silence(self) -> None:
        self.silenced += 1


def test_the_first_running_reader_is_chosen() -> None:
    off, on = FakeNVDA(running=False), FakeNVDA()

    def broken() -> FakeNVDA:
        raise OSError("jfwapi is not registered")  # JAWS is not installed

    assert running_reader([lambda: off, broken]) is None
    found = running_reader([broken, lambda: off, lambda: on])
    assert found is not None and found.output is on
    assert running_reader() is None  # here (not Windows) none is reached directly


def test_descriptions_go_to_the_screen_reader_spoken_and_brailled(qtbot, monkeypatch) -> None:
    nvda, voice = FakeNVDA(), RecordingSpeaker()
    c = Controller(Settings(), History(), engine=FakeEngine(), speaker=voice, use_tray=False)
    c.find_reader = lambda: DirectReader(nvda)
    c.start()
    try:
        voice.said.clear()
        nvda.spoken.clear()  # the start-up notice
        nvda.brailled.clear()
        window = WindowInfo("notes.txt", "Editor", width=64, height=48)
        c._submit(Job("screen", Image.new("RGB", (64, 48), "red"), "notes.txt", window))
        qtbot.waitUntil(lambda: c.last_description is not None, timeout=5000)
        words = [text for text, _ in nvda.spoken]
        assert " ".join(words) == c.last_spoken and voice.said == []  # one voice: NVDA's
        assert nvda.spoken[0] == ("Editor — notes.txt.", True)  # cuts off what it was saying
        assert all(not interrupt for _, interrupt in nvda.spoken[1:])
        assert nvda.brailled == words
        shown_quietly = Qt.WidgetAttribute.WA_ShowWithoutActivating
        assert c.result_window.testAttribute(shown_quietly)  # the user's place is kept
        c.stop_speaking()
        assert nvda.silenced == 1
        announced: list[str] = []
        monkeypatch.setattr(
            "vocalens.desktop.app.announce", lambda widget, text: announced.append(text)
        )
        nvda.running = False  # NVDA was closed since: the words become announcements
        c.say("The caption model is ready.")
        assert announced == ["The caption model is ready."] and voice.said == []
    finally:
        c.shutdown()
        c.main_window.close()
        c.result_window.close()
