"""The content kind on images no generator of ours drew (``tests/kinds_held_out``): real
programs on an X server, typeset pages, other charting and diagram programs, real icon
themes and photographs, through the whole describer with real OCR."""

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


def test_the_sources_the_thresholds_were_set_on(graded) -> None:
    result = grade(graded["fit"])
    assert result["images"] >= 60 and result["right"] >= 0.95, result["wrong"]
    assert result["wrong_and_sure"] <= 0.02, result["wrong"]


def test_the_held_out_sources_no_worse_than_measured(graded) -> None:
    """The bar is 95 % held out, and 2 % wrong yet sure; the rule reaches 86 % and 3 %
    (README). This holds what it reaches."""
    result = grade(graded["held"])
    assert result["images"] >= 25 and result["right"] >= 0.85, result["wrong"]
    assert result["wrong_and_sure"] <= 0.05, result["wrong"]
    assert result["per_kind"]["document"] == 1.0 and result["per_kind"]["blank"] == 1.0


def test_no_page_of_text_and_no_window_is_called_blank(graded) -> None:
    for name, truth, said, _ in graded["fit"] + graded["held"]:
        assert said != "blank" or truth == "blank", name
