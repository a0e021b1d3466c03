"""The agreement check, and the CPU precision it chooses once per model on onnxruntime."""

import json

import numpy as np
import pytest

from vocalens.core.inference import agreement
from vocalens.core.inference.agreement import compare, probe_images, reference
from vocalens.core.inference.ort.convert import MANIFEST, converted
from vocalens.core.inference.runtime import needs_preparing, open_captioner

IMAGES = probe_images()[:6]


@pytest.fixture()
def model_dir(fresh_model_dir):
    return fresh_model_dir


def test_fp32_agrees_with_itself_and_int8_only_nearly(model_dir) -> None:
    exact = open_captioner(model_dir, device="cpu", precision="fp32")
    ref = reference(exact, IMAGES)
    assert [len(t) + 1 for t in ref.tokens] == [len(x) for x in ref.logits]
    same = compare(ref, open_captioner(model_dir, device="cpu", precision="fp32"))
    assert same.top1_all == 1.0 and same.cosine_min > 0.9999 and same.flip_risk == 0.0
    assert same.passes() and same.steps == sum(len(x) for x in ref.logits)
    noisy = compare(ref, open_captioner(model_dir, device="cpu", precision="int8"))
    assert noisy.cosine_min < 0.999999  # int8 noise


def test_auto_chooses_once_and_keeps_the_choice(model_dir, monkeypatch) -> None:
    exact = open_captioner(model_dir, device="cpu", precision="fp32")
    auto = open_captioner(model_dir, device="cpu", precision="auto")
    done = converted(model_dir)
    assert done is not None
    record = json.loads((done.folder / MANIFEST).read_text())
    assert record["precision"] == auto.precision
    assert set(record["agreement"]) >= {"int8-decoder"}
    if auto.precision == "fp32":  # int8 did not agree well enough: the exact decisions
        want = [c.tokens for c in exact.caption(IMAGES)]
        assert [c.tokens for c in auto.caption(IMAGES)] == want

    def no_choosing(*args, **kwargs):
        raise AssertionError("chose again although the kept choice matches")

    monkeypatch.setattr("vocalens.core.inference.ort.load._choose", no_choosing)
    again = open_captioner(model_dir, device="cpu", precision="auto")
    assert again.precision == record["precision"]
    (model_dir / "projector.safetensors").touch()  # the weights changed: convert and choose again
    with pytest.raises(AssertionError, match="chose again"):
        open_captioner(model_dir, device="cpu", precision="auto")


@pytest.mark.parametrize(
    ("verdicts", "choice"),
    [([True, True], "int8"), ([True, False], "int8-decoder"), ([False], "fp32")],
)
def test_auto_takes_the_fastest_precision_that_agrees(model_dir, monkeypatch, verdicts, choice):
    exact = open_captioner(model_dir, device="cpu", precision="fp32")
    answers = iter(verdicts)
    monkeypatch.setattr(agreement.Agreement, "passes", lambda self: next(answers))
    model = open_captioner(model_dir, device="cpu", precision="auto")
    assert model.precision == choice
    assert next(answers, None) is None  # every verdict was asked for
    pixels = exact.pixels(IMAGES)
    same_tower = np.array_equal(model.embed(pixels), exact.embed(pixels))
    assert same_tower == (choice != "int8")  # a tower that disagreed stays in fp32


def test_a_broken_manifest_means_converting_again(model_dir) -> None:
    open_captioner(model_dir, device="cpu", precision="int8")
    done = converted(model_dir)
    assert done is not None
    (done.folder / MANIFEST).write_text("{not json", encoding="utf-8")
    assert converted(model_dir) is None and needs_preparing(model_dir, "cpu", "fp32")
    open_captioner(model_dir, device="cpu", precision="auto")
    assert converted(model_dir) is not None


def test_preparing_is_known_beforehand(model_dir, tmp_path) -> None:
    assert needs_preparing(model_dir, "cpu", "auto")
    assert needs_preparing(model_dir, "cpu", "fp32")  # not converted yet
    assert not needs_preparing(tmp_path / "nowhere", "cpu", "auto")
    open_captioner(model_dir, device="cpu", precision="fp32")
    assert not needs_preparing(model_dir, "cpu", "fp32")
    assert needs_preparing(model_dir, "cpu", "auto")  # converted; the precision not chosen
    open_captioner(model_dir, device="cpu", precision="auto")
    assert not needs_preparing(model_dir, "cpu", "auto")  # chosen and kept
    assert not needs_preparing(model_dir, "cpu", "auto", runtime="torch")
