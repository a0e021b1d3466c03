"""A pseudo-language made from the template: every phrase of ours with its letters made foreign
and wrapped in ⟦ ⟧, so that any English left where it is shown or said escaped the catalogue."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "resources" / "locale"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
TYPED = ("vocalens models download", "pip install 'vocalens[ocr]'", "--model")


def template() -> Catalog:
    with open(LOCALE / "vocalens.pot", "rb") as f:
        return read_po(f)


ACCENTED = str.maketrans("aceinorsuAEIORSU", "áçéíñóřšúÁÉÍÓŘŠÚ")
# Arabic letters for Latin ones (a right-to-left pseudo-language): the layout is checked, not
# the words, so any letters of a right-to-left script do.
ARABIC = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "ابتثجحخدذرزسشصضطظعغفقكلمنهابتثجحخدذرزسشصضطظعغفقكلمنه",
)


def pseudo(text: str, table: dict[int, str] = ACCENTED) -> str:
    """Every letter outside the placeholders made foreign, the whole in ⟦ ⟧."""
    pieces = re.split(r"(\{[a-z_]+\})", text)
    out = "".join(p if PLACEHOLDER.fullmatch(p) else p.translate(table) for p in pieces)
    return f"⟦{out}⟧"


def write_pseudo(folder: Path, language: str = "eo", table: dict[int, str] = ACCENTED) -> None:
    """The pseudo-language's compiled catalogue under ``folder`` (as ``language``)."""
    catalogue = Catalog(locale=language)  # any language: only its words are checked
    for message in template():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(pseudo(m, table) for m in message.id)
            catalogue.add(message.id, forms, context=message.context)
        else:
            catalogue.add(message.id, pseudo(message.id, table), context=message.context)
    target = folder / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    (target / "vocalens.mo").write_bytes(buffer.getvalue())


def escaped(text: str, also: tuple[str, ...] = ()) -> str:
    """What is left of ``text`` once our words (⟦…⟧, nested) and what is typed or named as it
    is (commands, ``also``) are taken out."""
    while (shorter := re.sub(r"⟦[^⟦⟧]*⟧", " ", text)) != text:
        text = shorter
    for theirs in (*TYPED, *also):
        text = text.replace(theirs, " ")  # commands are typed as they are, in any language
    return re.sub(r"[^A-Za-z]+", " ", text).strip()
