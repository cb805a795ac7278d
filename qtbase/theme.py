"""The Jiangnan theme, read once at import (Qt Quick reads it many times a screen); texts come from `i18n`."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "assets" / "theme" / "icons"
THEME = json.loads((ROOT / "assets" / "theme" / "jiangnan.json").read_text("utf-8"))
THEME_FOR_QML = {**THEME, "icons": ICONS.as_uri() + "/"}
