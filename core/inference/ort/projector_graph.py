"""Each projector kind as an ONNX graph: embedding (B, D) → prefix (B, K, E)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import onnx

from vocalens.core.errors import ConfigError
from vocalens.core.inference.ort.graph import FLOAT, Graph, Weights
from vocalens.core.model.config import ProjectorConfig


def projector_graph(cfg: ProjectorConfig, weights: Mapping[str, np.ndarray]) -> onnx.ModelProto:
    w = Weights(weights)
    g = Graph(f"projector-{cfg.kind}")
    x = g.input("embedding", FLOAT, ["batch", cfg.input_dim])
    if cfg.kind in ("mlp", "clipcap-mlp"):
        x = g.linear(x, w["model.0.weight"].T, w["model.0.bias"], "model.0")
        if cfg.kind == "mlp":
            x = g.gelu(
                g.layer_norm(x, w["model.1.weight"], w["model.1.bias"], "model.1", 1e-5), "erf"
            )
            last = "model.3"
        else:
            x, last = g.op("Tanh", [x]), "model.2"
        x = g.linear(x, w[f"{last}.weight"].T, w[f"{last}.bias"], last)
        x = g.op("Reshape", [x, g.const([0, cfg.prefix_length, cfg.embed_dim])])
    elif cfg.kind == "transformer":
        x = _mapper(g, w, x, cfg)
    else:
        raise ConfigError(f"Unknown projector kind '{cfg.kind}'.")
    g.output(x, "prefix", FLOAT, ["batch", cfg.prefix_length, cfg.embed_dim])
    w.check_used()
    return g.model()


def _mapper(g: Graph, w: Weights, x: str, cfg: ProjectorConfig) -> str:
    """ClipCap's transformer mapper (``projector.TransformerProjector``)."""
    e, heads = cfg.embed_dim, cfg.num_heads
    d = e // heads
    x = g.linear(x, w["linear.weight"].T, w["linear.bias"], "linear")
    x = g.op("Reshape", [x, g.const([0, cfg.clip_length, e])])  # (B, K', E)
    batch = g.op("Slice", [g.op("Shape", [x]), g.const([0]), g.const([1])])
    const = g.weight("prefix_const", w["prefix_const"][None])
    const = g.op(
        "Expand", [const, g.op("Concat", [batch, g.const([cfg.prefix_length, e])], axis=0)]
    )
    x = g.op("Concat", [x, const], axis=1)  # (B, K'+K, E)
    for i in range(cfg.num_layers):
        p = f"transformer.layers.{i}"
        h = g.layer_norm(x, w[f"{p}.norm1.weight"], w[f"{p}.norm1.bias"], f"{p}.norm1", 1e-5)
        kv = w[f"{p}.attn.to_keys_values.weight"]
        q = g.heads(g.linear(h, w[f"{p}.attn.to_queries.weight"].T, None, f"{p}.attn.q"), heads, d)
        k = g.heads(g.linear(h, kv[:e].T, None, f"{p}.attn.k"), heads, d)
        v = g.heads(g.linear(h, kv[e:].T, None, f"{p}.attn.v"), heads, d)
        attn = g.merge_heads(g.attend(q, k, v, d), e)
        attn = g.linear(
            attn, w[f"{p}.attn.project.weight"].T, w[f"{p}.attn.project.bias"], f"{p}.attn.project"
        )
        x = g.op("Add", [x, attn])
        h = g.layer_norm(x, w[f"{p}.norm2.weight"], w[f"{p}.norm2.bias"], f"{p}.norm2", 1e-5)
        h = g.op(
            "Relu",
            [g.linear(h, w[f"{p}.mlp.fc1.weight"].T, w[f"{p}.mlp.fc1.bias"], f"{p}.mlp.fc1")],
        )
        x = g.op(
            "Add",
            [x, g.linear(h, w[f"{p}.mlp.fc2.weight"].T, w[f"{p}.mlp.fc2.bias"], f"{p}.mlp.fc2")],
        )
    return g.op(
        "Slice", [x, g.const([cfg.clip_length]), g.const([np.iinfo(np.int64).max]), g.const([1])]
    )
