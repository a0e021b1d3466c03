"""Controls from pixels, on a form drawn here with known places: each control's role, name,
state and box; the words that find one; the way each is said."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from vocalens.core.describing.context import WindowInfo
from vocalens.core.describing.elements import Element, _round, find_elements, matching
from vocalens.core.describing.layout import Box, TextLine
from vocalens.core.describing.parts import Context, Description
from vocalens.core.describing.render import element_line, found_line, pressing_line

GROUND, INK, EDGE = (239, 239, 239), (20, 20, 20), (150, 150, 150)


def form(dark: bool = False) -> tuple[Image.Image, list[TextLine]]:
    """A form, and its text lines as the text reader boxes them (a little larger than the
    letters, a checkbox's line taking its box in)."""
    ground, ink = ((43, 43, 43), (230, 230, 230)) if dark else (GROUND, INK)
    base = (30, 30, 30) if dark else (255, 255, 255)
    image = Image.new("RGB", (420, 260), ground)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(15)
    lines: list[TextLine] = []

    def text(x: int, y: int, words: str) -> None:
        draw.text((x, y), words, fill=ink, font=font)
        left, top, right, bottom = draw.textbbox((x, y), words, font=font)
        lines.append(TextLine(words, Box(left - 3, top - 4, right + 3, bottom + 4), 0.95))

    text(20, 24, "Name")  # a field with its label at its left, empty
    draw.rectangle((90, 18, 380, 44), fill=base, outline=EDGE)
    text(20, 64, "City")  # a field holding a value
    draw.rectangle((90, 58, 380, 84), fill=base, outline=EDGE)
    text(96, 63, "Berlin")
    for n, (checked, label) in enumerate([(True, "Remember me"), (False, "Send me news")]):
        top = 104 + 28 * n
        draw.rectangle((20, top, 34, top + 14), fill=base, outline=EDGE)
        if checked:
            draw.line((23, top + 7, 26, top + 11, 31, top + 3), fill=ink, width=2)
        text(42, top - 1, label)
    draw.ellipse((20, 164, 34, 178), fill=base, outline=EDGE)
    draw.ellipse((24, 168, 30, 174), fill=ink)
    text(42, 163, "Daily")
    draw.ellipse((20, 192, 34, 206), fill=base, outline=EDGE)
    text(42, 191, "Weekly")
    for left, label in ((200, "Cancel"), (300, "Save")):
        draw.rectangle((left, 220, left + 84, 246), fill=base, outline=EDGE)
        width = draw.textlength(label, font=font)
        text(round(left + 42 - width / 2), 225, label)
    return image, lines


@pytest.mark.parametrize("dark", [False, True])
def test_each_control_of_a_drawn_form_is_found_with_its_role_name_and_state(dark) -> None:
    found = find_elements(*form(dark))
    said = [element_line(e) for e in found]
    assert said == [
        "Name",
        "Text field, empty: Name",
        "City",
        "Text field: City, Berlin",
        "Checkbox, checked: Remember me",
        "Checkbox, not checked: Send me news",
        "Radio button, selected: Daily",
        "Radio button, not selected: Weekly",
        "Button: Cancel",
        "Button: Save",
    ] or said == [
        "Text field, empty: Name",
        "Text field: City, Berlin",
        "Checkbox, checked: Remember me",
        "Checkbox, not checked: Send me news",
        "Radio button, selected: Daily",
        "Radio button, not selected: Weekly",
        "Button: Cancel",
        "Button: Save",
    ], said
    save = next(e for e in found if e.name == "Save")
    assert near(save.box, Box(300, 220, 384, 246))
    assert abs(save.centre[0] - 342) <= 1 and abs(save.centre[1] - 233) <= 1
    field = next(e for e in found if e.role == "text field" and e.name == "Name")
    assert near(field.box, Box(90, 18, 380, 44)) and field.state == "empty"


def near(a: Box, b: Box) -> bool:
    """The same box, give or take the pixel an edge is found beside its line."""
    return all(abs(x - y) <= 1.5 for x, y in zip(vars(a).values(), vars(b).values(), strict=True))


def test_a_picture_without_frames_has_no_controls_only_its_text() -> None:
    image = Image.new("RGB", (300, 80), GROUND)
    ImageDraw.Draw(image).text((10, 30), "Just a line", fill=INK, font=ImageFont.load_default(15))
    line = TextLine("Just a line", Box(7, 26, 100, 50), 0.9)
    assert [e.role for e in find_elements(image, [line])] == ["text"]


def test_controls_are_boxed_where_they_are_on_the_screen() -> None:
    found = find_elements(*form())
    moved = [e.moved(1000, 500) for e in found]
    save = next(e for e in moved if e.name == "Save")
    assert abs(save.centre[0] - 1342) <= 1 and abs(save.centre[1] - 733) <= 1
    left, top, width, _ = save.to_dict()["box"]
    assert abs(left - 1300) <= 1 and abs(top - 720) <= 1 and abs(width - 85) <= 2


def test_words_find_the_best_named_control_and_say_where() -> None:
    found = find_elements(*form())
    desc = Description([Context("screen")], image_size=(420, 260), elements=found)
    assert [e.name for e in matching(found, "save")] == ["Save"]
    assert [e.name for e in matching(found, "Remember")] == ["Remember me"]  # its start
    assert [e.name for e in matching(found, "Sand me news")] == ["Send me news"]  # misread
    assert matching(found, "Frobnicate") == [] and matching(found, "  ") == []
    assert found_line("save", matching(found, "save"), desc, click=False) == (
        "Button: Save, bottom right of the screen."
    )
    assert found_line("save", matching(found, "save"), desc, click=True) == (
        "Clicking Button: Save, bottom right of the screen."
    )
    window = WindowInfo("Report.docx", "", 200, 150, 160, 90)
    inside = Description([Context("screen", "", window)], image_size=(420, 260), elements=found)
    assert found_line("save", matching(found, "save"), inside, click=False) == (
        "Button: Save, bottom right of Report.docx."
    )


def test_several_equally_good_matches_are_named_not_guessed() -> None:
    twins = [
        Element("button", "Save", Box(0, 0, 50, 20), 0.9),
        Element("button", "Save", Box(100, 0, 150, 20), 0.9),
    ]
    desc = Description([Context("screen")], image_size=(200, 40), elements=twins)
    assert found_line("save", matching(twins, "save"), desc, click=True) == (
        "Several match “save”: Button: Save; Button: Save. Say more of the name."
    )
    assert pressing_line(twins[0], "right") == "Right-clicking Button: Save."
    assert pressing_line(twins[0], "move") == "The mouse is on Button: Save."


def test_an_outline_too_narrow_to_have_sides_is_no_frame() -> None:
    # a small bitmap font's letters joined into an outline 6 wide and 9 high (xman's "Wi"):
    # its corners leave nothing of the sides between them
    near = np.zeros((40, 40), bool)
    near[10:19, 10] = near[18, 10:16] = near[10, 10:16] = True
    assert _round(near, Box(10, 10, 15, 18), 1.0) is None
