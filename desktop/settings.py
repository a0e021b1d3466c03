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
    N_,
    PRECISIONS,
    NotAFile,
    config_dir,
    read_json,
    tr,
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
        title = tr(self.title)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(
                tr("{setting} must be {kind}, not {value}.").format(
                    setting=title, kind=tr(KINDS.get(kind, kind.__name__)), value=repr(value)
                )
            )
        if self.choices and value not in self.choices:
            choices = ", ".join(choice_name(c) for c in self.choices)
            raise ValueError(
                tr("{setting} must be one of {choices}.").format(setting=title, choices=choices)
            )
        if self.minimum is not None and value < self.minimum:
            raise ValueError(
                tr("{setting} must be at least {limit}.").format(setting=title, limit=self.minimum)
            )
        if self.maximum is not None and value > self.maximum:
            raise ValueError(
                tr("{setting} must be at most {limit}.").format(setting=title, limit=self.maximum)
            )
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise ValueError(
                tr("{setting} must be like {example}, not {value}.").format(
                    setting=title, example=self.example, value=repr(value[:40])
                )
            )
        return value


KINDS = {bool: N_("on or off"), int: N_("a whole number"), float: N_("a number"), str: N_("text")}
# How a choice is shown and said; one not listed is shown as it is stored. Languages are named
# in their own words, as everywhere.
CHOICE_NAMES: dict[Any, str] = {
    "auto": N_("automatic"),
    "cpu": N_("processor"),
    "cuda": "CUDA (NVIDIA)",
    "dml": "DirectML (Windows)",
    "coreml": "Core ML (Apple)",
    "greedy": N_("greedy (fastest)"),
    "beam": N_("beam search"),
    "sample": N_("sampling"),
    "brief": N_("brief"),
    "normal": N_("normal"),
    "full": N_("full"),
    "qt": N_("Qt speech"),
    "none": N_("none (text only)"),
    "screen reader": N_("screen reader"),
    "own voice": N_("own voice"),
    "both": N_("both"),
    "mouse": N_("the one under the mouse"),
    "all": N_("all"),
    "alphabets": N_("alphabets"),
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "pl": "Polski",
    "ru": "Русский",
}


def choice_name(value: Any) -> str:
    """A stored choice as the user sees it, in their language."""
    name = CHOICE_NAMES.get(value, str(value))
    return tr(name) if name and value not in LANGUAGE_CODES else name


