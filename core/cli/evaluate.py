"""``vocalens evaluate``: caption a dataset split and score it the way the field does."""

from __future__ import annotations

import argparse
from typing import Any

from vocalens.core.cli.data_args import add_data_args
from vocalens.core.cli.decoding_args import add_model_args, decoding_overrides, model_options


def register(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score a model with BLEU, METEOR, ROUGE-L, CIDEr-D, SPICE and CLIPScore",
        description="Caption every image of a split, write a COCO-format results file and "
        "report the COCO caption metrics (METEOR and SPICE need Java) and CLIPScore.",
    )
    add_data_args(p)
    add_model_args(p)
    p.add_argument("--split", default="test", help="which split to caption (default test)")
    p.add_argument("--out", default="evaluation", metavar="DIR", help="results folder")
    p.add_argument("--overwrite", action="store_true", help="replace results already in --out")
    p.add_argument("--batch-size", type=int, default=16, help="images per batch (default 16)")
    p.add_argument("--clip-model", help="CLIP for CLIPScore (default: the model's own)")
    p.add_argument("--clip-pretrained", help="its tag or checkpoint file")
    p.add_argument("--no-clipscore", action="store_true", help="skip CLIPScore")
    p.add_argument("--no-spice", action="store_true", help="skip SPICE (slow)")
    p.add_argument(
        "--fetch-spice", action="store_true", help="download SPICE's CoreNLP models first"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from vocalens.core.catalog.loading import load_captioner
    from vocalens.core.data.readers import read_dataset
    from vocalens.core.eval.clipscore import ClipScorer
    from vocalens.core.eval.coco import fetch_spice_models
    from vocalens.core.eval.run import evaluate, split_samples

    dataset = read_dataset(args.data, args.format, args.images)
    split_samples(dataset, args.split)  # before the slow parts: is there anything to do?
    if args.fetch_spice:
        fetch_spice_models()
    captioner = load_captioner(args.model, **model_options(args))
    clip = None
    if not args.no_clipscore:
        enc = captioner.config.encoder
        model = args.clip_model or enc.model
        pretrained = args.clip_pretrained if args.clip_model else enc.pretrained
        device = getattr(captioner, "device", "cpu") if captioner.runtime == "torch" else "cpu"
        clip = ClipScorer(model, args.clip_pretrained or pretrained, device)
    report = evaluate(
        captioner,
        dataset,
        args.out,
        args.split,
        batch_size=args.batch_size,
        clip=clip,
        spice=not args.no_spice,
        overwrite=args.overwrite,
        decoding=decoding_overrides(args),
    )
    print(f"{report.images} images captioned; results in {report.folder / 'results.json'}.")
    for name, value in report.metrics.items():
        print(f"  {name:<13} {value:.4f}")
    for name, why in report.skipped.items():
        print(f"  {name:<13} skipped: {why}")
    if report.unreadable:
        print(f"{len(report.unreadable)} images could not be read (listed in metrics.json).")
    return 0
