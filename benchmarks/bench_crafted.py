"""Crafted inputs against the command line, each in a process of its own: hostile .pt
checkpoints (``models import-clipcap``), model folders with hostile settings, images that are
pipes, devices or decoder bombs, two gigabytes on standard input, an absurd thread count. For
each: the exit code, what reached the terminal (one sentence of ours, no traceback), the time
and the peak memory against a normal describe's (the process's own high-water mark, from
/proc's VmHWM, written as it exits)."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the crafted checkpoints

from tests.core.crafted_pt import P, glob, ints, num, state, storage, tensor, text, write

from common import report

# The command line, reporting its own peak memory as it exits (the high-water mark of its own
# address space: ``wait4``'s would count the parent's from the spawn).
MEASURED = """
import atexit, os, re, runpy, sys
def peak():
    status = open("/proc/self/status").read()
    with open(os.environ["VOCALENS_BENCH_PEAK"], "w") as f:
        f.write(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
atexit.register(peak)
sys.argv = ["vocalens", *sys.argv[1:]]
runpy.run_module("vocalens.core.cli.main", run_name="__main__")
"""
CLI = [sys.executable, "-c", MEASURED]
LIMIT_S = 60


def run(args: list[str], stdin: str | None = None, env: dict[str, str] | None = None) -> dict:
    """One command: exit code, output, seconds, peak MB (killed after ``LIMIT_S``)."""
    with tempfile.TemporaryFile() as out:
        return _run(args, out, stdin, env)


def _run(args: list[str], out: Any, stdin: str | None, env: dict[str, str] | None) -> dict:
    peak = Path(tempfile.mkstemp()[1])
    shell = ["/bin/sh", "-c", f'{stdin} | exec "$@"', "sh", *args] if stdin else args
    start = time.monotonic()
    environ = {**os.environ, **(env or {}), "VOCALENS_BENCH_PEAK": str(peak)}
    pid = os.posix_spawn(shell[0], shell, environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                                       (os.POSIX_SPAWN_DUP2, out.fileno(), 2)])  # fmt: skip
    while True:
        done, status, _ = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > LIMIT_S:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)
    out.seek(0)
    said = out.read().decode(errors="replace")
    kb = peak.read_text() or "0"
    peak.unlink()
    return {
        "code": os.waitstatus_to_exitcode(status),
        "seconds": round(time.monotonic() - start, 2),
        "peak_mb": round(int(kb) / 1024),
        "said": said.strip()[-400:],
    }


LOOP = P.EMPTY_LIST + P.BINPUT + b"\x01" + P.BINGET + b"\x01" + P.APPEND  # a list in itself


def checkpoints(folder: Path) -> dict[str, Path]:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", state(w=tensor(num(0), ints((4,)), ints((1,)),
                                                      store=storage(numel=1 << 28))))  # fmt: skip
        with z.open("archive/data/0", "w", force_zip64=True) as entry:
            zeros = bytes(64 << 20)
            for _ in range(16):  # 1 GB of zeros, a megabyte deflated
                entry.write(zeros)
    (folder / "deflate-bomb.pt").write_bytes(bomb.getvalue())
    laughs = P.EMPTY_LIST + text("lol") + P.APPEND
    for depth in range(9):
        laughs += P.BINPUT + bytes([depth]) + P.POP + P.EMPTY_LIST + P.MARK
        laughs += (P.BINGET + bytes([depth])) * 10 + P.APPENDS
    made = {
        "past-its-data": state(w=tensor(num(0), ints((1280,)), ints((1,)))),
        "far-past-its-data": state(w=tensor(num(0), ints((2**40,)), ints((1,)))),
        "negative-stride": state(w=tensor(num(100), ints((10,)), P.MARK + num(-1) + P.TUPLE)),
        "stride-0-50GB": state(w=tensor(num(0), ints((50 << 30,)), ints((0,)))),
        "billion-laughs": state(w=laughs),
        "self-reference": state(w=LOOP),
        "100000-deep": state(w=P.EMPTY_LIST * 100_000 + P.APPEND * 99_999),
        "memo-index-2G": state(w=P.EMPTY_LIST + P.LONG_BINPUT + b"\xff\xff\xff\x7f"),
        "odd-types": state(w=tensor(text("ten"), text("two"), ints((1,)))),
        "code": state(w=glob("os", "system") + P.MARK + text("true") + P.TUPLE + P.REDUCE),
    }
    paths = {name: write(folder / f"{name}.pt", program) for name, program in made.items()}
    paths["deflate-bomb"] = folder / "deflate-bomb.pt"
    paths["a-folder"] = folder
    os.mkfifo(folder / "fifo.pt")
    paths["named-pipe"] = folder / "fifo.pt"
    return paths


def images(folder: Path) -> dict[str, Path]:
    os.mkfifo(folder / "fifo.png")
    ramp = np.linspace(0, 255, 2400, dtype=np.uint8)
    photo = Image.fromarray(np.stack([np.tile(ramp, (1800, 1))] * 3, axis=-1))
    honest = io.BytesIO()
    photo.save(honest, "JPEG", progressive=True, quality=90)
    data = honest.getvalue()
    last = data[data.rfind(b"\xff\xda") : -2]
    (folder / "scans.jpg").write_bytes(data[:-2] + last * 3000 + b"\xff\xd9")
    shot = Image.new("RGB", (3000, 1000), "white")
    ImageDraw.Draw(shot).text((40, 400), "Palette screenshot", fill="black",
                              font=ImageFont.load_default(size=60))  # fmt: skip
    shot.convert("P").save(folder / "palette.png")
    return {
        "named-pipe": folder / "fifo.png",
        "device": Path("/dev/zero"),
        "3000-scan-jpeg": folder / "scans.jpg",
        "wide-palette-png": folder / "palette.png",
    }


def model_folders(base: Path, folder: Path) -> dict[str, Path]:
    def variant(name: str, change: Callable[[Path], None]) -> Path:
        made = shutil.copytree(base, folder / name)
        change(made / "config.json")
        return made

    def decoding(**values: int) -> Callable[[Path], None]:
        def change(path: Path) -> None:
            config = json.loads(path.read_text())
            config["decoding"].update(values)
            path.write_text(json.dumps(config))

        return change

    def huge(path: Path) -> None:
        with path.open("r+b") as f:
            f.truncate(1 << 30)

    def pipe(path: Path) -> None:
        path.unlink()
        os.mkfifo(path)

    return {
        "num_beams-100000": variant("beams", decoding(num_beams=100_000)),
        "max_new_tokens-1000000": variant("tokens", decoding(max_new_tokens=1_000_000)),
        "config-1GB": variant("huge", huge),
        "config-named-pipe": variant("pipe", pipe),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from vocalens.core.model.checkpoint import save_captioner
    from vocalens.core.testing import tiny_captioner

    work = Path(tempfile.mkdtemp(prefix="crafted-"))
    env = {"VOCALENS_CACHE_DIR": str(work / "cache"), "VOCALENS_DATA_DIR": str(work / "data")}
    model = save_captioner(tiny_captioner(work / "tiny"), work / "model", include_decoder=True)
    sample = work / "sample.png"
    Image.new("RGB", (640, 480), (40, 120, 200)).save(sample)
    normal = run([*CLI, "describe", str(sample), "--model", str(model)], env=env)
    assert normal["code"] == 0, normal
    results: dict[str, dict] = {"normal describe": normal}
    (work / "pt").mkdir()
    for name, path in checkpoints(work / "pt").items():
        command = [*CLI, "models", "import-clipcap", str(path), "--out", str(work / "x")]
        results[f".pt {name}"] = run(command, env=env)
    (work / "img").mkdir()
    for name, path in images(work / "img").items():
        command = [*CLI, "describe", str(path), "--model", str(model)]
        results[f"image {name}"] = run(command, env=env)
    results["stdin 2 GB"] = run([*CLI, "describe", "-", "--no-caption"],
                                stdin="head -c 2000000000 /dev/zero", env=env)  # fmt: skip
    (work / "models").mkdir()
    for name, path in model_folders(model, work / "models").items():
        command = [*CLI, "describe", str(sample), "--model", str(path)]
        results[f"model {name}"] = run(command, env=env)
    results["VOCALENS_THREADS=100000"] = run(
        [*CLI, "describe", str(sample), "--model", str(model)],
        env={**env, "VOCALENS_THREADS": "100000"},
    )
    shutil.rmtree(work, ignore_errors=True)
    for name, r in results.items():
        r["over_normal_mb"] = r["peak_mb"] - normal["peak_mb"]
        r["traceback"] = "Traceback" in r["said"]
        first = r["said"].splitlines()[0][:110] if r["said"] else ""
        print(f"{name:<32} code {r['code']:>3} {r['seconds']:>6} s {r['peak_mb']:>5} MB  {first}",
              file=sys.stderr)  # fmt: skip
    crafted = {k: v for k, v in results.items() if k != "normal describe"}
    summary = {
        "inputs": len(crafted),
        "with_traceback_or_signal": sum(r["traceback"] or r["code"] < 0 for r in crafted.values()),
        "slowest_s": max(r["seconds"] for r in crafted.values()),
        "most_over_normal_mb": max(r["over_normal_mb"] for r in crafted.values()),
        "normal_peak_mb": normal["peak_mb"],
    }
    report({**summary, "each": results}, args.out)


if __name__ == "__main__":
    main()
