"""The whole training loop on a task generated at test time: it learns, resumes exactly,
and refuses what it must."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from vocalens.core.cli.main import main
from vocalens.core.data.readers import read_dataset
from vocalens.core.data.samples import DataError
from vocalens.core.errors import ConfigError
from vocalens.core.eval.coco import coco_scores
from vocalens.core.inference.runtime import open_captioner
from vocalens.core.model.checkpoint import load_from_directory
from vocalens.core.synthetic import write_shapes_dataset
from vocalens.core.testing import register_tiny_clip, tiny_captioner
from vocalens.core.train.config import TrainConfig, load_train_config
from vocalens.core.train.run import DataSpec, train

LEARN = {"prefix_length": 4, "batch_size": 16, "lr": 3e-3, "warmup_steps": 20}
LEARN |= {"finetune_gpt2": True, "gpt2_lr": 1e-3, "device": "cpu", "log_every": 20}


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_shapes_dataset(tmp_path_factory.mktemp("shapes"), train=300, val=20, test=40)


@pytest.fixture(scope="module")
def trained(shapes: Path, start: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    cfg = TrainConfig(init=str(start), epochs=60, **LEARN)
    result = train(DataSpec(str(shapes)), out, cfg, progress=False, say=lambda _: None)
    assert not result.interrupted and result.steps == 60 * 19
    return out


def held_out(
    model: Path, shapes: Path, precision: str = "fp32", runtime: str = "onnx"
) -> tuple[dict, dict]:
    captioner = open_captioner(model, device="cpu", precision=precision, runtime=runtime)
    test = read_dataset(shapes).split("test")
    from vocalens.core.images import load_image

    captions = captioner.caption([load_image(s.path) for s in test], strategy="greedy")
    hyps = {s.image_id: c.text for s, c in zip(test, captions, strict=True)}
    return hyps, {s.image_id: list(s.captions) for s in test}


def test_training_learns_the_task(trained: Path, start: Path, shapes: Path) -> None:
    records = [json.loads(line) for line in (trained / "metrics.jsonl").read_text().splitlines()]
    steps = [r["loss"] for r in records if r["type"] == "step"]
    epochs = [r for r in records if r["type"] == "epoch"]
    assert len(epochs) == 60 and all(len(e["samples"]) == 5 for e in epochs)
    assert steps[-1] < steps[0] / 5  # the training loss falls
    assert epochs[-1]["val_loss"] < epochs[0]["val_loss"] / 3
    hyps, refs = held_out(trained / "best", shapes)
    before, _ = held_out(start, shapes)
    cider = coco_scores(refs, hyps, spice=False).scores["CIDEr-D"]
    untrained = coco_scores(refs, before, spice=False).scores["CIDEr-D"]
    assert untrained < 0.2
    assert cider > 2.0, hyps  # ten times the untrained model's, and more


def test_every_runtime_and_precision_captions_the_trained_model_alike(trained, shapes) -> None:
    exact, _ = held_out(trained / "best", shapes, "fp32", runtime="torch")
    onnx, _ = held_out(trained / "best", shapes, "fp32")
    auto, _ = held_out(trained / "best", shapes, "auto")
    int8, _ = held_out(trained / "best", shapes, "int8")
    assert onnx == exact  # fp32 on onnxruntime: the same captions
    assert auto == exact  # the default chose a path that decides like fp32
    # forced int8 on a 32-wide model (activations quantized on the fly) may flip its
    # closest calls, e.g. two colours it can hardly tell apart; most captions stay the same
    assert sum(int8[i] == exact[i] for i in exact) >= 0.6 * len(exact)


def test_checkpoints_are_model_folders_with_resumable_state(trained: Path) -> None:
    for name in ("best", "last"):
        assert (trained / name / "config.json").is_file()
    assert (trained / "last" / "trainer-state.pt").is_file()
    config = json.loads((trained / "best" / "config.json").read_text())
    assert config["decoding"]["stop_strings"] == ["."]  # what training appended
    assert config["decoder"]["weights"] == "decoder.safetensors"  # GPT-2 was fine-tuned


def run_steps(shapes: Path, start: Path, out: Path, interrupt_at: int | None = None):
    cfg = TrainConfig(init=str(start), epochs=3, **LEARN)

    def on_step(step: int) -> None:
        if step == interrupt_at:
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, mid-epoch

    return train(DataSpec(str(shapes)), out, cfg, progress=False, say=lambda _: None,
                 on_step=on_step)  # fmt: skip


def test_an_interrupted_run_resumes_to_the_same_result(
    shapes: Path, start: Path, tmp_path: Path
) -> None:
    whole = run_steps(shapes, start, tmp_path / "whole")
    stopped = run_steps(shapes, start, tmp_path / "parts", interrupt_at=25)
    assert stopped.interrupted and stopped.steps == 25
    cfg = TrainConfig()  # the stored settings are used
    resumed = train(DataSpec(""), tmp_path / "parts", cfg, resume=True, progress=False,
                    say=lambda _: None)  # fmt: skip
    assert not resumed.interrupted and resumed.steps == whole.steps == 57
    for name in ("projector.safetensors", "decoder.safetensors"):
        a = load_file(str(tmp_path / "whole" / "last" / name))
        b = load_file(str(tmp_path / "parts" / "last" / name))
        assert a.keys() == b.keys()
        assert all(torch.equal(a[k], b[k]) for k in a), name

    def steps(run: Path) -> list[int]:
        return [json.loads(x)["step"] for x in (run / "metrics.jsonl").read_text().splitlines()]

    assert steps(tmp_path / "parts") == steps(tmp_path / "whole")


def test_an_output_folder_holding_a_run_is_never_overwritten(
    shapes: Path, start: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    cfg = TrainConfig(init=str(start), epochs=1, max_steps=2, **LEARN)
    train(DataSpec(str(shapes)), out, cfg, progress=False, say=lambda _: None)
    before = (out / "last" / "projector.safetensors").read_bytes()
    with pytest.raises(DataError, match="already holds a training run"):
        train(DataSpec(str(shapes)), out, cfg, progress=False)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(DataError, match="already holds other files"):
        train(DataSpec(str(shapes)), other, cfg, progress=False)
    with pytest.raises(DataError, match="cannot change when a run is resumed"):
        train(DataSpec(""), out, TrainConfig(lr=0.5), resume=True, progress=False)
    with pytest.raises(DataError, match="no training run to resume"):
        train(DataSpec(""), tmp_path / "none", TrainConfig(), resume=True, progress=False)
    assert (out / "last" / "projector.safetensors").read_bytes() == before
    assert (other / "notes.txt").read_text() == "mine"


def test_settings_come_from_a_file_and_set(tmp_path: Path) -> None:
    path = tmp_path / "train.json"
    path.write_text(json.dumps({"projector": "transformer", "epochs": 3}))
    cfg = load_train_config(path, ["lr=0.001", "finetune_gpt2=true", "stop=!"])
    assert (cfg.projector, cfg.epochs, cfg.lr, cfg.finetune_gpt2, cfg.stop) == (
        "transformer", 3, 0.001, True, "!")  # fmt: skip
    with pytest.raises(ConfigError, match="not a known setting"):
        load_train_config(None, ["learning_rate=1"])
    with pytest.raises(ConfigError, match="Invalid training settings"):
        load_train_config(None, ["projector=lstm"])


def test_the_command_line_trains_and_evaluates(
    shapes: Path, start: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    sets = ["--set", f"init={start}", "--set", "max_steps=3", "--set", "projector=transformer"]
    sets += ["--set", "prefix_length=3", "--set", "device=cpu"]
    assert main(["train", "--data", str(shapes), "--out", str(out), *sets]) == 0
    assert "Done after 3 steps" in capsys.readouterr().out
    config = json.loads((out / "best" / "config.json").read_text())
    assert config["projector"]["kind"] == "transformer"
    # frozen, but the starting GPT-2 exists only in the starting folder: it is kept
    assert config["decoder"]["weights"] == "decoder.safetensors"
    evaluation = tmp_path / "eval"
    args = ["evaluate", "--data", str(shapes), "--model", str(out / "best"), "--greedy"]
    args += ["--out", str(evaluation), "--no-clipscore", "--no-spice"]
    assert main(args) == 0
    results = json.loads((evaluation / "results.json").read_text())
    assert len(results) == 40 and {"image_id", "caption"} <= results[0].keys()
    assert "CIDEr-D" in capsys.readouterr().out
    assert main(args) == 2  # results are never overwritten silently
    assert "already exists" in capsys.readouterr().err


def test_a_run_from_named_parts_stores_only_what_it_trained(shapes: Path, tmp_path: Path) -> None:
    """CLIP by architecture name and GPT-2 from a Hugging Face folder: GPT-2 stays frozen, so
    the saved model names that folder instead of copying its weights."""
    tiny = tiny_captioner(tmp_path / "parts")
    gpt2 = tmp_path / "gpt2"
    tiny.decoder.save_pretrained(gpt2)
    tiny.tokenizer.save_pretrained(gpt2)
    cfg = TrainConfig(encoder=register_tiny_clip(), pretrained=None, gpt2=str(gpt2),
                      max_steps=4, prefix_length=3, device="cpu")  # fmt: skip
    result = train(DataSpec(str(shapes)), tmp_path / "out", cfg, progress=False,
                   say=lambda _: None)  # fmt: skip
    assert result.steps == 4
    config = json.loads((tmp_path / "out" / "best" / "config.json").read_text())
    assert config["decoder"]["weights"] is None and config["decoder"]["base"] == str(gpt2)
    assert not (tmp_path / "out" / "best" / "decoder.safetensors").exists()
    model = load_from_directory(tmp_path / "out" / "best")
    assert torch.equal(model.decoder.lm_head.weight, tiny.decoder.lm_head.weight)


def test_a_run_that_cannot_start_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        train(DataSpec(str(tmp_path / "missing.json")), tmp_path / "out", TrainConfig())
    assert not (tmp_path / "out").exists()  # so the same command works once fixed
