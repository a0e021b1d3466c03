import os
import sqlite3
import subprocess
import sys
import textwrap

from PIL import Image

from vocalens.core import data_dir
from vocalens.desktop.history import History


def test_add_search_delete_and_thumbnail() -> None:
    history = History()
    a = history.add(
        "file",
        "/photos/dog.jpg",
        "a dog on a beach",
        "",
        "A dog on a beach.",
        "m",
        Image.new("RGB", (800, 600), "red"),
    )
    history.add("screen", "Firefox", "", "Weather in Lisbon", "Firefox. Text: Weather.", "m")
    assert [e.label for e in history.search()] == ["Firefox", "/photos/dog.jpg"]
    assert [e.id for e in history.search("dog")] == [a]
    entry = history.search("beach")[0]
    assert entry.thumbnail is not None and entry.thumbnail.startswith(b"\x89PNG")
    thumb = Image.open(__import__("io").BytesIO(entry.thumbnail))
    assert max(thumb.size) == 160
    history.delete(a)
    assert history.search("dog") == []


def test_screenshots_are_not_kept_unless_asked(tmp_path) -> None:
    history = History()
    history.add("screen", "x", "", "", "", "", Image.new("RGB", (50, 50)))
    history.add("screen", "y", "", "", "", "", Image.new("RGB", (50, 50)), keep_image=True)
    rows = history.db.execute("SELECT label, image IS NOT NULL FROM descriptions").fetchall()
    assert sorted(rows) == [("x", 0), ("y", 1)]


def test_retention_prunes_old_entries() -> None:
    history = History()
    history.add("file", "old", "", "", "", "")
    history.db.execute("UPDATE descriptions SET created = created - 40 * 86400")
    history.db.commit()
    history.add("file", "new", "", "", "", "")
    assert history.prune(30) == 1
    assert [e.label for e in history.search()] == ["new"]


def test_a_kill_during_writes_loses_nothing_committed(tmp_path) -> None:
    script = textwrap.dedent("""
        import sys
        from vocalens.desktop.history import History
        h = History()
        i = 0
        while True:
            i += 1
            h.add("file", f"entry-{i}", "caption " * 50, "text " * 200, "spoken", "m")
            print(i, flush=True)
    """)
    committed = 0
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            committed = int(line)
            if committed >= 40:
                break
        proc.kill()
    history = History()
    assert history.notice == ""
    labels = {e.label for e in history.search(limit=10_000)}
    assert {f"entry-{i}" for i in range(1, committed + 1)} <= labels


def test_damaged_database_is_moved_aside_and_replaced() -> None:
    folder = data_dir()
    folder.mkdir(parents=True)
    (folder / "history.db").write_bytes(b"this is not a database" * 100)
    history = History()
    assert "damaged" in history.notice and "moved to" in history.notice
    assert history.search() == []
    assert any(p.name.startswith("history.db.damaged-") for p in folder.iterdir())
    history.add("file", "after", "", "", "", "")
    assert len(history.search()) == 1


def test_locked_database_keeps_history_in_memory() -> None:
    first = History()
    first.close()
    blocker = sqlite3.connect(str(first.path))
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    second = History()
    assert "in use by another program" in second.notice
    second.add("file", "x", "", "", "", "")
    assert len(second.search()) == 1
    blocker.rollback()
    blocker.close()


def test_the_history_is_private_to_the_user(tmp_path) -> None:
    import stat

    history = History(tmp_path / "data" / "history.db")
    history.add("screen", "Inbox", "", "secret text", "secret text", "")
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    for part in (tmp_path / "data").iterdir():
        assert stat.S_IMODE(part.stat().st_mode) == 0o600, part
    assert history.db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_a_folder_that_cannot_be_written_keeps_history_in_memory(tmp_path) -> None:
    (tmp_path / "data").write_text("")  # the data folder is a file: nothing can be written
    history = History(tmp_path / "data" / "history.db")
    assert history.notice.startswith("The history cannot be saved (")
    assert history.notice.endswith("this session's is kept in memory.")
    history.add("file", "a.png", "a cat", "", "A cat.", "")
    assert [e.label for e in history.search()] == ["a.png"]
    assert (tmp_path / "data").read_text() == ""  # nothing was moved or replaced


def test_a_database_that_cannot_be_opened_is_not_called_damaged(tmp_path) -> None:
    path = tmp_path / "data" / "history.db"
    path.mkdir(parents=True)  # cannot be opened, yet nothing in it is corrupt
    (path / "keep.txt").write_text("mine")
    history = History(path)
    assert "kept in memory" in history.notice and "damaged" not in history.notice
    assert (path / "keep.txt").read_text() == "mine"
    assert not list((tmp_path / "data").glob("*damaged*"))


def test_the_kind_is_kept_and_an_earlier_history_gains_the_column(tmp_path) -> None:
    """A history written before kinds existed opens, keeps its entries, and stores kinds."""
    import sqlite3

    path = tmp_path / "history.db"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE descriptions (id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT"
            " NULL, source TEXT NOT NULL, label TEXT NOT NULL DEFAULT '', caption TEXT NOT NULL"
            " DEFAULT '', text TEXT NOT NULL DEFAULT '', spoken TEXT NOT NULL DEFAULT '', model"
            " TEXT NOT NULL DEFAULT '', thumbnail BLOB, image BLOB)"
        )
        old.execute("INSERT INTO descriptions (created, source) VALUES (1.0, 'file')")
    history = History(path)
    history.add("file", "chart.png", "", "Sales", "A chart or diagram.", "m", kind="Kind: chart.")
    kinds = [e.kind for e in history.search()]
    assert kinds == ["Kind: chart.", ""] and history.notice == ""
    history.close()


WRITER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")  # another program writing: readers go on, writers wait
print("locked", flush=True)
time.sleep(60)
"""


def test_a_history_locked_for_writing_at_start_falls_back_to_memory(tmp_path) -> None:
    """Opening works (reading is allowed); the first write waits, then the session goes on in
    memory and says so once."""
    path = tmp_path / "data" / "history.db"
    History(path).close()
    other = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE)
    try:
        assert other.stdout is not None and other.stdout.readline() == b"locked\n"
        history = History(path)
        said: list[str] = []
        history.on_notice = said.append
        assert history.prune(30) == 0
        assert said == [
            "The history cannot be saved (it is in use by another program); this session's "
            "is kept in memory."
        ]
        history.add("file", "a.png", "a cat", "", "A cat.", "")
        assert [e.label for e in history.search()] == ["a.png"] and len(said) == 1
    finally:
        other.kill()
        other.communicate()


def test_a_folder_the_user_made_read_only_stays_so(tmp_path) -> None:
    import stat

    folder = tmp_path / "data"
    folder.mkdir(mode=0o500)
    try:
        history = History(folder / "history.db")
        assert stat.S_IMODE(folder.stat().st_mode) == 0o500
        if os.geteuid() != 0:  # root writes anywhere
            assert "kept in memory" in history.notice
    finally:
        folder.chmod(0o700)
