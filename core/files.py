"""Files in and out. Read: only regular files, sizes capped — what a user or a model folder
hands us. Written: whole or not at all (``write_atomic``).

A named pipe opened for reading waits for a writer for ever, a device never ends, and a file
can be swapped for either between a check and the open; so a file is opened without waiting
and judged by what was opened.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

NO_WAIT = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
KINDS = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a named pipe, not a file"),
    (stat.S_ISSOCK, "is a socket, not a file"),
    (stat.S_ISCHR, "is a device, not a file"),
    (stat.S_ISBLK, "is a device, not a file"),
)


class NotAFile(OSError):
    """What was named cannot be read as a file; ``reason`` says why, in words for a sentence
    ("no such file", "is a named pipe, not a file", "is over 1 MB")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def open_regular(path: Path, most: int | None = None) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file (of at most ``most`` bytes);
    raises ``NotAFile`` otherwise, at once."""
    try:
        fd = os.open(path, os.O_RDONLY | NO_WAIT)
    except FileNotFoundError:
        raise NotAFile("no such file") from None
    except PermissionError:
        raise NotAFile("permission denied") from None
    except IsADirectoryError:
        raise NotAFile("is a folder, not a file") from None
    except OSError as exc:
        raise NotAFile(f"cannot be opened ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        why = kind_reason(info.st_mode)
        if why:
            raise NotAFile(why)
        if most is not None and info.st_size > most:
            raise NotAFile(f"is over {_size(most)}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def kind_reason(mode: int) -> str:
    """Why a file of this ``st_mode`` is not read ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    return next((why for test, why in KINDS if test(mode)), "is not a regular file")


def read_capped(path: Path, most: int) -> bytes:
    """A regular file's bytes, refused (``NotAFile``) over ``most`` bytes — also when it grows
    while it is read."""
    with open_regular(path, most) as f:
        data = f.read(most + 1)
    if len(data) > most:
        raise NotAFile(f"is over {_size(most)}")
    return data


def read_stream_capped(stream: BinaryIO, most: int) -> bytes | None:
    """Up to ``most`` bytes of a stream (standard input); None when there are more."""
    data = stream.read(most + 1)
    return None if len(data) > most else data


def _size(most: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if most >= scale:
            return f"{most / scale:g} {unit}"
    return f"{most} bytes"


def read_json(path: Path, most: int) -> Any:
    """A regular file of at most ``most`` bytes parsed as JSON. Raises ``NotAFile``, or
    ``ValueError`` for text that is not JSON (nested past what the parser follows included)."""
    raw = read_capped(path, most)
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except RecursionError:
        raise ValueError("it is nested too deeply") from None


# Writing a file so that it is either the old one or the whole new one, never half of either:
# a temporary file beside it, flushed to disk, then renamed over it.


def write_atomic(path: Path, write: Callable[[Path], object], private: bool = False) -> None:
    """Call ``write(tmp)`` to fill a temporary file, then put it in place of ``path``. Raises
    ``OSError`` (a full disk, a read-only folder) with ``path`` untouched. ``private``: only
    the user may read it (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        if private:
            os.chmod(tmp, 0o600)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # the rename itself reaches the disk (POSIX)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def write_text_atomic(path: Path, text: str, private: bool = False) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), private)


def write_folder_atomic(directory: Path, fill: Callable[[Path], object]) -> Path:
    """Call ``fill(tmp)`` to fill a temporary folder beside ``directory``, then put it in
    place of ``directory`` (an old one is removed only once the new one is whole). A failure
    leaves ``directory`` as it was."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        fill(tmp)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory
