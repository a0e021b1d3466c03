"""The training loop: teacher forcing on cached embeddings, exact resume, Ctrl-C saves."""

from __future__ import annotations

import contextlib
import json
import math
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file
from tqdm import tqdm

from vocalens.core.data.samples import DataError
from vocalens.core.model.captioner import Captioner
from vocalens.core.model.checkpoint import save_captioner
from vocalens.core.model.teacher import batch_from_ids, caption_loss
from vocalens.core.train.config import TrainConfig
from vocalens.core.train.data import Split, TrainingData
from vocalens.core.train.distributed import World
from vocalens.core.train.optim import make_optimizer, make_schedule

STATE = "trainer-state.pt"
METRICS = "metrics.jsonl"


@dataclass
class Position:
    epoch: int = 0
    batch: int = 0  # micro-batches of this epoch already trained on
    step: int = 0  # optimizer steps done
    best_val: float = math.inf


@dataclass
class TrainResult:
    out: Path
    steps: int
    interrupted: bool
    val_loss: float | None


class Trainer:
    def __init__(
        self,
        captioner: Captioner,
        data: TrainingData,
        cfg: TrainConfig,
        out: Path,
        progress: bool = True,
        on_step: Callable[[int], None] | None = None,
        world: World | None = None,
    ) -> None:
        """``world``: the processes this one trains with (each takes a share of every batch;
        the global batch stays ``batch_size`` × ``grad_accum``); rank 0 alone writes."""
        self.captioner, self.data, self.cfg, self.out = captioner, data, cfg, out
        self.world = world or World()
        self.progress, self.on_step = progress and self.world.leader, on_step
        self.device = captioner.device
        self.optimizer = make_optimizer(captioner, cfg)
        self.params = [p for g in self.optimizer.param_groups for p in g["params"]]
        for p in self.params:
            p.requires_grad_(True)
        self.world.broadcast_(self.params)  # every rank starts from rank 0's weights
        self.batches_per_epoch = math.ceil(len(data.train) / cfg.batch_size)
        per_epoch = math.ceil(self.batches_per_epoch / cfg.grad_accum)
        self.total_steps = cfg.max_steps or cfg.epochs * per_epoch
        self.schedule = make_schedule(self.optimizer, cfg, self.total_steps)
        self.amp_dtype = _amp_dtype(self.device) if cfg.mixed_precision else None
        self.scaler = torch.amp.GradScaler(
            self.device.type, enabled=self.amp_dtype == torch.float16
        )
        self.pos = Position()
        self._stop = threading.Event()

    # -- the loop -------------------------------------------------------------------------

    def fit(self, resume: bool = False) -> TrainResult:
        if resume:
            self._restore()
        else:
            torch.manual_seed(self.cfg.seed + self.world.rank)  # dropout, when GPT-2 is tuned
        self._trim_metrics()
        val_loss = None
        with self._sigint_saves():
            while self.pos.epoch < self.cfg.epochs and self.pos.step < self.total_steps:
                batches = self._epoch_batches(self.pos.epoch)
                self._run_epoch(batches)
                if self._stop.is_set():
                    self._save(val_loss=None)
                    return TrainResult(self.out, self.pos.step, True, None)
                if self.pos.batch >= len(batches):
                    self.pos.epoch, self.pos.batch = self.pos.epoch + 1, 0
                val_loss = self._end_epoch()  # or max_steps reached mid-epoch
        return TrainResult(self.out, self.pos.step, False, val_loss)

    def _epoch_batches(self, epoch: int) -> list[list[int]]:
        order = torch.randperm(
            len(self.data.train), generator=torch.Generator().manual_seed(self.cfg.seed + epoch)
        ).tolist()
        size = self.cfg.batch_size
        return [order[i : i + size] for i in range(0, len(order), size)]

    def _run_epoch(self, batches: list[list[int]]) -> None:
        bar = tqdm(
            total=len(batches),
            initial=self.pos.batch,
            desc=f"epoch {self.pos.epoch + 1}/{self.cfg.epochs}",
            disable=not self.progress,
            unit="batch",
            dynamic_ncols=True,
        )
        with bar:
            while self.pos.batch < len(batches) and self.pos.step < self.total_steps:
                cycle = batches[self.pos.batch : self.pos.batch + self.cfg.grad_accum]
                start = time.perf_counter()
                loss = self._step(cycle)
                rate = sum(map(len, cycle)) / (time.perf_counter() - start)
                self.pos.batch += len(cycle)
                self.pos.step += 1
                bar.update(len(cycle))
                bar.set_postfix(loss=f"{loss:.3f}", samples_s=f"{rate:.0f}")
                if self.pos.step % self.cfg.log_every == 0 or self.pos.step == 1:
                    lr = self.schedule.get_last_lr()[0]
                    self._log(type="step", loss=loss, lr=lr, samples_per_s=rate)
                if self.on_step is not None:
                    self.on_step(self.pos.step)
                if self.world.any(self._stop.is_set(), self.device):
                    self._stop.set()  # a Ctrl-C seen by one rank stops them all, together
                    return

    def _step(self, cycle: list[list[int]]) -> float:
        self.captioner.projector.train()
        self.captioner.decoder.train(self.cfg.finetune_gpt2)
        self.optimizer.zero_grad(set_to_none=True)
        count = sum(len(idx) for idx in cycle)
        total = 0.0
        for idx in cycle:
            part = self._part_loss(self.data.train, idx)
            if part is None:
                continue  # a batch smaller than the group: this rank has none of it
            loss = part * (len(idx) / count)
            self.scaler.scale(loss).backward()
            total += float(loss.detach())
        if self.world.joined:
            self._sum_gradients()
            total = self._summed(total)
        self.scaler.unscale_(self.optimizer)
        torch.nn.utils.clip_grad_norm_(self.params, self.cfg.max_grad_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.schedule.step()
        return total

    def _loss(self, split: Split, idx: list[int], tokens: int = 0) -> torch.Tensor:
        rows = [split.rows[i] for i in idx]
        features = split.features[[image for image, _ in rows]]
        pad = int(self.captioner.tokenizer.eos_token_id or 0)
        batch = batch_from_ids([ids for _, ids in rows], self.cfg.prefix_length, pad)
        with torch.autocast(
            self.device.type, dtype=self.amp_dtype or torch.float32, enabled=bool(self.amp_dtype)
        ):
            return caption_loss(self.captioner, features.to(self.device), batch, tokens)

    def _part_loss(self, split: Split, idx: list[int]) -> torch.Tensor | None:
        """This rank's part of batch ``idx``'s mean loss: its rows' summed loss over all the
        batch's tokens, so the parts of every rank add up to the mean (None: no rows here)."""
        if not self.world.joined:
            return self._loss(split, idx)
        mine = idx[self.world.rank :: self.world.size]
        if not mine:
            return None
        return self._loss(split, mine, tokens=sum(len(split.rows[i][1]) for i in idx))

    def _sum_gradients(self) -> None:
        """Every rank's gradients summed, in one exchange (a rank without rows adds zeros)."""
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        flat = self.world.sum_(torch.cat([g.reshape(-1) for g in grads]))
        for p, chunk in zip(self.params, flat.split([g.numel() for g in grads]), strict=True):
            p.grad = chunk.view_as(p).clone()

    def _summed(self, value: float) -> float:
        return float(self.world.sum_(torch.tensor([value], device=self.device)).item())

    # -- validation and reporting ---------------------------------------------------------

    def _end_epoch(self) -> float | None:
        val_loss = self._validate()  # every rank takes part, and in saving
        if self.world.leader:
            samples = self._samples()
            self._log(type="epoch", val_loss=val_loss, samples=samples)
            for s in samples:
                tqdm.write(f"  {s['image']}: {s['caption']}")
            if val_loss is not None:
                tqdm.write(f"epoch {self.pos.epoch}: validation loss {val_loss:.4f}")
        improved = val_loss is None or val_loss < self.pos.best_val
        if val_loss is not None and improved:
            self.pos.best_val = val_loss
        self._save(val_loss)
        if improved and self.world.leader:
            self._write_model("best")
        return val_loss

    @torch.no_grad()
    def _validate(self) -> float | None:
        split = self.data.val
        if not split.rows:
            return None
        self.captioner.eval()
        total = 0.0
        size = self.cfg.batch_size
        for start in range(0, len(split.rows), size):
            idx = list(range(start, min(start + size, len(split.rows))))
            part = self._part_loss(split, idx)
            total += float(part) * len(idx) if part is not None else 0.0
        if self.world.joined:
            total = self._summed(total)
        return total / len(split.rows)

    def _samples(self) -> list[dict[str, Any]]:
        split = self.data.val
        chosen = split.samples[: self.cfg.sample_images]
        if not chosen:
            return []
        self.captioner.eval()
        captions = self.captioner.caption_embeddings(
            split.features[: len(chosen)].to(self.device), strategy="greedy"
        )
        return [
            {"image": s.key, "caption": c.text, "reference": s.captions[0]}
            for s, c in zip(chosen, captions, strict=True)
        ]

    def _log(self, **record: Any) -> None:
        if not self.world.leader:
            return
        record = {"epoch": self.pos.epoch, "step": self.pos.step, **record}
        with open(self.out / METRICS, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")

    def _trim_metrics(self) -> None:
        """After a resume, drop records an interrupted run wrote past its last checkpoint."""
        path = self.out / METRICS
        if path.is_file() and self.world.leader:
            lines = path.read_text(encoding="utf-8").splitlines()
            kept = [line for line in lines if json.loads(line)["step"] <= self.pos.step]
            path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")

    # -- checkpoints ----------------------------------------------------------------------

    def _write_model(self, folder: str, extra: Callable[[Path], None] | None = None) -> None:
        # GPT-2's weights when they changed, or when no base model can reproduce them
        include = self.cfg.finetune_gpt2 or self.captioner.config.decoder.weights is not None
        save_captioner(self.captioner, self.out / folder, include_decoder=include, extra=extra)

    def _save(self, val_loss: float | None) -> None:
        rng = self.world.gather(_rng_state())  # each rank's own draws, for an exact resume
        if not self.world.leader:
            return
        state = {
            "position": asdict(self.pos),
            "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng": rng[0],
            "rng_of_ranks": rng,
            "val_loss": val_loss,
        }
        self._write_model("last", lambda folder: _write(folder, state))

    def _restore(self) -> None:
        folder = self.out / "last"
        path = folder / STATE
        if not path.is_file():
            raise DataError(
                f"{self.out} holds no checkpoint to resume from.",
                "Start a new run without --resume (into an empty folder).",
            )
        cfg = self.captioner.config
        self.captioner.projector.load_state_dict(load_file(str(folder / cfg.projector.weights)))
        if self.cfg.finetune_gpt2:
            weights = load_file(str(folder / "decoder.safetensors"))
            self.captioner.decoder.load_state_dict(weights, strict=False)
        state = torch.load(path, map_location="cpu", weights_only=True)
        self.pos = Position(**state["position"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.schedule.load_state_dict(state["schedule"])
        self.scaler.load_state_dict(state["scaler"])
        ranks = state.get("rng_of_ranks") or [state["rng"]]
        if len(ranks) == self.world.size:
            _set_rng_state(ranks[self.world.rank])
        else:  # resumed on another number of processes: fresh draws, from the step reached
            torch.manual_seed(self.cfg.seed + self.world.rank + self.pos.step)

    @contextlib.contextmanager
    def _sigint_saves(self) -> Iterator[None]:
        """The first Ctrl-C finishes the current step, saves and stops; a second one stops
        at once."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def first(signum: int, frame: object) -> None:
            self._stop.set()
            signal.signal(signal.SIGINT, signal.default_int_handler)
            tqdm.write("Stopping after this step and saving a checkpoint (Ctrl-C again: quit).")

        previous = signal.signal(signal.SIGINT, first)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _amp_dtype(device: torch.device) -> torch.dtype | None:
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {"torch": torch.get_rng_state(), "python": random.getstate()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _write(folder: Path, state: dict[str, Any]) -> None:
    torch.save(state, folder / STATE)
