import socket
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from vocalens.desktop.main import parse
from vocalens.desktop.remote import RemoteServer, send


@pytest.fixture()
def name() -> str:
    return f"vocalens-test-{uuid.uuid4().hex[:8]}"


def test_a_message_reaches_the_running_instance(qtbot, name) -> None:
    server = RemoteServer(name)
    assert server.listen()
    with qtbot.waitSignal(server.command, timeout=3000) as blocker:
        assert send({"action": "describe", "target": "screen"}, name)
    assert blocker.args == [{"action": "describe", "target": "screen"}]
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
    path = Path(tempfile.gettempdir()) / name
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


def test_no_display_is_one_clear_sentence(monkeypatch, capsys) -> None:
    from vocalens.desktop.main import main

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux sessions are told apart by these variables")
    assert main([]) == 2
    assert "needs a graphical desktop" in capsys.readouterr().err
