"""CLIP image towers known without open_clip: where their weights come from, their architecture
and their preprocessing (``resources/clip_towers.json``, written from open_clip's own tables),
and reading the visual tower's weights out of a whole CLIP checkpoint with numpy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from vocalens.core.catalog.registry import HubFile
from vocalens.core.errors import ModelError, first_line, require_weights

VISUAL = "visual."  # a whole CLIP checkpoint's prefix for the image tower's weights


@dataclass(frozen=True)
class ClipTower:
    """One CLIP image tower: its name, architecture and preprocessing, and the file that holds
    its weights (a whole CLIP checkpoint or the visual tower alone)."""

    model: str
    pretrained: str | None
    model_cfg: dict[str, Any]
    preprocess: dict[str, Any]
    weights: Path

    @property
    def embed_dim(self) -> int:
        return int(self.model_cfg["embed_dim"])


@cache
def _table() -> dict[str, dict[str, dict[str, Any]]]:
    text = files("vocalens.resources").joinpath("clip_towers.json").read_text(encoding="utf-8")
    table: dict[str, dict[str, dict[str, Any]]] = json.loads(text)
    return table


def known(model: str, pretrained: str | None = None) -> dict[str, Any]:
    """The table's entry for ``model`` (and its ``pretrained`` tag; any tag's architecture
    when none is given)."""
    tags = _table().get(model)
    if not tags or (pretrained is not None and pretrained not in tags):
        names = ", ".join(f"{m} ({', '.join(t)})" for m, t in _table().items())
        raise ModelError(
            f"VocaLens does not know the CLIP model {model}"
            + (f" with the weights '{pretrained}'." if pretrained else "."),
            f"Known: {names}; or describe it in a JSON file (model_cfg and preprocess).",
        )
    return tags[pretrained] if pretrained is not None else next(iter(tags.values()))


def hub_file(model: str, pretrained: str) -> HubFile:
    entry = known(model, pretrained)
    return HubFile(entry["repo"], entry["filename"])


def tower(model: str, pretrained: str | None, weights: Path) -> ClipTower:
    """``model`` is a known name or a JSON file holding ``model_cfg`` and ``preprocess``."""
    if model.endswith(".json"):
        try:
            entry = json.loads(Path(model).read_text(encoding="utf-8"))
            return ClipTower(Path(model).stem, pretrained, entry["model_cfg"], entry["preprocess"],
                             weights)  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(
                f"Could not read the CLIP description {model}: {first_line(exc)}",
                "It must be a JSON object with 'model_cfg' and 'preprocess'.",
            ) from None
    entry = known(model, pretrained if pretrained in _table().get(model, {}) else None)
    return ClipTower(model, pretrained, entry["model_cfg"], entry["preprocess"], weights)


def visual_weights(path: Path) -> dict[str, np.ndarray]:
    """The image tower's weights (float32, without the ``visual.`` prefix) from a safetensors
    file or a ``.pt``/``.bin`` checkpoint (read by ``ptfile``: nothing in it runs)."""
    return split_weights(path)[0]


def split_weights(path: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The image tower's weights (as ``visual_weights``) and the rest of the checkpoint (the
    text tower, when it is a whole CLIP model; empty when it holds the image tower alone)."""
    require_weights(path, "CLIP weights", "Download the model again, or give the file's path.")
    state: Any
    if path.suffix == ".safetensors":
        state = _read_safetensors(path)
    else:
        from vocalens.core.model.ptfile import read_pt

        state = read_pt(path)
        if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
            state = state["state_dict"]
    if not isinstance(state, dict):
        raise ModelError(f"{path} holds no CLIP weights.")
    arrays = {str(k): v for k, v in state.items() if isinstance(v, np.ndarray)}
    rest: dict[str, np.ndarray] = {}
    if any(k.startswith(VISUAL) for k in arrays):
        rest = {k: v for k, v in arrays.items() if not k.startswith(VISUAL)}
        arrays = {k[len(VISUAL) :]: v for k, v in arrays.items() if k.startswith(VISUAL)}
    if "conv1.weight" not in arrays:
        raise ModelError(
            f"{path} holds no CLIP image tower (no 'visual.conv1.weight').",
            "Give open_clip's checkpoint of the CLIP model named by --clip.",
        )
    as_float = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in arrays.items()}
    return as_float, {k: np.asarray(v, dtype=np.float32) for k, v in rest.items()}


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    try:
        return load_file(str(path))
    except Exception as exc:  # damaged, truncated, or not safetensors at all
        raise ModelError(
            f"The CLIP weights could not be read ({path.name}: {first_line(exc)}).",
            "Download the model again.",
        ) from None
