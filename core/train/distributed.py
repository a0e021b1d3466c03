"""Training and encoding on several processes: ``torchrun`` (one machine or many) or SLURM's
``srun`` start them, this joins them into one group.

One process is the default and behaves as if this module did not exist. With N processes
each one (a *rank*) takes its share of every batch; the gradients are summed over the group
once per optimizer step, as DistributedDataParallel does (the loss of each share is already
weighted by its part of the global batch, so the sum is exactly one process's gradient); NCCL
joins GPUs, gloo CPUs. Rank 0 alone writes checkpoints, logs, the feature index and the
progress bar."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist

from vocalens.core.data.samples import DataError

TIMEOUT = timedelta(minutes=30)  # a rank waits this long for the others (encoding is uneven)


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0  # the rank within its machine: which GPU it takes

    @property
    def leader(self) -> bool:
        return self.rank == 0

    @property
    def joined(self) -> bool:
        return self.size > 1

    def barrier(self) -> None:
        if self.joined:
            dist.barrier()

    def sum_(self, tensor: torch.Tensor) -> torch.Tensor:
        """Sum ``tensor`` over the group, in place; returns it."""
        if self.joined:
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        return tensor

    def any(self, flag: bool, device: torch.device) -> bool:
        """True on every rank when it is true on one (a Ctrl-C seen by any rank stops all)."""
        if not self.joined:
            return flag
        return bool(self.sum_(torch.tensor([float(flag)], device=device)).item() > 0)

    def gather(self, value: Any) -> list[Any]:
        """Every rank's ``value``, in rank order, on every rank."""
        if not self.joined:
            return [value]
        out: list[Any] = [None] * self.size
        dist.all_gather_object(out, value)
        return out

    def broadcast_(self, tensors: list[torch.Tensor]) -> None:
        """Rank 0's values into every rank's ``tensors`` (the same start everywhere)."""
        if self.joined:
            for tensor in tensors:
                dist.broadcast(tensor.data, src=0)


def from_environment(environ: dict[str, str] | None = None) -> World:
    """The group ``torchrun`` (RANK, WORLD_SIZE, LOCAL_RANK) or ``srun`` (SLURM_PROCID,
    SLURM_NTASKS, SLURM_LOCALID) described; one process when neither did."""
    env = dict(os.environ if environ is None else environ)
    keys = ("RANK", "WORLD_SIZE", "LOCAL_RANK")
    if "WORLD_SIZE" not in env and "SLURM_NTASKS" in env and "SLURM_PROCID" in env:
        keys = ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID")
    try:
        rank, size = int(env.get(keys[0], "0")), int(env.get(keys[1], "1"))
        local = int(env.get(keys[2], "0"))
    except ValueError:
        raise DataError(
            f"{', '.join(keys)} must be whole numbers.", "Start the processes with torchrun."
        ) from None
    if not (size >= 1 and 0 <= rank < size and local >= 0):
        raise DataError(
            f"Rank {rank} of {size} processes is not a place in a group.",
            "Start the processes with torchrun or srun, which set these.",
        )
    return World(rank, size, local)


def join(device: str) -> tuple[World, str]:
    """Join the group the environment describes (nothing to do for one process) and the
    device this rank uses: ``cuda`` becomes this rank's own GPU."""
    world = from_environment()
    if not world.joined:
        return world, device
    for name in ("MASTER_ADDR", "MASTER_PORT"):
        if name not in os.environ:
            raise DataError(
                f"{name} is not set: the processes cannot find each other.",
                "torchrun sets it; under srun, export MASTER_ADDR (the first node) and "
                "MASTER_PORT (a free port) first.",
            )
    os.environ.setdefault("RANK", str(world.rank))
    os.environ.setdefault("WORLD_SIZE", str(world.size))
    gpu = device.startswith("cuda") or (device == "auto" and torch.cuda.is_available())
    if gpu:
        torch.cuda.set_device(world.local_rank)
        device = f"cuda:{world.local_rank}"
    if not dist.is_initialized():
        dist.init_process_group("nccl" if gpu else "gloo", timeout=TIMEOUT)
    return world, device


def leave() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()
