"""The result window's list of the screen's controls: shown only where a screen has some,
in reading order, each said as a screen reader would; Enter clicks the one chosen,
Shift+Enter right-clicks it, Ctrl+Enter points the mouse at it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from vocalens.core import Description
from vocalens.core.describing.elements import Element
from vocalens.core.describing.layout import Box
from vocalens.core.describing.parts import Context
from vocalens.desktop.windows.result import ResultWindow

BOX = Box(10, 10, 80, 30)
SCREEN = [
    Element("text", "Sign in", BOX, 0.9),
    Element("text field", "User", BOX, 0.7),
    Element("checkbox", "Remember me", BOX, 0.85, checked=True),
    Element("button", "OK", BOX, 0.9),
]


def screen(elements: list[Element]) -> Description:
    return Description([Context("screen")], elements=elements)


@pytest.mark.parametrize(
    ("modifier", "how"),
    [
        (Qt.KeyboardModifier.NoModifier, "left"),
        (Qt.KeyboardModifier.ShiftModifier, "right"),
        (Qt.KeyboardModifier.ControlModifier, "move"),
    ],
)
def test_enter_on_a_control_asks_for_it_to_be_pressed(qtbot, modifier, how) -> None:
    window = ResultWindow()
    qtbot.addWidget(window)
    window.list(screen(SCREEN))
    items = [window.controls.item(i).text() for i in range(window.controls.count())]
    assert items == [
        "Sign in",
        "Text field, empty: User",
        "Checkbox, checked: Remember me",
        "Button: OK",
    ]
    window.controls.setCurrentRow(3)
    with qtbot.waitSignal(window.pressed) as pressed:
        qtbot.keyClick(window.controls, Qt.Key.Key_Return, modifier)
    assert pressed.args == [SCREEN[3], how]


def test_other_keys_move_through_the_list_and_press_nothing(qtbot) -> None:
    window = ResultWindow()
    qtbot.addWidget(window)
    window.list(screen(SCREEN))
    seen: list = []
    window.pressed.connect(lambda *args: seen.append(args))
    qtbot.keyClick(window.controls, Qt.Key.Key_Down)
    qtbot.keyClick(window.controls, Qt.Key.Key_Down)
    assert window.controls.currentRow() == 2 and seen == []


def test_the_list_is_hidden_where_no_control_was_found(qtbot) -> None:
    window = ResultWindow()
    qtbot.addWidget(window)
    window.show()
    window.list(screen(SCREEN))
    assert window.controls.isVisible()
    window.list(screen([Element("text", "Only words", BOX, 0.9)]))
    assert not window.controls.isVisible() and window.controls.count() == 0
    window.list(None)
    assert not window.controls_label.isVisible()


def test_a_control_found_by_name_is_shown_chosen_so_that_enter_presses_it(qtbot) -> None:
    window = ResultWindow()
    qtbot.addWidget(window)
    said = "Checkbox, checked: Remember me, top left of the screen."
    window.list(screen(SCREEN), chosen=SCREEN[2], said=said)
    assert window.isVisible() and window.heading.text() == "Found on the screen"
    assert window.text.toPlainText() == said and window.controls.currentRow() == 2
    with qtbot.waitSignal(window.pressed) as pressed:
        qtbot.keyClick(window.controls, Qt.Key.Key_Return)
    assert pressed.args == [SCREEN[2], "left"]
