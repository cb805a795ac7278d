"""One step for a machine of a hall (issue 15): enrol it and write the settings its programs read, safely re-run.

Shared by `haoban setup` (server/cli.py) and the Qt set-up screen (qtbase/setup.py): no Qt, no web framework here.
Two kinds of machine:
- `village`: a village laptop runs a hub of its own (enrolled upstream at the district with a code for role hub,
  reference data fetched) and its own kiosk and terminal, which enrol at that hub with codes made here;
- `station`: a single kiosk or counter PC joins a hub that runs elsewhere, with a code for its role.
Nothing is written before the hub has accepted the code; each settings file is written whole (a temporary file
renamed over it), so a wrong code or a hub that is down leaves the machine as it was.
"""
from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select

from common.db.schema import SiteRow
from common.domain import errors as e
from common.domain.model import Role
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport
from common.usecases import auth, upstream

LOCAL_HUB = "http://127.0.0.1:8300"  # the laptop's own hub, as `haoban serve` listens by default
STATIONS = (Role.kiosk, Role.terminal)
NAMES = {Role.kiosk: "本机自助取号", Role.terminal: "本机窗口", Role.rating: "本机评价器"}  # the devices' names in the hub's device list


@dataclass(frozen=True)
class Plan:
    """What the person setting up answered: the hub, the one-time code, the devices, where files go."""
    hub_url: str
    code: str
    config_dir: Path
    data_dir: Path
    printer: str = "dummy"
    scanner: str = "wedge"
    local_url: str = LOCAL_HUB
    id_reader: str = "none"  # the kiosk's ID-card reader, as kiosk.toml names it (common/devices/idreader.open_reader)
    rating: bool = False  # a village laptop's terminal starts the citizen's rating screen on its second monitor


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_whole(path: Path, text: str) -> None:
    """Write a settings file in one rename, so a reader never sees it half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _url(text: str) -> str:
    url = text.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) > 200 or any(c.isspace() for c in url):
        raise e.InvalidInput("setup_hub_url")
    return url


def station_text(role: Role, hub_url: str, store: Path, plan: Plan, code: str = "",
                 rating: tuple[Path, str] | None = None) -> str:
    """The settings file of a kiosk or terminal (kiosk.toml, terminal.toml): the hub, its store, its devices; for a
    terminal with a rating screen (`rating`: its store and, before it enrolled, its one-time code) the two keys the
    terminal starts it with (terminal/main.py)."""
    lines = [f"[{role.value}]", f"hub_url = {_toml_str(hub_url)}", f"store = {_toml_str(str(store))}"]
    if code:
        lines.append(f"enrolment_code = {_toml_str(code)}")
    if role is Role.kiosk:
        lines += [f"printer = {_toml_str(plan.printer)}", f"scanner = {_toml_str(plan.scanner)}",
                  f"id_reader = {_toml_str(plan.id_reader)}"]
    if role is Role.terminal and rating is not None:
        lines.append(f"rating_store = {_toml_str(str(rating[0]))}")
        if rating[1]:
            lines.append(f"rating_enrolment_code = {_toml_str(rating[1])}")
    return "\n".join(lines) + "\n"


def _enrolled(store: Path) -> bool:
    return store.exists() and LocalStore(store).get("me") is not None


def village(engine: Engine, plan: Plan, now: datetime) -> dict:
    """A village laptop: its own hub enrolled upstream at the district (reference data fetched), then hub.toml
    (data folder and upstream), kiosk.toml and terminal.toml (the laptop's own hub, with a one-time code each made
    in its database; with `plan.rating` the terminal's rating screen too, its own device with a code of role rating,
    not bound to a window: a village point's ratings are of its one terminal) written. Re-run at the same district: the enrolment is kept, a station already enrolled at
    the laptop's hub keeps its store and needs no new code."""
    url = _url(plan.hub_url)
    with engine.begin() as conn:
        state = upstream.load_state(conn)
    if state.get("token") and state.get("url") == url:
        upstream.UpstreamLink(engine).refresh_reference()  # already enrolled here: only fresh reference data
        answer = {"site_id": state["site_id"], "device_id": state["device_id"], "again": True}
    else:
        answer = {**upstream.enrol(engine, url, plan.code), "again": False}
    files = {plan.config_dir / "hub.toml": f"[hub]\ndata_dir = {_toml_str(str(plan.data_dir))}\n"
                                           f"upstream = {_toml_str(url)}\n"}
    def store_and_code(role: Role) -> tuple[Path, str]:
        store = plan.data_dir / f"{role.value}.sqlite3"
        if _enrolled(store):
            return store, ""
        with engine.begin() as conn:
            return store, auth.create_enrolment_code(conn, site_id=answer["site_id"], role=role, name=NAMES[role],
                                                     now=now)

    rating = store_and_code(Role.rating) if plan.rating else None
    for role in STATIONS:
        store, code = store_and_code(role)
        files[plan.config_dir / f"{role.value}.toml"] = station_text(role, plan.local_url, store, plan, code, rating)
    for path, text in files.items():
        write_whole(path, text)
    with engine.begin() as conn:
        name = conn.execute(select(SiteRow.name).where(SiteRow.id == answer["site_id"])).scalar()
    return {"site_id": answer["site_id"], "site_name": name or answer["site_id"], "device_id": answer["device_id"],
            "again": answer["again"], "files": [str(p) for p in files]}


def station(plan: Plan, role: Role) -> dict:
    """A single kiosk or counter PC joining a hub: enrolled there at once with the code (a code for another role is
    refused by the hub and stays unspent), its token kept in its store, then <role>.toml written. Re-run with the
    same hub: the enrolment is kept and the file written again (new devices chosen)."""
    if role not in STATIONS:
        raise e.InvalidInput("setup_role")
    url = _url(plan.hub_url)
    store = plan.data_dir / f"{role.value}.sqlite3"
    path = plan.config_dir / f"{role.value}.toml"
    again = _enrolled(store) and path.exists() and _hub_of(path, role) == url
    if not again:
        me = HttpTransport(url, "").call("POST", "/enrol", json={"code": plan.code.strip(), "role": role.value})
        plan.data_dir.mkdir(parents=True, exist_ok=True)
        LocalStore(store).put("me", me)
    me = LocalStore(store).get("me")
    write_whole(path, station_text(role, url, store, plan))
    answer = {"site_id": me["site_id"], "device_id": me["device_id"], "again": again, "files": [str(path)]}
    if role is Role.terminal:
        answer["window"] = _window(url, me)
    return answer


def _window(url: str, me: dict) -> dict | None:
    """A counter PC's window as its hub lists it (number and name), when its code named one; None when the clerk picks
    one at sign-in (terminal/desk.py); {} when the code named one but the hub fell silent right after the enrolment
    (the terminal shows it once it reaches the hub: said so, not an error)."""
    if not me.get("window_id"):
        return None
    try:
        windows = HttpTransport(url, me["token"]).call("GET", "/windows")
    except e.HubUnreachable:
        return {}
    return next(({"number": w["number"], "name": w["name"]} for w in windows if w["window_id"] == me["window_id"]), {})


def _hub_of(path: Path, role: Role) -> str:
    try:
        return str(tomllib.loads(path.read_text("utf-8")).get(role.value, {}).get("hub_url", ""))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return ""
