"""Opening a model folder on onnxruntime: converted once, at the precision chosen once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vocalens.core.errors import ConfigError, ModelError
from vocalens.core.inference.agreement import compare, probe_images, reference
from vocalens.core.inference.apart import run_apart
from vocalens.core.inference.memory import release_freed_memory
from vocalens.core.inference.ort.captioner import OrtCaptioner
from vocalens.core.inference.ort.convert import (
    Converted,
    Progress,
    convert,
    converted,
    keep_manifest,
)
from vocalens.core.inference.ort.providers import CPU, choose_providers
from vocalens.core.inference.ort.seal import seal
from vocalens.core.inference.ort.tokenizer import BPETokenizer
from vocalens.core.inference.precision import Path_, check_precision
from vocalens.core.model.config import CONFIG, read_config

# Bytes of weights from which a first load converts in a helper: a real-size model's
# conversion holds a gigabyte; a helper costs about a second, worth it only then.
APART_FROM = 50_000_000


def open_ort(
    directory: Path, device: str = "auto", precision: str = "auto", progress: Progress | None = None
) -> OrtCaptioner:
    """``precision``: fp32, int8, or auto (on the CPU, the fastest precision whose decisions
    agree with fp32's for this model, measured at its first load and kept; fp32 on a GPU).
    A first load converts the folder and chooses its precision in a helper process (for a
    model whose weights weigh ``APART_FROM`` or more)."""
    check_precision(precision)
    if needs_preparing(directory, device, precision) and _weight_bytes(directory) >= APART_FROM:
        run_apart(prepare, directory, device, precision, progress=progress,
                  what="The model could not be converted")  # fmt: skip
    chosen, make = _prepared(directory, device, precision, progress)
    model = make(chosen)
    release_freed_memory()
    return model


def _weight_bytes(directory: Path) -> int:
    try:
        cfg = read_config(directory)
    except (OSError, ModelError):
        return 0  # opening it says what is wrong
    names = filter(None, [cfg.projector.weights, cfg.encoder.weights, cfg.decoder.weights])
    return sum((directory / n).stat().st_size for n in names if (directory / n).is_file())


def prepare(directory: Path, device: str, precision: str, progress: Progress | None = None) -> None:
    """What a first load does before it opens the model: convert the folder and choose its
    precision (both kept with the converted files). A gigabyte of working memory for a
    real-size model, which is why ``open_ort`` runs it apart."""
    _prepared(directory, device, precision, progress)


def _prepared(
    directory: Path, device: str, precision: str, progress: Progress | None
) -> tuple[Path_, Callable[[Path_], OrtCaptioner]]:
    """The precision to open the folder at, and how to open it (converting and choosing
    first where that was not done yet)."""
    done = converted(directory) or convert(directory, progress)
    cfg = read_config(directory)
    tokenizer = BPETokenizer(directory / cfg.decoder.tokenizer)
    on_cpu = choose_providers(device)[0] == CPU
    rows = done.token_rows()

    def make(path: Path_) -> OrtCaptioner:
        return OrtCaptioner(done.files(path), cfg, tokenizer, path, device, rows)

    chosen: Path_ = (
        "fp32" if precision == "fp32" or (precision == "auto" and not on_cpu) else "int8"
    )
    if precision == "auto" and on_cpu:
        chosen = stored_choice(done) or _choose(done, make)
    return chosen, make


def needs_preparing(directory: Path, device: str = "auto", precision: str = "auto") -> bool:
    """Whether opening this folder will first convert it or choose its precision (seconds,
    once), so that the user can be told."""
    done = converted(directory)
    if done is None:
        return (directory / CONFIG).is_file()  # a folder that is not a model fails at once
    try:
        on_cpu = choose_providers(device)[0] == CPU
    except ConfigError:
        return False
    return precision == "auto" and on_cpu and stored_choice(done) is None


def stored_choice(done: Converted) -> Path_ | None:
    choice = done.manifest.get("precision")
    return choice if choice in ("fp32", "int8-decoder", "int8") else None


def _choose(done: Converted, make: Callable[[Path_], OrtCaptioner]) -> Path_:
    """The fastest precision that agrees with fp32 on the probe images; kept in the manifest
    (best effort: a read-only folder means choosing again at the next load)."""
    images = probe_images()
    exact = make("fp32")
    ref = reference(exact, images)
    del exact
    tried = {}
    decoder_only = make("int8-decoder")
    tried["int8-decoder"] = compare(ref, decoder_only, ref.embeddings)
    del decoder_only
    chosen: Path_ = "fp32"
    if tried["int8-decoder"].passes():
        tried["int8"] = compare(ref, make("int8"))
        chosen = "int8" if tried["int8"].passes() else "int8-decoder"
    record = {**done.manifest, "precision": chosen}
    record["agreement"] = {name: a.rounded() for name, a in tried.items()}
    done.manifest = seal(record)
    keep_manifest(done.folder, done.manifest)
    return chosen
