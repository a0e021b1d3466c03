"""History of descriptions in SQLite: every result with time, source, caption and a thumbnail.

Each description is committed on its own (WAL, synchronous=FULL), so a crash loses at most the
one in flight. A damaged database is moved aside and a fresh one started; the user is told.
"""

from __future__ import annotations

import io
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from platformdirs import user_data_path

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
    image BLOB
);
CREATE INDEX IF NOT EXISTS by_time ON descriptions (created);
"""
THUMB = 160


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


def data_dir() -> Path:
    override = os.environ.get("VOCALENS_DATA_DIR")
    return Path(override) if override else user_data_path("vocalens", appauthor=False)


class History:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "history.db"
        self.notice = ""  # one sentence when the database had to be replaced or is unavailable
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = self._connect(self.path)
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
            return db
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                return self._replace_damaged()
            self.notice = (
                "The history is in use by another program; this session's history "
                "is kept in memory only."
            )
            return self._connect(Path(":memory:"))
        except sqlite3.DatabaseError:
            return self._replace_damaged()

    def _replace_damaged(self) -> sqlite3.Connection:
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                os.replace(part, Path(f"{aside}{suffix}"))
        self.notice = f"The history was damaged; it was moved to {aside} and a new one started."
        return self._connect(self.path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), timeout=3.0, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(SCHEMA)
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
    ) -> int:
        thumb = _png(image, THUMB) if image is not None else None
        full = _png(image, None) if image is not None and keep_image else None
        with self.db:
            cur = self.db.execute(
                "INSERT INTO descriptions (created, source, label, caption, text, spoken, model,"
                " thumbnail, image) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), source, label, caption, text, spoken, model, thumb, full),
            )
        return int(cur.lastrowid or 0)

    def search(self, query: str = "", limit: int = 500) -> list[Entry]:
        like = f"%{query}%"
        rows = self.db.execute(
            "SELECT id, created, source, label, caption, text, spoken, model, thumbnail "
            "FROM descriptions WHERE ? = '' OR caption LIKE ? OR text LIKE ? OR label LIKE ? "
            "ORDER BY created DESC, id DESC LIMIT ?",
            (query, like, like, like, limit),
        )
        return [Entry(*row) for row in rows]

    def delete(self, entry_id: int) -> None:
        with self.db:
            self.db.execute("DELETE FROM descriptions WHERE id = ?", (entry_id,))

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM descriptions")

    def prune(self, days: int) -> int:
        """Delete entries older than ``days`` days; returns how many went."""
        with self.db:
            cur = self.db.execute(
                "DELETE FROM descriptions WHERE created < ?", (time.time() - days * 86400,)
            )
        return cur.rowcount

    def close(self) -> None:
        self.db.close()


def _png(image: Image.Image, side: int | None) -> bytes:
    copy = image.copy()
    if side:
        copy.thumbnail((side, side))
    buf = io.BytesIO()
    copy.convert("RGB").save(buf, "PNG", optimize=side is not None)
    return buf.getvalue()
