import json
from pathlib import Path

import pytest
from PIL import Image

from vocalens.core import load_captioner
from vocalens.core.errors import ConfigError, ModelError, ModelNotInstalledError
from vocalens.core.model.checkpoint import save_captioner
from vocalens.core.model.projector import PROJECTORS
from vocalens.core.testing import tiny_captioner

IMAGES = [Image.new("RGB", (50, 40), c) for c in ("teal", "pink")]


@pytest.mark.parametrize("kind", list(PROJECTORS))
def test_save_and_load_reproduce_identical_captions(kind: str, tmp_path: Path) -> None:
    model = tiny_captioner(tmp_path / "src", kind=kind, seed=3)
    folder = save_captioner(model, tmp_path / "model", include_decoder=True)
    loaded = load_captioner(folder)
    for kw in ({"strategy": "beam"}, {"strategy": "greedy"}, {"strategy": "sample", "seed": 4}):
        assert [c.tokens for c in loaded.caption(IMAGES, **kw)] == [
            c.tokens for c in model.caption(IMAGES, **kw)
        ]
    config = json.loads((folder / "config.json").read_text())
    assert config["format_version"] == 1
    assert config["projector"]["kind"] == kind
    assert {"torch", "transformers", "open_clip_torch"} <= set(config["versions"])
    assert config["decoding"]["stop_strings"] == ["."]


def test_frozen_gpt2_is_named_not_stored(tmp_path: Path) -> None:
    model = tiny_captioner(tmp_path / "src", seed=5)
    base = tmp_path / "gpt2-base"
    model.decoder.save_pretrained(base)
    model.config.decoder.base = str(base)
    folder = save_captioner(model, tmp_path / "model", include_decoder=False)
    assert not (folder / "decoder.safetensors").exists()
    assert json.loads((folder / "config.json").read_text())["decoder"]["base"] == str(base)
    loaded = load_captioner(folder)
    assert [c.tokens for c in loaded.caption(IMAGES)] == [c.tokens for c in model.caption(IMAGES)]


def test_saving_over_a_model_replaces_it_whole(tmp_path: Path) -> None:
    a = tiny_captioner(tmp_path / "a", seed=1)
    b = tiny_captioner(tmp_path / "b", kind="transformer", seed=2)
    folder = save_captioner(a, tmp_path / "model", include_decoder=True)
    save_captioner(b, folder, include_decoder=True)
    assert load_captioner(folder).config.projector.kind == "transformer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "model"]


def test_damaged_folders_give_clear_errors(tiny_model_dir: Path, tmp_path: Path) -> None:
    import shutil

    with pytest.raises(ModelNotInstalledError, match="not a VocaLens model folder"):
        load_captioner(tmp_path)
    bad = tmp_path / "bad"
    shutil.copytree(tiny_model_dir, bad)
    (bad / "projector.safetensors").unlink()
    with pytest.raises(ModelNotInstalledError, match="projector weights are missing"):
        load_captioner(bad)
    config = json.loads((bad / "config.json").read_text())
    config["format_version"] = 99
    (bad / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigError, match="newer VocaLens"):
        load_captioner(bad)
    config["format_version"] = 1
    config["projector"]["colour"] = "blue"
    (bad / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigError, match="colour"):
        load_captioner(bad)
    (bad / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_captioner(bad)
    (bad / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelError, match="not valid JSON .it is nested too deeply"):
        load_captioner(bad)
    config["format_version"] = "one"
    (bad / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigError, match="format_version in config.json is 'one'"):
        load_captioner(bad)


def test_config_json_that_is_no_file_or_huge_is_not_read(tiny_model_dir, tmp_path) -> None:
    """A gigabyte (sparse: nothing to write) is refused unread; a named pipe at once."""
    import os
    import shutil
    import time

    bad = shutil.copytree(tiny_model_dir, tmp_path / "bad")
    with (bad / "config.json").open("r+b") as f:
        f.truncate(1 << 30)
    start = time.monotonic()
    with pytest.raises(ModelError, match="config.json is over 1 MB"):
        load_captioner(bad)
    (bad / "config.json").unlink()
    os.mkfifo(bad / "config.json")
    with pytest.raises(ModelError, match="config.json is a named pipe, not a file"):
        load_captioner(bad)
    assert time.monotonic() - start < 5


def test_thread_counts_are_checked(monkeypatch) -> None:
    from vocalens.core.inference.ort.providers import chosen_threads

    for wrong in ("100000", "0", "-3", "two"):
        monkeypatch.setenv("VOCALENS_THREADS", wrong)
        with pytest.raises(ConfigError, match="VOCALENS_THREADS is .* whole number from 1"):
            chosen_threads()
    monkeypatch.setenv("VOCALENS_THREADS", "2")
    assert chosen_threads() == 2


@pytest.mark.parametrize(
    ("part", "field", "value", "said"),
    [
        ("projector", "weights", "../../outside.safetensors", "points outside the model folder"),
        ("decoder", "tokenizer", "/etc", "points outside the model folder"),
        ("projector", "prefix_length", "ten", "prefix_length in config.json is 'ten'"),
        ("projector", "prefix_length", 10**9, "sizes in config.json are out of range"),
        ("decoding", "num_beams", 0, "the beam width must be between 1 and 16"),
        ("decoding", "num_beams", 100_000, "the beam width must be between 1 and 16"),
        ("decoding", "max_new_tokens", 1_000_000, "the token limit must be between 1 and 256"),
        ("encoder", "normalize", "yes", "normalize in config.json is 'yes'"),
        ("encoder", "preprocess", {"size": [3000, 3000]}, "input size in config.json is out"),
    ],
)
def test_one_schema_checks_config_json(
    tiny_model_dir: Path, tmp_path: Path, part: str, field: str, value: object, said: str
) -> None:
    import shutil

    bad = shutil.copytree(tiny_model_dir, tmp_path / "bad")
    config = json.loads((bad / "config.json").read_text())
    config[part][field] = value
    (bad / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigError, match=said):
        load_captioner(bad)


def test_names_and_files_resolve_with_a_way_forward(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match="not downloaded yet") as info:
        load_captioner("clipcap-coco")
    assert "vocalens models download clipcap-coco" in info.value.hint
    with pytest.raises(ModelError, match="No model called"):
        load_captioner("no-such-model")
    pt = tmp_path / "coco_weights.pt"
    pt.write_bytes(b"x")
    with pytest.raises(ModelError, match="import-clipcap"):
        load_captioner(pt)


def test_device_and_precision_choices_are_checked() -> None:
    import torch

    from vocalens.core.model.device import resolve_device, resolve_dtype

    assert resolve_device("cpu").type == "cpu"
    assert resolve_dtype("auto", torch.device("cpu")) == torch.float32
    with pytest.raises(ConfigError, match="fp16 is not supported on the CPU"):
        resolve_dtype("fp16", torch.device("cpu"))
    with pytest.raises(ConfigError, match="Unknown device"):
        resolve_device("toaster")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="No CUDA GPU"):
            resolve_device("cuda")


def test_long_library_messages_are_cut_at_a_word() -> None:
    from vocalens.core.errors import first_line

    exc = RuntimeError(
        "[ONNXRuntimeError] : 10 : INVALID_GRAPH : Load model from /m/visual.onnx failed: "
        'This is an invalid model. In Node, ("", Gather, "", -1) : ("x": tensor(float),)\n'
        "second line"
    )
    short = first_line(exc, 60)
    assert short == "Load model from /m/visual.onnx failed: This is an invalid…"
    assert len(short) <= 61 and first_line(ValueError()) == "ValueError"
