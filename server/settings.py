"""The hub's typed settings: section [hub] of a TOML file and HAOBAN_* environment variables (these win)."""
from __future__ import annotations

import json
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
    # 视频帮办 (branch video): the calls' ICE servers as a JSON list of RTCIceServer, e.g. a coturn TURN server
    # (docs/remote.md); empty: host candidates only, peer to peer on the government network
    video_ice_servers: str = field(default="", metadata={"check": lambda v: ice_servers(v)})

    @property
    def ice_servers(self) -> list:
        return ice_servers(self.video_ice_servers)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{Path(self.data_path) / 'hub.sqlite3'}"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir or user_data_dir("haoban", appauthor=False))


def ice_servers(value: str) -> list:
    """The JSON list of `video_ice_servers` (ValueError unless a list of objects, each with its "urls")."""
    servers = json.loads(value) if value.strip() else []
    if not isinstance(servers, list) or not all(isinstance(x, dict) and "urls" in x for x in servers):
        raise ValueError("video_ice_servers")
    return servers


def load(path: str | os.PathLike | None = None, env: dict | None = None) -> Settings:
    """The settings from `path` (or the file named by HAOBAN_CONFIG, or none) and the environment; raises
    SettingsInvalid on an unknown key, a value of the wrong type or a clock that cannot be read."""
    env = os.environ if env is None else env
    return typed.load(Settings, "hub", path or env.get("HAOBAN_CONFIG"), env=env, required_file=False)
