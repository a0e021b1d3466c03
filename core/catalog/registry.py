"""Named models and where their parts come from."""

from __future__ import annotations

from dataclasses import dataclass

from vocalens.core.errors import ModelError
from vocalens.core.model.config import DEFAULT_CLIP, DEFAULT_GPT2
from vocalens.core.words import tr


@dataclass(frozen=True)
class HubFile:
    repo: str  # Hugging Face Hub repository
    filename: str
    revision: str = "main"  # a commit hash pins it
    sha256: str | None = None  # checked after download when known


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    description: str
    weights: HubFile  # a ClipCap checkpoint (.pt)
    clip_model: str = DEFAULT_CLIP
    clip_pretrained: str = "openai"
    gpt2: str = DEFAULT_GPT2  # tokenizer and architecture
    license: str = "MIT"


REGISTRY: dict[str, RegisteredModel] = {
    m.name: m
    for m in (
        RegisteredModel(
            name="clipcap-coco",
            description="ClipCap trained on COCO captions: short, literal photo captions.",
            weights=HubFile("akhaliq/CLIP-prefix-captioning-COCO-weights", "coco_weights.pt"),
        ),
        RegisteredModel(
            name="clipcap-conceptual",
            description="ClipCap trained on Conceptual Captions: broader, web-style captions.",
            weights=HubFile(
                "akhaliq/CLIP-prefix-captioning-conceptual-weights", "conceptual_weights.pt"
            ),
        ),
    )
}
DEFAULT_MODEL = "clipcap-coco"


def lookup(name: str) -> RegisteredModel:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ModelError(
            tr("Unknown model '{name}'.").format(name=name),
            tr("Known models: {models}; or give the path of a model folder.").format(
                models=", ".join(REGISTRY)
            ),
        ) from None
