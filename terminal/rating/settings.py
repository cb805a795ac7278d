"""The rating pad's typed settings: section [rating] of its TOML file and HAOBAN_RATING_* variables."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common import settings as typed


@dataclass(frozen=True)
class RatingSettings:
    hub_url: str
    store: Path
    enrolment_code: str = ""  # an enrol-code for role rating and this window; used once
    fullscreen: bool = True
    mouse: bool = False  # true only for a demo on a desktop: otherwise only touch can rate


def load(path, env=None) -> RatingSettings:
    """Raises common.settings.SettingsInvalid, naming the file and the key."""
    return typed.load(RatingSettings, "rating", path, env=env, env_prefix="HAOBAN_RATING_")
