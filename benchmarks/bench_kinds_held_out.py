"""The content kind on images from other sources than the rule was fitted on
(``tests/kinds_held_out``): the part whose sources set thresholds, and the part held out,
each with its accuracy, per kind, and the share called wrongly yet "sure"."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the set's builder

from tests.kinds_held_out import grade, held_out, held_out_set
from vocalens.core.describing.describe import Describer
from vocalens.core.describing.ocr import TextReader
from vocalens.core.quiet import quiet_libraries

from common import report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    quiet_libraries()
    describer = Describer(None, TextReader(), parallel=False)
    rows: dict[str, list[tuple[str, str, str, float]]] = {"fit": [], "held": []}
    for source, name, kind, image in held_out_set():
        desc = describer.describe(image, caption_text=False)
        rows["held" if held_out(source, name) else "fit"].append(
            (name, kind, desc.kind, desc.kind_confidence)
        )
    describer.close()
    report({split: grade(found) for split, found in rows.items()}, args.out)


if __name__ == "__main__":
    main()
