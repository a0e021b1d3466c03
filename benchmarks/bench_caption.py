"""Captioner speed and memory at real-size shapes (ViT-B-32 + GPT-2 124M, random weights).

Fixed 16 new tokens per caption. Compares our KV-cached decoding with ClipCap's way
(recompute the whole sequence each step) and with transformers' ``generate()``.

    python benchmarks/bench_caption.py [--device cpu] [--out results.json]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

from vocalens.core import load_captioner, save_captioner
from vocalens.core.testing import real_size_captioner

from common import gpt2_vocab, machine, peak_rss_mb, report, timed

TOKENS = 16
FIXED = {"max_new_tokens": TOKENS, "min_new_tokens": TOKENS, "stop_strings": []}


def hf_generate(captioner, prefix: torch.Tensor, beams: int) -> torch.Tensor:
    return captioner.decoder.generate(
        inputs_embeds=prefix,
        max_new_tokens=TOKENS,
        min_new_tokens=TOKENS,
        num_beams=beams,
        do_sample=False,
        pad_token_id=captioner.tokenizer.eos_token_id,
        attention_mask=torch.ones(prefix.shape[:2], dtype=torch.long, device=prefix.device),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    vocab = gpt2_vocab()

    with tempfile.TemporaryDirectory() as tmp:
        save_captioner(real_size_captioner(vocab), Path(tmp) / "m", include_decoder=True)
        start = time.perf_counter()
        model = load_captioner(Path(tmp) / "m", device=args.device)
        image = Image.new("RGB", (1280, 720), "gray")
        model.caption([image], strategy="greedy", **FIXED)
        load_ms = (time.perf_counter() - start) * 1e3
    r = args.repeats
    images8 = [Image.effect_noise((640, 480), 40 + i).convert("RGB") for i in range(8)]
    pixels = model.pixels([image])
    with torch.inference_mode():
        emb = model.embed(pixels)
        prefix = model.prefix(emb)
        results = {
            "machine": machine(),
            "device": str(model.device),
            "new_tokens": TOKENS,
            "load_to_first_caption_ms": round(load_ms, 1),
            "preprocess_ms": timed(lambda: model.pixels([image]), r),
            "encode_ms": timed(lambda: model.embed(pixels), r),
            "decode_greedy_ms": timed(
                lambda: model.caption_embeddings(emb, strategy="greedy", **FIXED), r
            ),
            "decode_beam3_ms": timed(
                lambda: model.caption_embeddings(emb, strategy="beam", num_beams=3, **FIXED), r
            ),
            "baseline_recompute_greedy_ms": timed(
                lambda: model.caption_embeddings(emb, strategy="greedy", use_cache=False, **FIXED),
                max(1, r // 2),
            ),
            "baseline_recompute_beam3_ms": timed(
                lambda: model.caption_embeddings(
                    emb, strategy="beam", num_beams=3, use_cache=False, **FIXED
                ),
                max(1, r // 2),
            ),
            "baseline_generate_greedy_ms": timed(lambda: hf_generate(model, prefix, 1), r),
            "baseline_generate_beam3_ms": timed(lambda: hf_generate(model, prefix, 3), r),
            "end_to_end_greedy_ms": timed(
                lambda: model.caption([image], strategy="greedy", **FIXED), r
            ),
            "end_to_end_beam3_ms": timed(
                lambda: model.caption([image], strategy="beam", num_beams=3, **FIXED), r
            ),
        }
        batch_ms = timed(lambda: model.caption(images8, strategy="greedy", **FIXED), max(1, r // 2))
    results["batch8_greedy_images_per_s"] = round(8 / (batch_ms / 1e3), 2)
    results["peak_rss_mb"] = peak_rss_mb()
    report(results, args.out)


if __name__ == "__main__":
    main()
