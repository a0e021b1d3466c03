"""Only VocaLens's own words reach the user: other libraries' progress bars, log lines and
warnings go to a debug log instead of the terminal or the speech.

The entry points (the ``vocalens`` command, the desktop app and its helper processes) call
:func:`quiet_libraries` first; the library itself leaves a host program's logging alone.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

DEBUG_ENV = "VOCALENS_DEBUG"  # set to 1: every library's lines go to stderr, as they come
LOG_BYTES = 2 << 20  # a log file this large is set aside (.1, .2, …) and a new one begun
LOG_FILES = 3  # kept besides the current one: 8 MB in all at most


class Repeats(logging.Filter):
    """A line the same as the one before is counted, not written; the count is written before
    the next different line ("The line above was repeated 12 times.")."""

    def __init__(self) -> None:
        super().__init__()
        self.last: tuple[str, int, str] | None = None
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, record.getMessage())
        if key == self.last:
            self.count += 1
            return False
        if self.count:
            record.msg = f"(The line above was repeated {self.count} more times.) {record.msg}"
        self.last, self.count = key, 0
        return True


def quiet_libraries(log_file: Path | None = None) -> None:
    """Send library output to ``log_file`` (or nowhere); call before the libraries load."""
    if os.environ.get(DEBUG_ENV) == "1":
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
        logging.captureWarnings(True)
        return
    # transformers' and the Hub's own progress bars ("Loading weights", downloads); ours are
    # plain tqdm and stay.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # transformers and huggingface_hub print to stderr through handlers of their own (retry
    # lines while offline, advice): only their errors remain.
    os.environ.setdefault("HF_HUB_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    root = logging.getLogger()
    if any(h.get_name() == "vocalens" for h in root.handlers):
        return  # already done in this process
    handler: logging.Handler = logging.NullHandler()
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=LOG_BYTES, backupCount=LOG_FILES, encoding="utf-8"
            )
            handler.addFilter(Repeats())
        except OSError:
            pass  # no log folder: the lines are dropped, the work goes on
    handler.set_name("vocalens")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level == logging.WARNING:  # still Python's default
        root.setLevel(logging.INFO if log_file is not None else logging.WARNING)
    logging.captureWarnings(True)  # warnings become log lines ("py.warnings")
