"""The agreement check, and the CPU default it chooses once per model."""

import json

import pytest
import torch
from torch import nn

from vocalens.core import agreement
from vocalens.core.agreement import compare, probe_images, reference
from vocalens.core.fast import use_path
from vocalens.core.runtime import open_captioner
from vocalens.core.testing import tiny_captioner

IMAGES = probe_images()[:6]


@pytest.fixture()
def model_dir(fresh_model_dir):
    return fresh_model_dir


def linears(module: nn.Module) -> int:
    return sum(isinstance(m, nn.Linear) for m in module.modules())


def test_the_exact_path_agrees_with_itself_and_int8_only_nearly(tmp_path) -> None:
    exact = tiny_captioner(tmp_path / "a", seed=3)
    ref = reference(exact, IMAGES)
    assert [len(t) + 1 for t in ref.tokens] == [len(x) for x in ref.logits]
    lean = tiny_captioner(tmp_path / "b", seed=3)
    use_path(lean, "lean")
    same = compare(ref, lean)
    assert same.top1_all == 1.0 and same.cosine_min > 0.9999 and same.flip_risk == 0.0
    assert same.passes() and same.steps == sum(len(x) for x in ref.logits)
    int8 = tiny_captioner(tmp_path / "c", seed=3)
    use_path(int8, "int8")
    noisy = compare(ref, int8)
    assert noisy.cosine_min < 0.999999  # int8 noise


def test_auto_chooses_once_and_keeps_the_choice(model_dir, monkeypatch) -> None:
    exact = open_captioner(model_dir, precision="fp32")
    auto = open_captioner(model_dir, device="cpu", precision="auto")
    record = json.loads((model_dir / "precision.json").read_text())
    assert record["choice"] == auto.precision
    assert set(record["agreement"]) >= {"int8-decoder"}
    if auto.precision == "lean":  # int8 did not agree well enough: the exact decisions
        want = [c.tokens for c in exact.caption(IMAGES)]
        assert [c.tokens for c in auto.caption(IMAGES)] == want

    def no_choosing(*args, **kwargs):
        raise AssertionError("chose again although the kept choice matches")

    monkeypatch.setattr("vocalens.core.runtime.choose", no_choosing)
    assert open_captioner(model_dir, device="cpu", precision="auto").precision == (record["choice"])
    (model_dir / "projector.safetensors").touch()  # the weights changed: choose again
    with pytest.raises(AssertionError, match="chose again"):
        open_captioner(model_dir, device="cpu", precision="auto")


@pytest.mark.parametrize(
    ("verdicts", "choice"),
    [([True, True], "int8"), ([True, False], "int8-decoder"), ([False], "lean")],
)
def test_auto_takes_the_fastest_path_that_agrees(model_dir, monkeypatch, verdicts, choice):
    exact = open_captioner(model_dir, precision="fp32")
    answers = iter(verdicts)
    monkeypatch.setattr(agreement.Agreement, "passes", lambda self: next(answers))
    model = open_captioner(model_dir, device="cpu", precision="auto")
    assert model.precision == choice and not model.exact_available
    assert next(answers, None) is None  # every verdict was asked for
    with torch.inference_mode():
        pixels = exact.pixels(IMAGES)
        same_tower = torch.equal(model.embed(pixels), exact.embed(pixels))
    assert same_tower == (choice != "int8")  # a tower that disagreed is back in fp32
    assert (linears(model.encoder.visual) == 0) == (choice == "int8")
    assert (linears(model.lean) == 0) == (choice != "lean")


@pytest.mark.parametrize("text", ["{not json", '["int8"]', '{"choice": "int4"}'])
def test_a_broken_choice_file_is_chosen_again(model_dir, text) -> None:
    (model_dir / "precision.json").write_text(text, encoding="utf-8")
    model = open_captioner(model_dir, device="cpu", precision="auto")
    assert json.loads((model_dir / "precision.json").read_text())["choice"] == model.precision


def test_the_first_fast_load_is_known_beforehand(model_dir, tmp_path) -> None:
    from vocalens.core.runtime import first_fast_load, int8_supported

    if not int8_supported():
        pytest.skip("this torch build has no int8 CPU engine, so auto means fp32")
    assert first_fast_load(model_dir, "cpu", "auto")
    assert not first_fast_load(model_dir, "cpu", "fp32")
    assert not first_fast_load(tmp_path / "nowhere", "cpu", "auto")
    open_captioner(model_dir, device="cpu", precision="auto")
    assert not first_fast_load(model_dir, "cpu", "auto")  # chosen and kept
