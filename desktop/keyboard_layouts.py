"""Whether a shortcut types a character on a keyboard layout, read from the layout data itself
(libxkbcommon, which Qt brings on Linux, and the system's xkb files).

A shortcut that types a character steals that character from the user: on layouts where
Ctrl+Alt acts as AltGr (Windows treats them alike; Polish, German, French, Czech, …), a chord
like Ctrl+Alt+Shift+A is "Ą". Both readings are checked: the chord as X11 applies it, and with
Ctrl+Alt taken as AltGr (the third level) as Windows applies it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import unicodedata

MODIFIER_NAMES = {"<ctrl>": "Control", "<alt>": "Mod1", "<shift>": "Shift", "<cmd>": "Mod4"}


class _RuleNames(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_char_p) for name in ("rules", "model", "layout", "variant", "options")
    ]


@functools.cache
def _lib() -> ctypes.CDLL | None:
    path = ctypes.util.find_library("xkbcommon") or "libxkbcommon.so.0"
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    p, u32, i = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int
    lib.xkb_context_new.restype = p
    lib.xkb_keymap_new_from_names.restype = p
    lib.xkb_keymap_new_from_names.argtypes = [p, ctypes.POINTER(_RuleNames), i]
    lib.xkb_state_new.restype = p
    lib.xkb_state_new.argtypes = [p]
    lib.xkb_state_unref.argtypes = [p]
    lib.xkb_keymap_unref.argtypes = [p]
    lib.xkb_keymap_mod_get_index.restype = u32
    lib.xkb_keymap_mod_get_index.argtypes = [p, ctypes.c_char_p]
    lib.xkb_state_update_mask.argtypes = [p, u32, u32, u32, u32, u32, u32]
    lib.xkb_state_key_get_one_sym.restype = u32
    lib.xkb_state_key_get_one_sym.argtypes = [p, u32]
    lib.xkb_state_key_get_utf8.restype = i
    lib.xkb_state_key_get_utf8.argtypes = [p, u32, ctypes.c_char_p, ctypes.c_size_t]
    lib.xkb_state_mod_index_is_consumed.restype = i
    lib.xkb_state_mod_index_is_consumed.argtypes = [p, u32, u32]
    lib.xkb_keysym_from_name.restype = u32
    lib.xkb_keysym_from_name.argtypes = [ctypes.c_char_p, i]
    return lib


def available() -> bool:
    return _lib() is not None


class Layout:
    """One compiled xkb layout (``layout`` as "pl" or "us(intl)")."""

    def __init__(self, layout: str) -> None:
        lib = _lib()
        if lib is None:
            raise OSError("libxkbcommon is not installed")
        name, _, variant = layout.partition("(")
        names = _RuleNames(b"evdev", b"pc105", name.encode(), variant.rstrip(")").encode(), b"")
        self._lib = lib
        self._keymap = lib.xkb_keymap_new_from_names(lib.xkb_context_new(0), names, 0)
        if not self._keymap:
            raise ValueError(f"the layout {layout} is not in this system's xkb data")
        self._state = lib.xkb_state_new(self._keymap)

    def __del__(self) -> None:
        if getattr(self, "_state", None):
            self._lib.xkb_state_unref(self._state)
            self._lib.xkb_keymap_unref(self._keymap)

    def keycode(self, key: str) -> int | None:
        """The key that gives ``key`` (a pynput key: "a", "<f1>") with no modifier held."""
        name = key.strip("<>")
        sym = self._lib.xkb_keysym_from_name(name.encode(), 1)  # case-insensitive
        if name.isalpha() and len(name) == 1:
            sym = self._lib.xkb_keysym_from_name(name.lower().encode(), 0)
        self._press([])
        for code in range(8, 256):
            if sym and self._lib.xkb_state_key_get_one_sym(self._state, code) == sym:
                return code
        return None

    def typed(self, modifiers: list[str], code: int) -> str:
        """The character a key types with these xkb modifiers held ("" for none): not when a
        modifier that does not choose the character (Ctrl, Alt) is left over."""
        self._press(modifiers)
        buf = ctypes.create_string_buffer(16)
        self._lib.xkb_state_key_get_utf8(self._state, code, buf, 16)
        text = buf.value.decode("utf-8", "replace")
        if not text or not text.isprintable() or unicodedata.category(text[0]).startswith("C"):
            return ""
        for mod in modifiers:
            index = self._lib.xkb_keymap_mod_get_index(self._keymap, mod.encode())
            if mod != "Shift" and not self._lib.xkb_state_mod_index_is_consumed(
                self._state, code, index
            ):
                return ""
        return text

    def _press(self, modifiers: list[str]) -> None:
        mask = 0
        for mod in modifiers:
            mask |= 1 << self._lib.xkb_keymap_mod_get_index(self._keymap, mod.encode())
        self._lib.xkb_state_update_mask(self._state, mask, 0, 0, 0, 0, 0)


def typed_by(chord: str, layout: str) -> str:
    """What ``chord`` (a pynput hotkey, "<ctrl>+<alt>+<shift>+a") types on ``layout``, as X11
    applies it or with Ctrl+Alt as AltGr (as Windows does); "" when it types nothing."""
    parts = chord.split("+")
    mods, key = (
        [p for p in parts if p in MODIFIER_NAMES],
        next((p for p in parts if p not in MODIFIER_NAMES), ""),
    )
    keyboard = Layout(layout)
    code = keyboard.keycode(key)
    if code is None:  # a letter this layout lacks (Cyrillic): where it is on a US keyboard
        code = Layout("us").keycode(key)
    if code is None:
        return ""
    held = [MODIFIER_NAMES[m] for m in mods]
    as_x11 = keyboard.typed(held, code)
    if "<ctrl>" in mods and "<alt>" in mods:
        altgr = [m for m in held if m not in ("Control", "Mod1")] + ["Mod5"]
        return as_x11 or keyboard.typed(altgr, code)
    return as_x11
