import sqlite3
import subprocess
import sys
import textwrap

from PIL import Image

from vocalens.desktop.history import History, data_dir


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
