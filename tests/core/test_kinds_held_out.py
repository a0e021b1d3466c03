"""The content kind on images no generator of ours drew (``tests/kinds_held_out``): real
programs on an X server, typeset pages, other charting and diagram programs, real icon
themes and photographs, through the whole describer with real OCR: the sources the kind's
forest was fitted on, and those held out of its fitting."""

from __future__ import annotations

import pytest

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
pytest.importorskip("matplotlib", reason="matplotlib (the dev extra) draws the charts")

from vocalens.core.describing.describe import Describer
from vocalens.core.describing.ocr import TextReader

from ..kinds_held_out import grade, held_out, held_out_set, missing

pytestmark = pytest.mark.skipif(
    bool(missing()), reason=f"needs {', '.join(missing())} (the test command installs them)"
)


@pytest.fixture(scope="module")
def graded() -> dict[str, list[tuple[str, str, str, float]]]:
    describer = Describer(None, TextReader(), parallel=False)
    rows: dict[str, list[tuple[str, str, str, float]]] = {"fit": [], "held": []}
    try:
        for source, name, kind, image in held_out_set():
            desc = describer.describe(image, caption_text=False)
            split = "held" if held_out(source, name) else "fit"
            rows[split].append((name, kind, desc.kind, desc.kind_confidence))
    finally:
        describer.close()
    return rows


def test_the_sources_it_was_fitted_on(graded) -> None:
    result = grade(graded["fit"])
    assert result["images"] >= 130 and result["right"] >= 0.97, result["wrong"]
    assert result["wrong_and_sure"] <= 0.01, result["wrong"]


def test_the_held_out_sources(graded) -> None:
    """The bar: 95 % right held out, 90 % per kind, 2 % wrong yet sure (the forest: 97.5 %,
    every kind at 91 % or more, 1.25 %; README)."""
    result = grade(graded["held"])
    assert result["images"] >= 75 and result["right"] >= 0.95, result["wrong"]
    assert min(result["per_kind"].values()) >= 0.9, result["per_kind"]
    assert result["wrong_and_sure"] <= 0.02, result["wrong"]


def test_no_page_of_text_and_no_window_is_called_blank(graded) -> None:
    for name, truth, said, _ in graded["fit"] + graded["held"]:
        assert said != "blank" or truth == "blank", name
