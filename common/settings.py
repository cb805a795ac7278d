"""Typed settings of a program: a frozen dataclass filled from one section of a TOML file and from environment
variables (these win), each key checked against its type; a wrong key stops the program with a bilingual
message that names the file, the section and the key (`kiosk.toml [kiosk] hub_url: 缺少此项 / missing`).

A program declares its settings as a frozen dataclass: a field without a default is required; the types
understood are str, int, float, bool, Path, Literal[...] choices and `X | None`. A field's metadata may hold
`check`, a function that raises ValueError on a value that has the right type but cannot be used.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import tomllib
import types
import typing
from pathlib import Path

import i18n
from common.domain.errors import HaobanError

_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class SettingsInvalid(HaobanError):
    """A settings file or variable that cannot be used: `where` (file and section, or the variable) and `key`."""

    code = "settings_invalid"
    status = 400

    def __init__(self, where: str | dict[str, str], key: str | None, problem: str, **fields: object) -> None:
        """`where`: the file and section, or a variable's words in each language; `problem`: a catalogue key."""
        places = {lang: where if isinstance(where, str) else where[lang] for lang in i18n.LANGUAGES}
        places = {lang: f"{w} {key}" if key else w for lang, w in places.items()}
        problems = i18n.texts("errors", problem, **fields)
        super().__init__("settings_invalid", place=places, problem=problems)
        self.where, self.setting = places["en"], key
        same = places["zh_CN"] == places["en"]
        self.line = f"{places['en']}: {problems['zh_CN']} / {problems['en']}" if same else f"{self.zh} / {self.en}"

    def __str__(self) -> str:
        return self.line


def load(cls: type, section: str, path: str | os.PathLike | None = None, *, env: typing.Mapping[str, str] | None = None,
         env_prefix: str = "HAOBAN_", required_file: bool = True):
    """`cls` from section [section] of the file at `path` (if any) and from the variables env_prefix + KEY in
    upper case (e.g. HAOBAN_PORT), which win over the file. Raises SettingsInvalid."""
    env = os.environ if env is None else env
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    where = f"{path} [{section}]" if path else f"[{section}]"
    raw = _read(path, section, required_file) if path else {}
    values, origin = {}, {}  # origin: where each value came from, (where, key) for the messages
    for key, value in raw.items():
        if key not in fields:
            raise SettingsInvalid(where, key, "settings_unknown_key", known=", ".join(fields))
        origin[key] = (where, key)
        values[key] = _typed(value, hints[key], *origin[key], from_text=False)
    for key in fields:
        name = f"{env_prefix}{key.upper()}"
        if (text := env.get(name)) is not None:
            origin[key] = (i18n.texts("errors", "settings_env_variable", variable=name), None)
            values[key] = _typed(text, hints[key], *origin[key], from_text=True)
    for key, f in fields.items():
        if key not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise SettingsInvalid(where, key, "settings_missing")
        if key in values and (check := f.metadata.get("check")) is not None and values[key] is not None:
            try:
                check(values[key])
            except ValueError as exc:
                raise SettingsInvalid(*origin[key], "settings_bad_value", value=_shown(values[key]), reason=exc) from None
    return cls(**values)


def load_or_exit(loader, path: str | os.PathLike):
    """`loader(path)` at a program's start: a settings error is printed (no traceback), the program exits with 2."""
    try:
        return loader(path)
    except SettingsInvalid as exc:
        print(f"错误 / Error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _read(path, section: str, required: bool) -> dict:
    where = str(path)
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except FileNotFoundError:
        raise SettingsInvalid(where, None, "settings_no_file") from None
    except OSError as exc:
        raise SettingsInvalid(where, None, "settings_unreadable", reason=exc.strerror) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsInvalid(where, None, "settings_bad_toml", reason=exc) from None
    table = f"[{section}]"
    if required and section not in doc:
        raise SettingsInvalid(where, table, "settings_no_section")
    body = doc.get(section, {})
    if not isinstance(body, dict):
        raise SettingsInvalid(where, table, "settings_not_table")
    return body


def _typed(value, hint, where: str | dict[str, str], key: str | None, *, from_text: bool):
    """`value` as type `hint`, or SettingsInvalid saying what was expected and what was found."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if value is None or (from_text and value == ""):
            return None
        return _typed(value, next(a for a in args if a is not type(None)), where, key, from_text=from_text)
    if typing.get_origin(hint) is typing.Literal:
        if value in args:
            return value
        choices = " | ".join(str(a) for a in args)
        raise SettingsInvalid(where, key, "settings_choice", choices=choices, value=_shown(value))
    bad = SettingsInvalid(where, key, "settings_type", type=i18n.texts("errors", f"type_{hint.__name__}"), value=_shown(value))
    if from_text:
        try:
            if hint is bool:
                if value.strip().lower() not in _TRUE + _FALSE:
                    raise ValueError(value)
                return value.strip().lower() in _TRUE
            return hint(value)
        except ValueError:
            raise bad from None
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is Path and isinstance(value, str):
        return Path(value)
    if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
        raise bad
    return value


def _shown(value) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value).lower() if isinstance(value, bool) else repr(value)
