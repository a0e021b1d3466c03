"""GPT-2 as one ONNX graph that continues from a KV cache.

Inputs: ``prefix`` (B, P, E) embeddings and ``tokens`` (B, T) ids, appended in that order (either
may be empty; the int8 graph has no ``tokens``: its new tokens come embedded), and
``past_key_i`` / ``past_value_i`` (B, H, S, d) per layer. Outputs: the logits of the last
position (B, V) and ``present_key_i`` / ``present_value_i`` (B, H, S+P+T, d).
Weights use transformers' GPT-2 names (``transformer.h.0.attn.c_attn.weight`` …).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import onnx

from vocalens.core.errors import ModelError
from vocalens.core.inference.ort.graph import FLOAT, INT64, Graph, Weights

GELU_KINDS = {"gelu_new": "tanh", "gelu_pytorch_tanh": "tanh", "gelu": "erf", "quick_gelu": "quick"}


def gpt2_graph(
    config: Mapping[str, Any],
    weights: Mapping[str, np.ndarray],
    separate_head: bool = False,
    fused: bool = False,
) -> onnx.ModelProto:
    """``separate_head``: the output layer is a plain MatMul on a (E, V) copy of the token
    embeddings, the layout int8 quantization can take, and the graph has no ``tokens`` input:
    new tokens come already embedded, as ``prefix`` rows (``TokenRows`` reads them from the
    fp32 model's table, so that 50 257 rows need not be held in memory for the few a
    caption uses); otherwise the output layer is a Gemm on the (V, E) table (fp32, no copy).
    ``fused``: each residual sum and the LayerNorm after it run as one onnxruntime kernel
    (faster; standard operators only otherwise)."""
    n_layer, n_head = int(config["n_layer"]), int(config["n_head"])
    eps = float(config.get("layer_norm_epsilon", 1e-5))
    act = str(config.get("activation_function", "gelu_new"))
    if act not in GELU_KINDS:
        raise ModelError(f"GPT-2 with the activation '{act}' cannot run on onnxruntime here.")
    w = Weights(weights)
    wte = w["transformer.wte.weight"]
    width = wte.shape[1]
    head_dim = width // n_head
    g = Graph("gpt2")
    prefix = g.input("prefix", FLOAT, ["batch", "prefix_length", width])
    tokens = None if separate_head else g.input("tokens", INT64, ["batch", "new_tokens"])
    pasts = []
    for i in range(n_layer):
        dims = ["batch", n_head, "past", head_dim]
        pasts.append(
            (g.input(f"past_key_{i}", FLOAT, dims), g.input(f"past_value_{i}", FLOAT, dims))
        )

    if tokens is None:  # new tokens come embedded; a (E, V) copy for the output layer
        table = g.weight("lm_head.weight", np.ascontiguousarray(wte.T))
        x = prefix
    else:
        table = g.weight("transformer.wte.weight", wte)
        x = g.op("Concat", [prefix, g.op("Gather", [table, tokens])], axis=1)  # (B, T, E)
    past_len = g.op("Gather", [g.op("Shape", [pasts[0][0]]), g.const(2)], axis=0)
    new_len = g.op("Gather", [g.op("Shape", [x]), g.const(1)], axis=0)
    total = g.op("Add", [past_len, new_len])
    positions = g.op("Range", [past_len, total, g.const(1)])  # (T,)
    x = g.op(
        "Add",
        [
            x,
            g.op(
                "Gather",
                [g.weight("transformer.wpe.weight", w["transformer.wpe.weight"]), positions],
            ),
        ],
    )
    keys = g.op("Range", [g.const(0), total, g.const(1)])  # (S+T,)
    later = g.op(
        "Greater",
        [g.op("Unsqueeze", [keys, g.const([0])]), g.op("Unsqueeze", [positions, g.const([1])])],
    )
    mask = g.op(
        "Where",
        [later, g.const(float(np.finfo(np.float32).min), np.float32), g.const(0.0, np.float32)],
    )

    def ln(i: int, n: int) -> tuple[np.ndarray, np.ndarray, str]:
        p = f"transformer.h.{i}.ln_{n}"
        return w[f"{p}.weight"], w[f"{p}.bias"], p

    def residual(x: str, y: str, norm: tuple[np.ndarray, np.ndarray, str]) -> tuple[str, str]:
        """``x + y`` and the LayerNorm ``norm`` of it."""
        if fused:
            return g.add_and_norm(x, y, *norm, eps)
        total = g.op("Add", [x, y])
        return g.layer_norm(total, *norm, eps), total

    h = g.layer_norm(x, *ln(0, 1), eps)
    for i, (past_k, past_v) in enumerate(pasts):
        p = f"transformer.h.{i}"
        qkv = g.linear(
            h, w[f"{p}.attn.c_attn.weight"], w[f"{p}.attn.c_attn.bias"], f"{p}.attn.c_attn"
        )
        q, k, v = (g.fresh("q"), g.fresh("k"), g.fresh("v"))
        g.nodes.append(
            onnx.helper.make_node("Split", [qkv, g.const([width] * 3)], [q, k, v], axis=2)
        )
        k = g.op("Concat", [past_k, g.heads(k, n_head, head_dim)], axis=2, name=f"present_key_{i}")
        v = g.op(
            "Concat", [past_v, g.heads(v, n_head, head_dim)], axis=2, name=f"present_value_{i}"
        )
        g.outputs += [
            onnx.helper.make_tensor_value_info(name, FLOAT, ["batch", n_head, "total", head_dim])
            for name in (k, v)
        ]
        attn = g.merge_heads(g.attend(g.heads(q, n_head, head_dim), k, v, head_dim, mask), width)
        projected = g.linear(
            attn, w[f"{p}.attn.c_proj.weight"], w[f"{p}.attn.c_proj.bias"], f"{p}.attn.c_proj"
        )
        h, x = residual(x, projected, ln(i, 2))
        h = g.linear(h, w[f"{p}.mlp.c_fc.weight"], w[f"{p}.mlp.c_fc.bias"], f"{p}.mlp.c_fc")
        h = g.linear(
            g.gelu(h, GELU_KINDS[act]),
            w[f"{p}.mlp.c_proj.weight"],
            w[f"{p}.mlp.c_proj.bias"],
            f"{p}.mlp.c_proj",
        )
        if i + 1 < n_layer:
            h, x = residual(x, h, ln(i + 1, 1))
        else:
            x = g.op("Add", [x, h])  # the final LayerNorm: on the last position only

    last = g.op("Gather", [x, g.const(-1)], axis=1)  # (B, E): only the next token is needed
    last = g.layer_norm(
        last, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], "transformer.ln_f", eps
    )
    if separate_head:
        logits = g.op("MatMul", [last, table])
    else:
        logits = g.op("Gemm", [last, table], transB=1)
    g.output(logits, "logits", FLOAT, ["batch", wte.shape[0]])
    w.check_used()
    return g.model()
