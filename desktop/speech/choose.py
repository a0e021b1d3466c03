"""Choosing the speech engine: the user's choice, else the first that works here."""

from __future__ import annotations

import os
from pathlib import Path

from vocalens.core import tr

from .base import SilentSpeaker, Speaker
from .pyttsx3_speaker import Pyttsx3Speaker
from .qt_speaker import QtSpeaker

ORDER = ("pyttsx3", "qt", "none")


def make_speaker(choice: str = "auto", broken: frozenset[str] = frozenset()) -> tuple[Speaker, str]:
    """The speaker and, when the wished-for engine could not start, one sentence saying so.
    Engines in ``broken`` (failed again and again this session) are passed over.

    ``VOCALENS_SPEECH_RECORD_DIR`` makes the pyttsx3 engine write WAV files instead of playing.
    """
    record = os.environ.get("VOCALENS_SPEECH_RECORD_DIR")
    wanted: tuple[str, ...] = ORDER
    dispatcher = choice == "speech-dispatcher"  # Qt speech through Orca's own service
    if dispatcher:
        wanted = ORDER[1:2] + ORDER[:1] + ORDER[2:]
    elif choice != "auto":
        wanted = (choice, *[e for e in ORDER if e != choice])
    wanted = tuple(name for name in wanted if name not in broken or name == "none")
    note = ""
    for name in wanted:
        try:
            if name == "pyttsx3" and Pyttsx3Speaker.available():
                return Pyttsx3Speaker(Path(record) if record else None), note
            if name == "qt" and QtSpeaker.available():
                return QtSpeaker("speechd" if dispatcher else ""), note
            if name == "none":
                return SilentSpeaker(), note
        except Exception as exc:  # an engine that fails to start is skipped, and said so
            note = note or tr(
                "The {engine} speech engine could not start ({reason}); using another."
            ).format(engine=name, reason=exc)
            continue
        if name == choice or (dispatcher and name == "qt"):
            note = tr("The {engine} speech engine is not available here; using another.").format(
                engine=name
            )
    return SilentSpeaker(), note
