"""History of descriptions in SQLite: every result with time, source, caption and a thumbnail.

Each description is committed on its own (WAL, synchronous=FULL), so a crash loses at most the
one in flight. It holds what was on the user's screen, so it is private (0600 in a 0700 folder)
and deleted rows are overwritten. Only a corrupt or foreign file counts as damage: it is moved
aside and a fresh one started. Any other trouble (a read-only folder, a database in use) keeps
this session's history in memory. Either way the user is told once.
"""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from PIL import Image

from vocalens.core import N_, data_dir, tr

UNSAVED = N_("The history cannot be saved ({reason}); this session's is kept in memory.")
SCHEMA = """
CREATE TABLE IF NOT EXISTS descriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    source TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    spoken TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    thumbnail BLOB,
    image BLOB,
    kind TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS by_time ON descriptions (created);
"""
THUMB = 160
T = TypeVar("T")
log = logging.getLogger(__name__)


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    """A corrupt or foreign file, as opposed to one that cannot be opened or written now."""
    if isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "integrity" in text


@dataclass
class Entry:
    id: int
    created: float
    source: str
    label: str
    caption: str
    text: str
    spoken: str
    model: str
    thumbnail: bytes | None
    kind: str = ""  # what kind of image, and how sure ("Kind: photo (sure). …")


class History:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "history.db"
        self.notice = ""  # one sentence when the database had to be replaced or is unavailable
        self.on_notice: Callable[[str], None] | None = None  # told when it becomes unavailable
        self.db = self._open()

    def _use(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` done on the database; should the file fail now (locked by another program
        past the wait, made read-only, its disk gone), on this session's history in memory,
        which is said once."""
        try:
            return work(self.db)
        except sqlite3.OperationalError as exc:
            if self.in_memory:
                raise
            log.warning("history unavailable: %s", exc)
            why = tr("it is in use by another program") if "locked" in str(exc) else str(exc)
            self.notice = tr(UNSAVED).format(reason=why)
            self.db = self._connect(Path(":memory:"))
            if self.on_notice is not None:
                self.on_notice(self.notice)
            return work(self.db)

    @property
    def in_memory(self) -> bool:
        return bool(self.db.execute("PRAGMA database_list").fetchone()[2] == "")

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._make_private()
            db = self._connect(self.path)
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
            self._make_private()  # the files SQLite just made (-wal, -shm) too
            return db
        except sqlite3.DatabaseError as exc:
            if _damaged(exc):
                return self._replace_damaged()
            why = tr("it is in use by another program") if "locked" in str(exc) else str(exc)
        except OSError as exc:
            why = tr("{folder} cannot be written ({reason})").format(
                folder=self.path.parent, reason=exc.strerror or exc
            )
        self.notice = tr(UNSAVED).format(reason=why)
        return self._connect(Path(":memory:"))

    def _make_private(self) -> None:
        """Only the user may read the history: it holds what was on their screen."""
        if os.name != "posix":
            return  # Windows and macOS keep the per-user data folder private already
        for part in (self.path.parent, *(Path(f"{self.path}{s}") for s in ("", "-wal", "-shm"))):
            if part.exists():  # others' access taken away; the user's own left as they set it
                part.chmod(part.stat().st_mode & 0o700)

    def _replace_damaged(self) -> sqlite3.Connection:
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                os.replace(part, Path(f"{aside}{suffix}"))
        self.notice = tr(
            "The history was damaged; it was moved to {path} and a new one started."
        ).format(path=aside)
        return self._connect(self.path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        old = os.umask(0o077)  # files SQLite creates are the user's alone
        try:
            db = sqlite3.connect(str(path), timeout=3.0, check_same_thread=False)
            db.execute("PRAGMA secure_delete=ON")  # deleted descriptions are overwritten
            db.execute("PRAGMA journal_mode=WAL")
        finally:
            os.umask(old)
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(SCHEMA)
        columns = {row[1] for row in db.execute("PRAGMA table_info(descriptions)")}
        if "kind" not in columns:  # a history kept by an earlier version
            db.execute("ALTER TABLE descriptions ADD COLUMN kind TEXT NOT NULL DEFAULT ''")
        return db

    def add(
        self,
        source: str,
        label: str,
        caption: str,
        text: str,
        spoken: str,
        model: str,
        image: Image.Image | None = None,
        keep_image: bool = False,
        kind: str = "",
    ) -> int:
        thumb = _png(image, THUMB) if image is not None else None
        full = _png(image, None) if image is not None and keep_image else None
        row = (time.time(), source, label, caption, text, spoken, model, thumb, full, kind)
        cur = self._use(lambda db: _write(db, INSERT, row))
        return int(cur.lastrowid or 0)

    def search(self, query: str = "", limit: int = 500) -> list[Entry]:
        like = f"%{query}%"
        rows = self._use(
            lambda db: db.execute(
                "SELECT id, created, source, label, caption, text, spoken, model, thumbnail, "
                "kind FROM descriptions WHERE ? = '' OR caption LIKE ? OR text LIKE ? "
                "OR label LIKE ? ORDER BY created DESC, id DESC LIMIT ?",
                (query, like, like, like, limit),
            ).fetchall()
        )
        return [Entry(*row) for row in rows]

    def delete(self, entry_id: int) -> None:
        self._use(lambda db: _write(db, "DELETE FROM descriptions WHERE id = ?", (entry_id,)))

    def clear(self) -> None:
        self._use(lambda db: _write(db, "DELETE FROM descriptions", ()))

    def prune(self, days: int) -> int:
        """Delete entries older than ``days`` days; returns how many went."""
        before = (time.time() - days * 86400,)
        cur = self._use(lambda db: _write(db, "DELETE FROM descriptions WHERE created < ?", before))
        return cur.rowcount

    def close(self) -> None:
        self.db.close()


INSERT = (
    "INSERT INTO descriptions (created, source, label, caption, text, spoken, model, thumbnail,"
    " image, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _write(db: sqlite3.Connection, sql: str, values: tuple[object, ...]) -> sqlite3.Cursor:
    with db:
        return db.execute(sql, values)


def _png(image: Image.Image, side: int | None) -> bytes:
    copy = image.copy()
    if side:
        copy.thumbnail((side, side))
    buf = io.BytesIO()
    copy.convert("RGB").save(buf, "PNG", optimize=side is not None)
    return buf.getvalue()
