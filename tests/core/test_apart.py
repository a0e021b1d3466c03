"""Work done in a helper process: its progress comes back as it is made, its failures come back
as the same exceptions, and a helper that dies is one sentence; a model's first load converts
it there, so the quantizer never loads in the process that asked."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from vocalens.core.errors import ModelError, ModelNotInstalledError
from vocalens.core.inference.apart import run_apart


def note_process(where: Path, progress=None) -> None:
    for step in range(3):
        progress(step / 2, f"step {step}")
    where.write_text(str(os.getpid()))


def fail_plainly(kind: str, progress=None) -> None:
    if kind == "ours":
        raise ModelNotInstalledError("The weights are missing.", "Download it again.",
                                     missing=["w.safetensors"])  # fmt: skip
    if kind == "theirs":
        raise ValueError("bad shape\nsecond line")
    lock = __import__("threading").Lock()
    raise RuntimeError(lock)  # a lock cannot be pickled


def die(progress=None) -> None:
    progress(0.1, "starting")
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does when memory runs out


def test_the_work_runs_elsewhere_and_its_progress_comes_back(tmp_path) -> None:
    heard: list[tuple[float, str]] = []
    run_apart(note_process, tmp_path / "pid", progress=lambda f, s: heard.append((f, s)),
              what="It could not be done")  # fmt: skip
    assert int((tmp_path / "pid").read_text()) != os.getpid()
    assert heard == [(0.0, "step 0"), (0.5, "step 1"), (1.0, "step 2")]


def test_a_failure_comes_back_as_itself() -> None:
    with pytest.raises(ModelNotInstalledError) as ours:
        run_apart(fail_plainly, "ours", what="It could not be done")
    assert (ours.value.message, ours.value.hint) == (
        "The weights are missing.",
        "Download it again.",
    )
    assert ours.value.missing == ["w.safetensors"]
    with pytest.raises(ValueError, match="bad shape"):
        run_apart(fail_plainly, "theirs", what="It could not be done")
    with pytest.raises(ModelError, match="cannot pickle|lock"):
        run_apart(fail_plainly, "unpicklable", what="It could not be done")


def test_a_helper_that_dies_is_one_sentence() -> None:
    with pytest.raises(ModelError) as raised:
        run_apart(die, what="The model could not be converted")
    assert str(raised.value).startswith(
        f"The model could not be converted: the process doing it stopped (exit code "
        f"{-signal.SIGKILL})."
    )
    assert "\n" not in str(raised.value)


FIRST_LOAD = """
import sys
from pathlib import Path
from vocalens.core.inference.ort import load
load.APART_FROM = 0  # the tiny model is converted apart, as a real-size one is
heard = []
model = load.open_ort(Path(sys.argv[1]), precision="auto", progress=lambda f, s: heard.append(s))
print(heard[0], heard[-1], sorted(m for m in sys.modules if m.startswith("onnxruntime.quant")))
"""


def test_a_first_load_converts_and_chooses_in_a_helper(tiny_model_dir, tmp_path) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model, ignore=shutil.ignore_patterns("onnx", ".onnx-*"))
    out = subprocess.run([sys.executable, "-c", FIRST_LOAD, str(model)], capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["image", "encoder", "done", "[]"]
    manifest = json.loads((model / "onnx" / "manifest.json").read_text())
    assert manifest["precision"] in ("fp32", "int8-decoder", "int8") and out.stderr == ""
