"""The Jiangnan theme and the screens' texts, read once at import (Qt Quick reads them many times a screen)."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "assets" / "theme" / "icons"
THEME = json.loads((ROOT / "assets" / "theme" / "jiangnan.json").read_text("utf-8"))
THEME_FOR_QML = {**THEME, "icons": ICONS.as_uri() + "/"}
LANGUAGES = ("zh_CN", "en")


def texts(name: str) -> dict:
    """i18n/<name>.json as it is: key -> {language: text}."""
    return json.loads((ROOT / "i18n" / f"{name}.json").read_text("utf-8"))


def by_language(texts: dict) -> dict[str, dict]:
    """The same texts as one map per language, built once: language -> {key: text}."""
    return {lang: {k: v[lang] for k, v in texts.items()} for lang in LANGUAGES}
