"""A small ONNX graph builder: named values, weights as initializers, the common layers.

Graphs are written with onnx's own helpers, so a model folder becomes an ONNX model without
torch. Every layer here matches its torch counterpart to float rounding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from vocalens.core.errors import ModelError

MICROSOFT = "com.microsoft"  # onnxruntime's own fused kernels
OPSET = 17  # LayerNormalization; onnxruntime 1.14 and later run it
IR_VERSION = 8  # readable by every onnxruntime the lock allows
FLOAT = TensorProto.FLOAT
INT64 = TensorProto.INT64


class Graph:
    """Nodes and initializers in the order they are added; ``op`` returns the output names."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.nodes: list[onnx.NodeProto] = []
        self.weights: list[onnx.TensorProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.outputs: list[onnx.ValueInfoProto] = []
        self._count = 0
        self._consts: dict[tuple[str, bytes], str] = {}

    def fresh(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def input(self, name: str, elem: int, shape: Sequence[int | str]) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, elem, list(shape)))
        return name

    def output(self, value: str, name: str, elem: int, shape: Sequence[int | str]) -> None:
        self.op("Identity", [value], name=name)
        self.outputs.append(helper.make_tensor_value_info(name, elem, list(shape)))

    def weight(self, name: str, array: np.ndarray) -> str:
        self.weights.append(numpy_helper.from_array(np.array(array, order="C"), name))
        return name

    def const(
        self, values: Sequence[int] | Sequence[float] | float | int, dtype: type = np.int64
    ) -> str:
        array: np.ndarray = np.asarray(values, dtype=dtype)
        key = (str(array.dtype) + str(array.shape), array.tobytes())
        if key not in self._consts:
            self._consts[key] = self.weight(self.fresh("const"), array)
        return self._consts[key]

    def op(self, kind: str, inputs: Sequence[str], name: str | None = None, **attrs: Any) -> str:
        out = name or self.fresh(kind.lower())
        domain = attrs.pop("domain", "")
        self.nodes.append(helper.make_node(kind, list(inputs), [out], domain=str(domain), **attrs))
        return out

    def model(self) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.weights)
        opsets = [helper.make_opsetid("", OPSET)]
        if any(node.domain == MICROSOFT for node in self.nodes):
            opsets.append(helper.make_opsetid(MICROSOFT, 1))
        model = helper.make_model(graph, opset_imports=opsets, producer_name="vocalens")
        model.ir_version = IR_VERSION
        return model

    # Layers ---------------------------------------------------------------------------------

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray | None, name: str) -> str:
        """``x @ weight`` (+ bias), with ``weight`` laid out (in, out)."""
        y = self.op("MatMul", [x, self.weight(f"{name}.weight", weight)])
        return y if bias is None else self.op("Add", [y, self.weight(f"{name}.bias", bias)])

    def layer_norm(self, x: str, scale: np.ndarray, bias: np.ndarray, name: str, eps: float) -> str:
        return self.op(
            "LayerNormalization",
            [x, self.weight(f"{name}.weight", scale), self.weight(f"{name}.bias", bias)],
            axis=-1,
            epsilon=eps,
        )

    def add_and_norm(
        self, x: str, y: str, scale: np.ndarray, bias: np.ndarray, name: str, eps: float
    ) -> tuple[str, str]:
        """``x + y`` and its LayerNorm in one onnxruntime kernel (SkipLayerNormalization):
        returns (normalised, sum)."""
        normed, total = self.fresh("skip_ln"), self.fresh("residual")
        inputs = [x, y, self.weight(f"{name}.weight", scale), self.weight(f"{name}.bias", bias)]
        self.nodes.append(
            helper.make_node(
                "SkipLayerNormalization",
                inputs,
                [normed, "", "", total],
                domain=MICROSOFT,
                epsilon=eps,
            )
        )
        return normed, total

    def gelu(self, x: str, kind: str) -> str:
        """``erf`` (torch's GELU), ``tanh`` (GPT-2's gelu_new) or ``quick`` (x·σ(1.702x))."""
        if kind == "quick":
            return self.op(
                "Mul", [x, self.op("Sigmoid", [self.op("Mul", [x, self.const(1.702, np.float32)])])]
            )
        if kind == "tanh":
            cube = self.op("Mul", [self.op("Mul", [x, x]), x])
            inner = self.op("Add", [x, self.op("Mul", [cube, self.const(0.044715, np.float32)])])
            t = self.op(
                "Tanh", [self.op("Mul", [inner, self.const(math.sqrt(2 / math.pi), np.float32)])]
            )
        else:
            t = self.op("Erf", [self.op("Mul", [x, self.const(1 / math.sqrt(2), np.float32)])])
        half = self.op("Mul", [x, self.const(0.5, np.float32)])
        return self.op("Mul", [half, self.op("Add", [t, self.const(1.0, np.float32)])])

    def heads(self, x: str, n_head: int, head_dim: int) -> str:
        """(B, T, H·d) → (B, H, T, d)."""
        split = self.op("Reshape", [x, self.const([0, 0, n_head, head_dim])])
        return self.op("Transpose", [split], perm=[0, 2, 1, 3])

    def merge_heads(self, x: str, width: int) -> str:
        """(B, H, T, d) → (B, T, H·d)."""
        joined = self.op("Transpose", [x], perm=[0, 2, 1, 3])
        return self.op("Reshape", [joined, self.const([0, 0, width])])

    def attend(self, q: str, k: str, v: str, head_dim: int, mask: str | None = None) -> str:
        """softmax(q·kᵀ/√d + mask)·v over (B, H, T, d) tensors."""
        scale = self.const(1 / math.sqrt(head_dim), np.float32)
        kt = self.op("Transpose", [k], perm=[0, 1, 3, 2])
        scores = self.op("Mul", [self.op("MatMul", [q, kt]), scale])
        if mask is not None:
            scores = self.op("Add", [scores, mask])
        return self.op("MatMul", [self.op("Softmax", [scores], axis=-1), v])


class Weights:
    """A weight mapping that says which name is missing, and which were never used."""

    def __init__(self, weights: Mapping[str, np.ndarray]) -> None:
        self.weights, self.used = weights, set[str]()

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            array = self.weights[name]
        except KeyError:
            raise ModelError(
                f"The weights lack '{name}'.", "Download or convert the model again."
            ) from None
        self.used.add(name)
        return np.asarray(array, dtype=np.float32)

    def check_used(
        self, ignore: tuple[str, ...] = ("lm_head.weight", ".attn.bias", ".attn.masked_bias")
    ) -> None:
        left = sorted(n for n in self.weights if n not in self.used and not n.endswith(ignore))
        if left:
            raise ModelError(
                f"The weights hold parts this architecture does not use ({', '.join(left[:3])}).",
                "The folder may be damaged; download or convert the model again.",
            )
