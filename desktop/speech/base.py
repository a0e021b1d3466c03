"""The speech interface and the silent engine that only shows text."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Speaker(QObject):
    """One speech engine. ``speak`` returns at once; ``stop`` silences it mid-sentence."""

    name = "base"
    started = Signal(str)  # the text now being spoken
    finished = Signal()
    died = Signal(str)  # the engine broke; one sentence why

    @classmethod
    def available(cls) -> bool:
        return True

    def speak(self, text: str) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def configure(self, rate: int, volume: float, voice: str) -> None:
        """Words per minute, 0..1, voice name or id ('' for the default)."""

    def shutdown(self) -> None:
        self.stop()


class SilentSpeaker(Speaker):
    """Speaks nothing: the text is still shown, so nothing else needs a special case."""

    name = "none"

    def speak(self, text: str) -> None:
        self.started.emit(text)
        self.finished.emit()

    def stop(self) -> None:
        pass
