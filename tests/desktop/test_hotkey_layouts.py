"""No default shortcut types a character on common keyboard layouts, read from the system's
xkb layout data: neither as X11 applies the chord nor with Ctrl+Alt taken as AltGr (Windows).
The defaults also leave the screen readers' own keys alone."""

from __future__ import annotations

import pytest

from vocalens.desktop import keyboard_layouts
from vocalens.desktop.hotkeys import ACTIONS
from vocalens.desktop.settings import BY_NAME, RETIRED_DEFAULTS

pytestmark = pytest.mark.skipif(
    not keyboard_layouts.available(), reason="libxkbcommon (Qt's keyboard library) is missing"
)

LAYOUTS = [
    "pl", "de", "fr", "cz", "hu", "es", "it", "pt", "br", "ru", "ua", "tr", "se", "no", "dk",
    "fi", "nl", "us(intl)", "gb", "ca(fr)", "us",
]  # fmt: skip
DEFAULTS = [BY_NAME[f"hotkey_{a}"].default for a in ACTIONS]
# The screen readers' own keys: their modifier keys, and the global shortcuts they install
SCREEN_READER_KEYS = {
    "<insert>", "<caps_lock>",  # the NVDA, JAWS and Orca keys
    "<ctrl>+<alt>+n",  # starts NVDA
    "<ctrl>+<alt>+j",  # starts JAWS
    "<cmd>+<alt>+s",  # turns Orca on and off (GNOME)
    "<ctrl>+<cmd>+<enter>",  # Narrator
    "<cmd>+<f5>",  # VoiceOver
}  # fmt: skip


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_default_shortcut_types_a_character(layout: str) -> None:
    typed = {chord: keyboard_layouts.typed_by(chord, layout) for chord in DEFAULTS}
    assert not any(typed.values()), typed


def test_the_check_sees_what_altgr_types() -> None:
    """The old defaults typed characters: the check must see them (and plain text)."""
    assert keyboard_layouts.typed_by(RETIRED_DEFAULTS["hotkey_screen"], "pl") == "Ś"
    assert keyboard_layouts.typed_by("<ctrl>+<alt>+q", "de") == "@"
    assert keyboard_layouts.typed_by("<shift>+a", "fr") == "A"
    assert keyboard_layouts.typed_by("<ctrl>+a", "de") == ""  # a command, not text


def test_defaults_are_distinct_and_leave_screen_readers_keys_alone() -> None:
    assert len(set(DEFAULTS)) == len(DEFAULTS) and all(DEFAULTS)
    for chord in DEFAULTS:
        keys = set(chord.split("+"))
        assert chord not in SCREEN_READER_KEYS
        assert not keys & {"<insert>", "<caps_lock>"}


def test_a_shortcut_left_at_a_retired_default_moves_to_todays(tmp_path) -> None:
    import json

    from vocalens.desktop.settings import Settings

    path = tmp_path / "settings.json"
    old = {"hotkey_screen": RETIRED_DEFAULTS["hotkey_screen"], "hotkey_stop": "<ctrl>+<f9>"}
    path.write_text(json.dumps(old))
    settings = Settings(path)
    assert settings["hotkey_screen"] == BY_NAME["hotkey_screen"].default  # never chosen
    assert settings["hotkey_stop"] == "<ctrl>+<f9>"  # chosen: kept
