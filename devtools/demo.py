"""`haoban demo`: a simulated hall day driven through the real hub's HTTP API, at a chosen speed.

Citizens arrive (more at the morning and early-afternoon peaks), take tickets at the kiosk,
clerks call, serve, sometimes recall, skip, transfer or pause, and citizens rate the service.
The hub runs in its own process on a clock that runs `speed` times faster than real time. Ctrl-C, SIGTERM
and SIGHUP (a closed terminal window) stop the demo alike: the hub and any windows end, the projection is checked.
"""
from __future__ import annotations

import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests

from common.db.engine import make_engine, migrate
from common.domain.clock import SHANGHAI
from common.domain.idcard import check_digit
from common.domain.model import Role
from common.usecases import appointments, auth, check, reference

# Arrivals per hour at the district centre by hour of day; the community centre sees a third.
ARRIVALS_PER_HOUR = {8: 25, 9: 45, 10: 48, 11: 35, 12: 20, 13: 35, 14: 42, 15: 30, 16: 18}
OUTCOMES = (("completed", 70), ("accepted", 15), ("accepted_missing", 6), ("commitment", 5), ("rejected", 4))
SCORES = ((5, 78), (4, 14), (3, 5), (2, 2), (1, 1))
ELDER_ID = "31011819500315002" + check_digit("31011819500315002")  # a made-up card of 1950: the green channel by age
BAD_REASONS = ("等候时间太长", "材料要求没有一次说清楚", "窗口解释不够耐心")


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return s.getsockname()[1]
            except OSError:
                continue
    raise RuntimeError("no free port")


class Client:
    """One enrolled device talking to the hub over HTTP."""

    def __init__(self, base: str, code: str) -> None:
        self.base, self.http = base, requests.Session()
        body = self.http.post(f"{base}/api/v1/enrol", json={"code": code}, timeout=10).json()
        self.http.headers["Authorization"] = f"Bearer {body['token']}"

    def call(self, method: str, path: str, **kw) -> tuple[int, dict]:
        r = self.http.request(method, f"{self.base}/api/v1{path}", timeout=10, **kw)
        if r.status_code >= 500:
            raise RuntimeError(f"hub error {r.status_code} on {path}: {r.text[:200]}")
        return r.status_code, (r.json() if r.content else {})


@dataclass
class Counter:
    window_id: str
    terminal: Client
    pad: Client
    state: str = "idle"
    due: datetime | None = None
    ticket: dict | None = None
    shows_up: bool = True
    paused_until: datetime | None = None


@dataclass
class SiteSim:
    site_id: str
    name: str
    scale: float
    kiosk: Client
    counters: list[Counter]
    items: list[dict]
    queue_ids: list[str]
    next_arrival: datetime | None = None
    minutes_of: dict = field(default_factory=dict)
    sample_token: str | None = None


