"""A speech engine that breaks: back-off, no storm of processes, the next engine, nothing lost.
The fault is real: a pyttsx3 that fails is put first on the speech host's import path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from vocalens.desktop.app import Controller
from vocalens.desktop.history import History
from vocalens.desktop.settings import Settings
from vocalens.desktop.speech.pyttsx3_speaker import Pyttsx3Speaker

from .conftest import FakeEngine

pytestmark = pytest.mark.skipif(
    not Pyttsx3Speaker.available(), reason="pyttsx3 with espeak-ng is not installed"
)


def broken_pyttsx3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """A pyttsx3 whose ``init`` logs each start to starts.txt, then runs ``body``."""
    package = tmp_path / "fake" / "pyttsx3"
    package.mkdir(parents=True)
    log = tmp_path / "starts.txt"
    head = f"import os, pathlib\nLOG = pathlib.Path({str(log)!r})\n\n\ndef init():\n"
    head += '    with LOG.open("a") as f:\n        f.write("start\\n")\n'
    (package / "__init__.py").write_text(head + textwrap.indent(textwrap.dedent(body), "    "))
    monkeypatch.setenv("PYTHONPATH", str(package.parent))
    return log


def controller(tmp_path: Path) -> Controller:
    settings = Settings(tmp_path / "settings.json")
    settings.set("speech_engine", "pyttsx3")
    c = Controller(settings, History(tmp_path / "h.db"), engine=FakeEngine(), use_tray=False)
    c.start()
    return c


def test_an_engine_that_cannot_start_is_given_up_after_three_tries(
    qtbot, tmp_path, monkeypatch
) -> None:
    log = broken_pyttsx3(tmp_path, monkeypatch, 'raise RuntimeError("no audio device")')
    c = controller(tmp_path)
    qtbot.waitUntil(
        lambda: c.speaker.name != "pyttsx3" and "now speaks" in c.main_window.notice.text(),
        timeout=20000,
    )
    qtbot.wait(4000)  # long enough for a storm to show itself
    assert log.read_text().count("start") == 3  # not hundreds
    notice = c.result_window.text.toPlainText()
    assert notice.startswith("The speech engine failed: pyttsx3 could not start: no audio device.")
    assert f"VocaLens now speaks with {c.speaker.title}." in notice
    c.shutdown()


def test_what_was_being_said_when_the_engine_died_is_said_again(
    qtbot, tmp_path, monkeypatch
) -> None:
    log = broken_pyttsx3(
        tmp_path,
        monkeypatch,
        """
        class Engine:
            def setProperty(self, *args): pass
            def save_to_file(self, text, path):
                self.text, self.path = text, path
            def say(self, text): pass
            def runAndWait(self):
                if LOG.read_text().count("start") == 1:
                    os._exit(3)  # the first host dies mid-sentence
                pathlib.Path(self.path).write_text(self.text)
        return Engine()
        """,
    )
    monkeypatch.setenv("VOCALENS_SPEECH_RECORD_DIR", str(tmp_path / "said"))
    c = controller(tmp_path)
    qtbot.waitUntil(lambda: log.exists(), timeout=20000)
    c.say("The picture shows a red square.")
    said = tmp_path / "said"
    qtbot.waitUntil(
        lambda: any("red square" in p.read_text() for p in said.glob("*.wav")), timeout=20000
    )
    assert log.read_text().count("start") == 2  # one restart, after a pause
    c.shutdown()
