"""The real engine behind the worker: caption model + text reader, loaded on the worker thread."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from PIL import Image

from vocalens.core import (
    Describer,
    Description,
    Notice,
    VocaLensError,
    captions_off,
    open_describer,
)

from .worker import Engine, Job


class DescribeEngine(Engine):
    def __init__(self) -> None:
        self.describer: Describer | None = None

    def load(self, settings: dict[str, Any], notify: Callable[[Notice], None]) -> None:
        """Open the model of ``settings``; the old one is freed first, so memory never holds
        two. Notices (preparing, ready, captions off) go to ``notify``."""
        self.close()
        opened = open_describer(
            settings["model"],
            device=settings["device"],
            precision=settings["precision"],
            scripts=settings.get("text_scripts", "auto"),
            languages=settings.get("text_languages", "auto"),
            progress=notify,
        )
        self.describer = opened.describer
        for notice in opened.notices:
            notify(notice)
        if self.describer.reader is not None:
            self.describer.reader.warm_up()  # the first request reads at full speed

    def check(self, settings: dict[str, Any]) -> Notice | None:
        """Why captions would be off with these settings (None when the model is there),
        without loading anything."""
        from vocalens.core import resolve_model

        try:
            resolve_model(settings["model"])
        except VocaLensError as exc:
            return captions_off(exc)
        return None

    def describe(
        self, job: Job, image: Image.Image, on_update: Callable[[Description], None]
    ) -> Description:
        assert self.describer is not None
        args = {"source": job.source, "label": job.label, "window": job.window, **job.options}
        args.update(on_update=on_update, first=job.first, origin=job.origin)
        try:
            return self.describer.describe(image, **args)
        except RuntimeError as exc:
            captioner = self.describer.captioner
            if "out of memory" not in str(exc).lower() or captioner is None:
                raise
            if captioner.runtime != "torch":
                raise
            self._fall_back_to_cpu()
            desc = self.describer.describe(image, **args)
            desc.parts.insert(1, Notice("cpu_fallback"))
            return desc

    def close(self) -> None:
        if self.describer is not None:
            self.describer.close()
            self.describer = None
            gc.collect()  # the old model's memory goes before a new one is loaded

    def _fall_back_to_cpu(self) -> None:
        """A GPU out of memory under the torch runtime: go on with the CPU."""
        import torch

        assert self.describer is not None and self.describer.captioner is not None
        captioner: Any = self.describer.captioner  # the torch runtime's Captioner
        captioner.to(torch.device("cpu"), torch.float32)
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
