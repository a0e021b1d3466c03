"""Command-line flags naming a caption dataset, shared by encode, train and evaluate."""

from __future__ import annotations

import argparse

from vocalens.core.data.readers import KINDS


def add_data_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        required=True,
        metavar="PATH",
        help="COCO/Karpathy/VizWiz JSON, a CSV/JSONL of image,caption[,split] rows, or a folder",
    )
    parser.add_argument(
        "--format", default="auto", choices=KINDS, help="dataset format (default: detected)"
    )
    parser.add_argument(
        "--images",
        metavar="DIR",
        help="folder the image paths are relative to (default: beside --data)",
    )
