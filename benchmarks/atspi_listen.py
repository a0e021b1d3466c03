"""Listens on the accessibility bus as a screen reader does and prints each announcement as
``<unix time> <text>`` (run with the system Python, which has pyatspi)."""

import sys
import time

import pyatspi


def heard(event) -> None:
    print(f"{time.time():.4f} {event.any_data}", flush=True)


pyatspi.Registry.registerEventListener(heard, "object:announcement")
print("listening", flush=True)
sys.stdout.flush()
pyatspi.Registry.start()
