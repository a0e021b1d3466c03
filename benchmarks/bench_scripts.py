"""Text in other scripts: character accuracy (1 − CER, jiwer) of lines in Russian, Ukrainian,
Greek, Arabic, Hebrew and Hindi (and Latin with diacritics, read by RapidOCR alone), on the
lines the reading's limits were fitted on (``tests/scripts_corpus``: drawn by Pillow, two
fonts, two sizes, light and dark) and on held-out ones (``tests/scripts_held_out``: other
sentences, drawn by Qt); and what a line costs against a Latin line (median, warm)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the corpora

import jiwer

from tests.scripts_corpus import lines
from tests.scripts_held_out import qt_lines

from common import report


def reader_for(language: str):  # type: ignore[no-untyped-def]
    from vocalens.core.describing.ocr import TextReader
    from vocalens.core.describing.ocr_languages import open_reader

    extra, problem = open_reader("none" if language == "lat" else language)
    if problem:
        raise SystemExit(problem)
    reader = TextReader(languages=extra)
    reader.warm_up()
    return reader


def measure(samples: list[tuple[str, str, object]]) -> tuple[dict, dict]:
    """Accuracy and median milliseconds a line, by language."""
    readers: dict = {}
    errors: dict[str, list[float]] = {}
    times: dict[str, list[float]] = {}
    for language, text, image in samples:
        reader = readers.get(language) or readers.setdefault(language, reader_for(language))
        reader._lines.clear()  # each line read, not remembered
        reader._recent.clear()
        start = time.perf_counter()
        got = " ".join(b.text for b in reader.read(image))
        times.setdefault(language, []).append((time.perf_counter() - start) * 1e3)
        errors.setdefault(language, []).append(min(1.0, jiwer.cer(text, got)) if got else 1.0)
    accuracy = {k: round(1 - statistics.mean(v), 4) for k, v in errors.items()}
    return accuracy, {k: round(statistics.median(v), 1) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    fitted, _ = measure([(ln.language, ln.text, ln.image) for ln in lines()])
    held, held_ms = measure(qt_lines())
    results: dict = {}
    for language in fitted:
        results[f"{language} accuracy fitted"] = fitted[language]
        results[f"{language} accuracy held out"] = held[language]
        results[f"{language} ms a line (x Latin)"] = round(held_ms[language] / held_ms["lat"], 2)
    results["latin ms a line"] = held_ms["lat"]
    report(results, args.out)


if __name__ == "__main__":
    main()