class Simulation:
    def __init__(self, sites: list[SiteSim], rng: random.Random) -> None:
        self.sites, self.rng = sites, rng

    def _interarrival(self, site: SiteSim, now: datetime) -> timedelta:
        rate = ARRIVALS_PER_HOUR.get(now.astimezone(SHANGHAI).hour, 0) * site.scale
        return timedelta(hours=self.rng.expovariate(rate)) if rate else timedelta(minutes=30)

    def step(self, now: datetime) -> None:
        for site in self.sites:
            site.next_arrival = site.next_arrival or now + self._interarrival(site, now)
            while site.next_arrival <= now:
                self._arrive(site)
                site.next_arrival += self._interarrival(site, site.next_arrival)
            for c in site.counters:
                if c.due is None or c.due <= now:
                    self._act(site, c, now)

    def _arrive(self, site: SiteSim) -> None:
        item = self.rng.choice(site.items)
        body = {"item_id": item["item_id"], "priority": "normal"}
        if self.rng.random() < 0.08:  # an elder's card on the reader: the hub reads the age (policy.green_granted)
            body.update(priority="green", id_number=ELDER_ID)
        status, out = site.kiosk.call("POST", "/tickets", json=body)
        if status == 201:
            site.minutes_of[out["ticket"]["ticket_id"]] = item["standard_minutes"]
            site.sample_token = site.sample_token or out["ticket"]["public_token"]

    def _act(self, site: SiteSim, c: Counter, now: datetime) -> None:
        rng, path = self.rng, f"/windows/{c.window_id}"
        secs = lambda a, b: timedelta(seconds=rng.uniform(a, b))  # noqa: E731
        if c.state == "paused":
            c.terminal.call("POST", f"{path}/resume")
            c.state, c.due = "idle", now
        elif c.state == "idle":
            if rng.random() < 0.01:
                c.terminal.call("POST", f"{path}/pause", json={"reason": "临时离开"})
                c.state, c.due = "paused", now + secs(300, 900)
                return
            status, out = c.terminal.call("POST", f"{path}/call-next")
            if status != 200:
                c.due = now + secs(20, 40)
                return
            c.state, c.ticket, c.shows_up = "called", out["ticket"], rng.random() < 0.93
            c.due = now + secs(20, 60)
        elif c.state == "called":
            if c.shows_up:
                c.terminal.call("POST", f"{path}/start")
                minutes = site.minutes_of.get(c.ticket["ticket_id"], 10)
                c.state, c.due = "serving", now + timedelta(minutes=rng.lognormvariate(math.log(minutes), 0.35))
            elif c.ticket.get("recalled"):
                c.terminal.call("POST", f"{path}/skip", json={"requeue": rng.random() < 0.3})
                c.state, c.due = "idle", now + secs(5, 15)
            else:
                c.terminal.call("POST", f"{path}/recall")
                c.ticket["recalled"], c.due = True, now + secs(45, 75)
        elif c.state == "serving":
            others = [q for q in site.queue_ids if q != c.ticket["queue_id"]]
            colleagues = [o.window_id for o in site.counters if o is not c]
            roll = rng.random()
            if roll < 0.03 and others:
                c.terminal.call("POST", f"{path}/transfer", json={"to_queue_id": rng.choice(others)})
            elif roll < 0.05 and colleagues:  # "please wait for window N": only that window calls it next
                c.terminal.call("POST", f"{path}/transfer", json={"to_window_id": rng.choice(colleagues)})
            else:
                self._finish(c, path, now)
            c.state, c.due = "idle", now + secs(10, 40)

    def _finish(self, c: Counter, path: str, now: datetime) -> None:
        outcome = _pick(self.rng, OUTCOMES)
        body = {"outcome": outcome}
        if outcome == "rejected":
            body["reason"] = "不属于本中心受理范围"
        if outcome == "accepted_missing":
            body |= {"missing_materials": "户口簿复印件", "due_date": (now.astimezone(SHANGHAI) + timedelta(days=5)).date().isoformat()}
        c.terminal.call("POST", f"{path}/finish", json=body)
        if self.rng.random() < 0.85:
            score = _pick(self.rng, SCORES)
            rating = {"score": score, "reason": self.rng.choice(BAD_REASONS) if score <= 2 else None}
            c.pad.call("POST", f"/tickets/{c.ticket['ticket_id']}/rating", json=rating)


def _short(name: str) -> str:
    return name.replace("社区事务受理服务中心", "").replace("行政服务中心", "中心")


def _summary(now: datetime, sites: list[SiteSim]) -> str:
    parts = [now.astimezone(SHANGHAI).strftime("%H:%M")]
    for site in sites:
        _, f = site.kiosk.call("GET", "/figures")
        share = f["wait_within_limit_share"]
        avg = f["ratings"]["average"]
        parts.append(
            f"{_short(site.name)} 取号{f['issued']:>3} 等候{f['waiting']:>3} 办理{f['serving'] + f['called']:>2} "
            f"办结{f['served']:>3} 过号{f['no_show']:>2} 最长等候{f['longest_wait_seconds'] // 60:>3}分 "
            f"等候达标{'  --' if share is None else f'{share:>4.0%}'} 满意度{'--' if avg is None else f'{avg:.2f}'}"
        )
    return " | ".join(parts)


