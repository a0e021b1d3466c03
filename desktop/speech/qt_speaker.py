"""Qt's QTextToSpeech: speech-dispatcher on Linux (what Orca uses), SAPI/WinRT, macOS."""

from __future__ import annotations

from PySide6.QtCore import QLocale

from vocalens.core import N_

from .base import Speaker


class QtSpeaker(Speaker):
    name = "qt"
    title = N_("the system's speech service")

    def __init__(self, engine: str = "") -> None:
        super().__init__()
        from PySide6.QtTextToSpeech import QTextToSpeech

        self._tts = QTextToSpeech(engine, self) if engine else QTextToSpeech(self)
        if self._tts.state() == QTextToSpeech.State.Error:
            raise RuntimeError(self._tts.errorString() or "Qt speech failed to start")
        self._tts.stateChanged.connect(self._on_state)
        self._ready = QTextToSpeech.State.Ready

    @classmethod
    def available(cls) -> bool:
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError:
            return False
        return any(e != "mock" for e in QTextToSpeech.availableEngines())

    def configure(self, rate: int, volume: float, voice: str) -> None:
        self._tts.setRate(max(-1.0, min(1.0, (rate - 180) / 180)))
        self._tts.setVolume(volume)
        for v in self._tts.availableVoices():
            if voice and voice.lower() in (v.name().lower(), v.locale().name().lower()):
                self._tts.setVoice(v)
        if not voice:
            self._tts.setLocale(QLocale.system())

    def speak(self, text: str) -> None:
        self._tts.stop()
        self._tts.say(text)
        self.started.emit(text)

    def stop(self) -> None:
        self._tts.stop()

    def _on_state(self, state: object) -> None:
        if state == self._ready:
            self.finished.emit()
