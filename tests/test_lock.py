"""The environment holds exactly what the lock says: a fresh clone installs what was tested."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = Path(__file__).resolve().parents[1] / "packaging" / "requirements.lock"


def locked_here() -> dict[str, str]:
    """Name -> version of every locked package meant for this platform and Python."""
    pins = {}
    for line in LOCK.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            (spec,) = req.specifier
            assert spec.operator == "==", line  # a lock pins, never ranges
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_every_locked_package_is_installed_at_its_locked_version() -> None:
    installed = {
        canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()
    }
    pins = locked_here()
    assert len(pins) > 50  # the whole tree, not only our direct dependencies
    wrong = {
        name: (want, installed.get(name))
        for name, want in pins.items()
        if installed.get(name) != want
    }
    assert wrong == {}, "run `make setup` (the environment differs from the lock)"


def test_the_lock_serves_every_platform_we_build_for() -> None:
    text = LOCK.read_text()
    for marker in ("sys_platform == 'win32'", "sys_platform == 'darwin'", "python_full_version"):
        assert marker in text, marker  # a universal lock, not only this machine's
