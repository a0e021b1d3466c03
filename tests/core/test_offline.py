"""Running a model leaves nothing behind to be sent anywhere: onnxruntime's telemetry is off in
every process that imports VocaLens. A plain onnxruntime process in a private home of its own
shows what would happen otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vocalens.core.offline import SWITCHES

RUN_A_MODEL = """
import sys
if sys.argv[1] == "ours":
    import vocalens.core
import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper

x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
session = onnxruntime.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
print(session.run(None, {"x": np.array([-1.0, 2.0], np.float32)})[0].tolist())
"""


def store(home: Path) -> Path:
    return home / ".cache" / "Microsoft"


def run_a_model(home: Path, whose: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SWITCHES and k != "XDG_CACHE_HOME"}
    env["HOME"] = str(home)
    home.mkdir()
    out = subprocess.run([sys.executable, "-c", RUN_A_MODEL, whose], env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[0.0, 2.0]"


def test_onnxruntime_keeps_no_telemetry_in_our_processes(tmp_path) -> None:
    run_a_model(tmp_path / "plain", "plain")
    if not store(tmp_path / "plain").exists():
        pytest.skip("this onnxruntime keeps no telemetry store: there is nothing to turn off")
    run_a_model(tmp_path / "ours", "ours")
    assert not store(tmp_path / "ours").exists()
