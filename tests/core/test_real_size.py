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
