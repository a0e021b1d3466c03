"""Settings, declared once: name, type, default, description, allowed values. Stored as JSON
under the platformdirs config folder; every change is validated and signalled."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from vocalens.core import (
    DEFAULT_MODEL,
    PRECISIONS,
    NotAFile,
    config_dir,
    read_json,
    write_text_atomic,
)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    title: str  # label in the settings dialog
    description: str  # what it does, for tooltips and screen readers
    group: str
    choices: tuple[Any, ...] = ()  # allowed values; empty: any value of the default's type
    minimum: float | None = None
    maximum: float | None = None
    pattern: str = ""  # a text value must match it whole (a regular expression)
    example: str = ""  # said when it does not

    def validate(self, value: Any) -> Any:
        kind = type(self.default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{self.title} must be {kind.__name__}, not {value!r}.")
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.title} must be one of {', '.join(map(str, self.choices))}.")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{self.title} must be at least {self.minimum}.")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{self.title} must be at most {self.maximum}.")
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise ValueError(f"{self.title} must be like {self.example}, not {value[:40]!r}.")
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "model",
        DEFAULT_MODEL,
        "Caption model",
        "Registered model name or a model folder.",
        "Model",
    ),
    Setting(
        "device",
        "auto",
        "Device",
        "Where the model runs: auto uses a GPU when onnxruntime can (CUDA, DirectML, "
        "Core ML), else the processor.",
        "Model",
        ("auto", "cpu", "cuda", "dml", "coreml"),
    ),
    Setting(
        "precision",
        "auto",
        "Speed",
        "int8 is about 3 times faster on the CPU with nearly the same captions; fp32 is exact. "
        "auto: the fastest that gives this model's own captions, checked once per model.",
        "Model",
        PRECISIONS,
    ),
    Setting(
        "load_at_start",
        False,
        "Load the model at start",
        "Load the caption model when VocaLens starts instead of on first use.",
        "Model",
    ),
    Setting(
        "decoding",
        "beam",
        "Caption search",
        "Greedy is fastest; beam search gives better captions; sampling varies them.",
        "Model",
        ("greedy", "beam", "sample"),
    ),
    Setting(
        "max_tokens",
        30,
        "Longest caption (tokens)",
        "Upper limit on caption length.",
        "Model",
        minimum=5,
        maximum=80,
    ),
    Setting(
        "verbosity",
        "normal",
        "Verbosity",
        "How much is spoken first: brief, normal or full.",
        "Speech",
        ("brief", "normal", "full"),
    ),
    Setting(
        "speech_engine",
        "auto",
        "Own voice",
        "The voice VocaLens speaks with when it speaks itself: auto tries pyttsx3, then Qt "
        "speech, then text only; speech-dispatcher is the voice Orca uses (Linux).",
        "Speech",
        ("auto", "pyttsx3", "qt", "speech-dispatcher", "none"),
    ),
    Setting("voice", "", "Voice", "Voice name or id; empty uses the system default.", "Speech"),
    Setting(
        "rate",
        180,
        "Speaking rate (words per minute)",
        "How fast speech is.",
        "Speech",
        minimum=80,
        maximum=450,
    ),
    Setting(
        "volume", 1.0, "Volume", "Speech volume from 0 to 1.", "Speech", minimum=0.0, maximum=1.0
    ),
    Setting(
        "output",
        "auto",
        "Say descriptions through",
        "auto: the screen reader when one runs (announcements, heard once, in its voice and on "
        "braille), else VocaLens's own voice; or always one of them, or both.",
        "Speech",
        ("auto", "screen reader", "own voice", "both"),
    ),
    Setting(
        "popup_seconds",
        0,
        "Keep the result window open (seconds)",
        "0 keeps it until you close it.",
        "Speech",
        minimum=0,
        maximum=600,
    ),
    Setting(
        "hotkey_screen",
        "<ctrl>+<alt>+<shift>+<f1>",
        "Describe screen",
        "Global shortcut.",
        "Shortcuts",
    ),
    Setting(
        "hotkey_window",
        "<ctrl>+<alt>+<shift>+<f2>",
        "Describe active window",
        "Global shortcut.",
        "Shortcuts",
    ),
    Setting(
        "hotkey_object",
        "<ctrl>+<alt>+<shift>+<f3>",
        "Describe focused object",
        "Global shortcut.",
        "Shortcuts",
    ),
    Setting(
        "hotkey_clipboard",
        "<ctrl>+<alt>+<shift>+<f4>",
        "Describe clipboard image",
        "Global shortcut.",
        "Shortcuts",
    ),
    Setting(
        "hotkey_repeat", "<ctrl>+<alt>+<shift>+<f5>", "Repeat last", "Global shortcut.", "Shortcuts"
    ),
    Setting(
        "hotkey_stop", "<ctrl>+<alt>+<shift>+<f6>", "Stop speaking", "Global shortcut.", "Shortcuts"
    ),
    Setting(
        "capture_screen",
        "mouse",
        "Screen to describe",
        "The screen under the mouse, or all screens together.",
        "Capture",
        ("mouse", "all"),
    ),
    Setting(
        "text_scripts",
        "auto",
        "Read text written in",
        "alphabets: Latin, Greek, Cyrillic, Arabic and the other alphabets (faster); all: "
        "Chinese, Japanese and Korean too. auto: all when your language is one of those three.",
        "Capture",
        ("auto", "alphabets", "all"),
    ),
    Setting(
        "text_languages",
        "auto",
        "Also read text in",
        "Languages written in Cyrillic, Greek, Arabic, Hebrew or Devanagari, read with "
        "Tesseract's language packs (rus, ukr, ell, ara, heb, hin…, joined by +). auto: your "
        "language; none: no others.",
        "Capture",
        pattern=r"auto|none|[a-z_]{3,16}(\+[a-z_]{3,16}){0,7}",
        example="auto, none or rus+ell",
    ),
    Setting(
        "history_days",
        30,
        "Keep history (days)",
        "Descriptions older than this are deleted; 0 keeps none.",
        "History",
        minimum=0,
        maximum=3650,
    ),
    Setting(
        "keep_screenshots",
        False,
        "Keep screenshots in history",
        "Store the captured images too (off: only a small thumbnail).",
        "History",
    ),
    Setting(
        "language",
        "auto",
        "Language of descriptions",
        "The language VocaLens describes in: auto follows the system; en, de, es, fr, pl or "
        "ru. Captions stay in English and are said to be. (VocaLens's windows are in English "
        "for now.)",
        "General",
        ("auto", "en", "de", "es", "fr", "pl", "ru"),
    ),
    Setting(
        "start_at_login",
        False,
        "Start at login",
        "Start VocaLens quietly when you log in.",
        "General",
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}
# Earlier defaults: Ctrl+Alt+Shift+letter types a character wherever Ctrl+Alt is AltGr
# (Polish "Ś", German "ẞ"), so a shortcut still at one of them moves to today's default.
MAX_BYTES = 1 << 20  # a settings file is a few KB
RETIRED_DEFAULTS = {
    f"hotkey_{action}": f"<ctrl>+<alt>+<shift>+{letter}"
    for action, letter in zip(
        ("screen", "window", "clipboard", "repeat", "stop"), "swcrx", strict=True
    )
}


class Settings(QObject):
    """Current values; ``changed(name, value)`` after every accepted change."""

    changed = Signal(str, object)

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path or config_dir() / "settings.json"
        self.values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
        self.problems: list[str] = []  # stored values that were refused at load
        self._load()

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def set(self, name: str, value: Any) -> None:
        """Validate and store; raises ``ValueError`` with a sentence for the user."""
        self.update({name: value})

    def update(self, values: dict[str, Any]) -> None:
        """Validate and store several at once: all of them or, if any is refused or the file
        cannot be written, none. Raises ``ValueError`` with a sentence for the user."""
        for name in values:
            if name not in BY_NAME:
                raise ValueError(f"There is no setting called {name}.")
        checked = {name: BY_NAME[name].validate(v) for name, v in values.items()}
        changes = {n: v for n, v in checked.items() if self.values[n] != v}
        if not changes:
            return
        old = dict(self.values)
        self.values.update(changes)
        try:
            self._save()
        except OSError as exc:  # a full disk, a read-only folder: nothing changes
            self.values = old
            raise ValueError(
                f"The settings could not be saved ({exc.strerror or exc}), so nothing was "
                f"changed. Check that {self.path.parent} can be written."
            ) from None
        for name, value in changes.items():
            self.changed.emit(name, value)

    def _load(self) -> None:
        """The stored values; a shortcut left at a retired default takes today's."""
        try:
            stored = read_json(self.path, MAX_BYTES)
        except (OSError, ValueError) as exc:  # a pipe, huge, not JSON, nested past all reason
            if not (isinstance(exc, NotAFile) and exc.reason == "no such file"):
                self._set_aside()
            return
        if isinstance(stored, dict) and stored.get("screen_reader") is True:  # a retired switch
            stored.setdefault("speech_engine", "speech-dispatcher")  # for the same voice
        for name, value in stored.items() if isinstance(stored, dict) else ():
            if name in BY_NAME and RETIRED_DEFAULTS.get(name) != value:
                try:
                    self.values[name] = BY_NAME[name].validate(value)
                except ValueError as exc:
                    self.problems.append(f"{exc} The default is used.")

    def _set_aside(self) -> None:
        """An unreadable settings file is kept (as ``.unreadable``) and said, not overwritten
        by the next save; the defaults are used."""
        aside = self.path.with_name(f"{self.path.name}.unreadable")
        try:
            os.replace(self.path, aside)  # kept, not overwritten by the next save
        except OSError:
            aside = self.path
        self.problems.append(
            f"The settings file was unreadable; defaults are used and it was kept as {aside}."
        )

    def _save(self) -> None:
        write_text_atomic(self.path, json.dumps(self.values, indent=2))
