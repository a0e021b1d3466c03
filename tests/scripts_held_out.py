"""Held out from the fitting of ``ocr_languages``' limits: other sentences, drawn by Qt (its
own shaping, hinting and font fallback, as on a desktop) in a window, not by Pillow."""

from __future__ import annotations

from PIL import Image

SENTENCES = {
    "rus": ["Настройки сети недоступны", "Удалить выбранные файлы?"],
    "ukr": ["Оновлення встановлено успішно", "Відкрити у новому вікні"],
    "ell": ["Η σύνδεση απέτυχε", "Εκτύπωση εγγράφου"],
    "ara": ["تم حفظ الملف بنجاح", "إغلاق النافذة"],
    "heb": ["הקובץ נשמר בהצלחה", "סגירת החלון"],
    "hin": ["फ़ाइल सफलतापूर्वक सहेजी गई", "विंडो बंद करें"],
    "lat": ["Ñandú über façade", "Žluťoučký kůň úpěl"],
}
POINTS = (11, 15)


def qt_lines() -> list[tuple[str, str, Image.Image]]:
    """(language, text, image) for every sentence at every size, light and dark."""
    from PySide6.QtGui import QFont, QImage
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([])  # noqa: F841 - kept while drawing
    made = []
    for language, texts in SENTENCES.items():
        for text in texts:
            for points in POINTS:
                for dark in (False, True):
                    label = QLabel(text)
                    label.setFont(QFont("Sans Serif", points))
                    ink, ground = ("#ececec", "#1e1e24") if dark else ("#141414", "#ffffff")
                    label.setStyleSheet(f"color: {ink}; background: {ground}; padding: 14px")
                    label.adjustSize()
                    shot = label.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
                    data = bytes(shot.constBits())
                    image = Image.frombytes("RGB", (shot.width(), shot.height()), data, "raw",
                                            "RGB", shot.bytesPerLine())  # fmt: skip
                    made.append((language, text, image))
    return made
