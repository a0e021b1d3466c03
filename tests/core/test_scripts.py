"""Text in Cyrillic, Greek, Arabic, Hebrew and Devanagari, read with Tesseract's packs beside
RapidOCR: ≥ 95 % of the characters right on lines drawn by Pillow (the limits were fitted on
them) and on other sentences drawn by Qt (held out), in logical order; Latin lines and
pictures read as before; missing packs said in one sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.resources import files

import jiwer
import pytest
from PIL import Image

from tests.scripts_corpus import DEJAVU, NOTO, available, draw, lines
from tests.scripts_held_out import qt_lines
from vocalens.core.describing.ocr import TextReader
from vocalens.core.describing.ocr_languages import chosen_languages, open_reader, tessdata

SCRIPTS = ("rus", "ukr", "ell", "ara", "heb", "hin")
pytestmark = [
    pytest.mark.skipif(not available(), reason="needs fonts-noto-core (.ci/system-deps)"),
    pytest.mark.skipif(tessdata(list(SCRIPTS)) is None,
                       reason="needs tesseract-ocr-rus and the other packs (.ci/system-deps)"),
]  # fmt: skip


def readers() -> dict[str, TextReader]:
    made = {}
    for language in SCRIPTS:
        extra, problem = open_reader(language)
        assert extra is not None, problem
        made[language] = TextReader(languages=extra)
    return made


def accuracy(samples: list[tuple[str, str, Image.Image]]) -> dict[str, float]:
    by_language = readers()
    errors: dict[str, list[float]] = {}
    for language, text, image in samples:
        got = " ".join(b.text for b in by_language[language].read(image))
        errors.setdefault(language, []).append(min(1.0, jiwer.cer(text, got)) if got else 1.0)
    return {k: 1 - sum(v) / len(v) for k, v in errors.items()}


def test_lines_the_limits_were_fitted_on() -> None:
    fitted = accuracy([(ln.language, ln.text, ln.image) for ln in lines(SCRIPTS)])
    assert all(fitted[k] >= 0.95 for k in SCRIPTS), fitted


def test_other_sentences_drawn_by_qt(qapp) -> None:
    held_out = accuracy([s for s in qt_lines() if s[0] in SCRIPTS])
    assert all(held_out[k] >= 0.95 for k in SCRIPTS), held_out


def test_right_to_left_text_is_kept_in_logical_order() -> None:
    """As it is typed and as speech needs it: the first word first, no direction marks."""
    image = draw("heb", "פתיחת קובץ חדש", NOTO / "NotoSansHebrew-Regular.ttf",
                 28, False)  # fmt: skip
    (block,) = readers()["heb"].read(image)
    assert block.text == "פתיחת קובץ חדש"


def test_latin_lines_and_pictures_read_as_before() -> None:
    extra, _ = open_reader("rus+ara+hin")
    both, alone = TextReader(languages=extra), TextReader()
    line = draw("lat", "Open the settings file", DEJAVU, 22, False)
    assert [b.text for b in both.read(line)] == [b.text for b in alone.read(line)]
    house = Image.open(str(files("vocalens.resources") / "samples" / "house-on-a-hill.png"))
    noise = Image.effect_noise((400, 300), 60).convert("RGB")
    assert both.read(house.convert("RGB")) == [] and both.read(noise) == []


@pytest.mark.parametrize(
    ("setting", "lang", "packs"),
    [
        ("auto", "ru_RU.UTF-8", ["rus"]),
        ("auto", "ar_EG.UTF-8", ["ara"]),
        ("auto", "de_DE.UTF-8", []),  # German is Latin: RapidOCR reads it
        ("none", "ru_RU.UTF-8", []),
        ("ell+heb", "C", ["ell", "heb"]),
    ],
)
def test_languages_follow_the_user(monkeypatch, setting, lang, packs) -> None:
    for name in ("LC_ALL", "LC_CTYPE", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)
    monkeypatch.setattr("locale.getlocale", lambda *a: (None, None))
    assert chosen_languages(setting) == packs


def test_missing_packs_are_said_with_the_way_to_get_them(tmp_path) -> None:
    line = tmp_path / "line.png"
    draw("rus", "Файл не найден", DEJAVU, 22, False).save(line)
    env = {**os.environ, "TESSDATA_PREFIX": str(tmp_path)}
    cli = [sys.executable, "-m", "vocalens.core.cli.main", "describe", str(line), "--no-caption"]
    out = subprocess.run([*cli, "--text-languages", "xyz"], env=env, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert out.stderr.strip() == (
        "vocalens: Text in xyz cannot be read: the language packs are not on this machine. "
        "Install them with your package manager (Debian, Ubuntu: apt install tesseract-ocr-xyz)."
    )
    out = subprocess.run([*cli, "--text-languages", "rus"], env=env, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert out.stdout.strip().endswith("Text: Файл не найден.") and out.stderr == ""


def test_where_tesseract_is_not_carried_it_is_said(monkeypatch) -> None:
    """The packaged app and other systems do not carry Tesseract yet: no pip advice there."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    reader, problem = open_reader("rus")
    assert reader is None
    assert problem == "Text in rus is not read on this system yet; Latin and Chinese text is."
