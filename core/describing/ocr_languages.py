"""Text in the scripts RapidOCR's models do not read — Cyrillic, Greek, Arabic, Hebrew,
Devanagari — read by Tesseract (through ``tesserocr``, in this process) with the language
packs of the user's languages.

The packs are the system's own where it has them (Debian's ``tesseract-ocr-rus``…, the UB
Mannheim installer on Windows, Homebrew on macOS) or a folder named by ``TESSDATA_PREFIX``.
Each line RapidOCR read is read again in the chosen languages (a line costs 10–20 ms), and
Tesseract's reading is taken where it is written in one of those scripts and sure enough;
Tesseract gives right-to-left text in logical order, as speech needs it.
"""

from __future__ import annotations

import locale
import os
import sys
import threading
import unicodedata
from pathlib import Path

import numpy as np

# The user's language (ISO 639-1, as locales name it) → Tesseract's pack, for the languages
# written in scripts RapidOCR does not read.
PACKS = {
    "ru": "rus", "uk": "ukr", "be": "bel", "bg": "bul", "sr": "srp", "mk": "mkd", "kk": "kaz",
    "el": "ell", "ar": "ara", "fa": "fas", "ur": "urd", "he": "heb", "yi": "yid",
    "hi": "hin", "mr": "mar", "ne": "nep", "sa": "san",
}  # fmt: skip
# The scripts those packs read, as Unicode names their letters.
SCRIPTS = ("CYRILLIC", "GREEK", "ARABIC", "HEBREW", "DEVANAGARI")
# Direction marks Tesseract adds round right-to-left text: the text is in logical order already.
NO_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))
PAD = 8  # pixels of background added round a line: Tesseract reads a framed line better
SURE = 0.6  # Tesseract's mean word confidence a reading needs to be taken
FALLBACK = 0.3  # … or where RapidOCR read nothing surer than WEAK
WEAK = 0.5
TAKEN = 0.8  # how sure a reading taken from Tesseract counts, at least
MOST = 0.3  # of its letters in those scripts, at least, for a line to be theirs
TESSDATA = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    r"C:\Program Files\Tesseract-OCR\tessdata",
)


def chosen_languages(setting: str) -> list[str]:
    """The Tesseract packs to read with: ``auto`` follows the user's language (none for a
    language RapidOCR reads itself), ``none`` reads with none, else packs joined by "+"."""
    if setting == "none":
        return []
    if setting != "auto":
        return [p for p in setting.split("+") if p]
    names = [os.environ.get(k, "") for k in ("LC_ALL", "LC_CTYPE", "LANG", "LANGUAGE")]
    names.append(locale.getlocale()[0] or "")
    codes = [n.split(":")[0].split("_")[0].split(".")[0].lower() for n in names if n]
    return list(dict.fromkeys(PACKS[c] for c in codes if c in PACKS))


def tessdata(packs: list[str]) -> Path | None:
    """The folder that holds every one of ``packs`` (``TESSDATA_PREFIX`` first)."""
    places = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA]
    for place in filter(None, places):
        folder = Path(place)
        if all((folder / f"{p}.traineddata").is_file() for p in packs):
            return folder
    return None


def script_share(text: str) -> float:
    """The share of ``text``'s letters written in ``SCRIPTS``."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    ours = sum(unicodedata.name(c, "").startswith(SCRIPTS) for c in letters)
    return ours / len(letters)


class LanguageReader:
    """Reads line images in ``packs`` alone: Latin lines are RapidOCR's (``better``), and an
    English pack beside them takes words of these scripts for Latin ones."""

    def __init__(self, packs: list[str], folder: Path) -> None:
        import tesserocr

        self._api = tesserocr.PyTessBaseAPI(
            path=str(folder) + os.sep, lang="+".join(packs), psm=tesserocr.PSM.SINGLE_LINE
        )
        self._lock = threading.Lock()

    def read(self, line: np.ndarray) -> tuple[str, float]:
        """The line's text and how sure (0–1): read as a line; where that finds nothing sure
        (Tesseract's line layout loses some Arabic lines), read as raw text."""
        import tesserocr
        from PIL import Image

        framed = _framed(line)
        with self._lock:
            self._api.SetImage(Image.fromarray(np.ascontiguousarray(framed)))
            best = self._reading()
            if best[1] < SURE:
                self._api.SetPageSegMode(tesserocr.PSM.RAW_LINE)
                best = max(best, self._reading(), key=lambda r: r[1])
                self._api.SetPageSegMode(tesserocr.PSM.SINGLE_LINE)
            return best

    def _reading(self) -> tuple[str, float]:
        text = " ".join(self._api.GetUTF8Text().translate(NO_MARKS).split())
        return text, self._api.MeanTextConf() / 100

    def close(self) -> None:
        self._api.End()


def _framed(line: np.ndarray) -> np.ndarray:
    """The line with ``PAD`` pixels of its background round it (the median of its border):
    Tesseract reads a line cut tight to its letters worse, or not at all."""
    border = np.concatenate([line[0], line[-1], line[:, 0], line[:, -1]])
    ground = np.median(border, axis=0).astype(line.dtype)
    framed = np.empty((line.shape[0] + 2 * PAD, line.shape[1] + 2 * PAD, 3), line.dtype)
    framed[:] = ground
    framed[PAD:-PAD, PAD:-PAD] = line
    return framed


def open_reader(setting: str) -> tuple[LanguageReader | None, str]:
    """The reader for the languages ``setting`` chooses, and a sentence when they cannot be
    read ("" when none are chosen or all is well)."""
    packs = chosen_languages(setting)
    if not packs:
        return None, ""
    if not sys.platform.startswith("linux") or getattr(sys, "frozen", False):
        return None, (
            f"Text in {', '.join(packs)} is not read on this system yet; Latin and Chinese text is."
        )
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return None, (
            f"Text in {', '.join(packs)} cannot be read: Tesseract is not installed. Install "
            "it with: pip install 'vocalens[languages]'."
        )
    folder = tessdata(packs)
    if folder is None:
        return None, (
            f"Text in {', '.join(packs)} cannot be read: the language packs are not on this "
            f"machine. {_how_to_get(packs)}"
        )
    return LanguageReader(packs, folder), ""


def _how_to_get(packs: list[str]) -> str:
    if sys.platform.startswith("linux"):
        names = " ".join(f"tesseract-ocr-{p}" for p in packs)
        return f"Install them with your package manager (Debian, Ubuntu: apt install {names})."
    return "Put their .traineddata files in a folder and name it in TESSDATA_PREFIX."


def better(ours: tuple[str, float], theirs: tuple[str, float]) -> tuple[str, float]:
    """RapidOCR's reading (``ours``) or Tesseract's (``theirs``): theirs where it is written
    in one of the scripts RapidOCR does not read and sure enough — less sure will do where
    RapidOCR read nothing it was sure of (Tesseract is unsure of short Arabic lines it reads
    right)."""
    text, sure = theirs
    if script_share(text) < MOST:
        return ours
    if sure >= SURE or (sure >= FALLBACK and ours[1] < WEAK):
        return text, max(sure, TAKEN)  # on RapidOCR's scale, which the layout's limits use
    return ours
