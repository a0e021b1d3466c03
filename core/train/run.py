"""A whole training run: read the data, fill the feature cache, build the model, train."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vocalens.core.data.features import encode_with_bar
from vocalens.core.data.readers import read_dataset
from vocalens.core.data.samples import DataError
from vocalens.core.data.shards import remote
from vocalens.core.files import write_text_atomic
from vocalens.core.train.build import build_captioner
from vocalens.core.train.config import TrainConfig
from vocalens.core.train.data import training_data
from vocalens.core.train.distributed import World
from vocalens.core.train.loop import Trainer, TrainResult

RUN = "run.json"
RESUMABLE = ("epochs", "max_steps", "log_every", "sample_images", "device")


@dataclass
class DataSpec:
    path: str
    kind: str = "auto"
    images: str | None = None
    features: str | None = None  # the feature cache folder (default: OUT/features)


def train(
    data: DataSpec,
    out: str | Path,
    cfg: TrainConfig,
    *,
    resume: bool = False,
    progress: bool = True,
    say: Callable[[str], None] = print,
    on_step: Callable[[int], None] | None = None,
    world: World | None = None,
) -> TrainResult:
    """``world``: the processes training together (``distributed.join``); each reads the
    data and takes its share, rank 0 alone speaks and writes."""
    world = world or World()
    if not world.leader:
        say = _silent
    out = Path(out)
    if resume:
        data, cfg = _resumed(out, cfg, write=world.leader)
    else:
        _check_free(out)  # every rank, before any writes: all stop alike
    world.barrier()
    dataset = read_dataset(data.path, data.kind, data.images)  # the quick checks first
    for note in dataset.notes:
        say(note)
    captioner = build_captioner(cfg)
    if not resume and world.leader:
        _record(out, data, cfg)
    folder = data.features or out / "features"
    cache = encode_with_bar(captioner.encoder, dataset.samples, folder, show=progress, group=world)
    if skipped := cache.unreadable_note():
        say(skipped)
    split = training_data(dataset, cache, captioner.tokenizer, cfg)
    processes = f" in {world.size} processes" if world.joined else ""
    say(f"Training on {len(split.train)} captions{processes}, validating on {len(split.val)}.")
    trainer = Trainer(captioner, split, cfg, out, progress=progress, on_step=on_step, world=world)
    return trainer.fit(resume=resume)


def _silent(message: str) -> None:
    del message


def _check_free(out: Path) -> None:
    if (out / RUN).is_file():
        raise DataError(
            f"{out} already holds a training run.",
            "Continue it with --resume, or choose another --out folder.",
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DataError(
            f"{out} already holds other files; a training run needs its own folder.",
            "Choose an empty or new --out folder.",
        )


def _record(out: Path, data: DataSpec, cfg: TrainConfig) -> None:
    out.mkdir(parents=True, exist_ok=True)
    spec = DataSpec(
        data.path if remote(data.path) else str(Path(data.path).resolve()),
        data.kind,
        *(str(Path(p).resolve()) if p else None for p in (data.images, data.features)),
    )
    record = {"data": dataclasses.asdict(spec), "config": cfg.to_dict()}
    write_text_atomic(out / RUN, json.dumps(record, indent=2) + "\n")


def _resumed(out: Path, changes: TrainConfig, write: bool = True) -> tuple[DataSpec, TrainConfig]:
    """The stored run, with only the settings that may change mid-run taken from
    ``changes`` (the number of epochs or steps, reporting, the device)."""
    path = out / RUN
    if not path.is_file():
        raise DataError(f"{out} holds no training run to resume.", "Start one without --resume.")
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    stored = TrainConfig(**record["config"])
    defaults = TrainConfig()
    fixed = [
        k
        for k, v in dataclasses.asdict(changes).items()
        if k not in RESUMABLE and v != getattr(defaults, k) and v != getattr(stored, k)
    ]
    if fixed:
        raise DataError(
            f"{', '.join(fixed)} cannot change when a run is resumed.",
            f"Only {', '.join(RESUMABLE)} can; start a new run to change the rest.",
        )
    updates = {
        k: getattr(changes, k) for k in RESUMABLE if getattr(changes, k) != getattr(defaults, k)
    }
    cfg = dataclasses.replace(stored, **updates).validate()
    if updates and write:
        record["config"] = cfg.to_dict()
        write_text_atomic(path, json.dumps(record, indent=2) + "\n")  # other ranks read it
    return DataSpec(**record["data"]), cfg
