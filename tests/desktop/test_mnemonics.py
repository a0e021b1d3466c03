"""No two controls of one window share a mnemonic (Alt+letter reaches one control), in English
and in every language VocaLens ships, and no window's title repeats the application's name."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QTabWidget, QWidget

from vocalens.core import LANGUAGES, words
from vocalens.desktop.history import History
from vocalens.desktop.settings import Settings
from vocalens.desktop.windows.history_view import HistoryWindow
from vocalens.desktop.windows.main_window import BUTTONS, MainWindow
from vocalens.desktop.windows.result import ResultWindow
from vocalens.desktop.windows.settings_view import SettingsDialog

MNEMONIC = re.compile(r"&([^&])")


def mnemonics(window: QWidget) -> list[str]:
    texts = [b.text() for b in window.findChildren(QAbstractButton)]
    texts += [label.text() for label in window.findChildren(QLabel) if label.buddy() is not None]
    for tabs in window.findChildren(QTabWidget):
        texts += [tabs.tabText(i) for i in range(tabs.count())]
    return [m.lower() for text in texts for m in MNEMONIC.findall(text)]


@pytest.fixture(params=LANGUAGES)
def language(request):
    assert words.use_language(request.param) == request.param
    yield request.param
    words.use_language("en")


def test_no_two_controls_of_a_window_share_a_mnemonic(qtbot, language) -> None:
    windows = [MainWindow(), ResultWindow(), SettingsDialog(Settings()), HistoryWindow(History())]
    for window in windows:
        qtbot.addWidget(window)
        keys = mnemonics(window)
        twice = sorted({k for k in keys if keys.count(k) > 1})
        assert not twice, (
            f"{type(window).__name__} gives Alt+{twice} to several controls ({language})"
        )
        assert "VocaLens" not in window.windowTitle() or window.windowTitle() == "VocaLens"
    assert len(mnemonics(windows[0])) == len(BUTTONS)  # every main-window button has one
