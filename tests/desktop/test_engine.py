"""The real engine's loading: what it tells the user while the model loads."""

import pytest

from vocalens.core.checkpoint import int8_supported
from vocalens.desktop.engine import DescribeEngine


def test_the_first_load_says_it_prepares_the_model_once(fresh_model_dir) -> None:
    if not int8_supported():
        pytest.skip("this torch build has no int8 CPU engine: nothing to prepare")
    settings = {"model": str(fresh_model_dir), "device": "cpu", "precision": "auto"}
    settings |= {"decoding": "greedy", "max_tokens": 12}
    said: list[str] = []
    for _ in range(2):
        engine = DescribeEngine()
        engine.load(settings, said.append)
        assert engine.describer is not None and engine.describer.captioner is not None
        engine.describer.close()
    assert said[0].startswith("Preparing the caption model for this computer")
    assert said[2] == "Loading the caption model…"  # the second time: nothing to prepare
    assert said[1] == said[3] == "The caption model is ready."


def test_the_check_finds_a_missing_model_without_loading_anything(fresh_model_dir) -> None:
    engine = DescribeEngine()
    problem = engine.check({"model": "clipcap-coco"})  # the models folder here is empty
    assert problem == (
        "Captions are off: The model 'clipcap-coco' is not downloaded yet. Choose Download "
        "caption model in the VocaLens menu, or run: vocalens models download clipcap-coco"
    )
    assert engine.describer is None
    assert engine.check({"model": str(fresh_model_dir)}) == ""
