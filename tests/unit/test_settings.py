"""Typed settings of the hub, the kiosk, the terminal and the rating pad: a good file, an unknown key, a wrong
type, a missing key; the messages name the file, the key and what was expected, in Chinese and English."""
from __future__ import annotations

from pathlib import Path

import pytest

from common.settings import SettingsInvalid
from kiosk import settings as kiosk
from server import settings as hub
from terminal import settings as terminal
from terminal.rating import settings as rating

BASE = {"hub_url": "http://192.168.1.10:8300", "store": "/var/lib/haoban/x.sqlite3"}
PROGRAMS = {"kiosk": kiosk.load, "terminal": terminal.load, "rating": rating.load}


def write(folder: Path, section: str, lines: dict, name: str | None = None) -> Path:
    def toml(v):
        return ("true" if v else "false") if isinstance(v, bool) else f'"{v}"' if isinstance(v, str) else str(v)

    path = folder / (name or f"{section}.toml")
    path.write_text(f"[{section}]\n" + "".join(f"{k} = {toml(v)}\n" for k, v in lines.items()), "utf-8")
    return path


def test_a_good_kiosk_file_with_every_key(tmp_path):
    s = kiosk.load(write(tmp_path, "kiosk", {**BASE, "enrolment_code": "abc", "printer": "usb:0x0416:0x5011",
                                             "printer_encoding": "gbk", "printer_chinese_mode": False, "idle_seconds": 90,
                                             "fullscreen": False, "admin_pin_hash": "$argon2id$x", "speaker": "none",
                                             "scanner": "camera:1", "id_reader": "sdt:libsdtapi.so:1001", "demo": True}), env={})
    assert s.store == Path(BASE["store"]) and s.idle_seconds == 90 and s.printer_encoding == "gbk"
    assert (s.printer_chinese_mode, s.fullscreen, s.demo, s.scanner) == (False, False, True, "camera:1")


def test_the_defaults_are_those_of_the_documentation(tmp_path):
    k = kiosk.load(write(tmp_path, "kiosk", BASE), env={})
    assert (k.enrolment_code, k.printer, k.printer_encoding, k.printer_chinese_mode, k.idle_seconds, k.fullscreen,
            k.admin_pin_hash, k.speaker, k.scanner, k.id_reader, k.demo) == (
        "", "dummy", "gb18030", True, 60, True, None, "aplay", "wedge", "none", False)
    t = terminal.load(write(tmp_path, "terminal", BASE), env={})
    assert (t.enrolment_code, t.language, t.voice, t.rating_enrolment_code, t.rating_store, t.rating_mouse) == (
        "", "zh_CN", False, "", None, False)
    r = rating.load(write(tmp_path, "rating", BASE), env={})
    assert (r.enrolment_code, r.fullscreen, r.mouse) == ("", True, False)
    assert hub.load(env={}) == hub.Settings()


def test_a_good_terminal_file(tmp_path):
    t = terminal.load(write(tmp_path, "terminal", {**BASE, "language": "en", "voice": True,
                                                   "rating_store": "/tmp/r.sqlite3", "rating_mouse": True}), env={})
    assert t.language == "en" and t.voice and t.rating_store == Path("/tmp/r.sqlite3") and t.rating_mouse


@pytest.mark.parametrize("program", PROGRAMS)
def test_an_unknown_key_is_named(tmp_path, program):
    path = write(tmp_path, program, {**BASE, "hub-url": "x"})
    with pytest.raises(SettingsInvalid) as err:
        PROGRAMS[program](path, env={})
    assert str(err.value).startswith(f"{path} [{program}] hub-url: 未知的设置项 / unknown key")


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("key", ["hub_url", "store"])
def test_a_missing_required_key_is_named(tmp_path, program, key):
    path = write(tmp_path, program, {k: v for k, v in BASE.items() if k != key})
    with pytest.raises(SettingsInvalid) as err:
        PROGRAMS[program](path, env={})
    assert str(err.value) == f"{path} [{program}] {key}: 缺少此项 / missing"
    assert err.value.zh == f"{path} [{program}] {key}：缺少此项" and err.value.en == f"{path} [{program}] {key}: missing"


@pytest.mark.parametrize(("program", "key", "value", "expected"), [
    ("kiosk", "idle_seconds", "abc", '应为整数 / must be an integer, got "abc"'),
    ("kiosk", "idle_seconds", True, "应为整数 / must be an integer, got true"),
    ("kiosk", "fullscreen", "yes", '应为布尔值 true 或 false / must be true or false, got "yes"'),
    ("kiosk", "printer_encoding", "latin-1", 'must be one of gb18030 | gbk | utf-8, got "latin-1"'),
    ("kiosk", "printer", "usb0", '无效的值 "usb0" / not valid, got "usb0"'),
    ("kiosk", "scanner", "camera:x", "not valid"),
    ("kiosk", "hub_url", 8300, "must be a string, got 8300"),
    ("terminal", "language", "de", 'must be one of zh_CN | en, got "de"'),
    ("terminal", "voice", 1, "must be true or false, got 1"),
    ("terminal", "rating_store", 3, "must be a path (a string), got 3"),
    ("rating", "mouse", "false", 'must be true or false, got "false"'),
])
def test_a_wrong_type_is_named_with_what_was_expected(tmp_path, program, key, value, expected):
    path = write(tmp_path, program, {**BASE, key: value})
    with pytest.raises(SettingsInvalid) as err:
        PROGRAMS[program](path, env={})
    assert str(err.value).startswith(f"{path} [{program}] {key}: ") and expected in str(err.value)


