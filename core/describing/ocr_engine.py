"""RapidOCR's engine as VocaLens runs it: no rotation step, the library's lines in our log, and
recognition — most of the time a screen takes — on a derived model with a memory arena.

The derived copy of the wheel's recognition model is made once into the cache: int8 MatMul
weights (onnxruntime's own quantizer; the same text on 405 of 408 lines of screens and pages,
the other three in its favour, about 10 % faster) and, where the user's language is written
in an alphabet, only the alphabets' characters (``ocr_scripts``: the same text on 493 of 493
lines, about 7 % faster again). The arena makes recognition about 15 % faster again; it is
emptied after every batch, so its memory does not stay with the app between descriptions.
Where the copy cannot be made (no quantizer, a cache that cannot be written) the wheel's own
model is used, as before.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from vocalens.core.atomic import write_atomic
from vocalens.core.describing.ocr_scripts import chosen, keep_alphabets
from vocalens.core.errors import VocaLensError
from vocalens.core.paths import cache_dir, fingerprint
from vocalens.core.quiet import route_to_root

log = logging.getLogger(__name__)


class OCRUnavailableError(VocaLensError):
    """The optional OCR extra is not installed."""


def make_engine(first_side: int, threads: int | None = None) -> Any:
    """A RapidOCR engine finding lines on copies of ``first_side`` pixels a side at most."""
    try:
        from rapidocr import RapidOCR
        from rapidocr.utils.log import logger
    except ImportError:
        raise OCRUnavailableError(
            "Text reading is not installed.",
            "Install it with: pip install 'vocalens[ocr]'.",
        ) from None
    params: dict[str, Any] = {
        "Global.log_level": "warning",
        # Screens hold upright text: the rotation classifier only costs time.
        "Global.use_cls": False,
        "Det.limit_type": "max",
        "Det.limit_side_len": first_side,
    }
    if threads:
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
    route_to_root(logger)  # no coloured "[WARNING] … detection result is empty"
    return RapidOCR(params=params)


def faster_recognition(recogniser: Any, threads: int | None = None, scripts: str = "auto") -> None:
    """Give RapidOCR's recogniser the derived model (int8; the alphabets alone where
    ``scripts`` says so) and an arena emptied after each batch. Left as it is where that
    cannot be done."""
    import onnxruntime as ort
    from rapidocr.ch_ppocr_rec.utils import CTCLabelDecode

    session = getattr(recogniser.session, "session", None)
    source = getattr(session, "_model_path", None)
    if session is None or source is None or isinstance(session, ShrinkingSession):
        return
    model = derived_copy(Path(source), chosen(scripts)) or Path(source)
    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = True
    if threads:
        options.intra_op_num_threads = threads
    try:
        faster = ort.InferenceSession(str(model), options, providers=session.get_providers())
        characters = faster.get_modelmeta().custom_metadata_map["character"].splitlines()
    except Exception:  # a damaged copy: the wheel's model goes on as before
        log.warning(
            "The derived text model could not be loaded; using the original.", exc_info=True
        )
        model.unlink(missing_ok=True)
        return
    recogniser.session.session = ShrinkingSession(faster)
    recogniser.postprocess_op = CTCLabelDecode(character=characters)


class ShrinkingSession:
    """An onnxruntime session whose memory arena is handed back after every run: the speed of
    reused buffers within a batch, none of the memory kept between descriptions."""

    def __init__(self, session: Any) -> None:
        import onnxruntime as ort

        self.session = session
        self.options = ort.RunOptions()
        self.options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run(self, outputs: Any, feed: dict[str, Any]) -> Any:
        return self.session.run(outputs, feed, self.options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)  # inputs, outputs, metadata (the character list)


def derived_copy(source: Path, scripts: str) -> Path | None:
    """The int8 copy of the recognition model ``source`` (narrowed to the alphabets where
    ``scripts`` is "alphabets"), made now if it is not in the cache yet (a few seconds,
    once); None where it cannot be made."""
    key = fingerprint(source.parent, [source.name])[:12]
    target = cache_dir() / "ocr" / f"{source.stem}.{scripts}.int8-{key}.onnx"
    if target.exists():
        return target
    try:
        write_atomic(target, lambda tmp: _derive_apart(source, tmp, scripts))
    except Exception:  # no quantizer, a read-only or full cache: the float model works
        log.warning("The derived text model could not be made; using the original.", exc_info=True)
        return None
    for old in target.parent.glob(f"{source.stem}.{scripts}.int8-*.onnx"):
        if old != target:
            old.unlink(missing_ok=True)  # a copy of an older wheel's model
    return target


def _derive_apart(source: Path, target: Path, scripts: str) -> None:
    """``_derive`` in a process of its own: the quantizer's libraries and working memory
    (some 75 MB that glibc would keep) leave with it, and the app stays as light as on every
    later start."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        pool.submit(_derive_quietly, source, target, scripts).result()


def _derive_quietly(source: Path, target: Path, scripts: str) -> None:
    """The child's own output goes nowhere: only the app speaks to the user."""
    with open(os.devnull, "w") as nowhere:
        os.dup2(nowhere.fileno(), 1)
        os.dup2(nowhere.fileno(), 2)
    _derive(source, target, scripts)


def _derive(source: Path, target: Path, scripts: str) -> None:
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
