"""Every control can be reached by keyboard and is named for screen readers."""

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAccessible, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QKeySequenceEdit,
    QLineEdit,
    QTextEdit,
    QWidget,
)

from vocalens.desktop.history import History
from vocalens.desktop.region import RegionSelector
from vocalens.desktop.settings import Settings
from vocalens.desktop.windows.history_view import HistoryWindow
from vocalens.desktop.windows.main_window import MainWindow
from vocalens.desktop.windows.result import ResultWindow
from vocalens.desktop.windows.settings_view import SettingsDialog

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QKeySequenceEdit,
)


def windows() -> list[QWidget]:
    return [
        MainWindow(),
        ResultWindow(),
        HistoryWindow(History()),
        SettingsDialog(Settings()),
        RegionSelector(QPixmap(200, 100)),
    ]


def controls(window: QWidget) -> list[QWidget]:
    found = [w for w in window.findChildren(QWidget) if isinstance(w, INTERACTIVE)]
    # Parts that Qt builds inside composite controls (the line edit of a spin box, the scroll
    # buttons of a tab bar) carry Qt's own object names and are named through their parent.
    return [
        w
        for w in found
        if not isinstance(w.parent(), INTERACTIVE) and not w.objectName() and w.window() is window
    ]


@pytest.mark.parametrize("index", range(5))
def test_every_control_has_a_name_a_description_and_keyboard_focus(qtbot, index) -> None:
    window = windows()[index]
    qtbot.addWidget(window)
    assert window.accessibleName(), type(window).__name__
    for w in controls(window):
        label = f"{type(window).__name__}: {type(w).__name__} {w.accessibleName()!r}"
        assert w.accessibleName().strip(), label
        assert w.accessibleDescription().strip() or (
            isinstance(w, QAbstractButton) and w.toolTip()
        ), label
        assert w.focusPolicy() != Qt.FocusPolicy.NoFocus, label
        iface = QAccessible.queryAccessibleInterface(w)
        assert iface is not None and iface.text(QAccessible.Text.Name), label


def test_main_window_buttons_are_reached_with_tab(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=3000)
    reached = set()
    for _ in range(len(window.buttons) + 2):
        reached.add(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert set(window.buttons.values()) <= reached


def test_region_selector_works_from_the_keyboard(qtbot) -> None:
    selector = RegionSelector(QPixmap(400, 300))
    qtbot.addWidget(selector)
    start = QRect(selector.box)
    qtbot.keyClick(selector, Qt.Key.Key_Right)
    qtbot.keyClick(selector, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert selector.box.x() == start.x() + 10 and selector.box.height() == start.height() + 10
    with qtbot.waitSignal(selector.selected) as blocker:
        qtbot.keyClick(selector, Qt.Key.Key_Return)
    assert blocker.args[0].width() == start.width()
    other = RegionSelector(QPixmap(400, 300))
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.cancelled):
        qtbot.keyClick(other, Qt.Key.Key_Escape)


def test_no_hard_coded_colours_or_pixel_fonts() -> None:
    source = "\n".join(p.read_text() for p in Path("desktop").rglob("*.py"))
    assert not re.search(r"setStyleSheet|QColor\(|\d+px|setPixelSize|setPointSize", source)
