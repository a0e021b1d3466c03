"""Teacher forcing: the training loss of a captioner on (embedding, caption) pairs."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F
from transformers import GPT2Tokenizer

from vocalens.core.model.captioner import Captioner

IGNORE = -100  # label value cross-entropy skips


@dataclass
class CaptionBatch:
    input_ids: torch.Tensor  # (B, T) caption tokens, padded with any id (masked below)
    attention_mask: torch.Tensor  # (B, K+T) 1 for prefix and real tokens, 0 for padding
    labels: torch.Tensor  # (B, K+T) next-token targets; IGNORE for prefix and padding


def caption_ids(tokenizer: GPT2Tokenizer, caption: str, max_tokens: int = 40) -> list[int]:
    """The token ids a caption is trained on: at most ``max_tokens``, the last one EOS."""
    return [*tokenizer.encode(caption)[: max_tokens - 1], tokenizer.eos_token_id]


def batch_from_ids(rows: list[list[int]], prefix_length: int, pad: int) -> CaptionBatch:
    """Pad token rows into a batch. Padding never relies on a token id: it is marked by the
    attention mask, and its labels are IGNORE like the prefix's."""
    length = max(len(r) for r in rows)
    ids = torch.full((len(rows), length), pad, dtype=torch.long)
    real = torch.zeros((len(rows), length), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        real[i, : len(row)] = 1
    prefix = torch.ones((len(rows), prefix_length), dtype=torch.long)
    attention = torch.cat([prefix, real], dim=1)  # (B, K+T)
    labels = torch.cat([torch.full_like(prefix, IGNORE), ids.masked_fill(real == 0, IGNORE)], 1)
    return CaptionBatch(ids, attention, labels)


def caption_loss(
    captioner: Captioner, embeddings: torch.Tensor, batch: CaptionBatch, over: int = 0
) -> torch.Tensor:
    """Mean cross-entropy of the caption tokens given the projected prefix; with ``over``,
    their summed cross-entropy divided by that many tokens (a part of a batch spread over several
    processes, whose parts then add up to the whole batch's mean)."""
    device = captioner.device
    prefix = captioner.prefix(embeddings)  # (B, K, E)
    tokens = captioner.decoder.transformer.wte(batch.input_ids.to(device))  # (B, T, E)
    embeds = torch.cat([prefix, tokens.to(prefix.dtype)], dim=1)  # (B, K+T, E)
    logits = captioner.decoder(
        inputs_embeds=embeds, attention_mask=batch.attention_mask.to(device)
    ).logits
    shifted = logits[:, :-1].float()  # position t predicts token t+1
    targets = batch.labels[:, 1:].to(device)
    loss = F.cross_entropy(
        shifted.reshape(-1, shifted.shape[-1]),
        targets.reshape(-1),
        ignore_index=IGNORE,
        reduction="sum" if over else "mean",
    )
    return loss / over if over else loss
