"""open_clip's ViT image tower as an ONNX graph: pixels (B, 3, S, S) → embedding (B, D).

Weights use open_clip's names for the visual tower (``conv1.weight``, ``transformer.resblocks.0…``);
``visual.``-prefixed names from a whole CLIP checkpoint are accepted too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import onnx

from vocalens.core.errors import TorchOnly
from vocalens.core.inference.ort.graph import FLOAT, Graph, Weights

UNSUPPORTED = (
    "timm_model_name",
    "attentional_pool",
    "attn_pooler_queries",
    "act_kwargs",
    "norm_kwargs",
)
TORCH_ONLY = "Run it with --runtime torch, or use a ViT image tower."


def vision_graph(
    model_cfg: Mapping[str, Any], weights: Mapping[str, np.ndarray], normalize: bool = False
) -> onnx.ModelProto:
    vision = dict(model_cfg["vision_cfg"])
    if isinstance(vision.get("layers"), list | tuple) or any(vision.get(k) for k in UNSUPPORTED):
        raise TorchOnly("This CLIP image tower cannot run on onnxruntime yet.", TORCH_ONLY)
    pool = vision.get("pool_type", "tok")
    if pool not in ("tok", "avg"):
        raise TorchOnly(f"CLIP pooling '{pool}' cannot run on onnxruntime yet.", TORCH_ONLY)
    if any(k.startswith("visual.") for k in weights):
        weights = {k[7:]: v for k, v in weights.items() if k.startswith("visual.")}
    w = Weights(weights)
    width, layers = int(vision["width"]), int(vision["layers"])
    heads = width // int(vision.get("head_width", 64))
    head_dim = width // heads
    size, patch = vision["image_size"], int(vision["patch_size"])
    side = size if isinstance(size, int) else size[0]
    gelu = "quick" if model_cfg.get("quick_gelu") else "erf"
    eps = 1e-5
    g = Graph("clip-visual")
    pixels = g.input("pixels", FLOAT, ["batch", 3, side, side])
    x = _patches(g, pixels, w["conv1.weight"], side, patch)
    batch = g.op("Slice", [g.op("Shape", [pixels]), g.const([0]), g.const([1])])
    cls = g.weight("class_embedding", w["class_embedding"].reshape(1, 1, width))
    cls = g.op("Expand", [cls, g.op("Concat", [batch, g.const([1, width])], axis=0)])
    x = g.op("Concat", [cls, x], axis=1)
    x = g.op("Add", [x, g.weight("positional_embedding", w["positional_embedding"])])
    if not vision.get("no_ln_pre"):
        x = g.layer_norm(x, w["ln_pre.weight"], w["ln_pre.bias"], "ln_pre", eps)
    for i in range(layers):
        p = f"transformer.resblocks.{i}"
        h = g.layer_norm(x, w[f"{p}.ln_1.weight"], w[f"{p}.ln_1.bias"], f"{p}.ln_1", eps)
        qkv_w, qkv_b = w[f"{p}.attn.in_proj_weight"], w[f"{p}.attn.in_proj_bias"]
        q, k, v = (
            g.heads(
                g.linear(
                    h,
                    qkv_w[j * width : (j + 1) * width].T,
                    qkv_b[j * width : (j + 1) * width],
                    f"{p}.attn.{n}",
                ),
                heads,
                head_dim,
            )
            for j, n in enumerate("qkv")
        )
        attn = g.merge_heads(g.attend(q, k, v, head_dim), width)
        attn = g.linear(
            attn,
            w[f"{p}.attn.out_proj.weight"].T,
            w[f"{p}.attn.out_proj.bias"],
            f"{p}.attn.out_proj",
        )
        x = g.op("Add", [x, _scaled(g, w, attn, f"{p}.ls_1")])
        h = g.layer_norm(x, w[f"{p}.ln_2.weight"], w[f"{p}.ln_2.bias"], f"{p}.ln_2", eps)
        h = g.linear(h, w[f"{p}.mlp.c_fc.weight"].T, w[f"{p}.mlp.c_fc.bias"], f"{p}.mlp.c_fc")
        h = g.linear(
            g.gelu(h, gelu),
            w[f"{p}.mlp.c_proj.weight"].T,
            w[f"{p}.mlp.c_proj.bias"],
            f"{p}.mlp.c_proj",
        )
        x = g.op("Add", [x, _scaled(g, w, h, f"{p}.ls_2")])
    ln_post = (w["ln_post.weight"], w["ln_post.bias"], "ln_post", eps)
    after_pool = bool(vision.get("final_ln_after_pool"))
    if not after_pool:
        x = g.layer_norm(x, *ln_post)
    if pool == "tok":
        x = g.op("Gather", [x, g.const(0)], axis=1)
    else:
        tokens = g.op("Slice", [x, g.const([1]), g.const([np.iinfo(np.int64).max]), g.const([1])])
        x = g.op("ReduceMean", [tokens], axes=[1], keepdims=0)
    if after_pool:
        x = g.layer_norm(x, *ln_post)
    if "proj" in weights:
        x = g.op("MatMul", [x, g.weight("proj", w["proj"])])
    if normalize:  # torch's F.normalize: x / max(‖x‖, 1e-12)
        norm = g.op("ReduceL2", [x], axes=[-1], keepdims=1)
        x = g.op("Div", [x, g.op("Max", [norm, g.const(1e-12, np.float32)])])
    g.output(x, "embedding", FLOAT, ["batch", int(model_cfg["embed_dim"])])
    w.check_used()
    return g.model()


def _scaled(g: Graph, w: Weights, x: str, name: str) -> str:
    """open_clip's optional LayerScale (``ls_1.gamma``)."""
    if f"{name}.gamma" not in w.weights:
        return x
    return g.op("Mul", [x, g.weight(f"{name}.gamma", w[f"{name}.gamma"])])


def _patches(g: Graph, pixels: str, conv: np.ndarray, side: int, patch: int) -> str:
    """The patch embedding, (batch, patches, width): CLIP's strided convolution written as
    cutting the image into patches and one matrix product, so that the int8 copy stores its
    weights in int8 too (7 MB less at ViT-B/32 than a float convolution)."""
    width = conv.shape[0]
    if side % patch:  # a remainder the convolution leaves out
        x = g.op("Conv", [pixels, g.weight("conv1.weight", conv)], strides=[patch, patch])
        return g.op("Transpose", [g.op("Reshape", [x, g.const([0, width, -1])])], perm=[0, 2, 1])
    grid = side // patch
    x = g.op("Reshape", [pixels, g.const([-1, 3, grid, patch, grid, patch])])
    x = g.op("Transpose", [x], perm=[0, 2, 4, 1, 3, 5])  # (batch, row, column, colour, y, x)
    x = g.op("Reshape", [x, g.const([-1, grid * grid, 3 * patch * patch])])
    flat = np.ascontiguousarray(conv.reshape(width, -1).T)
    return g.op("MatMul", [x, g.weight("conv1.weight", flat)])
