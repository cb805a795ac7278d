"""One typed settings object, read from a TOML file and HAOBAN_* environment variables (these win)."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from platformdirs import user_data_dir


@dataclass(frozen=True)
class Settings:
    data_dir: str = ""  # default: the platform's data folder for "haoban"
    database_url: str = ""  # default: SQLite file hub.sqlite3 in data_dir
    host: str = "127.0.0.1"
    port: int = 8300
    clock: str = "system"  # or sim:<ISO start>:<speed> for the demo
    workers: int = 1  # hub processes; more than one only on PostgreSQL (one process owns a SQLite file)
    upstream: str = ""  # URL of the upstream hub; the token comes from `haoban hub enrol`

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{Path(self.data_path) / 'hub.sqlite3'}"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir or user_data_dir("haoban", appauthor=False))


def load(path: str | os.PathLike | None = None, env: dict | None = None) -> Settings:
    env = os.environ if env is None else env
    values: dict = {}
    path = path or env.get("HAOBAN_CONFIG")
    if path:
        with open(path, "rb") as f:
            values.update(tomllib.load(f).get("hub", {}))
    for f in fields(Settings):
        if (v := env.get(f"HAOBAN_{f.name.upper()}")) is not None:
            values[f.name] = int(v) if f.type == "int" else v
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in values.items() if k in known})
