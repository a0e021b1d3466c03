import json
import os

import pytest

from vocalens.core import config_dir
from vocalens.desktop.settings import BY_NAME, SETTINGS, Settings


def test_every_setting_is_declared_with_a_valid_default_and_description() -> None:
    for s in SETTINGS:
        assert s.validate(s.default) == s.default
        assert s.title and s.description and s.group


def test_round_trip_and_change_signal(qtbot) -> None:
    settings = Settings()
    with qtbot.waitSignal(settings.changed) as blocker:
        settings.set("rate", 220)
    assert blocker.args == ["rate", 220]
    settings.set("verbosity", "brief")
    again = Settings()
    assert again["rate"] == 220 and again["verbosity"] == "brief"
    assert json.loads((config_dir() / "settings.json").read_text())["rate"] == 220


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("rate", "fast", "must be a whole number"),
        ("rate", 5, "at least 80"),
        ("volume", 1.5, "at most 1.0"),
        ("verbosity", "chatty", "one of brief, normal, full"),
        ("load_at_start", 1, "must be on or off"),
        ("nonsense", 1, "no setting called"),
    ],
)
def test_invalid_values_are_refused_with_a_sentence(name, value, message) -> None:
    settings = Settings()
    with pytest.raises(ValueError, match=message):
        settings.set(name, value)
    if name in BY_NAME:
        assert settings[name] == BY_NAME[name].default


def test_damaged_or_invalid_stored_settings_fall_back_to_defaults() -> None:
    path = config_dir() / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"rate": 9999, "verbosity": "full"}))
    settings = Settings()
    assert settings["rate"] == BY_NAME["rate"].default and settings["verbosity"] == "full"
    assert any("at most" in p for p in settings.problems)
    path.write_text("{broken")
    assert "unreadable" in Settings().problems[0]


def test_a_settings_file_that_cannot_be_written_changes_nothing(tmp_path) -> None:
    path = tmp_path / "config" / "settings.json"
    settings = Settings(path)
    settings.set("verbosity", "brief")
    moved = path.parent.rename(tmp_path / "moved")
    path.parent.write_text("")  # the folder is now a file: no write can succeed, even as root
    with pytest.raises(ValueError, match="could not be saved"):
        settings.update({"verbosity": "full", "rate": 150})
    assert settings["verbosity"] == "brief" and settings["rate"] != 150  # all or nothing
    path.parent.unlink()
    moved.rename(path.parent)
    assert Settings(path)["verbosity"] == "brief"


def test_an_unreadable_settings_file_is_kept_aside() -> None:
    path = config_dir() / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text("{broken")
    settings = Settings()
    aside = path.with_name("settings.json.unreadable")
    assert aside.read_text() == "{broken" and str(aside) in settings.problems[0]
    settings.set("verbosity", "brief")
    assert aside.read_text() == "{broken"  # the next save does not overwrite it


@pytest.mark.parametrize(
    "make",
    [
        lambda p: p.write_text("[" * 100_000 + "]" * 100_000),  # nested past the parser
        lambda p: p.write_text('{"verbosity": "' + "x" * (2 << 20) + '"}'),  # 2 MB
        lambda p: os.mkfifo(p),  # a named pipe: read, it would wait for ever
    ],
)
def test_settings_that_cannot_be_read_never_stop_the_start(make) -> None:
    path = config_dir() / "settings.json"
    path.parent.mkdir(parents=True)
    make(path)
    settings = Settings()
    assert settings.problems == [
        f"The settings file was unreadable; defaults are used and it was kept as {path}.unreadable."
    ]
    settings.set("verbosity", "brief")
    assert Settings()["verbosity"] == "brief" and not Settings().problems


def test_one_speech_choice_where_there_were_two() -> None:
    """The switch "Hand speech to the screen reader" overlapped "Say descriptions through": it
    is gone, and a stored choice of it keeps the voice it gave (Orca's speech-dispatcher)."""
    assert "screen_reader" not in BY_NAME
    titles = [s.title for s in SETTINGS if s.group == "Speech"]
    assert len(titles) == len(set(titles)) and not any("Hand speech" in t for t in titles)
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.json").write_text(json.dumps({"screen_reader": True}))
    settings = Settings()
    assert settings["speech_engine"] == "speech-dispatcher" and not settings.problems


def test_languages_to_read_are_checked() -> None:
    setting = BY_NAME["text_languages"]
    assert [setting.validate(v) for v in ("auto", "none", "rus", "ara+heb")] == [
        "auto", "none", "rus", "ara+heb"
    ]  # fmt: skip
    for wrong in ("", "../etc", "rus heb", "r", "rus+" * 10):
        with pytest.raises(ValueError, match="Also read text in must be like auto, none or"):
            setting.validate(wrong)
