"""Speaking a description part by part: later parts wait for earlier ones, a new request or
Stop drops what waits, and the end of a cut-off utterance starts nothing."""

from __future__ import annotations

from vocalens.desktop.speech.base import Speaker
from vocalens.desktop.speech.queue import SpeechQueue


class Held(Speaker):
    """Speaks until told it is done, as a real engine takes its time; a new utterance or Stop
    cuts the current one off (and says so with ``finished``, as the engines do)."""

    def __init__(self) -> None:
        super().__init__()
        self.said: list[str] = []
        self.speaking = False

    def speak(self, text: str) -> None:
        self.stop()
        self.said.append(text)
        self.speaking = True
        self.started.emit(text)

    def stop(self) -> None:
        if self.speaking:
            self.speaking = False
            self.finished.emit()

    def done(self) -> None:
        self.speaking = False
        self.finished.emit()


def test_parts_follow_one_another() -> None:
    voice = Held()
    queue = SpeechQueue(voice)
    queue.say("Editor — notes.txt.")
    queue.add("Text: Dear Ann.")
    queue.add("See you on Monday.")
    assert voice.said == ["Editor — notes.txt."]  # the rest waits for it
    voice.done()
    assert voice.said[-1] == "Text: Dear Ann."
    voice.done()
    voice.done()
    assert voice.said == ["Editor — notes.txt.", "Text: Dear Ann.", "See you on Monday."]
    assert not queue.busy
    queue.add("Next.")  # nothing being said: at once
    assert voice.said[-1] == "Next."


def test_a_new_request_and_stop_drop_what_waits() -> None:
    voice = Held()
    queue = SpeechQueue(voice)
    queue.say("First window.")
    queue.add("Its text.")
    queue.say("Second window.")  # cuts off the first, and its text is never said
    voice.done()
    assert voice.said == ["First window.", "Second window."]
    queue.say("Third.")
    queue.add("More.")
    queue.stop()
    voice.done()
    assert voice.said[-1] == "Third." and not queue.busy


def test_an_engine_that_takes_over_goes_on_with_what_waits() -> None:
    old, new = Held(), Held()
    queue = SpeechQueue(old)
    queue.say("One.")
    queue.add("Two.")
    queue.use(new)  # the new engine goes on with what waits
    old.done()  # and the old engine's last word starts nothing
    assert old.said == ["One."] and new.said == ["Two."]
    queue.add("Three.")
    new.done()
    assert new.said == ["Two.", "Three."]


def test_it_says_when_it_falls_silent() -> None:
    """Once the last part has been said (not between parts, not for a part cut off)."""
    voice = Held()
    queue = SpeechQueue(voice)
    silences: list[bool] = []
    queue.silent.connect(lambda: silences.append(True))
    queue.say("Editor — notes.txt.")
    queue.add("Text: Dear Ann.")
    voice.done()
    assert silences == []  # the text is still to be said
    queue.say("Another window.")  # cuts the text off: its end is no silence
    assert silences == []
    voice.done()
    assert silences == [True]
