"""What is said next: an utterance now (cutting off whatever is being said and waiting), or
after what is being said — so a description is spoken part by part as it is made."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, Signal

from .base import Speaker


class SpeechQueue(QObject):
    silent = Signal()  # the last utterance waiting has been said

    def __init__(self, speaker: Speaker) -> None:
        super().__init__()
        self._waiting: list[str] = []
        self._current: str | None = None  # the utterance being spoken (None: silent)
        self._speaker = speaker
        self.use(speaker)

    @property
    def speaker(self) -> Speaker:
        return self._speaker

    def use(self, speaker: Speaker) -> None:
        """Speak with ``speaker`` from now on (an engine that took over); what waits stays."""
        if speaker is not self._speaker:
            for signal, slot in ((self._speaker.started, self._started),
                                 (self._speaker.finished, self._finished)):  # fmt: skip
                with contextlib.suppress(RuntimeError, TypeError):  # never connected
                    signal.disconnect(slot)
        self._speaker = speaker
        self._current = None
        speaker.started.connect(self._started)
        speaker.finished.connect(self._finished)
        if self._waiting:
            speaker.speak(self._waiting.pop(0))

    @property
    def busy(self) -> bool:
        return self._current is not None or bool(self._waiting)

    def say(self, text: str) -> None:
        """Say ``text`` now: whatever was being said and waiting is dropped."""
        self._waiting.clear()
        self._current = None  # the cut-off utterance's end must not start anything
        self._speaker.speak(text)

    def add(self, text: str) -> None:
        """Say ``text`` after what is being said and waiting (now, if nothing is)."""
        if self.busy:
            self._waiting.append(text)
        else:
            self.say(text)

    def stop(self) -> None:
        self._waiting.clear()
        self._current = None
        self._speaker.stop()

    def _started(self, text: str) -> None:
        self._current = text

    def _finished(self) -> None:
        if self._current is None:
            return  # the end of an utterance that was cut off
        self._current = None
        if self._waiting:
            self._speaker.speak(self._waiting.pop(0))
        else:
            self.silent.emit()