def test_a_missing_section_or_file_or_broken_toml(tmp_path):
    with pytest.raises(SettingsInvalid, match=r"\[kiosk\]: 缺少这一节 / the section is missing"):
        kiosk.load(write(tmp_path, "terminal", BASE, name="kiosk.toml"), env={})
    with pytest.raises(SettingsInvalid, match="找不到设置文件 / the settings file does not exist"):
        kiosk.load(tmp_path / "nowhere.toml", env={})
    (tmp_path / "broken.toml").write_text("[kiosk\nhub_url = 1\n", "utf-8")
    with pytest.raises(SettingsInvalid, match="不是有效的 TOML / not valid TOML"):
        kiosk.load(tmp_path / "broken.toml", env={})


def test_the_hub_file_and_its_environment_variables_which_win(tmp_path):
    path = write(tmp_path, "hub", {"port": 8400, "host": "0.0.0.0", "workers": 2, "clock": "sim:2026-11-26T08:30:00+08:00:60"})
    s = hub.load(path, env={"HAOBAN_PORT": "8500", "HAOBAN_DATA_DIR": str(tmp_path)})
    assert (s.port, s.host, s.workers, s.data_path) == (8500, "0.0.0.0", 2, tmp_path)
    assert hub.load(env={"HAOBAN_CONFIG": str(path)}).port == 8400
    with pytest.raises(SettingsInvalid) as err:
        hub.load(path, env={"HAOBAN_PORT": "abc"})
    assert str(err.value) == '环境变量 HAOBAN_PORT：应为整数 / environment variable HAOBAN_PORT: must be an integer, got "abc"'
    for bad, expected in (({"prot": 1}, "prot: 未知的设置项"), ({"port": "8300"}, 'port: 应为整数 / must be an integer, got "8300"'),
                          ({"clock": "sim:noon:1"}, 'clock: 无效的值 "sim:noon:1"')):
        with pytest.raises(SettingsInvalid, match=expected):
            hub.load(write(tmp_path, "hub", bad), env={})


def test_kiosk_environment_variables_are_typed_too(tmp_path):
    s = kiosk.load(write(tmp_path, "kiosk", BASE), env={"HAOBAN_KIOSK_IDLE_SECONDS": "30", "HAOBAN_KIOSK_DEMO": "true",
                                                        "HAOBAN_PORT": "x"})  # another program's variable: not read
    assert s.idle_seconds == 30 and s.demo is True
    with pytest.raises(SettingsInvalid, match="HAOBAN_KIOSK_FULLSCREEN: must be true or false"):
        kiosk.load(write(tmp_path, "kiosk", BASE), env={"HAOBAN_KIOSK_FULLSCREEN": "maybe"})


def test_settings_are_frozen(tmp_path):
    s = kiosk.load(write(tmp_path, "kiosk", BASE), env={})
    with pytest.raises(AttributeError):
        s.hub_url = "elsewhere"  # type: ignore[misc]


def test_the_loader_on_a_dataclass_of_its_own(tmp_path):
    """Numbers, optional values and the environment's text, for any program's settings."""
    from dataclasses import dataclass

    from common import settings as typed

    @dataclass(frozen=True)
    class Pad:
        volume: float = 0.5
        home: Path | None = None
        name: str = "pad"

    path = tmp_path / "pad.toml"
    path.write_text("[pad]\nvolume = 1\n", "utf-8")
    assert typed.load(Pad, "pad", path, env={}) == Pad(volume=1.0)
    assert typed.load(Pad, "pad", path, env={"X_VOLUME": "0.25", "X_HOME": "/srv"}, env_prefix="X_") == Pad(0.25, Path("/srv"))
    assert typed.load(Pad, "pad", path, env={"X_HOME": ""}, env_prefix="X_").home is None
    with pytest.raises(SettingsInvalid, match='X_VOLUME: must be a number, got "loud"'):
        typed.load(Pad, "pad", path, env={"X_VOLUME": "loud"}, env_prefix="X_")
    path.write_text('[pad]\nvolume = "1"\n', "utf-8")
    with pytest.raises(SettingsInvalid, match='pad.toml \\[pad\\] volume: 应为数字 / must be a number, got "1"'):
        typed.load(Pad, "pad", path, env={})
