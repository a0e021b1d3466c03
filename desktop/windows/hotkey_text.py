"""Translating between Qt key sequences and pynput hotkey strings."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

MODIFIERS = {"ctrl": "<ctrl>", "alt": "<alt>", "shift": "<shift>", "meta": "<cmd>"}


def to_pynput(sequence: QKeySequence) -> str:
    """'Ctrl+Alt+Shift+S' → '<ctrl>+<alt>+<shift>+s'; empty stays empty."""
    text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
    if not text:
        return ""
    parts = text.split("+")
    out = [MODIFIERS.get(p.lower(), f"<{p.lower()}>" if len(p) > 1 else p.lower()) for p in parts]
    return "+".join(out)


def from_pynput(combo: str) -> QKeySequence:
    reverse = {v: k.capitalize() for k, v in MODIFIERS.items()}
    parts = [
        reverse.get(p, p.strip("<>").capitalize() if p.startswith("<") else p.upper())
        for p in combo.split("+")
        if p
    ]
    return QKeySequence("+".join(parts))
