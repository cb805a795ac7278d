"""The texts of every screen, page and error: i18n/<name>.json, key -> {language: text}, each read once.

The one way to load texts (common, the Qt screens and the hub's pages all use it). Languages: zh_CN (the
default), en and zh_Hant (繁體); a text without a language is shown in zh_CN. `{field}`s are filled by
`str.format`; a field given as {language: text} is taken in the same language.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources

DEFAULT = "zh_CN"
LANGUAGES = ("zh_CN", "en", "zh_Hant")
CITIZENS = ("errors", "kiosk", "rating", "phone")  # catalogues citizens see: every text in every language


@cache
def catalogue(name: str) -> dict[str, dict[str, str]]:
    """i18n/<name>.json as it is: key -> {language: text} (shared: do not change it)."""
    return json.loads(resources.files(__name__).joinpath(f"{name}.json").read_text("utf-8"))


def text(name: str, key: str, lang: str = DEFAULT, **fields: object) -> str:
    """The text `key` of catalogue `name` in `lang`, its fields filled."""
    entry = catalogue(name)[key]
    values = {k: _in(v, lang) if isinstance(v, dict) else v for k, v in fields.items()}
    return _in(entry, lang).format(**values)


def texts(name: str, key: str, **fields: object) -> dict[str, str]:
    """The text `key` in every language: language -> text."""
    return {lang: text(name, key, lang, **fields) for lang in LANGUAGES}


@cache
def by_language(name: str) -> dict[str, dict[str, str]]:
    """The catalogue as one map per language, built once: language -> {key: text} (as written, unfilled)."""
    return {lang: {k: _in(v, lang) for k, v in catalogue(name).items()} for lang in LANGUAGES}


def _in(entry: dict[str, str], lang: str) -> str:
    return entry.get(lang) or entry[DEFAULT]


_LISTS = ("、", "，", ",")


def name(text: str, lang: str = DEFAULT, own: Mapping[str, str] | None = None) -> str:
    """A department's or queue's name as the hall wrote it, in `lang`: in English the hall's own English name first
    (`own`: Chinese name -> English, from its reference data, `own_names`), then
    i18n/names.json (the names halls commonly give, the demo's all, in every language); a list of names ("户籍、医保")
    part by part, joined as the language does; an unknown name stays as written. The one lookup of these names."""
    if lang == DEFAULT or not text:
        return text
    if lang == "en" and own and own.get(text.strip()):
        return own[text.strip()]
    names = catalogue("names")
    for sep in _LISTS:
        if sep in text:
            parts = [name(p.strip(), lang, own) for p in text.split(sep)]
            return ("; " if lang == "en" else "、").join(parts)
    entry = names.get(text.strip())
    return (entry.get(lang) or text) if entry else text


def own_names(queues: list[dict], items: list[dict]) -> dict[str, str]:
    """The hall's own English names of its queues and departments (reference data rows), by the Chinese name as the
    hall wrote it: the `own` of `name`. Two rows giving one name two English names: the first (by id) wins."""
    own: dict[str, str] = {}
    for _, text, en in sorted([(q["id"], q["name"], q.get("name_en") or "") for q in queues]
                              + [(i["id"], i["department"], i.get("department_en") or "") for i in items]):
        if en and text:
            own.setdefault(text.strip(), en)
    return own