def _prepare(db_url: str, key: bytes | None = None, day_start: datetime | None = None) -> dict:
    """Fresh demo database with the demo sites (and, given the hub's key, a few appointments around the
    start of the day) and one-time codes for every simulated device."""
    engine = make_engine(db_url)
    migrate(engine)
    now = datetime.now(SHANGHAI)
    codes: dict = {}
    with engine.begin() as conn:
        reference.load_demo(conn)
        if key is not None:
            appointments.load_demo(conn, key, day_start or now)
        for site in reference.demo_data()["sites"]:
            sid = site["id"]
            entry = codes[sid] = {"name": site["name"], "kiosk": None, "windows": []}
            entry["kiosk"] = auth.create_enrolment_code(conn, site_id=sid, role=Role.kiosk, name="kiosk", now=now)
            entry["extra_kiosk"] = auth.create_enrolment_code(conn, site_id=sid, role=Role.kiosk, name="自助机", now=now)
            entry["display"] = auth.create_enrolment_code(conn, site_id=sid, role=Role.display, name="大厅屏", now=now)
            # the 办不成事 window's queue has no simulated clerk: simulated citizens take the other items
            entry["cases_queues"] = [f"{sid}-{q}" for w in site["windows"] if w["kind"] == "cases" for q in w["queues"]]
            for w in site["windows"]:
                if w["kind"] == "cases":
                    continue
                wid = f"{sid}-w{w['number']:02d}"
                clerk = site["clerks"][(w["number"] - 1) % len(site["clerks"])]
                entry["windows"].append({
                    "window_id": wid, "clerk": clerk,
                    "terminal": auth.create_enrolment_code(conn, site_id=sid, role=Role.terminal, name=w["name"], now=now, window_id=wid),
                    "pad": auth.create_enrolment_code(conn, site_id=sid, role=Role.rating, name=w["name"], now=now, window_id=wid),
                })
            desk = entry["windows"][0]  # with a display, a person serves here (terminal window) instead of the simulation
            entry["desk"] = {**desk, "terminal": auth.create_enrolment_code(conn, site_id=sid, role=Role.terminal, name="desk", now=now, window_id=desk["window_id"]),
                             "pad": auth.create_enrolment_code(conn, site_id=sid, role=Role.rating, name="desk", now=now, window_id=desk["window_id"])}
    _demo_cases(engine, day_start or now)
    engine.dispose()
    return codes


# A few cases entered at the start of the demo day and assigned to the demo departments, so that their handlers'
# page (/handler) has work: (department, class, cause, what was reported)
DEMO_CASES = (("区医保中心", "immediate", "policy", "外省参保记录无法转入，窗口说要等系统对接"),
              ("区医保中心", "general", "materials", "医保卡补领要求的材料和网上办事指南不一致"),
              ("区社保中心", "general", "system", "一网通办申报养老金页面一直提交不了"))


def _demo_cases(engine, at: datetime) -> None:
    """DEMO_CASES, entered from 12345 by the demo supervisor through the hub's own commands (a hub of this process
    on the database, its clock stopped at `at`, before the demo's hub process starts)."""
    from common.domain.clock import SimClock
    from common.usecases.casework import Desk
    from common.usecases.hub import Hub

    site = reference.demo_data()["sites"][0]
    hub = Hub(engine, SimClock(at, 0.0))
    desk = Desk(site_id=site["id"], clerk_id=f"{site['id']}-{site['supervisors'][0]['staff_no']}")
    for department, case_class, cause, text in DEMO_CASES:
        opened = hub.open_case(desk, source="hotline", cause=cause, text=text, item_id=f"{site['id']}-YB-01").case
        assert opened is not None  # an opened case is in its Done
        hub.classify_case(desk, opened.id, case_class)
        hub.assign_case(desk, opened.id, department)


def _connect(base: str, codes: dict, skip: tuple[str, ...] = ()) -> list[SiteSim]:
    sites = []
    for sid, entry in codes.items():
        kiosk = Client(base, entry["kiosk"])
        counters = []
        for w in entry["windows"]:
            if w["window_id"] in skip:
                continue
            terminal = Client(base, w["terminal"])
            _, out = terminal.call("POST", "/clerk/sign-in", json={"staff_no": w["clerk"]["staff_no"], "pin": w["clerk"]["pin"]})
            terminal.http.headers["X-Clerk-Token"] = out["clerk_token"]
            counters.append(Counter(window_id=w["window_id"], terminal=terminal, pad=Client(base, w["pad"])))
        _, cat = kiosk.call("GET", "/catalogue")
        _, queue = kiosk.call("GET", "/queue")
        sites.append(SiteSim(site_id=sid, name=entry["name"], scale=1.0 if len(counters) > 6 else 0.3, kiosk=kiosk,
                             counters=counters,
                             items=[i for i in cat["items"] if i["queue_id"] not in entry.get("cases_queues", ())], queue_ids=[q["queue_id"] for q in queue]))
    return sites


