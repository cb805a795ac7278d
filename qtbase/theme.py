"""The Jiangnan theme, read once at import (Qt Quick reads it many times a screen); texts come from `i18n`."""
from __future__ import annotations

import json

from assets import ROOT as ASSETS

ICONS = ASSETS / "theme" / "icons"
THEME = json.loads((ASSETS / "theme" / "jiangnan.json").read_text("utf-8"))
THEME_FOR_QML = {**THEME, "icons": ICONS.as_uri() + "/"}
