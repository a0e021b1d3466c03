"""Desktop figures on a real X server (Xvfb): hotkey-to-speech latency with a warm model
(real-size random weights, CPU), and the idle memory and CPU of the running application.

    python benchmarks/bench_desktop.py [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vocalens.core import save_captioner
from vocalens.core.testing import real_size_captioner

from common import gpt2_vocab, machine, report

LATENCY = r"""
import json, statistics, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from vocalens.desktop.app import Controller
from vocalens.desktop.history import History
from vocalens.desktop.settings import Settings
from vocalens.desktop.speech.base import Speaker

class Clock(Speaker):
    def __init__(self):
        super().__init__()
        self.at = []
    def speak(self, text):
        self.at.append(time.perf_counter())
    def stop(self):
        pass

speaker = Clock()
c = Controller(Settings(), History(), speaker=speaker, use_tray=False)
c.start()
def run_once():
    done = []
    c.described.connect(lambda d: done.append(d))
    start = time.perf_counter()
    c.run_action("screen")                      # what the hotkey handler calls
    while not done:
        app.processEvents()
        time.sleep(0.001)
    c.described.disconnect()
    return (speaker.at[-1] - start) * 1e3, done[0].timings
run_once()                                       # loads and warms the model
samples = [run_once() for _ in range(int(sys.argv[1]))]
print(json.dumps({"latency_ms": [round(s[0], 1) for s in samples],
                  "timings": samples[-1][1]}))
c.shutdown()
"""


def proc_stats(pid: int) -> tuple[float, float]:
    """(RSS in MB, CPU seconds so far) of a process, from /proc."""
    rss = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss, (int(fields[11]) + int(fields[12])) / ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is needed (apt-get install xvfb)")
    tmp = Path(tempfile.mkdtemp())
    vocab = gpt2_vocab()
    model = save_captioner(real_size_captioner(vocab), tmp / "model", include_decoder=True)
    xvfb = subprocess.Popen(
        ["Xvfb", ":77", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(
        DISPLAY=":77",
        VOCALENS_CONFIG_DIR=str(tmp / "config"),
        VOCALENS_DATA_DIR=str(tmp / "data"),
        XDG_CONFIG_HOME=str(tmp / "xdg"),
        VOCALENS_SPEECH_RECORD_DIR=str(tmp / "speech"),
    )
    results: dict[str, object] = {"machine": machine(), "screen": "1920x1080 (Xvfb)"}
    try:
        for decoding in ("greedy", "beam"):
            (tmp / "config").mkdir(exist_ok=True)
            (tmp / "config" / "settings.json").write_text(
                json.dumps({"model": str(model), "decoding": decoding, "max_tokens": 16})
            )
            out = subprocess.run(
                [sys.executable, "-c", LATENCY, str(args.repeats)],
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            data = json.loads(out.stdout.strip().splitlines()[-1])
            results[f"hotkey_to_speech_{decoding}_ms"] = statistics.median(data["latency_ms"])
            results[f"stages_{decoding}_ms"] = data["timings"]
        (tmp / "config" / "settings.json").write_text(
            json.dumps({"model": str(model), "load_at_start": True})
        )
        app = subprocess.Popen(
            [sys.executable, "-m", "vocalens.desktop", "--no-tray"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(30)  # started, model loaded, settled
        rss, cpu0 = proc_stats(app.pid)
        time.sleep(args.idle_seconds)
        rss_after, cpu1 = proc_stats(app.pid)
        results["idle_rss_mb_model_loaded"] = round(max(rss, rss_after), 1)
        results["idle_cpu_percent"] = round(100 * (cpu1 - cpu0) / args.idle_seconds, 2)
        subprocess.run([sys.executable, "-m", "vocalens.desktop", "--quit"], env=env, timeout=60)
        app.wait(30)
    finally:
        xvfb.terminate()
        shutil.rmtree(tmp, ignore_errors=True)
    report(results, args.out)


if __name__ == "__main__":
    main()
