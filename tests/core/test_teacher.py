import torch

from vocalens.core.model.teacher import (
    IGNORE,
    CaptionBatch,
    batch_from_ids,
    caption_ids,
    caption_loss,
)


def encode_captions(tokenizer, captions: list[str], prefix_length: int) -> CaptionBatch:
    """Captions as training encodes them: their ids, then one padded batch."""
    rows = [caption_ids(tokenizer, c) for c in captions]
    return batch_from_ids(rows, prefix_length, tokenizer.eos_token_id)


def test_prefix_and_padding_are_ignored_and_mask_matches(tiny) -> None:
    tok = tiny.tokenizer
    batch = encode_captions(tok, ["a red circle.", "a blue square above a white star."], 4)
    short = len(tok.encode("a red circle.")) + 1  # + EOS
    assert (batch.labels[:, :4] == IGNORE).all()
    assert batch.attention_mask[:, :4].eq(1).all()
    assert batch.labels[0, 4 : 4 + short].ne(IGNORE).all()
    assert batch.labels[0, 4 + short :].eq(IGNORE).all()
    assert batch.attention_mask[0, 4 + short :].eq(0).all()
    assert batch.labels[0, 4 + short - 1] == tok.eos_token_id
    # The mask is derived from lengths, never from a token id: EOS inside a caption is kept.
    assert batch.attention_mask[1].sum() == 4 + batch.input_ids.shape[1]


def test_padding_does_not_change_the_loss(tiny) -> None:
    tok = tiny.tokenizer
    emb = torch.randn(1, tiny.encoder.embed_dim)
    alone = caption_loss(tiny, emb, encode_captions(tok, ["a red circle."], 4))
    padded = encode_captions(tok, ["a red circle.", "a green triangle left of a black cross."], 4)
    both = caption_loss(tiny, torch.cat([emb, torch.randn_like(emb)]), padded)
    first = caption_loss(
        tiny, emb, type(padded)(padded.input_ids[:1], padded.attention_mask[:1], padded.labels[:1])
    )
    assert torch.allclose(alone, first, atol=1e-5)
    assert not torch.allclose(alone, both)


def test_loss_falls_when_projector_and_gpt2_are_trained(tiny_folder) -> None:
    from vocalens.core.testing import tiny_captioner

    model = tiny_captioner(tiny_folder / "train", seed=1)
    model.requires_grad_(True).train()
    opt = torch.optim.AdamW([*model.projector.parameters(), *model.decoder.parameters()], lr=1e-2)
    emb = torch.randn(2, model.encoder.embed_dim)
    batch = encode_captions(model.tokenizer, ["a red circle.", "a blue square."], 4)
    first = caption_loss(model, emb, batch).item()
    for _ in range(30):
        opt.zero_grad()
        loss = caption_loss(model, emb, batch)
        loss.backward()
        opt.step()
    assert loss.item() < 0.5 * first
