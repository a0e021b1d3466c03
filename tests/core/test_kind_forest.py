"""The content kind's forest as shipped: read from its file, checked before it is trusted, and
the written rule answering alone when the file is missing or damaged."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from vocalens.core.describing import kind_forest, kinds
from vocalens.core.describing.kind_forest import Forest
from vocalens.core.describing.kinds import Signals

# A bare window of a program (a frame, a menu's line): the rule calls such a file an icon.
WINDOW = Signals(
    flat=0.95, background=0.9, colours=4, saturated=0.0, grey=True, edges=0.02, text_cover=0.01,
    words=1, lines=1, numeric=0.0, aligned=0.0, flat_colours=2, axes=False, short_side=400,
    tall=0.66, ring=0.3,
)  # fmt: skip
PAGE = Signals(
    flat=0.9, background=0.93, colours=3, saturated=0.0, grey=True, edges=0.03, text_cover=0.25,
    words=320, lines=45, numeric=0.02, aligned=0.9, flat_colours=1, axes=False, short_side=850,
    margin=0.08, letters=0.85, tall=1.29, ring=1.0,
)  # fmt: skip


def shipped_data() -> dict:
    text = resources.files("vocalens.resources").joinpath(kind_forest.FILE).read_text()
    return json.loads(text)


def test_the_shipped_forest_is_read_and_votes() -> None:
    forest = kind_forest.shipped()
    assert forest is not None and len(forest.trees) >= 10
    votes = forest.vote(PAGE, kinds.written_rule(PAGE))
    assert set(votes) == {"photo", "screen", "document", "chart", "icon"}
    assert sum(votes.values()) == pytest.approx(1.0)
    assert max(votes, key=votes.__getitem__) == "document"


def test_a_whole_screen_or_window_is_never_an_icon() -> None:
    for source in ("screen", "window"):
        assert kinds.decide(WINDOW, source)[0] != "icon"


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(format=99),
        lambda d: d.update(width=3),  # a tree asks about an input past the end
        lambda d: d["trees"][0].update(left=[0] * len(d["trees"][0]["left"])),  # a loop
        lambda d: d["trees"][0].update(value=[[1.0]]),
        lambda d: d.pop("kinds"),
    ],
)
def test_a_damaged_forest_is_refused(damage) -> None:
    data = shipped_data()
    damage(data)
    with pytest.raises((ValueError, KeyError)):
        Forest.from_data(data)


def test_without_its_file_the_rule_answers_alone(monkeypatch, tmp_path) -> None:
    """A damaged install: the forest's file cut short, or gone. The rule decides alone."""
    cut = tmp_path / kind_forest.FILE
    whole = resources.files("vocalens.resources").joinpath(kind_forest.FILE).read_bytes()
    cut.write_bytes(whole[: len(whole) // 2])
    assert kind_forest.read(cut) is None and kind_forest.read(tmp_path / "gone.json") is None
    monkeypatch.setattr(kind_forest, "shipped", lambda: kind_forest.read(cut))
    assert kinds.decide(WINDOW) == kinds.written_rule(WINDOW)
    assert kinds.decide(PAGE) == kinds.written_rule(PAGE)
