import pytest
import torch

from vocalens.core.errors import ConfigError
from vocalens.core.model.config import ProjectorConfig
from vocalens.core.model.projector import PROJECTORS, build_projector


@pytest.mark.parametrize("kind", list(PROJECTORS))
def test_projector_makes_k_prefix_embeddings(kind: str) -> None:
    cfg = ProjectorConfig(
        kind=kind,
        input_dim=24,
        embed_dim=16,
        prefix_length=5,
        clip_length=3,
        num_layers=2,
        num_heads=4,
    )
    out = build_projector(cfg)(torch.randn(3, 24))
    assert out.shape == (3, 5, 16)
    assert torch.isfinite(out).all()


def test_clipcap_mlp_uses_half_width_hidden_layer_and_clipcap_names() -> None:
    proj = build_projector(
        ProjectorConfig(kind="clipcap-mlp", input_dim=512, embed_dim=768, prefix_length=10)
    )
    shapes = {k: tuple(v.shape) for k, v in proj.state_dict().items()}
    assert shapes == {
        "model.0.weight": (3840, 512),
        "model.0.bias": (3840,),
        "model.2.weight": (7680, 3840),
        "model.2.bias": (7680,),
    }


def test_transformer_output_depends_on_the_embedding() -> None:
    cfg = ProjectorConfig(
        kind="transformer",
        input_dim=8,
        embed_dim=16,
        prefix_length=4,
        clip_length=2,
        num_layers=1,
        num_heads=4,
    )
    proj = build_projector(cfg).eval()
    a, b = proj(torch.randn(1, 8)), proj(torch.randn(1, 8))
    assert not torch.allclose(a, b)


def test_unknown_kind_and_bad_heads_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="Unknown projector kind"):
        build_projector(ProjectorConfig(kind="rnn"))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not divisible"):
        build_projector(ProjectorConfig(kind="transformer", embed_dim=30, num_heads=8))
