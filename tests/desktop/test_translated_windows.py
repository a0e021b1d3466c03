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

from vocalens.core import Description, Element, words
from vocalens.core.describing.layout import Box
from vocalens.core.describing.parts import Context

from ..pseudo_language import ARABIC, escaped, write_pseudo

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


def _inside(window: QWidget) -> list[str]:
    """The visible widgets of ``window`` that stick out of it or are squeezed below their
    text's width (clipped words)."""
    bad = []
    frame = window.rect()
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) or w.window() is not window:
            continue
        where = w.mapTo(window, w.rect().topLeft())
        if not frame.contains(where) or where.x() + w.width() > frame.width() + 1:
            bad.append(f"{type(w).__name__} {w.objectName()} outside")
        if isinstance(w, QAbstractButton) and w.width() + 1 < w.minimumSizeHint().width():
            bad.append(f"{w.text()!r} squeezed")
    return bad


def test_every_window_lays_out_right_to_left_in_a_right_to_left_language(qtbot, tmp_path):
    """Arabic or Hebrew mirror every window: the direction follows the language, each window
    runs right to left, its buttons start at the right, and nothing sticks out or is cut."""
    from vocalens.desktop.app import speak_in
    from vocalens.desktop.history import History
    from vocalens.desktop.settings import Settings
    from vocalens.desktop.windows.history_view import HistoryWindow
    from vocalens.desktop.windows.main_window import MainWindow
    from vocalens.desktop.windows.result import ResultWindow
    from vocalens.desktop.windows.settings_view import SettingsDialog

    write_pseudo(tmp_path / "locale", "ar", ARABIC)
    try:
        assert speak_in("ar", tmp_path / "locale") == "ar"
        for window in (
            MainWindow(),
            ResultWindow(),
            SettingsDialog(Settings()),
            HistoryWindow(History()),
        ):
            qtbot.addWidget(window)
            window.show()
            qtbot.waitExposed(window)
            assert window.isRightToLeft(), type(window).__name__
            assert _inside(window) == [], type(window).__name__
        result = ResultWindow()
        qtbot.addWidget(result)
        result.show()
        qtbot.waitExposed(result)
        assert result.copy_button.x() > result.close_button.x()  # first at the right
    finally:
        speak_in("en")
    assert not MainWindow().isRightToLeft()
