"""The speech interface and the silent engine that only shows text."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from vocalens.core import N_


class Speaker(QObject):
    """One speech engine. ``speak`` returns at once; ``stop`` silences it mid-sentence."""

    name = "base"
    title = N_("its own voice")  # how the user hears of it: "VocaLens now speaks with …"
    started = Signal(str)  # the text now being spoken
    finished = Signal()
    died = Signal(str)  # the engine broke; one sentence why (``lost`` holds what it was saying)

    def __init__(self) -> None:
        super().__init__()
        self.lost = ""  # the utterance a failure cut off, to be said again by whoever takes over

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
    title = N_("no voice: descriptions are shown as text")

    def speak(self, text: str) -> None:
        self.started.emit(text)
        self.finished.emit()

    def stop(self) -> None:
        pass


class WaitingSpeaker(SilentSpeaker):
    """Stands in while an engine restarts: says nothing, keeps what it was asked to say since
    (in ``lost``, the parts of one description one after another) for the engine that comes
    back."""

    def __init__(self, lost: str = "") -> None:
        super().__init__()
        self.lost = lost

    def speak(self, text: str) -> None:
        self.lost = f"{self.lost} {text}".strip()
        super().speak(text)

    def stop(self) -> None:
        self.lost = ""