def run(settings, *, speed: float = 60.0, until: str = "17:00", port: int = 8300, seed: int = 2023) -> int:
    folder = settings.data_path / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("demo.sqlite3*"):
        old.unlink()
    db_url = f"sqlite:///{folder / 'demo.sqlite3'}"
    today = datetime.now(SHANGHAI).date()
    start = datetime(today.year, today.month, today.day, 8, 30, tzinfo=SHANGHAI)
    codes = _prepare(db_url, appointments.hub_key(settings.data_path), start + timedelta(minutes=30))
    hh, mm = (int(x) for x in until.split(":"))
    end = start.replace(hour=hh, minute=mm)
    port = _free_port(port)
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HAOBAN_DATABASE_URL": db_url, "HAOBAN_CLOCK": f"sim:{start.isoformat()}:{speed}",
           "HAOBAN_HOST": "127.0.0.1", "HAOBAN_PORT": str(port)}
    # its own session: Ctrl-C stops the simulation, which then stops the hub in order
    hub = subprocess.Popen([sys.executable, "-m", "server.cli", "serve"], env=env, start_new_session=True)
    shells: list = []
    restore = _interrupt_on_signals()
    try:
        for _ in range(200):
            try:
                hub_now = datetime.fromisoformat(requests.get(f"{base}/healthz", timeout=1).json()["now"])
                break
            except requests.RequestException:
                if hub.poll() is not None:
                    print("错误：服务端未能启动 / Error: the hub did not start", file=sys.stderr)
                    return 1
                time.sleep(0.1)
        t0 = time.monotonic()
        clock = lambda: hub_now + timedelta(seconds=(time.monotonic() - t0) * speed)  # noqa: E731
        desk = codes["qp-centre"]["desk"]
        sites = _connect(base, codes, skip=(desk["window_id"],) if _has_display() else ())
        print(f"好办 演示 / Haoban demo — a simulated day {start:%H:%M}–{end:%H:%M} at {speed:g}x speed")
        print(f"  API and its docs:   {base}/docs   (OpenAPI: {base}/openapi.json)")
        print(f"  database:           {folder / 'demo.sqlite3'}   (hub process {hub.pid})")
        boss = reference.demo_data()["sites"][0]["supervisors"][0]
        print(f"  hall display board: {base}/display?code={codes['qp-centre']['display']}   (enrols once)")
        print(f"  dashboard:          {base}/dashboard   (staff number {boss['staff_no']}, PIN {boss['pin']})")
        dept = reference.demo_data()["sites"][0]["handlers"][0]
        print(f"  a department's cases: {base}/handler   ({dept['department']}: staff number {dept['staff_no']}, PIN {dept['pin']})")
        print("  a citizen's phone page: printed below every half hour (the receipt's QR code link)", flush=True)
        sim = Simulation(sites, random.Random(seed))
        shells.append(_kiosk_window(folder, base, codes))
        shells.append(_terminal_window(folder, base, desk))
        stop = threading.Event()  # while the day runs, a signal asks it to end between two steps: an interrupt raised
        _stop_on_signals(stop)  # in the middle of a step could leave a lock of the clients held and hang the end
        run_day(sim, sites, clock, end, base, stop)
        if stop.is_set():
            print("\n演示已停止 / demo stopped")
        print(_summary(clock(), sites))
    except KeyboardInterrupt:  # while setting up: stopped all the same
        print("\n演示已停止 / demo stopped")
    finally:
        _stop(hub, [s for s in shells if s is not None])
        restore()
    diffs = check.differences(make_engine(db_url))
    print("projection check: stored state equals the fold of the events" if not diffs else f"projection check FAILED: {diffs[:3]}")
    return 0 if not diffs else 1


