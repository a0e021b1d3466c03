import threading

from PIL import Image
from PySide6.QtCore import QTimer

from vocalens.core import ImageError
from vocalens.desktop.worker import Job, Worker

RED, BLUE = Image.new("RGB", (8, 8), "red"), Image.new("RGB", (8, 8), "blue")


def make_worker(engine) -> Worker:
    worker = Worker(engine, {"model": "x"})
    worker.start()
    return worker


def test_result_comes_back_with_its_id(qtbot, engine) -> None:
    worker = make_worker(engine)
    with qtbot.waitSignal(worker.finished, timeout=5000) as blocker:
        job_id = worker.submit(Job("file", RED, label="red.png"))
    assert blocker.args[0] == job_id
    assert blocker.args[1].caption == "a red square"
    assert engine.loads == 1
    worker.stop()


def test_newer_requests_supersede_waiting_ones(qtbot, engine) -> None:
    engine.gate = threading.Event()
    worker = make_worker(engine)
    superseded: list[int] = []
    worker.superseded.connect(superseded.append)
    first = worker.submit(Job("screen", RED, label="1"))
    assert engine.entered.wait(5)
    ids = [worker.submit(Job("screen", BLUE, label=str(i))) for i in range(2, 30)]
    assert superseded == ids[:-1]  # only the newest waits: no backlog
    results: list[int] = []
    worker.finished.connect(lambda i, d, im: results.append(i))
    engine.gate.set()
    qtbot.waitUntil(lambda: results == [ids[-1]], timeout=5000)
    assert superseded[-1] == first  # the running one stopped at its next part
    assert [j.label for j in engine.jobs] == ["1", "29"]
    worker.stop()


def test_failures_become_messages_and_the_worker_carries_on(qtbot, engine) -> None:
    worker = make_worker(engine)
    engine.fail_with = lambda: ImageError("photo.png: the image is truncated or corrupt.")
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.submit(Job("file", RED))
    assert blocker.args[1] == "photo.png: the image is truncated or corrupt."
    engine.fail_with = lambda: ZeroDivisionError("boom")
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.submit(Job("file", RED))
    assert blocker.args[1].startswith("Something went wrong while describing")
    engine.fail_with = None
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.submit(Job("file", lambda: BLUE))
    worker.stop()


def test_the_ui_thread_keeps_running_during_a_long_job(qtbot, engine) -> None:
    engine.gate = threading.Event()
    worker = make_worker(engine)
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    worker.submit(Job("screen", RED))
    qtbot.wait(300)
    timer.stop()
    assert len(ticks) >= 10
    engine.gate.set()
    worker.stop()


def test_reconfigure_reloads_the_model_at_the_next_job(qtbot, engine) -> None:
    worker = make_worker(engine)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.submit(Job("file", RED))
    worker.reconfigure({"model": "y"})
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.submit(Job("file", RED))
    assert engine.loads == 2
    worker.stop()


def test_other_model_work_runs_on_the_worker_and_is_never_superseded(qtbot, engine) -> None:
    worker = make_worker(engine)
    with qtbot.waitSignal(worker.task_done, timeout=5000) as blocker:
        worker.run_task("convert", lambda: threading.current_thread().name)
        worker.submit(Job("file", RED, label="after.png"))  # a description does not replace it
    assert blocker.args[0] == "convert"
    assert blocker.args[1] != threading.current_thread().name  # not the main thread
    with qtbot.waitSignal(worker.task_failed, timeout=5000) as failed:
        worker.run_task("convert", lambda: 1 / 0)
    assert failed.args == ["convert", "Something went wrong: division by zero"]
    worker.stop()
