"""The real application on a real X server: describe the screen through the remote, hear it
(speech written to WAV files), and find it in the history."""

from __future__ import annotations

import shutil
import sys

import pytest

from tests.e2e import describe_screen_through_the_remote, xserver

pytestmark = [pytest.mark.display, pytest.mark.slow]

if shutil.which("Xvfb") is None:
    pytest.skip("Xvfb is not installed (the test command installs it)", allow_module_level=True)


def test_describe_screen_through_the_remote(tmp_path, tiny_model_dir) -> None:
    with xserver() as display:
        command = [sys.executable, "-m", "vocalens.desktop"]
        describe_screen_through_the_remote(command, display, tmp_path, tiny_model_dir)
