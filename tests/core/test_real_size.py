"""The real-size architectures (ViT-B-32 visual tower, GPT-2 124M) with random weights."""

import pytest
from PIL import Image

pytestmark = pytest.mark.slow


def test_real_size_captioner_runs_and_round_trips(gpt2_vocab, tmp_path) -> None:
    from vocalens.core import load_captioner, save_captioner
    from vocalens.core.testing import real_size_captioner

    model = real_size_captioner(gpt2_vocab)
    assert model.encoder.embed_dim == 512
    assert model.decoder.config.n_embd == 768 and len(model.tokenizer) == 50257
    assert not hasattr(model.encoder.visual, "transformer_text")
    images = [Image.new("RGB", (640, 480), "white"), Image.new("RGB", (300, 900), "black")]
    captions = model.caption(
        images, strategy="beam", num_beams=3, max_new_tokens=16, stop_strings=[]
    )
    assert [0 < len(c.tokens) <= 16 for c in captions] == [True, True]
    assert model.encoder.preprocess(images[0]).shape == (3, 224, 224)
    folder = save_captioner(model, tmp_path / "real", include_decoder=True)
    again = load_captioner(folder).caption(images, strategy="greedy", max_new_tokens=8)
    assert [c.tokens for c in again] == [
        c.tokens for c in model.caption(images, strategy="greedy", max_new_tokens=8)
    ]


def test_clipcap_checkpoint_with_real_shapes_imports(gpt2_vocab, tmp_path) -> None:
    """coco_weights.pt's layout: MLP 512 → 3840 → 7680 (K=10 × 768) and a full GPT-2 124M with
    the legacy attention buffers of the transformers it was saved with."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from vocalens.core import import_clipcap, load_captioner
    from vocalens.core.testing import clip_tower_of, real_size_captioner

    gpt = GPT2LMHeadModel(GPT2Config()).eval()
    state = {
        "clip_project.model.0.weight": torch.randn(3840, 512) * 0.02,
        "clip_project.model.0.bias": torch.zeros(3840),
        "clip_project.model.2.weight": torch.randn(7680, 3840) * 0.02,
        "clip_project.model.2.bias": torch.zeros(7680),
    }
    state.update({f"gpt.{k}": v for k, v in gpt.state_dict().items()})
    for i in range(12):
        state[f"gpt.transformer.h.{i}.attn.bias"] = torch.tril(torch.ones(1024, 1024)).view(
            1, 1, 1024, 1024
        )
        state[f"gpt.transformer.h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    pt = tmp_path / "coco_weights.pt"
    torch.save(state, pt)
    del state
    clip = clip_tower_of(real_size_captioner(gpt2_vocab).encoder, tmp_path / "clip")
    out = import_clipcap(pt, tmp_path / "coco", clip, tokenizer=gpt2_vocab, gpt2="nobody/no-gpt2")
    model = load_captioner(out, runtime="torch")  # the imported weights, as torch holds them
    cfg = model.config
    assert (cfg.projector.kind, cfg.projector.prefix_length, cfg.projector.hidden_dim) == (
        "clipcap-mlp",
        10,
        3840,
    )
    assert model.decoder.config.n_head == 12 and model.decoder.config.n_layer == 12
    assert torch.equal(
        model.decoder.transformer.h[3].attn.c_attn.weight, gpt.transformer.h[3].attn.c_attn.weight
    )
    green = [Image.new("RGB", (320, 240), "green")]
    want = model.caption(green, max_new_tokens=5, strategy="greedy")[0].tokens
    assert want
    onnx = load_captioner(out)  # and the same captions through onnxruntime
    assert onnx.runtime == "onnx"
    assert onnx.caption(green, max_new_tokens=5, strategy="greedy")[0].tokens == want
