"""Derived files are used only when VocaLens made them, here, for this user.

A conversion's manifest lists every file it wrote with a digest of its content, and is sealed
with a keyed hash whose key (``derived.key``, 32 random bytes) never leaves this user's data
folder. A folder handed over — copied with its times kept, unpacked from an archive, edited —
carries no seal this key made, or files whose content differs from what was sealed, and is
made again. Hashing a gigabyte of graphs at every start would cost seconds, so each file's
identity on disk (inode, size, modification and change times; the change time cannot be set
by anyone, and any write or copy changes it) is sealed too: a file that is still the one
written is taken at once; another is hashed and compared.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from vocalens.core.files import NotAFile, read_capped, write_text_atomic
from vocalens.core.hashes import blake2b
from vocalens.core.paths import data_dir

KEY_FILE = "derived.key"
KEY_BYTES = 32
CHUNK = 1 << 20


def _key() -> bytes:
    """This user's sealing key, made at first use (readable by this user alone)."""
    path = data_dir() / KEY_FILE
    with contextlib.suppress(NotAFile):
        key = read_capped(path, KEY_BYTES)
        if len(key) == KEY_BYTES:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    made = path.with_name(f".{KEY_FILE}-{os.getpid()}")
    fd = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(os.urandom(KEY_BYTES))
    os.replace(made, path)  # two first uses at once: one key wins, the other's seal is redone
    return read_capped(path, KEY_BYTES)


def _same(given: str, made: str) -> bool:
    """Equal digests, compared in time that does not depend on where they differ (without
    ``hmac``, whose import loads OpenSSL's libcrypto into the app)."""
    differ = len(given) ^ len(made)
    for a, b in zip(given.encode(), made.encode().ljust(len(given)), strict=False):
        differ |= a ^ b
    return differ == 0


def _identity(info: os.stat_result) -> list[int]:
    return [info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _digest(path: Path, key: bytes = b"") -> str:
    """BLAKE2b of the file's content (keyed with ``key``, when given)."""
    digest = blake2b(key=key, digest_size=32)
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return str(digest.hexdigest())


def describe(folder: Path) -> dict[str, dict[str, Any]]:
    """Each file of ``folder``: its content digest and its identity on disk."""
    return {
        p.name: {"blake2b": _digest(p), "identity": _identity(p.stat())}
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def seal(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with its seal (made with this user's key)."""
    body = {k: v for k, v in record.items() if k != "seal"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return {**body, "seal": blake2b(canonical, key=_key(), digest_size=32).hexdigest()}


def sealed_here(record: dict[str, Any]) -> bool:
    """Whether ``record`` was sealed with this user's key and is unchanged since."""
    given = record.get("seal")
    return isinstance(given, str) and _same(given, seal(record)["seal"])


def intact(folder: Path, files: Any, skip: str) -> dict[str, Any] | None:
    """``files`` (as ``describe`` made them) with each file's identity as it is now, when
    ``folder`` holds exactly those regular files (``skip`` aside) with the content sealed;
    None otherwise."""
    if not isinstance(files, dict):
        return None
    present = {p.name for p in folder.iterdir() if not p.name.startswith(".")} - {skip}
    if present != set(files):
        return None
    now = {}
    for name, sealed in files.items():
        path = folder / name
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or not isinstance(sealed, dict):
            return None
        if sealed.get("identity") != _identity(info) and sealed.get("blake2b") != _digest(path):
            return None
        now[name] = {**sealed, "identity": _identity(info)}
    return now


SEAL = ".seal"


def seal_file(path: Path) -> None:
    """Seal one derived file: ``<name>.seal`` beside it holds this user's keyed digest of its
    content."""
    write_text_atomic(path.with_name(path.name + SEAL), _digest(path, _key()))


def sealed_file(path: Path) -> bool:
    """Whether ``path`` is a regular file whose content this user's VocaLens sealed."""
    try:
        given = read_capped(path.with_name(path.name + SEAL), 256).decode("ascii")
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
    except (OSError, UnicodeDecodeError):
        return False
    return _same(given, _digest(path, _key()))
