"""Evaluate a captioner on a dataset split: a COCO-format results file and the metrics."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from vocalens.core.data.samples import DataError, Dataset, Sample
from vocalens.core.errors import VocaLensError
from vocalens.core.eval.clipscore import ClipScorer
from vocalens.core.eval.coco import coco_scores
from vocalens.core.images import load_image
from vocalens.core.inference.runtime import CaptionModel

RESULTS = "results.json"
METRICS = "metrics.json"


@dataclass
class EvalReport:
    folder: Path
    images: int
    metrics: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)


def evaluate(
    captioner: CaptionModel,
    dataset: Dataset,
    out: str | Path,
    split: str = "test",
    *,
    batch_size: int = 16,
    clip: ClipScorer | None = None,
    spice: bool = True,
    overwrite: bool = False,
    progress: bool = True,
    decoding: dict[str, Any] | None = None,
) -> EvalReport:
    out = Path(out)
    samples = split_samples(dataset, split)
    existing = [p for p in (out / RESULTS, out / METRICS) if p.exists()]
    if existing and not overwrite:
        raise DataError(
            f"{existing[0]} already exists.", "Choose another --out folder, or add --overwrite."
        )
    out.mkdir(parents=True, exist_ok=True)
    report = EvalReport(out, 0)
    hyps: dict[Any, str] = {}
    features: list[torch.Tensor] = []
    kept: list[Sample] = []
    with tqdm(total=len(samples), desc="captioning", unit="img", disable=not progress) as bar:
        for start in range(0, len(samples), batch_size):
            batch = _readable(samples[start : start + batch_size], report.unreadable)
            if batch:
                images = [image for _, image in batch]
                captions = captioner.caption(images, **(decoding or {}))
                for (sample, _), caption in zip(batch, captions, strict=True):
                    hyps[sample.image_id] = caption.text
                    kept.append(sample)
                if clip is not None:
                    features.append(clip.images(images))
            bar.update(min(batch_size, len(samples) - start))
    report.images = len(kept)
    results = [{"image_id": s.image_id, "caption": hyps[s.image_id]} for s in kept]
    (out / RESULTS).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    refs = {s.image_id: list(s.captions) for s in kept}
    coco = coco_scores(refs, hyps, spice=spice)
    report.metrics.update(coco.scores)
    report.skipped.update(coco.skipped)
    if clip is not None and kept:
        with_refs = all(s.captions for s in kept)
        scores = clip.score(
            torch.cat(features),
            [hyps[s.image_id] for s in kept],
            [list(s.captions) for s in kept] if with_refs else None,
        )
        report.metrics["CLIPScore"] = scores.clip_score
        if scores.ref_clip_score is not None:
            report.metrics["RefCLIPScore"] = scores.ref_clip_score
    elif clip is None:
        report.skipped["CLIPScore"] = "turned off"
    summary = {
        "split": split,
        "images": report.images,
        "metrics": report.metrics,
        "skipped": report.skipped,
        "unreadable": report.unreadable,
        "decoding": decoding or {},
    }
    (out / METRICS).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return report


def split_samples(dataset: Dataset, split: str) -> list[Sample]:
    samples = dataset.split(split)
    if not samples:
        raise DataError(
            f"{dataset.source} has no '{split}' images (splits: {dataset.splits() or 'none'}).",
            "Choose another one with --split.",
        )
    return samples


def _readable(samples: list[Sample], unreadable: dict[str, str]) -> list[tuple[Sample, Any]]:
    batch = []
    for sample in samples:
        try:
            batch.append((sample, load_image(sample.path)))
        except VocaLensError as exc:
            unreadable[sample.key] = exc.message
    return batch
