"""Loading a captioner by registered name or by folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vocalens.core.catalog.download import installed_path, is_installed
from vocalens.core.catalog.registry import DEFAULT_MODEL, REGISTRY
from vocalens.core.errors import ModelError, ModelNotInstalledError
from vocalens.core.words import tr

if TYPE_CHECKING:
    from vocalens.core.inference.ort.convert import Progress
    from vocalens.core.inference.runtime import CaptionModel


def resolve_model(model: str | Path = DEFAULT_MODEL) -> Path:
    """The folder a model name or path refers to; raises with the command that fixes it."""
    path = Path(model)
    if path.is_dir():
        return path
    if path.is_file():
        raise ModelError(
            tr("{path} is a file, not a VocaLens model folder.").format(path=path),
            tr(
                "If it is a ClipCap checkpoint, convert it once: "
                "`vocalens models import-clipcap {path} --out DIR`."
            ).format(path=path),
        )
    name = str(model)
    if name in REGISTRY:
        if is_installed(name):
            return installed_path(name)
        raise ModelNotInstalledError(
            tr("The model '{name}' is not downloaded yet.").format(name=name),
            tr(
                "Run `vocalens models download {name}` once while online, or give a model folder "
                "with --model DIR."
            ).format(name=name),
            missing=[str(installed_path(name))],
            command=f"vocalens models download {name}",
        )
    raise ModelError(
        tr("No model called '{name}' and no such folder.").format(name=name),
        tr("Known models: {models}. `vocalens models list` shows them.").format(
            models=", ".join(REGISTRY)
        ),
    )


def load_captioner(
    model: str | Path = DEFAULT_MODEL,
    device: str = "auto",
    dtype: str = "auto",
    precision: str = "fp32",
    runtime: str = "auto",
    converting: Progress | None = None,
) -> CaptionModel:
    """Load by registered name or folder (see ``runtime.open_captioner``)."""
    from vocalens.core.inference.runtime import open_captioner

    folder = resolve_model(model)
    return open_captioner(folder, device, dtype, precision, runtime, converting)
