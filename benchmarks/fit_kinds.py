"""Fit the content kind's forest (``core/describing/kind_forest.py``) and grade it.

Every image of the labelled sets (``tests/kind_set.py`` and ``tests/kinds_held_out``) is read
through the real OCR and measured once (``--measure``, cached in ``.cache/kinds-signals.json``,
about 10 minutes). The forest is then fitted on the sources not held out and written to
``resources/kind_forest.json``; it is graded on the held-out sources, which it never saw, and
by leaving each fitted source out in turn (a model fitted on the others grades it). The written
rule is graded beside it on the same images."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the sets' builders

from tests.kinds_held_out import corpus, grade, held_out
from vocalens.core.describing.kind_forest import FILE, FORMAT, features
from vocalens.core.describing.kinds import KINDS, Signals, blank_colour, measure, written_rule
from vocalens.core.describing.ocr import TextReader
from vocalens.core.quiet import quiet_libraries

from common import report

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "kinds-signals.json"
FOREST_KINDS = tuple(k for k in KINDS if k != "blank")  # a blank image is found before
TREES, LEAF, DEPTH = 100, 2, 8


def measured(known: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every image's row; those in ``known`` (by name) are not read again."""
    quiet_libraries()
    reader = TextReader()
    rows = []
    for source, name, kind, image in corpus():
        if name in known and known[name]["kind"] == kind:
            rows.append({**known[name], "source": source})
            continue
        signals = None
        if blank_colour(image) is None:
            signals = asdict(measure(image, list(reader.stream(image, None))))
        rows.append({"source": source, "name": name, "kind": kind, "signals": signals})
        print(f"{name}: {kind}", file=sys.stderr, flush=True)
    return rows


def _xy(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = []
    for row in rows:
        s = Signals(**row["signals"])
        x.append(features(s, written_rule(s), FOREST_KINDS))
    kinds = np.array([row["kind"] for row in rows])
    sources = np.array([row["source"] for row in rows])
    return np.array(x), kinds, sources


def _forest(x: np.ndarray, y: np.ndarray, sources: np.ndarray):
    from sklearn.ensemble import RandomForestClassifier

    count = Counter(sources)  # each source weighs as the root of its size: no source rules
    weight = np.array([1 / math.sqrt(count[s]) for s in sources])
    forest = RandomForestClassifier(
        TREES, max_depth=DEPTH, min_samples_leaf=LEAF, class_weight="balanced", random_state=0
    )  # each kind weighs the same too
    return forest.fit(x, y, sample_weight=weight)


def _said(forest, x: np.ndarray) -> list[tuple[str, float]]:
    shares = forest.predict_proba(x)
    return [(str(forest.classes_[p.argmax()]), float(p.max())) for p in shares]


def exported(forest) -> dict[str, Any]:
    order = [list(forest.classes_).index(k) for k in FOREST_KINDS]
    trees = []
    for estimator in forest.estimators_:
        t = estimator.tree_
        value = t.value[:, 0, :][:, order]
        value = value / value.sum(axis=1, keepdims=True)
        trees.append({
            "feature": [int(f) if f >= 0 else -1 for f in t.feature],
            "threshold": [round(float(v), 6) for v in t.threshold],
            "left": t.children_left.tolist(),
            "right": t.children_right.tolist(),
            "value": [[round(float(v), 5) for v in row] for row in value],
        })  # fmt: skip
    return {"format": FORMAT, "kinds": list(FOREST_KINDS), "width": forest.n_features_in_,
            "trees": trees}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", action="store_true", help="read and measure new images")
    parser.add_argument("--again", action="store_true", help="read and measure every image")
    parser.add_argument("--out", type=Path, help="the figures as JSON")
    parser.add_argument("--write", action="store_true", help="write resources/kind_forest.json")
    args = parser.parse_args()
    if args.measure or args.again or not CACHE.exists():
        known = [] if args.again or not CACHE.exists() else json.loads(CACHE.read_text())
        CACHE.parent.mkdir(exist_ok=True)
        CACHE.write_text(json.dumps(measured({row["name"]: row for row in known})))
    rows = json.loads(CACHE.read_text())
    blank = [r for r in rows if r["signals"] is None]
    rows = [r for r in rows if r["signals"] is not None]
    fit = [r for r in rows if not held_out(r["source"], r["name"])]
    held = [r for r in rows if held_out(r["source"], r["name"])]
    x, y, sources = _xy(fit)
    loso: list[tuple[str, str, str, float]] = []
    for source in sorted(set(sources)):
        apart = sources == source
        forest = _forest(x[~apart], y[~apart], sources[~apart])
        names = [r["name"] for r, a in zip(fit, apart, strict=True) if a]
        for name, truth, (said, sure) in zip(names, y[apart], _said(forest, x[apart]), strict=True):
            loso.append((name, str(truth), said, sure))
    forest = _forest(x, y, sources)
    hx, hy, _ = _xy(held)
    held_rows = [
        (r["name"], str(t), said, sure)
        for r, t, (said, sure) in zip(held, hy, _said(forest, hx), strict=True)
    ]
    blanks = [(r["name"], r["kind"], "blank", 1.0) for r in blank]
    rule = {
        part: grade([(r["name"], r["kind"], *written_rule(Signals(**r["signals"]))) for r in rs])
        for part, rs in (("fitted", fit), ("held_out", held))
    }
    report(
        {
            "sources_fitted": sorted(set(sources)),
            "forest_held_out": grade(held_rows + [b for b in blanks if held_out("", b[0])]),
            "forest_leave_one_source_out": grade(loso),
            "rule_fitted": rule["fitted"],
            "rule_held_out": rule["held_out"],
            "found_blank": blanks,
        },
        args.out,
    )
    if args.write:
        (ROOT / "resources" / FILE).write_text(json.dumps(exported(forest), separators=(",", ":")))


if __name__ == "__main__":
    main()
