"""Lines of text in other scripts, drawn at test time: Russian, Ukrainian, Greek, Arabic,
Hebrew and Hindi (and Latin with diacritics), each in two fonts, two sizes, dark on light and
light on dark. Right-to-left and joined scripts are shaped by Pillow's Raqm layout."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

NOTO = Path("/usr/share/fonts/truetype/noto")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LINES = {
    "rus": ["Сохранить изменения в документе перед закрытием?", "Файл не найден"],
    "ukr": ["Зберегти зміни у файлі перед закриттям?", "Налаштування мережі"],
    "ell": ["Θέλετε να αποθηκεύσετε τις αλλαγές;", "Άνοιγμα αρχείου"],
    "ara": ["هل تريد حفظ التغييرات؟", "فتح ملف جديد"],
    "heb": ["האם לשמור את השינויים במסמך", "פתיחת קובץ חדש"],
    "hin": ["क्या आप परिवर्तन सहेजना चाहते हैं", "नई फ़ाइल खोलें"],
    "lat": ["Zażółć gęślą jaźń", "Größe der Datei ändern", "Où êtes-vous allé cet été"],
}
FONTS = {
    "rus": [DEJAVU, NOTO / "NotoSans-Regular.ttf"],
    "ukr": [DEJAVU, NOTO / "NotoSans-Regular.ttf"],
    "ell": [DEJAVU, NOTO / "NotoSans-Regular.ttf"],
    "ara": [NOTO / "NotoSansArabic-Regular.ttf", NOTO / "NotoNaskhArabic-Regular.ttf"],
    "heb": [NOTO / "NotoSansHebrew-Regular.ttf", DEJAVU],
    "hin": [NOTO / "NotoSansDevanagari-Regular.ttf", NOTO / "NotoSerifDevanagari-Regular.ttf"],
    "lat": [DEJAVU, NOTO / "NotoSans-Regular.ttf"],
}
RIGHT_TO_LEFT = ("ara", "heb")
SIZES = (18, 28)


@dataclass(frozen=True)
class Line:
    language: str
    text: str
    font: str
    size: int
    dark: bool  # light text on a dark ground
    image: Image.Image


def available() -> bool:
    return all(font.is_file() for fonts in FONTS.values() for font in fonts)


def draw(language: str, text: str, font: Path, size: int, dark: bool) -> Image.Image:
    shape = ImageFont.Layout.RAQM if ImageFont.core.HAVE_RAQM else ImageFont.Layout.BASIC
    face = ImageFont.truetype(str(font), size, layout_engine=shape)
    direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
    left, top, right, bottom = face.getbbox(text, direction=direction)
    ink, ground = ((235, 235, 235), (30, 30, 36)) if dark else ((20, 20, 20), (255, 255, 255))
    image = Image.new("RGB", (right - left + 4 * size, bottom - top + 2 * size), ground)
    ImageDraw.Draw(image).text((2 * size - left, size - top), text, fill=ink, font=face,
                               direction=direction)  # fmt: skip
    return image


def lines(languages: tuple[str, ...] = tuple(LINES)) -> Iterator[Line]:
    for language in languages:
        for text in LINES[language]:
            for font in FONTS[language]:
                for size in SIZES:
                    for dark in (False, True):
                        image = draw(language, text, font, size, dark)
                        yield Line(language, text, font.stem, size, dark, image)
