"""Command-line flags for the model and decoding, shared by every command that captions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from vocalens.core.catalog.registry import DEFAULT_MODEL
from vocalens.core.inference.precision import PRECISIONS, RUNTIMES


def add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"registered model name or model folder (default: {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--device",
        default="auto",
        help="auto, cpu, cuda, dml (DirectML) or coreml; with --runtime torch: cuda:N or mps",
    )
    parser.add_argument("--dtype", default="auto", help="--runtime torch: auto, fp32, fp16 or bf16")
    parser.add_argument(
        "--precision",
        default="auto",
        choices=PRECISIONS,
        help="fp32: exact; int8: about 3x faster on the CPU; auto (default): on the CPU, the "
        "fastest precision that decides like fp32 for this model, checked at its first load",
    )
    parser.add_argument(
        "--runtime",
        default="auto",
        choices=RUNTIMES,
        help="onnx (auto's choice when installed): light and fast; torch: the reference, "
        "for GPUs onnxruntime cannot use and for debugging",
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--beam", type=int, metavar="N", help="beam search with N beams")
    how.add_argument("--greedy", action="store_true", help="greedy decoding (fastest)")
    how.add_argument("--sample", action="store_true", help="nucleus sampling")
    parser.add_argument("--top-p", type=float, help="sampling: nucleus probability mass")
    parser.add_argument("--temperature", type=float, help="sampling: temperature")
    parser.add_argument("--seed", type=int, help="sampling: random seed (repeatable output)")
    parser.add_argument("--max-tokens", type=int, help="most tokens per caption")
    parser.add_argument("--repetition-penalty", type=float, help="> 1 discourages repeats")


def model_options(args: argparse.Namespace) -> dict[str, Any]:
    """How to load the model (device, precision, runtime), with a progress bar on a terminal
    for the first conversion of a model (stderr, not into logs)."""
    return {
        "device": args.device,
        "dtype": args.dtype,
        "precision": args.precision,
        "runtime": args.runtime,
        "converting": conversion_progress(),
    }


def conversion_progress() -> Callable[[float, str], None]:
    from tqdm import tqdm

    bar: list[tqdm] = []  # made at the first report: a converted model shows nothing

    def report(fraction: float, stage: str) -> None:
        if not sys.stderr.isatty():  # piped: only results and errors
            return
        if not bar:
            print("vocalens: preparing the model for this machine (once)…", file=sys.stderr)
            bar.append(tqdm(total=100, unit="%", file=sys.stderr, leave=False))
        bar[0].set_description(stage)
        bar[0].update(round(fraction * 100) - bar[0].n)
        if fraction >= 1.0:
            bar[0].close()

    return report


def decoding_overrides(args: argparse.Namespace) -> dict[str, Any]:
    strategy = None
    if args.beam is not None:
        strategy = "beam" if args.beam > 1 else "greedy"
    elif args.greedy:
        strategy = "greedy"
    elif args.sample:
        strategy = "sample"
    return {
        "strategy": strategy,
        "num_beams": args.beam,
        "top_p": args.top_p,
        "temperature": args.temperature,
        "seed": args.seed,
        "max_new_tokens": args.max_tokens,
        "repetition_penalty": args.repetition_penalty,
    }
