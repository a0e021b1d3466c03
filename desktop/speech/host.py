"""The pyttsx3 speech host: a child process that owns the engine.

pyttsx3 wants its engine and loop on one thread and, on Linux, plays each utterance with a
blocking player; a separate process can be stopped mid-sentence by ending its process group.
Protocol: JSON lines on stdin ({"id", "text", "rate", "volume", "voice", "path"}), JSON lines
on the original stdout ({"ready"} once, then {"done": id} or {"error": "..."}).
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    proto = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # pyttsx3 prints; keep it off the protocol
    try:
        import pyttsx3

        engine = pyttsx3.init()
    except Exception as exc:
        proto.write(json.dumps({"error": f"pyttsx3 could not start: {exc}"}) + "\n")
        return
    proto.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        try:
            msg = json.loads(line)
            engine.setProperty("rate", int(msg.get("rate", 180)))
            engine.setProperty("volume", float(msg.get("volume", 1.0)))
            if msg.get("voice"):
                engine.setProperty("voice", msg["voice"])
            path = msg.get("path")
            if path:  # written under another name first: a file that appears is whole
                engine.save_to_file(msg["text"], f"{path}.part")
            else:
                engine.say(msg["text"])
            engine.runAndWait()
            if path and os.path.exists(f"{path}.part"):
                os.replace(f"{path}.part", path)
                with open(f"{path}.txt", "w", encoding="utf-8") as said:  # what it holds
                    said.write(msg["text"])
            proto.write(json.dumps({"done": msg.get("id")}) + "\n")
        except Exception as exc:
            proto.write(json.dumps({"error": str(exc)}) + "\n")


if __name__ == "__main__":
    main()
