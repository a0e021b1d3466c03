"""The user's side runs without torch: a registered model downloaded (from a stand-in hub),
converted and used by a Python that has no torch, transformers or open_clip at all."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests import torchfree
from tests.hub import hub_env, serve
from tests.registry_files import MODEL, clipcap_coco_files

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return torchfree.make(tmp_path_factory.mktemp("torch-free") / "env")


def vocalens(python: Path, env: dict[str, str], *args: str) -> str:
    cmd = [str(python), "-m", "vocalens.core.cli.main", *args]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr and "Warning" not in out.stderr, out.stderr
    return out.stdout


def test_download_convert_and_caption_without_torch(python, tiny, tiny_folder, tmp_path) -> None:
    from vocalens.core import load_captioner

    files = clipcap_coco_files(tiny.decoder, tiny_folder / "tokenizer")
    env = {
        **os.environ,
        "VOCALENS_CACHE_DIR": str(tmp_path / "cache"),
        "VOCALENS_MODELS_DIR": str(tmp_path / "models"),
    }
    with serve(files) as address:
        said = vocalens(python, {**env, **hub_env(address)}, "models", "download", MODEL)
    folder = tmp_path / "models" / MODEL
    assert f"{MODEL} is ready at {folder}" in said
    assert "no longer needed: `vocalens models clean clipcap-coco` removes them" in said
    assert (folder / "kinds.safetensors").exists()  # CLIP's text tower ran once, in numpy

    image = tmp_path / "field.png"
    Image.new("RGB", (96, 64), (40, 160, 60)).save(image)
    args = ["caption", str(image), "--model", str(folder), "--greedy", "--precision", "fp32"]
    line = vocalens(python, env, *args).strip()
    torch_said = load_captioner(folder, runtime="torch").caption(
        [Image.open(image)], strategy="greedy"
    )
    assert line == f"{image}\t{torch_said[0].text}" and torch_said[0].text

    assert vocalens(python, env, "models", "clean", MODEL).startswith("Removed 0.")
    assert vocalens(python, env, "models", "clean", MODEL).strip() == "Nothing to remove."
    assert vocalens(python, env, *args).strip() == line  # the model needs them no more
    described = vocalens(python, env, "describe", str(image), "--model", str(folder), "--json")
    assert json.loads(described)["kind"] == "blank" and json.loads(described)["colour"] == "green"
