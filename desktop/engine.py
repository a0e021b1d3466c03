"""The real engine behind the worker: caption model + text reader, loaded on the worker thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PIL import Image

from vocalens.core.describe import Describer, Description
from vocalens.core.errors import ModelNotInstalledError, VocaLensError

from .worker import Engine, Job


class DescribeEngine(Engine):
    def __init__(self) -> None:
        self.describer: Describer | None = None
        self.model_warning = ""  # why captions are off; said once, then kept for the log

    def load(self, settings: dict[str, Any], notify: Callable[[str], None]) -> None:
        from vocalens.core import load_captioner
        from vocalens.core.checkpoint import first_fast_load
        from vocalens.core.loading import resolve_model
        from vocalens.core.ocr import TextReader

        if self.describer is not None:
            self.describer.close()
        captioner, reason = None, ""
        try:
            folder = resolve_model(settings["model"])
            first = first_fast_load(folder, settings["device"], settings["precision"])
            notify(
                "Preparing the caption model for this computer. This takes a few seconds, once."
                if first
                else "Loading the caption model…"
            )
            captioner = load_captioner(
                folder, device=settings["device"], precision=settings["precision"]
            )
        except VocaLensError as exc:
            reason = captions_off(exc)
        reader = TextReader() if TextReader.available() else None
        decoding: dict[str, Any] = {
            "strategy": settings["decoding"],
            "max_new_tokens": settings["max_tokens"],
        }
        self.describer = Describer(captioner, reader, reason, **decoding)
        self.model_warning = reason
        notify(reason or "The caption model is ready.")

    def check(self, settings: dict[str, Any]) -> str:
        """Why captions would be off with these settings ("" when the model is there), without
        loading anything."""
        from vocalens.core.loading import resolve_model

        try:
            resolve_model(settings["model"])
        except VocaLensError as exc:
            return captions_off(exc)
        return ""

    def describe(self, job: Job, image: Image.Image) -> Description:
        assert self.describer is not None
        try:
            desc = self.describer.describe(
                image, source=job.source, label=job.label, window=job.window
            )
        except RuntimeError as exc:
            if "out of memory" not in str(exc).lower() or self.describer.captioner is None:
                raise
            self._fall_back_to_cpu()
            desc = self.describer.describe(
                image, source=job.source, label=job.label, window=job.window
            )
            desc.warnings.append("The GPU ran out of memory; VocaLens now uses the CPU.")
        # The missing-model sentence is said once, at load; later results stay short.
        desc.warnings = [w for w in desc.warnings if w != self.model_warning]
        return desc

    def _fall_back_to_cpu(self) -> None:
        import torch

        assert self.describer is not None and self.describer.captioner is not None
        captioner = self.describer.captioner
        captioner.to(torch.device("cpu"), torch.float32)
        captioner._stops = None  # the stop-token mask lived on the GPU
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def captions_off(exc: VocaLensError) -> str:
    """The sentence said when the caption model cannot be used, with the way forward."""
    if isinstance(exc, ModelNotInstalledError) and "`" in exc.hint:
        command = exc.hint.split("`")[1]
        return (
            f"Captions are off: {exc.message} Choose Download caption model in the VocaLens "
            f"menu, or run: {command}"
        )
    return f"Captions are off: {exc}"
