import contextlib
import os
import socket
import sys
import threading
import uuid
from pathlib import Path

import pytest

from vocalens.desktop.main import parse
from vocalens.desktop.remote import MAX_LINE, RemoteServer, address, runtime_dir, send


@pytest.fixture()
def name() -> str:
    return f"vocalens-test-{uuid.uuid4().hex[:8]}"


def test_a_message_reaches_the_running_instance(qtbot, name) -> None:
    server = RemoteServer(name)
    assert server.listen()
    with qtbot.waitSignal(server.command, timeout=3000) as blocker:
        assert send({"action": "files", "target": ["/a.png"]}, name)
    assert blocker.args == [{"action": "files", "target": ["/a.png"]}]
    server.close()


def test_the_socket_is_private_to_the_user(name) -> None:
    import os

    folder = runtime_dir()
    assert str(folder).startswith(os.environ["XDG_RUNTIME_DIR"])
    assert folder.stat().st_mode & 0o777 == 0o700
    assert Path(address(name)).parent == folder


@pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files only")
def test_bad_messages_are_refused_and_the_server_goes_on(qtbot, name) -> None:
    server = RemoteServer(name)
    assert server.listen()
    seen: list[dict] = []
    server.command.connect(seen.append)
    bad = [
        b'{"action": "files", "target": "abc"}\n',  # a string, not a list of paths
        b'{"action": "rm -rf"}\n',
        b'["screen"]\n',
        b"not json\n",
        b'{"action": "repeat", "target": 1}\n',
        b"x" * (MAX_LINE + 10),  # no end of line: refused, connection closed
    ]

    def deliver(raw: bytes) -> None:  # from a thread: the server reads in the event loop
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(address(name))
            with contextlib.suppress(OSError):  # the too-long one is cut off
                client.sendall(raw)

    senders = [threading.Thread(target=deliver, args=(raw,)) for raw in bad]
    for sender in senders:
        sender.start()
    qtbot.waitUntil(lambda: not any(t.is_alive() for t in senders), timeout=5000)
    with qtbot.waitSignal(server.command, timeout=3000):
        assert send({"action": "stop"}, name)
    assert seen == [{"action": "stop"}]
    server.close()


def test_no_instance_means_send_fails(name) -> None:
    assert not send({"action": "quit"}, name, timeout_ms=300)


def test_second_instance_cannot_take_the_name(qtbot, name) -> None:
    first = RemoteServer(name)
    assert first.listen()
    assert not RemoteServer(name).listen()
    first.close()


@pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files only")
def test_a_name_left_by_a_crash_is_reclaimed(qtbot, name) -> None:
    path = Path(address(name))
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))  # bound, never listening, never removed: what a crash leaves
    stale.close()
    assert path.exists()
    server = RemoteServer(name)
    assert server.listen()
    with qtbot.waitSignal(server.command, timeout=3000):
        assert send({"action": "repeat"}, name)
    server.close()


def test_command_line_actions() -> None:
    assert parse(["--describe", "screen"])[1] == {"action": "screen"}
    assert parse(["--repeat"])[1] == {"action": "repeat"}
    assert parse(["--stop"])[1] == {"action": "stop"}
    assert parse(["--quit"])[1] == {"action": "quit"}
    files = parse(["--describe", "a.png", "b.jpg"])[1]
    assert files is not None and files["action"] == "files"
    assert [Path(p).name for p in files["target"]] == ["a.png", "b.jpg"]
    assert parse([])[1] is None
    assert parse(["--find", "Save as"])[1] == {"action": "find", "target": "Save as"}
    assert parse(["--click", "OK"])[1] == {"action": "click", "target": "OK"}


def test_a_search_needs_words_and_only_so_many() -> None:
    from vocalens.desktop.remote import MAX_WORDS, valid

    assert valid({"action": "click", "target": "OK"}) == ""
    assert valid({"action": "click"}) == "there are no words to look for"
    assert valid({"action": "find", "target": "   "}) == "there are no words to look for"
    assert valid({"action": "find", "target": ["OK"]}) == "there are no words to look for"
    assert valid({"action": "find", "target": "x" * (MAX_WORDS + 1)}).startswith("more than")
    assert valid({"action": "screen", "target": "OK"}) == "only files and searches take a target"


