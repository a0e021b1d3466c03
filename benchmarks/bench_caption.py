"""Captioner speed, memory and start-up at real size (ViT-B-32 + GPT-2 124M, random weights),
onnxruntime and torch side by side, with transformers' ``generate()`` as the baseline.

Fixed 16 new tokens per caption. The model folder is converted once (timed), then each runtime
captions the same images. onnxruntime's speed and memory are measured in fresh processes, as a
user's are: a process that has imported torch, or just converted a model (gigabytes through
its heap), says nothing about one that has not.

    python benchmarks/bench_caption.py [--repeats 5] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

from vocalens.core.inference.ort.convert import convert
from vocalens.core.inference.runtime import open_captioner
from vocalens.core.model.checkpoint import load_from_directory, save_captioner
from vocalens.core.testing import real_size_captioner

from common import gpt2_vocab, machine, report, timed

HERE = Path(__file__).resolve().parent
TOKENS = 16
FIXED = {"max_new_tokens": TOKENS, "min_new_tokens": TOKENS, "stop_strings": []}
MEMORY = """
import sys
from PIL import Image
from vocalens.core.inference.runtime import open_captioner
model = open_captioner(sys.argv[1], device="cpu", precision=sys.argv[2])
model.caption([Image.effect_noise((640, 480), 50).convert("RGB")], strategy="greedy")
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(int(peak) / 1024, "torch" in sys.modules)
"""


ONNX = """
import json, sys, time
from PIL import Image
sys.path.insert(0, sys.argv[5])
from common import timed
from vocalens.core.inference.runtime import open_captioner
folder, precision, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
fixed = json.loads(sys.argv[4])
image = Image.effect_noise((1280, 720), 60).convert("RGB")
batch = [Image.effect_noise((640, 480), 40 + i).convert("RGB") for i in range(16)]
start = time.perf_counter()
model = open_captioner(folder, device="cpu", precision=precision)
model.caption([image], strategy="greedy", **fixed)
first = (time.perf_counter() - start) * 1e3
batch_ms = timed(lambda: model.caption(batch, strategy="greedy", **fixed), max(1, repeats // 2))
print(json.dumps({
    "load_to_first_caption_ms": round(first, 1),
    "greedy_ms": timed(lambda: model.caption([image], strategy="greedy", **fixed), repeats),
    "beam3_ms": timed(lambda: model.caption([image], strategy="beam", num_beams=3, **fixed),
                      repeats),
    "batch16_images_per_s": round(16 / (batch_ms / 1e3), 1),
}))
"""


def hf_generate(model, prefix: torch.Tensor, beams: int) -> torch.Tensor:
    return model.decoder.generate(
        inputs_embeds=prefix,
        max_new_tokens=TOKENS,
        min_new_tokens=TOKENS,
        num_beams=beams,
        do_sample=False,
        pad_token_id=model.tokenizer.eos_token_id,
        attention_mask=torch.ones(prefix.shape[:2], dtype=torch.long),
    )


def speeds(model, image: Image.Image, batch: list[Image.Image], r: int) -> dict[str, float]:
    batch_ms = timed(lambda: model.caption(batch, strategy="greedy", **FIXED), max(1, r // 2))
    return {
        "greedy_ms": timed(lambda: model.caption([image], strategy="greedy", **FIXED), r),
        "beam3_ms": timed(lambda: model.caption([image], strategy="beam", num_beams=3, **FIXED), r),
        f"batch{len(batch)}_images_per_s": round(len(batch) / (batch_ms / 1e3), 1),
    }


def in_fresh_process(folder: Path, precision: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY, str(folder), precision], capture_output=True, text=True
    )
    rss, torch_loaded = out.stdout.split()
    return {"peak_rss_mb": round(float(rss), 1), "imports_torch": torch_loaded == "True"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    r = args.repeats
    image = Image.effect_noise((1280, 720), 60).convert("RGB")
    batch = [Image.effect_noise((640, 480), 40 + i).convert("RGB") for i in range(16)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_captioner(
            real_size_captioner(gpt2_vocab()), Path(tmp) / "m", include_decoder=True
        )
        start = time.perf_counter()
        done = convert(folder)
        convert_s = time.perf_counter() - start
        sizes = {  # each graph with its data file
            p.name: round(sum(f.stat().st_size for f in done.folder.glob(p.name + "*")) / 1e6, 1)
            for p in done.folder.glob("*.onnx")
        }
        results: dict[str, object] = {"machine": machine(), "new_tokens": TOKENS}
        results["convert_s"] = round(convert_s, 1)
        results["onnx_files_mb"] = sizes
        for precision in ("int8", "fp32"):
            argv = [str(folder), precision, str(r), json.dumps(FIXED), str(HERE)]
            out = subprocess.run([sys.executable, "-c", ONNX, *argv], capture_output=True,
                                 text=True, check=True)  # fmt: skip
            for key, value in json.loads(out.stdout).items():
                results[f"onnx_{precision}_{key}"] = value
        reference = load_from_directory(folder, device="cpu")
        for key, value in speeds(reference, image, batch, r).items():
            results[f"torch_fp32_{key}"] = value
        with torch.inference_mode():
            prefix = reference.prefix(reference.embed(reference.pixels([image])))
            results["transformers_generate_greedy_decode_ms"] = timed(
                lambda: hf_generate(reference, prefix, 1), r
            )
            results["transformers_generate_beam3_decode_ms"] = timed(
                lambda: hf_generate(reference, prefix, 3), r
            )
        open_captioner(
            folder, device="cpu", precision="auto"
        )  # choose once, as a user's first load
        results["auto_chose"] = json.loads((done.folder / "manifest.json").read_text())["precision"]
        for precision in ("int8", "fp32"):
            results[f"onnx_{precision}_process"] = in_fresh_process(folder, precision)
    report(results, args.out)


if __name__ == "__main__":
    main()
