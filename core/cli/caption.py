"""``vocalens caption``: caption files, folders and standard input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vocalens.core.cli.decoding_args import add_model_args, decoding_overrides, model_options
from vocalens.core.errors import ImageError


@dataclass
class Item:
    label: str  # what the user will see: the path, or "-"
    source: Path | bytes | None  # None: already failed, see error
    error: str = ""


def register(sub: Any) -> None:
    p = sub.add_parser(
        "caption",
        help="caption images",
        description="Caption image files, folders (recursively) and - (stdin).",
    )
    p.add_argument("inputs", nargs="+", metavar="PATH", help="image file, folder, or - for stdin")
    add_model_args(p)
    p.add_argument("--batch-size", type=int, default=8, help="images per batch (default 8)")
    p.add_argument("--json", action="store_true", help="one JSON object per input")
    p.set_defaults(run=run)


def expand(inputs: list[str]) -> Iterator[Item]:
    from vocalens.core.files import read_stream_capped
    from vocalens.core.images import MAX_BYTES, find_images

    for raw in inputs:
        if raw == "-":
            data = read_stream_capped(sys.stdin.buffer, MAX_BYTES)
            if data is None:
                yield Item("-", None, "-: the input is too large (over 200 MB) to be an image.")
            else:
                yield Item("-", data)
            continue
        path = Path(raw)
        if path.is_dir():
            found = False
            for child in find_images(path):
                found = True
                yield Item(str(child), child)
            if not found:
                yield Item(raw, None, f"{raw}: the folder holds no images.")
        else:
            yield Item(raw, path)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from vocalens.core.catalog.loading import load_captioner
    from vocalens.core.images import load_image

    if args.batch_size < 1:
        raise ImageError("--batch-size must be at least 1.")
    items = list(expand(args.inputs))
    captioner = load_captioner(args.model, **model_options(args))
    overrides = decoding_overrides(args)
    captioner.decoding(**overrides)  # validate before any work
    failed = 0
    bar = tqdm(
        total=len(items),
        unit="image",
        file=sys.stderr,
        disable=len(items) <= args.batch_size or not sys.stderr.isatty(),  # not into logs
        leave=False,
    )
    for start in range(0, len(items), args.batch_size):
        batch = items[start : start + args.batch_size]
        images, good = [], []
        for item in batch:
            if item.source is None:
                continue
            try:
                images.append(load_image(item.source, name=item.label))
                good.append(item)
            except ImageError as exc:
                item.error = str(exc)
        results = dict(zip(map(id, good), captioner.caption(images, **overrides), strict=True))
        for item in batch:
            result = results.get(id(item))
            if result is None:
                failed += 1
                tqdm.write(f"vocalens: {item.error}", file=sys.stderr)  # not into the bar
                _emit(args.json, {"path": item.label, "error": item.error})
            else:
                _emit(
                    args.json,
                    {
                        "path": item.label,
                        "caption": result.text,
                        "timings": {k: round(v, 1) for k, v in result.timings.items()},
                    },
                )
        bar.update(len(batch))
    bar.close()
    return 1 if failed else 0


def _emit(as_json: bool, record: dict[str, Any]) -> None:
    """One line on standard output, above the progress bar where one is shown."""
    from tqdm import tqdm

    if as_json:
        line = json.dumps(record, ensure_ascii=False)
    elif "caption" in record:
        line = f"{record['path']}\t{record['caption']}"
    else:
        return
    tqdm.write(line, file=sys.stdout)
    sys.stdout.flush()