LANGUAGE_CODES = {"en", "de", "es", "fr", "pl", "ru"}


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "model",
        DEFAULT_MODEL,
        N_("Caption model"),
        N_("Registered model name or a model folder."),
        N_("Model"),
    ),
    Setting(
        "device",
        "auto",
        N_("Device"),
        N_(
            "Where the model runs: automatic uses a GPU when onnxruntime can (CUDA, DirectML, "
            "Core ML), else the processor."
        ),
        N_("Model"),
        ("auto", "cpu", "cuda", "dml", "coreml"),
    ),
    Setting(
        "precision",
        "auto",
        N_("Speed"),
        N_(
            "int8 is about 3 times faster on the CPU with nearly the same captions; fp32 is exact. "
            "automatic: the fastest that gives this model's own captions, checked once per model."
        ),
        N_("Model"),
        PRECISIONS,
    ),
    Setting(
        "load_at_start",
        False,
        N_("Load the model at start"),
        N_("Load the caption model when VocaLens starts instead of on first use."),
        N_("Model"),
    ),
    Setting(
        "decoding",
        "beam",
        N_("Caption search"),
        N_("Greedy is fastest; beam search gives better captions; sampling varies them."),
        N_("Model"),
        ("greedy", "beam", "sample"),
    ),
    Setting(
        "max_tokens",
        30,
        N_("Longest caption (tokens)"),
        N_("Upper limit on caption length."),
        N_("Model"),
        minimum=5,
        maximum=80,
    ),
    Setting(
        "verbosity",
        "normal",
        N_("Verbosity"),
        N_("How much is spoken first: brief, normal or full."),
        N_("Speech"),
        ("brief", "normal", "full"),
    ),
    Setting(
        "speech_engine",
        "auto",
        N_("Own voice"),
        N_(
            "The voice VocaLens speaks with when it speaks itself: automatic tries pyttsx3, "
            "then Qt "
            "speech, then text only; speech-dispatcher is the voice Orca uses (Linux)."
        ),
        N_("Speech"),
        ("auto", "pyttsx3", "qt", "speech-dispatcher", "none"),
    ),
    Setting(
        "voice",
        "",
        N_("Voice"),
        N_("Voice name or id; empty uses the system default."),
        N_("Speech"),
    ),
    Setting(
        "rate",
        180,
        N_("Speaking rate (words per minute)"),
        N_("How fast speech is."),
        N_("Speech"),
        minimum=80,
        maximum=450,
    ),
    Setting(
        "volume",
        1.0,
        N_("Volume"),
        N_("Speech volume from 0 to 1."),
        N_("Speech"),
        minimum=0.0,
        maximum=1.0,
    ),
    Setting(
        "output",
        "auto",
        N_("Say descriptions through"),
        N_(
            "automatic: the screen reader when one runs (announcements, heard once, in its voice "
            "and on "
            "braille), else VocaLens's own voice; or always one of them, or both."
        ),
        N_("Speech"),
        ("auto", "screen reader", "own voice", "both"),
    ),
    Setting(
        "popup_seconds",
        0,
        N_("Keep the result window open (seconds)"),
        N_("0 keeps it until you close it."),
        N_("Speech"),
        minimum=0,
        maximum=600,
    ),
    Setting(
        "hotkey_screen",
        "<ctrl>+<alt>+<shift>+<f1>",
        N_("Describe screen"),
        N_("Global shortcut."),
        N_("Shortcuts"),
    ),
    Setting(
        "hotkey_window",
        "<ctrl>+<alt>+<shift>+<f2>",
        N_("Describe active window"),
        N_("Global shortcut."),
        N_("Shortcuts"),
    ),
    Setting(
        "hotkey_object",
        "<ctrl>+<alt>+<shift>+<f3>",
        N_("Describe focused object"),
        N_("Global shortcut."),
        N_("Shortcuts"),
    ),
    Setting(
        "hotkey_clipboard",
        "<ctrl>+<alt>+<shift>+<f4>",
        N_("Describe clipboard image"),
        N_("Global shortcut."),
        N_("Shortcuts"),
    ),
    Setting(
        "hotkey_repeat",
        "<ctrl>+<alt>+<shift>+<f5>",
        N_("Repeat last"),
        N_("Global shortcut."),
        N_("Shortcuts"),
    ),
    Setting(
        "hotkey_stop",
        "<ctrl>+<alt>+<shift>+<f6>",
        N_("Stop speaking"),
        N_("Global shortcut."),
        N_("Shortcuts"),
    ),
    Setting(
        "hotkey_find",
        "<ctrl>+<alt>+<shift>+<f7>",
        N_("Find on screen"),
        N_("Global shortcut."),
        N_("Shortcuts"),
    ),
    Setting(
        "capture_screen",
        "mouse",
        N_("Screen to describe"),
        N_("The screen under the mouse, or all screens together."),
        N_("Capture"),
        ("mouse", "all"),
    ),
    Setting(
        "text_scripts",
        "auto",
        N_("Read text written in"),
        N_(
            "alphabets: Latin, Greek, Cyrillic, Arabic and the other alphabets (faster); all: "
            "Chinese, Japanese and Korean too. automatic: all when your language is one of those "
            "three."
        ),
        N_("Capture"),
        ("auto", "alphabets", "all"),
    ),
    Setting(
        "text_languages",
        "auto",
        N_("Also read text in"),
        N_(
            "Languages written in Cyrillic, Greek, Arabic, Hebrew or Devanagari, read with "
            "Tesseract's language packs (rus, ukr, ell, ara, heb, hin…, joined by +). automatic: "
            "your "
            "language; none: no others."
        ),
        N_("Capture"),
        pattern=r"auto|none|[a-z_]{3,16}(\+[a-z_]{3,16}){0,7}",
        example="auto, none or rus+ell",
    ),
    Setting(
        "history_days",
        30,
        N_("Keep history (days)"),
        N_("Descriptions older than this are deleted; 0 keeps none."),
        N_("History"),
        minimum=0,
        maximum=3650,
    ),
    Setting(
        "keep_screenshots",
        False,
        N_("Keep screenshots in history"),
        N_("Store the captured images too (off: only a small thumbnail)."),
        N_("History"),
    ),
    Setting(
        "language",
        "auto",
        N_("Language"),
        N_(
            "The language VocaLens speaks and shows: automatic follows the system. Descriptions "
            "change at once, the windows when VocaLens starts again. Captions stay in English "
            "and are said to be."
        ),
        N_("General"),
        ("auto", "en", "de", "es", "fr", "pl", "ru"),
    ),
    Setting(
        "start_at_login",
        False,
        N_("Start at login"),
        N_("Start VocaLens quietly when you log in."),
        N_("General"),
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
                raise ValueError(tr("There is no setting called {name}.").format(name=name))
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
                tr(
                    "The settings could not be saved ({reason}), so nothing was changed. "
                    "Check that {folder} can be written."
                ).format(reason=exc.strerror or exc, folder=self.path.parent)
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
                    self.problems.append(tr("{problem} The default is used.").format(problem=exc))

    def _set_aside(self) -> None:
        """An unreadable settings file is kept (as ``.unreadable``) and said, not overwritten
        by the next save; the defaults are used."""
        aside = self.path.with_name(f"{self.path.name}.unreadable")
        try:
            os.replace(self.path, aside)  # kept, not overwritten by the next save
        except OSError:
            aside = self.path
        self.problems.append(
            tr(
                "The settings file was unreadable; defaults are used and it was kept as {path}."
            ).format(path=aside)
        )

    def _save(self) -> None:
        write_text_atomic(self.path, json.dumps(self.values, indent=2))
