import time
from pathlib import Path

from PIL import Image
from PySide6.QtGui import QGuiApplication

from vocalens.core import Notice
from vocalens.desktop.app import Controller
from vocalens.desktop.history import History
from vocalens.desktop.settings import Settings

from .conftest import FakeEngine


def image_file(folder: Path, name: str, colour: str) -> Path:
    path = folder / name
    Image.new("RGB", (40, 40), colour).save(path)
    return path


def test_dropped_files_are_described_spoken_shown_and_kept(
    controller, speaker, qtbot, tmp_path
) -> None:
    paths = [image_file(tmp_path, "a.png", "red"), image_file(tmp_path, "b.png", "blue")]
    seen = []
    controller.described.connect(seen.append)
    controller.describe_files(paths)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert [d.caption for d in seen] == ["a red square", "a blue square"]
    assert speaker.said[-4:] == [
        "a.png: A red square.",
        "Text in the image: Hello world.",
        "b.png: A blue square.",
        "Text in the image: Hello world.",
    ]  # each named, in order
    assert controller.last_spoken == "A blue square. Text in the image: Hello world."
    assert controller.result_window.isVisible()
    shown = controller.result_window.text.toPlainText()
    assert shown.index("a.png: A red square") < shown.index("b.png: A blue square")
    assert controller.result_window.heading.text() == "b.png (2 of 2)"
    stored = controller.history.search()
    assert [e.label for e in stored] == [str(paths[1]), str(paths[0])]
    assert stored[0].thumbnail is not None


def test_a_bad_file_is_reported_and_the_rest_described(
    controller, speaker, qtbot, tmp_path
) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnope")
    good = image_file(tmp_path, "good.png", "red")
    seen = []
    controller.described.connect(seen.append)
    controller.describe_files([bad, good])
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert any("broken.png: the image is truncated or corrupt" in s for s in speaker.said)


def test_clipboard_with_text_is_a_spoken_problem(controller, speaker, qtbot) -> None:
    QGuiApplication.clipboard().setText("hello")
    controller.describe_clipboard()
    assert (
        speaker.said[-1] == "The clipboard holds text, not an image. Copy an image or an "
        "image file, then try again."
    )
    assert controller.result_window.heading.text() == "Problem"


def test_repeat_and_stop(controller, speaker, qtbot, tmp_path) -> None:
    controller.repeat_last()  # repeats whatever was said last, notices included
    assert speaker.said[-1] == speaker.said[-2]
    controller.describe_files([image_file(tmp_path, "r.png", "red")])
    qtbot.waitUntil(lambda: controller.last_description is not None, timeout=5000)
    controller.run_action("repeat")  # the whole description again, not its last part
    assert speaker.said[-1] == controller.last_spoken == " ".join(speaker.said[-3:-1])
    controller.run_action("stop")
    assert speaker.stops == 1


def test_no_tray_means_a_window_and_one_sentence(controller, speaker) -> None:
    sentence = "This desktop has no system tray, so VocaLens lives in this window."
    assert controller.main_window.isVisible()
    assert controller.main_window.notice.text().split("\n").count(sentence) == 1  # shown once
    assert speaker.said == [sentence]  # and said once
    assert not any("tray" in s for s in speaker.said[1:])


def test_long_notices_are_shown_whole(controller, qtbot) -> None:
    window = controller.main_window
    for n in range(3):
        window.show_notice(f"Notice {n}: " + "a long sentence that has to wrap " * 4 + "END.")
    qtbot.waitUntil(
        lambda: window.notice.height() >= window.notice.heightForWidth(window.notice.width())
    )
    assert window.notice.text().count("END.") == 3


def test_a_screen_reader_reads_the_notices_themselves(controller) -> None:
    from PySide6.QtGui import QAccessible

    window = controller.main_window
    window.show_notice("The history cannot be saved.")
    window.show_notice("Captions are off.")
    seen = QAccessible.queryAccessibleInterface(window.notice)
    assert seen.text(QAccessible.Text.Name).startswith("This desktop has no system tray")
    assert seen.text(QAccessible.Text.Name).endswith(
        "settings. The history cannot be saved. Captions are off."
    )  # after the no-tray sentence, without "Notice"


def test_a_missing_model_is_said_at_start(qtbot, speaker) -> None:
    engine = FakeEngine(Notice("captions_off", "The model 'clipcap-coco' is not downloaded yet."))
    notice = "Captions are off: The model 'clipcap-coco' is not downloaded yet."
    c = Controller(Settings(), History(), engine=engine, speaker=speaker, use_tray=False)
    c.start()
    qtbot.waitUntil(lambda: notice in speaker.said, timeout=5000)  # before any description
    assert engine.loads == 0 and not engine.jobs  # nothing was loaded to find it out
    assert notice in c.main_window.notice.text()
    c.shutdown()


def test_missing_model_is_said_once(qtbot, speaker, tmp_path) -> None:
    engine = FakeEngine(Notice("captions_off", "The model 'clipcap-coco' is not downloaded yet."))
    notice = "Captions are off: The model 'clipcap-coco' is not downloaded yet."
    c = Controller(Settings(), History(), engine=engine, speaker=speaker, use_tray=False)
    c.start()
    for name in ("a.png", "b.png"):
        c.describe_files([image_file(tmp_path, name, "red")])
        c.worker.reconfigure(c.settings.values)  # force a reload: the notice comes again
        qtbot.waitUntil(
            lambda n=name: c.last_description is not None and c.last_description.label.endswith(n),
            timeout=5000,
        )
    assert speaker.said.count(notice) == 1
    c.shutdown()


