"""The content kind on the labelled set (``tests/kind_set.py``): accuracy and the confusion
matrix from the download-free signals alone, and what the decision adds to a description.

The set is built twice: seed 0 is the set the rule's thresholds were set on (and the test
checks); seed 1 draws other text, numbers and data into the rendered screens, documents and
charts, a check that the rule did not learn the first set's particulars.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the labelled set's builder

from tests.kind_set import labelled_set
from vocalens.core.describing.kinds import KINDS, blank_colour, decide, measure
from vocalens.core.describing.ocr import TextReader
from vocalens.core.quiet import quiet_libraries

from common import report


def run(seed: int, reader: TextReader) -> dict:
    matrix = {truth: dict.fromkeys(KINDS, 0) for truth in KINDS}
    decide_ms, wrong = [], []
    images = labelled_set(seed)
    decide(measure(images[0][2], []))  # the first call pays for numpy's warm-up
    for name, truth, image in images:
        blocks = [] if blank_colour(image) else list(reader.stream(image))
        start = time.perf_counter()
        kind = "blank" if blank_colour(image) else decide(measure(image, blocks))[0]
        decide_ms.append((time.perf_counter() - start) * 1e3)
        matrix[truth][kind] += 1
        if kind != truth:
            wrong.append(f"{name}: {truth} called {kind}")
    right = sum(matrix[k][k] for k in KINDS)
    total = sum(sum(row.values()) for row in matrix.values())
    print(f"\nseed {seed}: {right}/{total} right", file=sys.stderr)
    print("truth \\ said " + " ".join(f"{k[:8]:>8}" for k in KINDS), file=sys.stderr)
    for truth in KINDS:
        row = " ".join(f"{matrix[truth][k]:>8}" for k in KINDS)
        print(f"{truth:<13}{row}", file=sys.stderr)
    for line in wrong:
        print("  " + line, file=sys.stderr)
    return {
        f"seed{seed}_images": total,
        f"seed{seed}_accuracy": round(right / total, 3),
        f"seed{seed}_decide_ms_median": round(statistics.median(decide_ms), 2),
        f"seed{seed}_decide_ms_max": round(max(decide_ms), 2),
        f"seed{seed}_confusion": matrix,
        f"seed{seed}_wrong": wrong,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    quiet_libraries()
    reader = TextReader()
    results = {**run(0, reader), **run(1, reader)}
    report(results, args.out)


if __name__ == "__main__":
    main()
