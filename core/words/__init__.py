"""Our words in the user's language: one gettext catalogue (``resources/locale``, the domain
``vocalens``) for what VocaLens says and shows. A phrase is marked where it is written —
``tr("A photo.")`` where it is said, ``N_("photo")`` in a table translated where it is used,
``trn(one, many, n)`` for counts — and the catalogue is made from the marks
(``make translations``: Babel extracts them into ``vocalens.pot``, merges them into each
language's ``.po`` and compiles the ``.mo`` files read here by Python's own gettext).

The language follows the system (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``) unless
``use_language`` names one; a language without a catalogue speaks English. The caption
model writes English: its words are never passed through here."""

from __future__ import annotations

import gettext
import threading
from importlib import resources
from pathlib import Path

DOMAIN = "vocalens"
LANGUAGES = ("en", "de", "es", "fr", "pl", "ru")  # complete catalogues (English: the source)
_lock = threading.Lock()
_current: gettext.NullTranslations | None = None


def use_language(code: str = "auto", folder: Path | None = None) -> str:
    """Speak ``code`` (``de``, ``pt_BR``; ``auto``: the system's language) from now on, with
    the catalogues in ``folder`` (default: VocaLens's own). Returns the language whose words
    are used (``en`` when none of ``code``'s is there)."""
    global _current
    languages = None if code == "auto" else [code]
    if folder is None:
        with resources.as_file(resources.files("vocalens.resources") / "locale") as path:
            chosen = gettext.translation(DOMAIN, str(path), languages, fallback=True)
    else:
        chosen = gettext.translation(DOMAIN, str(folder), languages, fallback=True)
    with _lock:
        _current = chosen
    return language()


def language() -> str:
    """The language of the words now used (``en``: the source's)."""
    info = _catalogue().info()
    return info.get("language", "en") or "en"


def tr(message: str) -> str:
    return _catalogue().gettext(message)


def trn(one: str, many: str, count: int) -> str:
    """The form for ``count`` (a language may have several plural forms; Polish and Russian
    have three). Format ``{n}`` in it afterwards."""
    return _catalogue().ngettext(one, many, count)


def trc(context: str, message: str) -> str:
    """``message`` as meant in ``context`` (the same English may need other words)."""
    return _catalogue().pgettext(context, message)


def N_(message: str) -> str:
    return message


def number(value: float, digits: int = 2) -> str:
    """``value`` with the language's decimal sign (0.52, 0,52)."""
    point = trc("decimal sign", ".")
    return f"{value:.{digits}f}".replace(".", point)


def _catalogue() -> gettext.NullTranslations:
    if _current is None:
        use_language("auto")
    assert _current is not None
    return _current
