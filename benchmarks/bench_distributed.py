"""Several processes against one, on this machine's CPU with gloo (``torchrun``), the tiny
model: sharded encoding of 10 000 images (every image once, the merged index equal to one
process's, a run stopped at half way finished by one process), training with the same global
batch (the loss and the held-out exact-caption rate), WebDataset shards with damaged samples,
and the speed-up.

    python benchmarks/bench_distributed.py [--out results.json] [--images 10000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

from vocalens.core.data.features import FeatureCache
from vocalens.core.data.readers import read_dataset
from vocalens.core.images import load_image
from vocalens.core.inference.runtime import open_captioner
from vocalens.core.model.checkpoint import save_captioner
from vocalens.core.synthetic import write_shapes_dataset
from vocalens.core.testing import tiny_captioner

from common import report

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shard writer of the tests

TRAIN = {"prefix_length": 4, "batch_size": 16, "lr": 3e-3, "warmup_steps": 20, "epochs": 60}
TRAIN |= {"finetune_gpt2": True, "gpt2_lr": 1e-3, "device": "cpu", "log_every": 1}


def cli(ranks: int, *args: str, wait: bool = True) -> subprocess.Popen | float:
    """``vocalens ARGS`` in one process, or under torchrun in ``ranks``; the seconds it took."""
    env = {**os.environ, "OMP_NUM_THREADS": str(max(1, (os.cpu_count() or 1) // ranks))}
    command = [sys.executable, "-m", "vocalens.core.cli", *args]
    if ranks > 1:
        command[1:3] = ["-m", "torch.distributed.run", "--standalone"]
        command[4:4] = ["--nproc-per-node", str(ranks), "-m", "vocalens.core.cli"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if not wait:
        return proc
    _, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{' '.join(args[:1])} failed:\n{err.decode()[-2000:]}")
    return time.perf_counter() - start


def same_cache(a: Path, b: Path) -> dict[str, object]:
    one, two = FeatureCache.open(a), FeatureCache.open(b)
    keys = [k for shard in two.index.shards for k in shard["keys"]]
    ordered = sorted(one.keys())
    apart = (one.embeddings(ordered) - two.embeddings(ordered)).abs().max().item()
    return {
        "images": len(keys),
        "twice": len(keys) - len(set(keys)),
        "same_keys": set(keys) == one.keys(),
        "largest_difference": round(apart, 6),
    }


def encoding(folder: Path, start: Path, count: int) -> dict[str, object]:
    images = folder / "images"
    images.mkdir()
    rows = []
    for i in range(count):
        Image.new("RGB", (32, 32), (i % 256, (i // 256) % 256, (i * 7) % 256)).save(
            images / f"{i:05d}.png"
        )
        rows.append(json.dumps({"image": f"images/{i:05d}.png", "caption": "a colour."}))
    data = folder / "data.jsonl"
    data.write_text("\n".join(rows) + "\n")
    args = ["encode", "--data", str(data), "--model", str(start), "--device", "cpu"]
    args += ["--shard-size", "250"]
    one = cli(1, *args, "--out", str(folder / "one"))
    two = cli(2, *args, "--out", str(folder / "two"))
    proc = cli(2, *args, "--out", str(folder / "half"), wait=False)
    assert isinstance(proc, subprocess.Popen)
    while proc.poll() is None:  # stop it once half the images are listed by the ranks
        listed = 0
        for part in (folder / "half").glob("index-rank*.json"):
            with contextlib.suppress(ValueError, OSError):  # being replaced just now
                listed += sum(len(s["keys"]) for s in json.loads(part.read_text())["shards"])
        if listed >= count // 2:
            proc.send_signal(signal.SIGTERM)
            break
        time.sleep(0.05)
    proc.wait()
    stopped_at = listed
    cli(1, *args, "--out", str(folder / "half"))  # finished by one process
    assert isinstance(one, float) and isinstance(two, float)
    return {
        "images": count,
        "one_rank_s": round(one, 1),
        "two_ranks_s": round(two, 1),
        "speed_up": round(one / two, 2),
        "two_ranks_vs_one": same_cache(folder / "one", folder / "two"),
        "stopped_at_images": stopped_at,
        "resumed_on_one_rank_vs_one": same_cache(folder / "one", folder / "half"),
    }


def quality(model: Path, shapes: Path) -> dict[str, float]:
    """The held-out exact-caption rate and CIDEr-D of greedy captions."""
    from vocalens.core.eval.coco import coco_scores

    captioner = open_captioner(model, device="cpu", precision="fp32", runtime="torch")
    test = read_dataset(shapes).split("test")
    said = captioner.caption([load_image(s.path) for s in test], strategy="greedy")

    def plain(text: str) -> str:
        return text.lower().strip().rstrip(".")

    right = sum(
        plain(c.text) in {plain(r) for r in s.captions} for s, c in zip(test, said, strict=True)
    )
    hyps = {s.image_id: c.text for s, c in zip(test, said, strict=True)}
    refs = {s.image_id: list(s.captions) for s in test}
    cider = coco_scores(refs, hyps, spice=False).scores["CIDEr-D"]
    return {"exact": round(right / len(test), 3), "cider_d": round(cider, 3)}


def training(folder: Path, start: Path) -> dict[str, object]:
    """GPT-2 frozen (nothing random in a step: the losses must agree), then fine-tuned (its
    dropout draws differ between one process and two: the captions are compared)."""
    shapes = write_shapes_dataset(folder / "shapes", train=300, val=20, test=40)
    result: dict[str, object] = {}
    for tuned in (False, True):
        settings = {**TRAIN, "init": str(start), "finetune_gpt2": tuned}
        flags = [f"--set={k}={json.dumps(v)}" for k, v in settings.items()]
        runs = {}
        for ranks in (1, 2):
            out = folder / f"run{ranks}{tuned}"
            took = cli(ranks, "train", "--data", str(shapes), "--out", str(out), *flags)
            lines = (out / "metrics.jsonl").read_text().splitlines()
            records = [json.loads(line) for line in lines]
            losses = [r["loss"] for r in records if r["type"] == "step"]
            epochs = [r for r in records if r["type"] == "epoch"]
            assert isinstance(took, float)
            runs[ranks] = {
                "steps": len(losses),
                "loss_at_step_100": round(losses[99], 4),
                "val_loss": round(epochs[-1]["val_loss"], 4),
                **quality(out / "best", shapes),
                "seconds": round(took, 1),
            }
        one, two = runs[1], runs[2]
        result["gpt2_finetuned" if tuned else "gpt2_frozen"] = {
            "1_rank": one,
            "2_ranks": two,
            "loss_at_100_difference": round(
                abs(two["loss_at_step_100"] / one["loss_at_step_100"] - 1), 4
            ),
            "val_loss_difference": round(abs(two["val_loss"] / one["val_loss"] - 1), 4),
            "exact_difference_points": round(100 * abs(two["exact"] - one["exact"]), 1),
        }
    return result


def webdataset(folder: Path, start: Path) -> dict[str, object]:
    from tests.core.test_distributed import write_shards

    pattern = write_shards(folder / "shards", shards=4, each=250, lacking=False)
    flags = [
        f"--set={k}={json.dumps(v)}" for k, v in {**TRAIN, "epochs": 1, "init": str(start)}.items()
    ]
    out = folder / "run"
    command = [sys.executable, "-m", "vocalens.core.cli", "train", "--data", pattern]
    done = subprocess.run([*command, "--out", str(out), *flags], capture_output=True, text=True)
    cache = FeatureCache.open(out / "features")
    return {
        "samples": 1000,
        "shards": 4,
        "encoded": len(cache.keys()),
        "skipped_damaged": len(cache.index.unreadable),
        "said": [line for line in done.stdout.splitlines() if "skipped" in line.lower()],
        "unpacked_files": len(list((folder / "shards").glob("*.jpg"))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--images", type=int, default=10_000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = save_captioner(tiny_captioner(folder / "t"), folder / "start", include_decoder=True)
        (folder / "enc").mkdir()
        results = {
            "cpu_cores": os.cpu_count(),
            "encoding": encoding(folder / "enc", start, args.images),
            "training": training(folder, start),
            "webdataset": webdataset(folder / "wds", start),
        }
    report(results, args.out)


if __name__ == "__main__":
    main()
