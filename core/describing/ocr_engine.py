"""The text models of RapidOCR's wheel as VocaLens runs them: straight on onnxruntime (only
the model files come from the wheel: its own Python layer — a configuration system, a
downloader, a geometry library — would hold some 40 MB of the app's memory for the few
functions ``ocr_db`` and ``ocr_ctc`` do), recognition — most of the time a screen takes — on a
derived model, and no memory arena (it kept 15 MB after a screen for 2 % of speed).

The derived copy of the wheel's recognition model is made once into the cache: int8 MatMul
weights (onnxruntime's own quantizer; the same text on 405 of 408 lines of screens and pages,
the other three in its favour, about 10 % faster) and, where the user's language is written
in an alphabet, only the alphabets' characters (``ocr_scripts``: the same text on 493 of 493
lines, about 7 % faster again). Where the copy cannot be made (no quantizer, a cache that
cannot be written) the wheel's own model is used, as before.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

import numpy as np

from vocalens.core.describing import ocr_ctc, ocr_db
from vocalens.core.describing.ocr_scripts import chosen, keep_alphabets
from vocalens.core.errors import VocaLensError
from vocalens.core.files import write_atomic
from vocalens.core.inference.apart import Progress, run_apart
from vocalens.core.inference.ort.seal import seal_file, sealed_file
from vocalens.core.paths import cache_dir, fingerprint
from vocalens.core.words import tr

log = logging.getLogger(__name__)

REINSTALL = "Install it again with: pip install --force-reinstall 'vocalens[ocr]'."


class OCRUnavailableError(VocaLensError):
    """The optional OCR extra is not installed, or its models are missing."""


class TextEngine:
    """The line finder and the line reader, their sessions made at once (about a second)."""

    def __init__(self, threads: int | None = None, scripts: str = "auto") -> None:
        finder, reader = wheel_models()
        self.finder = _session(finder, threads)
        self.reader, self.characters = self._reader(reader, chosen(scripts), threads)

    def find(self, pixels: np.ndarray, side: int) -> list[np.ndarray]:
        """The lines in ``pixels`` (RGB), found on a copy of ``side`` pixels a side at most."""
        return ocr_db.find(self.finder, pixels, side)

    def read(self, lines: list[np.ndarray]) -> list[tuple[str, float]]:
        """The text of each line (cut out with ``ocr_ctc.crop``) and its confidence."""
        return ocr_ctc.read(self.reader, self.characters, lines) if lines else []

    @staticmethod
    def _reader(source: Path, scripts: str, threads: int | None) -> tuple[Any, list[str]]:
        """The derived recognition model (int8; the alphabets alone where ``scripts`` says so)
        and its characters; the wheel's own model where the copy cannot be made or loaded."""
        derived = derived_copy(source, scripts)
        if derived is not None:
            try:
                session = _session(derived, threads)
                return session, _characters(session)
            except Exception:  # a damaged copy: the wheel's model reads on
                log.warning(
                    "The derived text model could not be loaded; using the original.",
                    exc_info=True,
                )
                derived.unlink(missing_ok=True)
        session = _session(source, threads)
        try:
            return session, _characters(session)
        except KeyError:
            raise OCRUnavailableError(tr("The text reading model is damaged."), REINSTALL) from None


def _session(model: Path, threads: int | None) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.enable_cpu_mem_arena = False
    if threads:
        options.intra_op_num_threads = threads
    try:
        return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # a damaged install, or a damaged derived copy
        raise OCRUnavailableError(tr("The text reading model could not be loaded."),
                                  REINSTALL) from error  # fmt: skip


def _characters(session: Any) -> list[str]:
    return list(session.get_modelmeta().custom_metadata_map["character"].splitlines())


def wheel_models() -> tuple[Path, Path]:
    """The detection and recognition models inside RapidOCR's wheel."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise OCRUnavailableError(
            tr("Text reading is not installed."),
            tr("Install it with: pip install 'vocalens[ocr]'."),
        )
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    found = [sorted(models.glob(f"*_{task}_*.onnx")) for task in ("det", "rec")]
    if not all(found):
        raise OCRUnavailableError(tr("The text reading models are missing."), REINSTALL)
    return found[0][-1], found[1][-1]


def derived_copy(source: Path, scripts: str) -> Path | None:
    """The int8 copy of the recognition model ``source`` (narrowed to the alphabets where
    ``scripts`` is "alphabets"), made now if it is not in the cache yet (a few seconds,
    once); None where it cannot be made."""
    key = fingerprint(source.parent, [source.name])[:12]
    target = cache_dir() / "ocr" / f"{source.stem}.{scripts}.int8-{key}.onnx"
    if sealed_file(target):  # made here, by VocaLens, for this user: nothing else is run
        return target
    try:
        write_atomic(target, lambda tmp: _derive_apart(source, tmp, scripts))
        seal_file(target)
    except Exception:  # no quantizer, a read-only or full cache: the float model works
        log.warning("The derived text model could not be made; using the original.", exc_info=True)
        return None
    for old in target.parent.glob(f"{source.stem}.{scripts}.int8-*.onnx*"):
        if not old.name.startswith(target.name):
            old.unlink(missing_ok=True)  # a copy of an older wheel's model, and its seal
    return target


def _derive_apart(source: Path, target: Path, scripts: str) -> None:
    """``_derive`` in a process of its own: the quantizer's libraries and working memory
    (some 75 MB that glibc would keep) leave with it, and the app stays as light as on every
    later start."""
    run_apart(_derive, source, target, scripts, what="The text model could not be derived")


def _derive(source: Path, target: Path, scripts: str, progress: Progress | None = None) -> None:
    import onnx

    from vocalens.core.inference.ort.int8 import quantize_int8

    model = onnx.load(str(source))
    if scripts == "alphabets":
        keep_alphabets(model)
    narrowed = target.with_name(target.name + ".fp32")
    try:
        onnx.save(model, str(narrowed))
        quantize_int8(narrowed, target, ("MatMul",))
    finally:
        narrowed.unlink(missing_ok=True)
