"""Every word of ours that VocaLens's windows show or tell a screen reader goes through the
catalogue: under a pseudo-language (tests/pseudo_language.py) the main window, the tray menu,
the result window with its list of controls, the settings, the history, the download window
and the region chooser are walked widget by widget — text, title, tooltip, accessible name
and description, each choice of a list — and any English left is a phrase that escaped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("babel", reason="Babel (the dev extra) reads the catalogues")
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QTabWidget,
    QWidget,
)

from vocalens.core import Description, Element
from vocalens.core.describing import words
from vocalens.core.describing.layout import Box
from vocalens.core.describing.parts import Context

from ..pseudo_language import escaped, write_pseudo

# Named as they are in every language: the product, the models, the engines, the keys.
NAMES = (
    "VocaLens",
    "clipcap-coco",
    "clipcap-conceptual",
    "pyttsx3",
    "speech-dispatcher",
    "onnxruntime",
    "Tesseract",
    "CUDA",
    "DirectML",
    "Core ML",
    "int8",
    "fp32",
    "Ctrl",
    "Alt",
    "Shift",
    "Enter",
    "Esc",
    "NVIDIA",
    "Windows",
    "Apple",
    "English",  # the languages, each named in its own words
    "Deutsch",
    "Español",
    "Français",
    "Polski",
)


def texts(widget: QWidget) -> Iterator[str]:
    """What ``widget`` and every widget in it show or tell a screen reader."""
    for w in [widget, *widget.findChildren(QWidget)]:
        yield w.windowTitle() if w.isWindow() else ""
        yield w.toolTip()
        yield w.accessibleName()
        yield w.accessibleDescription()
        if isinstance(w, (QLabel, QAbstractButton)):
            yield w.text()
        if isinstance(w, QLineEdit):
            yield w.placeholderText()
        if isinstance(w, QGroupBox):
            yield w.title()
        if isinstance(w, QComboBox):
            yield from (w.itemText(i) for i in range(w.count()))
        if isinstance(w, QListWidget):
            yield from (w.item(i).text() for i in range(w.count()))
        if isinstance(w, QTabWidget):
            yield from (w.tabText(i) for i in range(w.count()))
        if isinstance(w, QMenu):
            yield w.title()
            for action in w.actions():
                yield action.text()
                yield action.toolTip() if action.toolTip() != action.text() else ""


# Qt's own words, which its translations (qtbase_LANG.qm, installed by ``speak_in``) carry.
QT_OWN = (
    ("QKeySequenceEdit", "Press shortcut"),
    ("QTabBar", "Scroll Left"),
    ("QTabBar", "Scroll Right"),
)


def english(widget: QWidget) -> list[str]:
    qt_own = {text for pair in QT_OWN for text in (pair[1], QCoreApplication.translate(*pair))}
    return [t for t in texts(widget) if t and t not in qt_own and escaped(t, NAMES)]


@pytest.fixture
def pseudo(tmp_path):
    write_pseudo(tmp_path / "locale")
    assert words.use_language("eo", folder=tmp_path / "locale") == "eo"
    yield
    words.use_language("en")


def test_no_word_of_ours_in_any_window_escapes_the_catalogue(qtbot, pseudo, engine, speaker):
    from vocalens.desktop.app import Controller
    from vocalens.desktop.history import History
    from vocalens.desktop.region import RegionSelector
    from vocalens.desktop.settings import Settings
    from vocalens.desktop.windows.download import DownloadDialog
    from vocalens.desktop.windows.history_view import HistoryWindow
    from vocalens.desktop.windows.settings_view import SettingsDialog

    assert words.language() == "eo"
    c = Controller(Settings(), History(), engine=engine, speaker=speaker, use_tray=False)
    try:
        button = Element("button", "Жук", Box(10, 10, 80, 30), 0.9)
        shown = Description([Context("screen")], elements=[button])
        c.result_window.list(shown, chosen=button, said="⟦Жук⟧")
        windows: list[QWidget] = [
            c.main_window,
            c._menu(),
            c.result_window,
            SettingsDialog(c.settings),
            HistoryWindow(c.history),
            DownloadDialog("clipcap-coco"),
            RegionSelector(QPixmap(200, 100)),
        ]
        for window in windows:
            qtbot.addWidget(window)
            assert english(window) == [], type(window).__name__
    finally:
        c.shutdown()
        c.main_window.close()


def test_qt_own_words_follow_the_language(qapp) -> None:
    from PySide6.QtWidgets import QKeySequenceEdit

    from vocalens.desktop.app import speak_in

    try:
        assert speak_in("de") == "de"
        keys = QKeySequenceEdit()
        hint = keys.findChild(QLineEdit).placeholderText()
        assert hint and hint != "Press shortcut"
    finally:
        speak_in("en")
