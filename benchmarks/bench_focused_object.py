"""Describing the focused object on a real accessibility bus under Xvfb: from the request to
its role and name (the first words) and to the whole description, for an unlabelled 64×64
icon button (the session of ``tests/desktop/test_focused_object.py``), five runs. Without a
caption model; a caption adds the caption's own time (``bench_caption.py``)."""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.desktop.test_focused_object import focus_session

from common import report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = [focus_session() for _ in range(args.runs)]
    report(
        {
            "first_words_ms_median": round(statistics.median(r["first_ms"] for r in runs), 1),
            "first_words_ms_max": round(max(r["first_ms"] for r in runs), 1),
            "whole_ms_median": round(statistics.median(r["whole_ms"] for r in runs), 1),
            "said": runs[0]["spoken"],
        },
        args.out,
    )


if __name__ == "__main__":
    main()
