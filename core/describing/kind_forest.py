"""A small learned vote on the content kind: a forest of decision trees over the signals that
need no download (``kinds.Signals``) and the written rule's own answer, fitted by
``benchmarks/fit_kinds.py`` on labelled images from many sources and stored as data
(``resources/kind_forest.json``: which sources it was fitted on is written in it).

The rule alone knows a program's window or a chart by the sources it was written against; the
forest learns where, on other sources, the rule's answer and the signals disagree. Reading it
takes well under a millisecond; without the file (a damaged install) the rule answers alone."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from vocalens.core.describing.kinds import Signals
    from vocalens.core.describing.parts import Kind

FILE = "kind_forest.json"
FORMAT = 1


def features(s: Signals, rule: tuple[Kind, float], kinds: tuple[str, ...]) -> list[float]:
    """The forest's inputs, in its order: the signals (counts on a log scale) and the rule's
    answer (one column a kind) with how sure it was."""
    return [
        s.flat, s.background, math.log1p(s.colours), s.saturated, float(s.grey), s.edges,
        s.text_cover, math.log1p(s.words), math.log1p(s.lines), s.numeric, s.aligned,
        math.log1p(s.flat_colours), float(s.axes), math.log(max(s.short_side, 1)),
        float(s.thin), float(s.dark), s.margin, s.letters, s.tall, s.ring,
        *(float(rule[0] == kind) for kind in kinds), rule[1],
    ]  # fmt: skip


@dataclass(frozen=True)
class Tree:
    feature: np.ndarray  # the input a node asks about; -1 at a leaf
    threshold: np.ndarray  # go left when the input is at most this
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # at a leaf: the share of each kind among its training images

    def leaf(self, x: list[float]) -> np.ndarray:
        node = 0
        while self.feature[node] >= 0:
            go_left = x[self.feature[node]] <= self.threshold[node]
            node = int(self.left[node] if go_left else self.right[node])
        return self.value[node]


@dataclass(frozen=True)
class Forest:
    kinds: tuple[str, ...]
    trees: tuple[Tree, ...]
    width: int  # inputs a tree expects

    def vote(self, s: Signals, rule: tuple[Kind, float]) -> dict[str, float]:
        """Each kind's share of the trees' votes (they sum to 1)."""
        x = features(s, rule, self.kinds)
        if len(x) != self.width:
            raise ValueError("the forest expects other signals")
        shares = np.mean([tree.leaf(x) for tree in self.trees], axis=0)
        return {kind: float(p) for kind, p in zip(self.kinds, shares, strict=True)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Forest:
        if data.get("format") != FORMAT:
            raise ValueError("the forest's file is of another version")
        kinds = tuple(str(k) for k in data["kinds"])
        trees = tuple(
            Tree(
                feature=np.asarray(t["feature"], dtype=np.int64),
                threshold=np.asarray(t["threshold"], dtype=np.float64),
                left=np.asarray(t["left"], dtype=np.int64),
                right=np.asarray(t["right"], dtype=np.int64),
                value=np.asarray(t["value"], dtype=np.float64),
            )
            for t in data["trees"]
        )
        width = int(data["width"])
        for tree in trees:
            if not _well_formed(tree, len(kinds), width):
                raise ValueError("a tree of the forest is malformed")
        return cls(kinds, trees, width)


def _well_formed(tree: Tree, kinds: int, width: int) -> bool:
    """Every array the same length, inputs that exist, and each child after its parent within
    the tree (so a walk always ends at a leaf)."""
    nodes = len(tree.feature)
    inner = tree.feature >= 0
    after = np.flatnonzero(inner)
    return bool(
        nodes
        and tree.value.shape == (nodes, kinds)
        and len(tree.threshold) == len(tree.left) == len(tree.right) == nodes
        and (tree.feature < width).all()
        and all(((c[inner] > after) & (c[inner] < nodes)).all() for c in (tree.left, tree.right))
    )


@cache
def shipped() -> Forest | None:
    """The forest that ships with VocaLens, or None when its file is missing or damaged."""
    return read(resources.files("vocalens.resources").joinpath(FILE))


def read(source: Traversable) -> Forest | None:
    try:
        return Forest.from_data(json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
