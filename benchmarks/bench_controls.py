"""Screen recognition graded against the accessibility tree: real Qt and GTK windows under
Xvfb (tests/controls), each control's role, box and state found from the pixels alone, per
split (fitted, looked at, held out); how long finding the controls takes after the text; and
how often a click by name lands on the intended button (the program's own reaction checked).

    python benchmarks/bench_controls.py [--clicks] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the corpus of windows

from PIL import Image

from tests.controls.gather import gather
from tests.controls.grade import grade
from tests.controls.programs import programs

from common import report

ROLES = ("button", "text field", "checkbox", "radio button")


def recognise(folder: Path) -> dict:
    from vocalens.core.describing.describe import Describer
    from vocalens.core.describing.ocr import TextReader

    chosen = programs()
    split = {p.name: p.split for p in chosen}
    reader = TextReader()
    reader.warm_up()
    describer = Describer(None, reader)
    scores: dict = {}
    after_text, totals, misses = [], [], []
    for path in gather(chosen, folder):
        shot = json.loads(path.read_text())
        image = Image.open(path.with_suffix(".png")).convert("RGB")
        reader.forget()
        start = time.perf_counter()
        desc = describer.describe(image, "screen")
        totals.append((time.perf_counter() - start) * 1e3)
        after_text.append(desc.timings["elements_ms"])
        score = grade(desc.elements, shot["nodes"], shot["name"])
        scores.setdefault(split[shot["name"]], []).append(score)
        misses += [f"[{split[shot['name']]}] {m}" for m in score.misses]
    out: dict = {}
    for name, parts in scores.items():
        total = parts[0]
        for part in parts[1:]:
            total.add(part)
        out[f"{name}_windows"] = len(parts)
        for role in ROLES:
            key = role.replace(" ", "_")
            out[f"{name}_{key}_wanted"] = total.wanted[role]
            out[f"{name}_{key}_found_pct"] = round(100 * total.share(role), 1)
            out[f"{name}_{key}_state_pct"] = round(100 * total.share(role, with_state=True), 1)
        out[f"{name}_false_pct"] = round(100 * total.false_share, 1)
    out["elements_after_text_ms_median"] = round(statistics.median(after_text), 1)
    out["elements_after_text_ms_max"] = round(max(after_text), 1)
    out["screen_read_ms_median"] = round(statistics.median(totals), 1)
    out["misses"] = misses
    return out


def clicks() -> dict:
    from tests.controls.clicks import click_all

    chosen = [p for p in programs() if p.pressed or p.split == "held"]
    done = click_all(chosen)
    out: dict = {}
    for split in ("looked", "held"):
        mine = [c for c in done if next(p for p in chosen if p.name == c.program).split == split]
        if mine:
            out[f"{split}_clicks"] = len(mine)
            out[f"{split}_clicks_landed_pct"] = round(
                100 * sum(c.landed for c in mine) / len(mine), 1
            )
    out["click_misses"] = [f"{c.program} {c.button}: {c.said}" for c in done if not c.landed]
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--folder", type=Path, default=Path(".cache/controls"))
    p.add_argument("--clicks", action="store_true", help="also click every button by name")
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    results = recognise(args.folder)
    if args.clicks:
        results.update(clicks())
    report(results, args.out)


if __name__ == "__main__":
    main()
