"""Our words in other languages: the catalogues are complete and current, and a pseudo-language
finds any spoken or shown phrase that escaped the catalogue."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

pytest.importorskip("babel", reason="Babel (the dev extra) reads the catalogues")
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from vocalens.core import words
from vocalens.core.describing.context import WindowInfo
from vocalens.core.describing.parts import (
    CaptionPart,
    Context,
    Description,
    KindPart,
    Notice,
    TextPart,
)
from vocalens.core.describing.render import full_text, notice_text, spoken

from ..pseudo_language import LOCALE, PLACEHOLDER, ROOT, escaped, template, write_pseudo

KEYWORDS = {"tr": None, "trn": (1, 2), "trc": ((1, "c"), 2), "N_": None}


@pytest.fixture(autouse=True)
def _english_after():
    yield
    words.use_language("en")


def marked_in_source() -> set[tuple[str | None, str]]:
    found = set()
    for folder in ("core", "desktop"):
        for _, _, message, _, context in extract_from_dir(ROOT / folder, keywords=KEYWORDS):
            found.add((context, message if isinstance(message, str) else message[0]))
    return found


def test_the_template_holds_every_marked_phrase_and_no_other() -> None:
    held = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in template() if m.id}
    assert held == marked_in_source()


@pytest.mark.parametrize("language", [lang for lang in words.LANGUAGES if lang != "en"])
def test_each_shipped_language_is_complete_and_compiled(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "vocalens.po", "rb") as f:
        catalogue = read_po(f, locale=language)
    assert not catalogue.fuzzy
    with open(folder / "vocalens.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for message in template():
        if not message.id:
            continue
        found = catalogue.get(message.id, message.context)
        assert found is not None and found.string and not found.fuzzy, message.id
        if isinstance(message.id, tuple):  # a count: every form the language has, compiled
            wanted = set(PLACEHOLDER.findall(message.id[0]))
            assert len(found.string) == catalogue.num_plurals and all(found.string)
            assert all(set(PLACEHOLDER.findall(form)) == wanted for form in found.string)
            for n in (1, 2, 5, 21):
                form = found.string[_plural(catalogue, n)]
                assert compiled.ngettext(*message.id, n) == form, "make translations"
            continue
        assert set(PLACEHOLDER.findall(found.string)) == set(PLACEHOLDER.findall(message.id))
        if message.context:
            assert compiled.pgettext(message.context, message.id) == found.string
        else:
            assert compiled.gettext(message.id) == found.string, "make translations"


def _plural(catalogue, n: int) -> int:
    """The index of the form ``n`` takes, by the catalogue's own rule."""
    return int(gettext.c2py(catalogue.plural_expr)(n))


def test_the_language_follows_the_choice_and_falls_back_to_english() -> None:
    assert words.use_language("de") == "de" and words.tr("No text found.") == "Kein Text gefunden."
    assert words.number(0.52) == "0,52"
    assert words.use_language("pt_BR") == "en" and words.tr("No text found.") == "No text found."
    assert words.use_language("ru_RU") == "ru"


@pytest.fixture
def pseudo(tmp_path: Path) -> None:
    write_pseudo(tmp_path)
    assert words.use_language("eo", folder=tmp_path) == "eo"


# What the user's own things say (text read, a caption, a window's title): no Latin letters,
# so that any left after our words are taken out escaped the catalogue.
SEEN = "Жук 42"


def descriptions() -> list[Description]:
    made = []
    for kind in ("photo", "screen", "document", "chart", "icon"):
        for sure in (0.9, 0.3, 0.1):
            d = Description.of("file", caption="жук", kind=kind, blocks=[SEEN, "12"])
            d.parts[1] = KindPart(kind, sure)
            d.parts = [
                p if not isinstance(p, CaptionPart) else CaptionPart("жук", sure) for p in d.parts
            ]
            made.append(d)
        made.append(Description.of("file", kind=kind))
    window = WindowInfo(title="Жук", app="Жук")
    screen = Description([Context("screen", "", window), KindPart("screen", 0.8)])
    screen.parts += [TextPart(" ".join([SEEN] * 40))]
    made += [screen, Description([Context("screen", "", window), KindPart("screen", 0.8)])]
    for source in ("file", "screen"):
        blank = Description([Context(source, "", None), KindPart("blank", colour="light grey")])
        made.append(blank)
    notices = [
        Notice(code, reason="Жук.", command="vocalens models download жук")
        for code in ("captions_off", "text_off", "text_failed", "curtain", "cpu_fallback",
                     "model_preparing", "model_loading", "model_ready")
    ]  # fmt: skip
    made.append(Description([Context("file", "", None), *notices, KindPart("photo", 0.9)]))
    made.append(Description([Context("file", "", None)]))
    return made


def test_no_phrase_of_ours_escapes_the_catalogue(pseudo) -> None:
    for d in descriptions():
        for verbosity in ("brief", "normal", "full"):
            assert escaped(spoken(d, verbosity)) == "", spoken(d, verbosity)
        assert escaped(full_text(d)) == "", full_text(d)
        for notice in d.notices:
            for surface in ("app", "cli"):
                assert escaped(notice_text(notice, surface)) == ""


def test_every_control_and_search_is_said_in_the_catalogue(pseudo) -> None:
    from vocalens.core.describing.elements import Element
    from vocalens.core.describing.layout import Box
    from vocalens.core.describing.render import element_line, found_line, pressing_line

    box = Box(10, 10, 60, 30)
    elements = [
        Element("button", "Жук", box, 0.9),
        Element("button", "", box, 0.5),
        Element("text field", "Жук", box, 0.7),
        Element("text field", "", box, 0.7),
        Element("text field", "Жук", box, 0.7, value="42"),
        Element("text field", "", box, 0.7, value="42"),
        *[Element(role, "Жук", box, 0.8, checked=c) for role in ("checkbox", "radio button")
          for c in (True, False)],
    ]  # fmt: skip
    window = WindowInfo(title="Жук", app="Жук", left=0, top=0, width=100, height=100)
    for context in (Context("screen", "", window), Context("screen", "", None)):
        desc = Description([context], image_size=(300, 300), elements=elements)
        for e in elements:
            said = [element_line(e), *(pressing_line(e, how) for how in ("left", "right", "move"))]
            said += [found_line("Жук", [e], desc, click) for click in (True, False)]
            assert all(escaped(s) == "" for s in said), said
        assert escaped(found_line("Жук", [], desc, False)) == ""
        assert escaped(found_line("Жук", elements[:2], desc, True)) == ""


# Where the errors a user meets are made: their sentences must go through the catalogue.
SAID_TO_USERS = [
    *ROOT.glob("desktop/**/*.py"),
    ROOT / "core/images.py",
    ROOT / "core/describing/capture.py",
    ROOT / "core/describing/ocr_engine.py",
    ROOT / "core/catalog/loading.py",
    ROOT / "core/catalog/registry.py",
    ROOT / "core/catalog/download.py",
]
PYTHONS_OWN = {
    "ValueError", "TypeError", "RuntimeError", "OSError", "KeyError", "AssertionError",
    "DatabaseError",  # SQLite's, caught within: never said
}  # fmt: skip


def test_every_error_a_user_meets_is_worded_through_the_catalogue() -> None:
    import ast

    bare = []
    for path in SAID_TO_USERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            if not name.endswith(("Error", "Cancelled")) or name in PYTHONS_OWN:
                continue
            for arg in node.args:
                if isinstance(arg, ast.JoinedStr) or (
                    isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value
                ):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bare == []
