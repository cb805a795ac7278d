"""The hub's typed settings: section [hub] of a TOML file and HAOBAN_* environment variables (these win)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from common import settings as typed
from common.domain.clock import parse_clock
from common.settings import SettingsInvalid  # noqa: F401 - what `load` raises

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def _log_level(value: str) -> None:
    if value.lower() not in LOG_LEVELS:
        raise ValueError("expected " + " | ".join(LOG_LEVELS))


@dataclass(frozen=True)
class Settings:
    data_dir: str = ""  # default: the platform's data folder for "haoban"
    database_url: str = ""  # default: SQLite file hub.sqlite3 in data_dir
    host: str = "127.0.0.1"
    port: int = 8300
    clock: str = field(default="system", metadata={"check": parse_clock})  # or sim:<ISO start>:<speed> for the demo
    workers: int = 1  # hub processes; more than one only on PostgreSQL (one process owns a SQLite file)
    upstream: str = ""  # URL of the upstream hub; the token comes from `haoban hub enrol`
    limit_concurrency: int = 2500  # connections (and tasks) a hub process serves at once; past it uvicorn answers 503
    max_streams: int = 2000  # open live streams per hub process (below limit_concurrency: requests need room too)
    max_streams_per_address: int = 200
    access_log: bool = False  # uvicorn's line per request (tokens masked, queries dropped: server/accesslog.py)
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-Proto/-For are believed (https: Secure cookies)
    log_level: str = field(default="warning", metadata={"check": _log_level})  # debug | info | warning | error
    log_file: str = ""  # empty: JSON lines on stderr (the journal under systemd); else this file, rotated at 10 MB

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{Path(self.data_path) / 'hub.sqlite3'}"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir or user_data_dir("haoban", appauthor=False))


def load(path: str | os.PathLike | None = None, env: dict | None = None) -> Settings:
    """The settings from `path` (or the file named by HAOBAN_CONFIG, or none) and the environment; raises
    SettingsInvalid on an unknown key, a value of the wrong type or a clock that cannot be read."""
    env = os.environ if env is None else env
    return typed.load(Settings, "hub", path or env.get("HAOBAN_CONFIG"), env=env, required_file=False)