def test_caption_search_is_per_request_and_only_model_settings_reload(
    controller, engine, qtbot, tmp_path
) -> None:
    def describe(name: str) -> None:
        controller.describe_files([image_file(tmp_path, name, "red")])
        qtbot.waitUntil(
            lambda: (
                controller.last_description is not None
                and controller.last_description.label.endswith(name)
            ),
            timeout=5000,
        )

    describe("a.png")
    controller.settings.set("decoding", "greedy")
    controller.settings.set("max_tokens", 12)
    describe("b.png")
    assert engine.loads == 1  # the weights did not change: no reload
    want = {"strategy": "greedy", "max_new_tokens": 12, "caption_text": False}
    assert engine.jobs[-1].options == want
    controller.settings.set("precision", "fp32")
    describe("c.png")
    assert engine.loads == 2


def test_what_is_said_is_also_shown(controller, speaker) -> None:
    sentence = "This desktop has no system tray, so VocaLens lives in this window."
    assert speaker.said == [sentence] and sentence in controller.main_window.notice.text()
    controller.run_action("repeat")
    assert speaker.said[-1] == sentence
    assert controller.main_window.statusBar().currentMessage() == sentence
    controller.say("Cancelled.")
    assert controller.main_window.statusBar().currentMessage() == "Cancelled."


def test_start_at_login_writes_and_removes_the_autostart_entry(controller) -> None:
    from vocalens.desktop.autostart import xdg_entry_path

    controller.settings.set("start_at_login", True)
    entry = xdg_entry_path().read_text()
    assert "Exec=" in entry and "--background" in entry
    controller.settings.set("start_at_login", False)
    assert not xdg_entry_path().exists()


def test_download_without_network_is_reported_and_the_app_carries_on(
    controller, speaker, qtbot
) -> None:
    # The hub's address is a closed local port (tests/conftest.py): no network, for real.
    started = time.monotonic()
    controller.run_action("download")
    assert speaker.said[-1].startswith("Downloading the caption model")  # said at once
    qtbot.waitUntil(lambda: any("Could not download" in s for s in speaker.said), timeout=30000)
    assert time.monotonic() - started <= 10  # the failure too, not after the hub's retries
    dialog = controller._windows[-1]
    assert "the internet could not be reached" in dialog.label.text()
    failure = speaker.said[-1]
    assert "/" not in failure and "vocalens " not in failure  # no hub path, no command
    assert "Downloading" not in controller.main_window.statusBar().currentMessage()
    controller.run_action("repeat")
    assert "Could not download" in speaker.said[-1]


def test_download_refuses_a_folder_setting(controller, speaker, tmp_path) -> None:
    controller.settings.set("model", str(tmp_path))
    controller.run_action("download")
    assert "names a folder" in speaker.said[-1]


def test_every_button_and_hotkey_names_a_real_action(controller) -> None:
    from vocalens.desktop.hotkeys import ACTIONS
    from vocalens.desktop.windows.main_window import BUTTONS

    assert {key for key, _, _ in BUTTONS} | set(ACTIONS) <= set(controller.actions())


def test_the_real_engine_describes_with_a_real_model(
    qtbot, speaker, tiny_model_dir, tmp_path
) -> None:
    settings = Settings()
    settings.set("model", str(tiny_model_dir))
    settings.set("decoding", "greedy")
    c = Controller(settings, History(), speaker=speaker, use_tray=False)
    c.start()
    try:
        seen = []
        c.described.connect(seen.append)
        photo = tmp_path / "noise.png"
        Image.effect_noise((64, 48), 60).convert("RGB").save(photo)
        c.describe_files([photo])
        qtbot.waitUntil(lambda: bool(seen), timeout=60000)
        assert seen[0].model == "tiny" and seen[0].caption is not None
        assert not any(s.startswith("Something went wrong") for s in speaker.said)
    finally:
        c.shutdown()


def test_a_dropped_folder_is_searched_off_the_screen_thread(controller, qtbot, tmp_path) -> None:
    import threading

    from vocalens.desktop import app as app_module

    folder = tmp_path / "photos"
    folder.mkdir()
    image_file(folder, "a.png", "red")
    image_file(folder / "..", "outside.png", "blue")
    searched_on: list[str] = []
    real = app_module.image_files

    def watched(paths):
        searched_on.append(threading.current_thread().name)
        return real(paths)

    app_module.image_files = watched
    try:
        seen = []
        controller.described.connect(seen.append)
        controller.describe_files([folder])
        qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    finally:
        app_module.image_files = real
    assert seen[0].label == str(folder / "a.png")
    assert searched_on and searched_on[0] != threading.main_thread().name


def test_descriptions_are_spoken_in_the_chosen_language(
    controller, speaker, qtbot, tmp_path
) -> None:
    from vocalens.desktop.app import speak_in

    try:
        controller.settings.set("language", "de")
        seen = []
        controller.described.connect(seen.append)
        controller.describe_files([image_file(tmp_path, "a.png", "red")])
        qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
        assert speaker.said[-2:] == ["Auf Englisch: A red square.", "Text im Bild: Hello world."]
        assert "Der ganze Text:" in controller.result_window.text.toPlainText()
    finally:
        speak_in("en")
