"""Feature-cache and training throughput at real-size shapes (ViT-B-32 visual tower,
GPT-2 124M with the real vocabulary), random weights.

    python benchmarks/bench_train.py [--out results.json] [--device cpu|cuda]

Encoding reads and preprocesses real 640×480 JPEG files, as `vocalens encode` does. Training
runs the real loop (teacher forcing, AdamW, clipping) on cached embeddings with captions of
typical COCO length, with GPT-2 frozen and fine-tuned.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

from vocalens.core.data.features import encode_samples
from vocalens.core.data.samples import Sample
from vocalens.core.testing import real_size_captioner
from vocalens.core.train.config import TrainConfig
from vocalens.core.train.data import Split, TrainingData
from vocalens.core.train.loop import Trainer

from common import gpt2_vocab, machine, report

WORDS = [
    "a",
    "man",
    "woman",
    "dog",
    "cat",
    "red",
    "blue",
    "sitting",
    "on",
    "the",
    "table",
    "with",
    "street",
    "near",
    "large",
    "small",
]


def encode_rate(device: str, folder: Path, images: int, batch: int) -> float:
    captioner = real_size_captioner(gpt2_vocab(), device=device)
    rng = random.Random(0)
    samples = []
    for i in range(images):
        path = folder / f"{i}.jpg"
        colour = tuple(rng.randrange(256) for _ in range(3))
        Image.new("RGB", (640, 480), colour).save(path, quality=90)
        samples.append(Sample(path.name, path, ("x",)))
    encode_samples(captioner.encoder, samples[:batch], folder / "warm", batch_size=batch)
    start = time.perf_counter()
    encode_samples(captioner.encoder, samples, folder / "cache", batch_size=batch)
    return images / (time.perf_counter() - start)


def train_rate(device: str, folder: Path, finetune: bool, batch: int, steps: int) -> float:
    captioner = real_size_captioner(gpt2_vocab(), device=device)
    rng = random.Random(0)
    n = batch * (steps + 2)
    rows = [
        (i, [*captioner.tokenizer.encode(" ".join(rng.choices(WORDS, k=11)) + "."), 50256])
        for i in range(n)
    ]
    features = torch.randn(n, 512)
    split = Split(features, rows, [])
    cfg = TrainConfig(batch_size=batch, finetune_gpt2=finetune, epochs=1, log_every=10**9,
                      prefix_length=10, device=device, warmup_steps=1)  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        trainer = Trainer(captioner, TrainingData(split, Split(features[:0], [], [])), cfg,
                          Path(out), progress=False)  # fmt: skip
        batches = trainer._epoch_batches(0)
        trainer._step(batches[:1])  # warm-up
        start = time.perf_counter()
        for b in batches[1 : steps + 1]:
            trainer._step([b])
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        return steps * batch / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = {"machine": machine(), "device": args.device, "batch": args.batch}
        results["encode_images_per_s"] = round(encode_rate(args.device, folder, args.images, 64), 1)
        for name, finetune in (("frozen", False), ("finetuned", True)):
            rate = train_rate(args.device, folder, finetune, args.batch, args.steps)
            results[f"train_{name}_gpt2_samples_per_s"] = round(rate, 1)
    report(results, args.out)


if __name__ == "__main__":
    main()
