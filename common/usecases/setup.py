"""One step for a village (issue 15): enrol this machine and write the settings its programs read, safely re-run.

Shared by `haoban setup` (server/cli.py) and, later, the Qt set-up screen: no Qt, no web framework here.
Nothing is written before the district hub has accepted the code; each settings file is written whole
(a temporary file renamed over it), so a wrong code or a hub that is down leaves the machine as it was.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from common.domain import errors as e
from common.usecases import upstream


@dataclass(frozen=True)
class Plan:
    """What the person setting up answered: the district hub, the one-time code, the devices, where files go."""
    hub_url: str
    code: str
    config_dir: Path
    data_dir: Path
    printer: str = "dummy"
    scanner: str = "wedge"


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_whole(path: Path, text: str) -> None:
    """Write a settings file in one rename, so a reader never sees it half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def village(engine: Engine, plan: Plan) -> dict:
    """A village laptop: its own hub enrolled upstream at the district (reference data fetched), then hub.toml written
    (data folder and upstream) for `haoban serve --config`. Re-run at the same district: the enrolment is kept."""
    url = plan.hub_url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise e.InvalidInput("setup_hub_url")
    with engine.begin() as conn:
        state = upstream.load_state(conn)
    if state.get("token") and state.get("url") == url:
        upstream.UpstreamLink(engine).refresh_reference()  # already enrolled here: only fresh reference data
        answer = {"site_id": state["site_id"], "device_id": state["device_id"], "again": True}
    else:
        answer = {**upstream.enrol(engine, url, plan.code), "again": False}
    write_whole(plan.config_dir / "hub.toml",
                f"[hub]\ndata_dir = {_toml_str(str(plan.data_dir))}\nupstream = {_toml_str(url)}\n")
    return {"site_id": answer["site_id"], "device_id": answer["device_id"], "again": answer["again"]}
