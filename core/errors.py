"""Errors a user can meet, each with one clear sentence and a way forward."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path


class VocaLensError(Exception):
    """An expected failure: ``message`` says what went wrong, ``hint`` what to do about it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class ImageError(VocaLensError):
    """An input could not be read as an image."""


class ModelError(VocaLensError):
    """A model could not be found, downloaded, converted or loaded."""


class ModelNotInstalledError(ModelError):
    """A named model has not been downloaded yet (or a local file is missing). ``command``:
    the command that fetches it, where one does."""

    def __init__(
        self, message: str, hint: str = "", missing: list[str] | None = None, command: str = ""
    ) -> None:
        super().__init__(message, hint)
        self.missing = missing or []
        self.command = command


class ConfigError(VocaLensError):
    """A configuration value is missing, unknown or out of range."""


def first_line(exc: BaseException, most: int | None = None) -> str:
    """The first line of an exception's message (its type when it has none), for sentences:
    without onnxruntime's "[ONNXRuntimeError] : 1 : FAIL :" prefix, and shortened to ``most``
    characters at a word's end ("…")."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    line = re.sub(r"^\[ONNXRuntimeError\] : \d+ : \w+ : ", "", line)
    if most is not None and len(line) > most:
        head = line[: most + 1]
        line = (head.rsplit(" ", 1)[0] if " " in head else line[:most]).rstrip(",;: ") + "…"
    return line


class TorchOnly(ModelError):
    """A model (or a part of it) that onnxruntime cannot run here; the torch runtime can."""


def require_files(folder: Path, names: Iterable[str], what: str, advice: str) -> None:
    """Raise ``ModelNotInstalledError`` naming every one of ``names`` missing in ``folder``."""
    missing = [str(folder / name) for name in names if not (folder / name).is_file()]
    if missing:
        raise ModelNotInstalledError(
            f"The {what} files are missing: {', '.join(missing)}.", advice, missing=missing
        )


def require_weights(path: Path, what: str, advice: str) -> None:
    """Raise ``ModelNotInstalledError`` when the weight file ``path`` is not there."""
    if not path.is_file():
        raise ModelNotInstalledError(
            f"The {what} are missing: {path}.", advice, missing=[str(path)]
        )