def _interrupt_on_signals():
    """While setting up, Ctrl-C, SIGTERM and SIGHUP (a closed terminal window) stop the demo alike: as a
    KeyboardInterrupt in the main thread, so that the hub and the windows are stopped and the projection checked
    (once the day runs, `_stop_on_signals`). Returns the undo."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    kinds = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
    try:
        old = {kind: signal.signal(kind, interrupt) for kind in kinds}
    except ValueError:  # not the main thread: signals stay as they are
        return lambda: None
    return lambda: [signal.signal(kind, handler) for kind, handler in old.items()]


def _stop_on_signals(stop: threading.Event) -> None:
    """Ctrl-C, SIGTERM and SIGHUP set `stop` (the day ends after its current step); `restore` puts the old back."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            try:
                signal.signal(getattr(signal, name), lambda signum, frame: stop.set())
            except ValueError:  # not the main thread: signals stay as they are
                return


def _stop(hub: subprocess.Popen, shells: list) -> None:
    """End the windows and the hub; a second Ctrl-C (or signal) meanwhile does not leave the hub behind."""
    for _ in range(3):
        try:
            for shell in shells:
                shell.terminate()
            hub.terminate()
            try:
                hub.wait(10)
            except subprocess.TimeoutExpired:
                hub.kill()
                hub.wait(10)
            for shell in shells:
                shell.wait(10)
            return
        except KeyboardInterrupt:
            continue
        except subprocess.TimeoutExpired:
            return


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _shell(folder, module: str, section: str, settings: dict, stores: tuple[str, ...]):
    """With a display, a Qt shell (kiosk or terminal) as its own process on the demo hub, with fresh stores."""
    if not _has_display():
        return None
    path = folder / f"{section}.toml"
    path.write_text(f"[{section}]\n" + "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in settings.items()),
                    "utf-8")  # JSON strings and booleans are TOML too
    for old in (f for store in stores for f in folder.glob(f"{store}*")):
        old.unlink()
    return subprocess.Popen([sys.executable, "-m", module, str(path)])


def _terminal_window(folder, base: str, desk: dict):
    """Window 1's terminal and its rating screen (a mouse may rate: it is a demo)."""
    shell = _shell(folder, "terminal.main", "terminal", {
        "hub_url": base, "enrolment_code": desk["terminal"], "store": str(folder / "terminal.sqlite3"),
        "rating_enrolment_code": desk["pad"], "rating_store": str(folder / "rating.sqlite3"), "rating_mouse": True,
    }, ("terminal.sqlite3", "rating.sqlite3"))
    if shell is not None:
        print(f"  a terminal window is open at window 1: sign in as {desk['clerk']['staff_no']} / PIN {desk['clerk']['pin']}")
    return shell


def _kiosk_window(folder, base: str, codes: dict):
    """A kiosk window (simulated printer writing to a file)."""
    shell = _shell(folder, "kiosk.main", "kiosk", {
        "hub_url": base, "enrolment_code": codes["qp-centre"]["extra_kiosk"], "store": str(folder / "kiosk.sqlite3"),
        "printer": f"file:{folder / 'receipts.bin'}", "fullscreen": False,
        "id_reader": "simulated", "scanner": "wedge", "speaker": "aplay", "demo": True,
    }, ("kiosk.sqlite3",))
    if shell is not None:
        print("  a kiosk window is open (receipts go to", folder / "receipts.bin", ")")
    return shell


def run_day(sim: Simulation, sites: list[SiteSim], clock, end: datetime, base: str,
            stop: threading.Event | None = None) -> None:
    """The simulated day until `end`, or until `stop` is set (a signal)."""
    stop = stop or threading.Event()
    next_line = clock().replace(second=0, microsecond=0) + timedelta(minutes=1)
    while (now := clock()) < end and not stop.is_set():
        sim.step(now)
        if now >= next_line:
            print(_summary(now, sites), flush=True)
            if sites[0].sample_token and now.minute % 30 == 0:
                print(f"  a citizen's phone page: {base}/api/v1/public/tickets/{sites[0].sample_token}")
            # at high speeds a line can take longer than a simulated minute: never fall behind
            next_line = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        time.sleep(0.02)
