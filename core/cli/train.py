"""``vocalens train``: teach a projector (and optionally GPT-2) on a caption dataset."""

from __future__ import annotations

import argparse
from typing import Any

from vocalens.core.cli.data_args import add_data_args


def register(sub: Any) -> None:
    p = sub.add_parser(
        "train",
        help="train a captioner on your own captioned images",
        description="Train on a caption dataset. Images are encoded once into a feature "
        "cache; a checkpoint is saved every epoch (OUT/last, OUT/best). Ctrl-C saves and "
        "stops; --resume continues exactly where it stopped. Started by torchrun (or srun) "
        "on several processes, each trains on its share of every batch.",
    )
    add_data_args(p)
    p.add_argument("--out", required=True, metavar="DIR", help="the run's folder")
    p.add_argument("--features", metavar="DIR", help="feature cache (default: OUT/features)")
    p.add_argument("--config", metavar="FILE", help="training settings as JSON")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one setting, e.g. --set projector=transformer --set lr=1e-4",
    )
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from vocalens.core.train.config import load_train_config
    from vocalens.core.train.distributed import join, leave
    from vocalens.core.train.run import DataSpec, train

    cfg = load_train_config(args.config, args.set)
    data = DataSpec(args.data, args.format, args.images, args.features)
    world, device = join(cfg.device)  # one process, or the group torchrun or srun started
    try:
        cfg = dataclasses.replace(cfg, device=device)
        result = train(data, args.out, cfg, resume=args.resume, world=world)
    finally:
        leave()
    if not world.leader:
        return 130 if result.interrupted else 0
    if result.interrupted:
        print(
            f"Stopped at step {result.steps}; the checkpoint is in {result.out / 'last'}. "
            f"Continue with: vocalens train --data {args.data} --out {args.out} --resume"
        )
        return 130
    val = f", validation loss {result.val_loss:.4f}" if result.val_loss is not None else ""
    print(f"Done after {result.steps} steps{val}. The best model is {result.out / 'best'}.")
    return 0