def test_no_display_is_one_clear_sentence(monkeypatch, capsys) -> None:
    from vocalens.desktop.main import main

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux sessions are told apart by these variables")
    assert main([]) == 2
    assert "needs a graphical desktop" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files only")
def test_a_refused_command_is_answered_with_a_sentence(qtbot, name) -> None:
    import json
    import os
    import subprocess

    from vocalens.desktop.remote import MAX_FILES

    server = RemoteServer(name)
    assert server.listen()
    too_many = {"action": "files", "target": [f"/p/{i}.png" for i in range(MAX_FILES + 1)]}
    script = (
        "import json, sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from vocalens.desktop.remote import Refused, send\n"
        "app = QCoreApplication([])\n"
        "try:\n"
        "    send(json.loads(sys.stdin.read()), sys.argv[1], timeout_ms=5000)\n"
        "except Refused as exc:\n"
        "    print(exc)\n"
    )
    client = subprocess.Popen(  # the command line, in a process of its own
        [sys.executable, "-c", script, name],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    assert client.stdin is not None
    client.stdin.write(json.dumps(too_many))
    client.stdin.close()
    qtbot.waitUntil(lambda: client.poll() is not None, timeout=20000)
    assert client.stdout is not None
    with client.stdout:
        said = client.stdout.read().strip()
    assert said == "VocaLens did not take the command: more than 10000 files at once."
    server.close()


@pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files only")
@pytest.mark.parametrize("how", ["server closed", "socket file removed"])
def test_the_server_listens_again(qtbot, name, how) -> None:
    """Qt closes a server that cannot accept (no file descriptors left), and deletes its
    socket file; a cleaner can remove the file too. The remote comes back by itself."""
    import os

    server = RemoteServer(name)
    assert server.listen()
    if how == "server closed":
        server.server.close()
    else:
        os.unlink(address(name))
    assert not send({"action": "ping"}, name, timeout_ms=200)
    qtbot.waitUntil(lambda: send({"action": "ping"}, name, timeout_ms=200), timeout=5000)
    server.close()


def test_idle_and_surplus_connections_are_closed(qtbot, name, monkeypatch) -> None:
    from vocalens.desktop import remote

    monkeypatch.setattr(remote, "IDLE_MS", 300)
    server = RemoteServer(name)
    assert server.listen()
    clients = [socket.socket(socket.AF_UNIX) for _ in range(remote.MAX_CLIENTS + 5)]
    for client in clients:
        client.connect(address(name))
    connected = remote.QLocalSocket.LocalSocketState.ConnectedState

    def held() -> list:
        return [c for c in server.server.findChildren(remote.QLocalSocket)
                if c.state() == connected]  # fmt: skip

    qtbot.waitUntil(lambda: len(held()) == remote.MAX_CLIENTS, timeout=3000)
    qtbot.waitUntil(lambda: not held(), timeout=3000)  # idle: closed
    for client in clients:
        client.settimeout(1)
        assert client.recv(10) == b""  # the app closed it
        client.close()
    server.close()


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() != 0, reason="makes folders of another user"
)
def test_a_runtime_folder_taken_by_another_user_is_not_used(tmp_path, monkeypatch) -> None:
    """No XDG_RUNTIME_DIR: the usual place is in the shared temporary folder, where another
    user can make it first. The user's own cache is used instead."""
    from vocalens.desktop import remote

    taken = tmp_path / "tmp" / "runtime-1000"
    taken.mkdir(parents=True, mode=0o700)
    os.chown(taken, 4242, 4242)
    monkeypatch.setattr(remote, "user_runtime_path", lambda *a, **k: taken)
    monkeypatch.setenv("VOCALENS_CACHE_DIR", str(tmp_path / "cache"))
    folder = runtime_dir()
    assert folder == tmp_path / "cache" / "run"
    assert folder.stat().st_mode & 0o777 == 0o700 and folder.stat().st_uid == os.getuid()
    (tmp_path / "cache").chmod(0o700)
    os.chown(tmp_path / "cache" / "run", 4242, 4242)
    with pytest.raises(OSError, match="no private folder for VocaLens's socket"):
        runtime_dir()
