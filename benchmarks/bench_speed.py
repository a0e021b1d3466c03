"""The fast CPU path against the exact fp32 path, in one run: latency, load time, memory,
batch throughput and agreement. Real-size shapes (ViT-B-32 + GPT-2 124M), random weights,
16 new tokens.

    python benchmarks/bench_speed.py [--out results.json]

Each path is timed in a fresh child process that holds only its model, as the app does;
memory and load time likewise. Agreement compares both models in this process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from vocalens.core import save_captioner
from vocalens.core.agreement import compare, reference
from vocalens.core.fast import release_exact, use_path
from vocalens.core.testing import real_size_captioner

from common import gpt2_vocab, machine, report, timed

TOKENS = 16
FIXED = {"max_new_tokens": TOKENS, "min_new_tokens": TOKENS, "stop_strings": []}

LOAD = r"""
import json, sys, time
t0 = time.perf_counter()
from PIL import Image
from vocalens.core.runtime import open_captioner
import vocalens.core.captioner, vocalens.core.lean, open_clip, transformers  # imports apart
def status(key):
    return int(open("/proc/self/status").read().split(key + ":")[1].split()[0]) / 1024
base = status("VmRSS")
start = time.perf_counter()
m = open_captioner(sys.argv[1], device="cpu", precision=sys.argv[2])
m.caption([Image.new("RGB", (1280, 720), "gray")], strategy="greedy", max_new_tokens=16)
print(json.dumps({"import_ms": (start - t0) * 1e3, "load_ms": (time.perf_counter() - start) * 1e3,
                  "captioner_rss_mb": status("VmRSS") - base, "peak_rss_mb": status("VmHWM"),
                  "precision": m.precision}))
"""


def latency(precision: str, repeats: int) -> dict[str, float]:
    """One path's timings, in a process that holds only that model (as the app does)."""
    model = real_size_captioner(gpt2_vocab())
    if precision != "fp32":
        use_path(model, precision)
        release_exact(model)
    image = Image.new("RGB", (1280, 720), "gray")
    images16 = [Image.effect_noise((640, 480), 30 + i).convert("RGB") for i in range(16)]
    beam = {"strategy": "beam", "num_beams": 3, **FIXED}
    greedy = {"strategy": "greedy", **FIXED}
    with torch.inference_mode():
        px = model.pixels([image])
        ms = timed(lambda: model.caption(images16, **greedy), max(1, repeats // 2))
        return {
            "encode_ms": timed(lambda: model.embed(px), repeats),
            "end_to_end_greedy_ms": timed(lambda: model.caption([image], **greedy), repeats),
            "end_to_end_beam3_ms": timed(lambda: model.caption([image], **beam), repeats),
            "batch16_greedy_images_per_s": round(16 / (ms / 1e3), 2),
        }


def in_child(*argv: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, *argv], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--latency-of", choices=["fp32", "int8"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.latency_of:
        print(json.dumps(latency(args.latency_of, args.repeats)))
        return
    vocab = gpt2_vocab()
    samples = [Image.effect_noise((320, 240), 10 + 5 * i).convert("RGB") for i in range(8)]
    results: dict[str, object] = {"machine": machine(), "new_tokens": TOKENS}
    for name in ("fp32", "int8"):
        timings = in_child(__file__, "--latency-of", name, "--repeats", str(args.repeats))
        results.update({f"{name}_{key}": value for key, value in timings.items()})
    exact = real_size_captioner(vocab)
    fast = real_size_captioner(vocab)
    use_path(fast, "int8")
    agreement = compare(reference(exact, samples, **FIXED), fast)
    results.update({f"agreement_{k}": v for k, v in agreement.rounded().items()})
    results["agreement_passes"] = agreement.passes()
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_captioner(exact, Path(tmp) / "m", include_decoder=True)
        # int8 twice: the first load quantizes and keeps the result, later loads read it;
        # auto's first load also checks which path agrees with fp32 (and keeps the choice)
        for name, run in (("fp32", ""), ("int8", "_first"), ("int8", ""), ("auto", "_first")):
            data: dict[str, Any] = in_child("-c", LOAD, str(folder), name)
            results[f"{name}{run}_load_to_first_caption_ms"] = round(data["load_ms"], 1)
            results[f"{name}{run}_imports_ms"] = round(data["import_ms"], 1)
            results[f"{name}{run}_captioner_rss_mb"] = round(data["captioner_rss_mb"], 1)
            results[f"{name}{run}_process_peak_rss_mb"] = round(data["peak_rss_mb"], 1)
        results["auto_choice"] = data["precision"]
    report(results, args.out)


if __name__ == "__main__":
    main()
