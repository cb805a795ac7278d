"""The clerk terminal's typed settings: section [terminal] of its TOML file and HAOBAN_TERMINAL_* variables."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from common import settings as typed


@dataclass(frozen=True)
class TerminalSettings:
    hub_url: str
    store: Path
    enrolment_code: str = ""  # an enrol-code for role terminal (and this window); used once
    language: Literal["zh_CN", "en"] = "zh_CN"
    voice: bool = False  # calls on the speakers, where the hall has no display board
    rating_enrolment_code: str = ""  # the rating screen on a second monitor: its own device, role rating
    rating_store: Path | None = None  # none: no rating screen
    rating_mouse: bool = False  # true only for a demo on a desktop: otherwise only touch can rate


def load(path, env=None) -> TerminalSettings:
    """Raises common.settings.SettingsInvalid, naming the file and the key."""
    return typed.load(TerminalSettings, "terminal", path, env=env, env_prefix="HAOBAN_TERMINAL_")
