import wave
from pathlib import Path

import pytest

from vocalens.desktop.speech import choose
from vocalens.desktop.speech.base import SilentSpeaker
from vocalens.desktop.speech.pyttsx3_speaker import Pyttsx3Speaker

needs_espeak = pytest.mark.skipif(
    not Pyttsx3Speaker.available(), reason="pyttsx3 with espeak-ng is not installed"
)


@needs_espeak
def test_pyttsx3_speaks_into_a_wav_file(qtbot, tmp_path) -> None:
    speaker = Pyttsx3Speaker(record_dir=tmp_path)
    with qtbot.waitSignal(speaker.finished, timeout=20000):
        speaker.speak("Hello from VocaLens.")
    files = sorted(tmp_path.glob("*.wav"))
    assert len(files) == 1
    with wave.open(str(files[0])) as w:
        seconds = w.getnframes() / w.getframerate()
    assert 0.5 < seconds < 5
    speaker.shutdown()


@needs_espeak
def test_stop_ends_the_speech_process_at_once_and_a_new_one_is_ready(qtbot, tmp_path) -> None:
    speaker = Pyttsx3Speaker()
    speaker.speak("This is a long sentence. " * 40)
    pid = speaker._proc.processId()
    with qtbot.waitSignal(speaker.finished, timeout=2000):
        speaker.stop()
    status = Path(f"/proc/{pid}/status")
    assert not status.exists() or "zombie" in status.read_text()  # killed mid-sentence
    assert speaker._proc is not None and speaker._proc.waitForStarted(5000)
    assert speaker._proc.processId() != pid
    speaker.shutdown()


def test_silent_engine_still_reports(qtbot) -> None:
    speaker = SilentSpeaker()
    with qtbot.waitSignal(speaker.started) as blocker:
        speaker.speak("shown, not spoken")
    assert blocker.args == ["shown, not spoken"]


def test_unavailable_engine_falls_back_and_says_so(monkeypatch) -> None:
    monkeypatch.setattr(Pyttsx3Speaker, "available", classmethod(lambda cls: False))
    monkeypatch.setattr(choose.QtSpeaker, "available", classmethod(lambda cls: False))
    speaker, note = choose.make_speaker("pyttsx3")
    assert isinstance(speaker, SilentSpeaker)
    assert "pyttsx3 speech engine is not available" in note


def test_engine_that_fails_to_start_is_skipped(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise OSError("no audio")

    monkeypatch.setattr(
        choose,
        "Pyttsx3Speaker",
        type("Broken", (), {"available": classmethod(lambda cls: True), "__init__": broken}),
    )
    monkeypatch.setattr(choose.QtSpeaker, "available", classmethod(lambda cls: False))
    speaker, note = choose.make_speaker("auto")
    assert isinstance(speaker, SilentSpeaker) and "could not start (no audio)" in note


def test_a_frozen_app_starts_the_speech_host_through_its_own_executable(monkeypatch) -> None:
    from vocalens.desktop.speech.pyttsx3_speaker import host_arguments

    assert host_arguments() == ["-m", "vocalens.desktop.speech.host"]
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert host_arguments() == ["--speech-host"]
