"""Nothing leaves the user's machine but a model download they asked for.

onnxruntime (1.29 and later, on Linux and macOS) records telemetry events in
``~/.cache/Microsoft/DeveloperTools`` and uploads them to Microsoft, unless
``ORT_DISABLE_TELEMETRY`` is set before onnxruntime is imported (it is read once, at import).
The Hugging Face Hub's client has telemetry of its own. Importing ``vocalens.core`` turns both
off for the process and the helper processes it starts, so this runs before anything of ours
can import them; a program that imports onnxruntime before VocaLens must set the variable
itself.
"""

from __future__ import annotations

import os

SWITCHES = {"ORT_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def keep_to_this_machine() -> None:
    """Turn the libraries' telemetry off in this process and the ones it starts."""
    os.environ.update(SWITCHES)
