"""What a training run reads: embeddings from the feature cache, captions as token ids."""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch
from transformers import GPT2Tokenizer

from vocalens.core.data.features import FeatureCache
from vocalens.core.data.samples import DataError, Dataset, Sample, normalise_caption
from vocalens.core.model.teacher import caption_ids
from vocalens.core.train.config import TrainConfig


@dataclass
class Split:
    features: torch.Tensor  # (N_images, D) fp32
    rows: list[tuple[int, list[int]]]  # (image index, caption token ids), one per caption
    samples: list[Sample]  # image i of ``features`` is ``samples[i]``

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class TrainingData:
    train: Split
    val: Split


def training_data(
    dataset: Dataset, cache: FeatureCache, tokenizer: GPT2Tokenizer, cfg: TrainConfig
) -> TrainingData:
    """Train on the ``train`` split and validate on ``val``; without a val split, a fixed
    ``val_fraction`` of the training images (chosen by the seed) is held out."""
    encoded = cache.keys()
    usable = [s for s in dataset.samples if s.key in encoded and s.captions]
    train = [s for s in usable if s.split == "train"]
    val = [s for s in usable if s.split == "val"]
    if not train:
        raise DataError(
            f"{dataset.source} has no usable training images "
            f"(splits found: {dataset.splits() or 'none'}; unreadable images are skipped).",
            "Check the image folder (--images) and the split names.",
        )
    if not val and cfg.val_fraction > 0 and len(train) > 1:
        order = list(range(len(train)))
        random.Random(cfg.seed).shuffle(order)
        held = set(order[: max(1, int(len(train) * cfg.val_fraction))])
        val = [s for i, s in enumerate(train) if i in held]
        train = [s for i, s in enumerate(train) if i not in held]
    val = val[: cfg.max_val_images]
    return TrainingData(_split(train, cache, tokenizer, cfg), _split(val, cache, tokenizer, cfg))


def _split(
    samples: list[Sample], cache: FeatureCache, tokenizer: GPT2Tokenizer, cfg: TrainConfig
) -> Split:
    features = cache.embeddings([s.key for s in samples])
    rows = []
    for i, sample in enumerate(samples):
        for text in sample.captions:
            caption = normalise_caption(text, cfg.stop, cfg.lowercase)
            if caption:
                rows.append((i, caption_ids(tokenizer, caption, cfg.max_tokens)))
    return Split(features, rows, samples)
