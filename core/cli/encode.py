"""``vocalens encode``: run the CLIP encoder once per image into a feature cache."""

from __future__ import annotations

import argparse
from typing import Any

from vocalens.core.cli.data_args import add_data_args
from vocalens.core.model.config import DEFAULT_CLIP


def register(sub: Any) -> None:
    p = sub.add_parser(
        "encode",
        help="encode a dataset's images once, for training",
        description="Encode every image of a dataset with a CLIP image encoder into a "
        "resumable feature cache (run it again after an interruption to finish, on any "
        "number of processes). Started by torchrun (or srun) on several processes, each "
        "encodes its share.",
    )
    add_data_args(p)
    p.add_argument("--out", required=True, metavar="DIR", help="the feature cache folder")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--model", help="use this model folder's encoder")
    source.add_argument("--encoder", default=DEFAULT_CLIP, help="open_clip architecture")
    p.add_argument("--pretrained", default="openai", help="open_clip tag or checkpoint file")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    p.add_argument("--batch-size", type=int, default=64, help="images per batch (default 64)")
    p.add_argument(
        "--shard-size",
        type=int,
        default=4096,
        help="images per feature file (default 4096); an interrupted run keeps the finished ones",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from vocalens.core.catalog.loading import resolve_model
    from vocalens.core.data.features import encode_with_bar
    from vocalens.core.data.readers import read_dataset
    from vocalens.core.data.samples import DataError
    from vocalens.core.model.checkpoint import load_from_directory
    from vocalens.core.model.config import EncoderConfig
    from vocalens.core.model.device import resolve_device
    from vocalens.core.model.encoder import open_encoder
    from vocalens.core.paths import hub_cache
    from vocalens.core.train.distributed import join, leave

    if args.shard_size < 1 or args.batch_size < 1:
        raise DataError("--batch-size and --shard-size must be at least 1.")
    world, device = join(args.device)  # one process, or the group torchrun or srun started
    try:
        dataset = read_dataset(args.data, args.format, args.images)
        for note in dataset.notes if world.leader else []:
            print(note)
        if args.model:
            encoder = load_from_directory(resolve_model(args.model), device=device).encoder
        else:
            cfg = EncoderConfig(args.encoder, args.pretrained)
            encoder = open_encoder(cfg, None, hub_cache()).to(resolve_device(device))
        cache = encode_with_bar(
            encoder, dataset.samples, args.out, args.batch_size, group=world,
            shard_size=args.shard_size,
        )  # fmt: skip
    finally:
        leave()
    if world.leader:
        print(f"{len(cache.keys())} images encoded into {cache.folder}.")
        if skipped := cache.unreadable_note():
            print(skipped)
    return 0
