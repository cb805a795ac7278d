"""Real processes on loopback: a central hub, a site hub with --upstream, a kiosk process. Each is
killed with SIGKILL in the middle of syncing and started again; nothing may be lost or doubled."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import text

from common.db.engine import make_engine
from common.domain import contact
from common.usecases import check
from tests.conftest import free_port
from tests.integration.kiosk_process import PHONE

ROOT = Path(__file__).resolve().parents[2]
SITE = "qp-zhujiajiao"
TICKETS = 60
CASES = 12  # 办不成事 cases the kiosk reports online meanwhile, retrying with its own ids
OFFLINE_CASES = 12  # and cases it registers itself, kept in its store and pushed with its tickets


class Proc:
    def __init__(self, args, env, log):
        self.args, self.env, self.log = args, env, log
        self.p = None

    def start(self):
        self.p = subprocess.Popen([sys.executable, *self.args], env=self.env, cwd=ROOT, stdout=self.log, stderr=self.log)
        return self

    def kill9(self):
        os.kill(self.p.pid, signal.SIGKILL)
        self.p.wait(10)

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.kill()
            self.p.wait(10)


def hub_env(folder: Path, port: int, **extra) -> dict:
    return {**os.environ, "HAOBAN_DATA_DIR": str(folder), "HAOBAN_PORT": str(port), "HAOBAN_HOST": "127.0.0.1", **extra}


def wait_up(url):
    for _ in range(150):
        try:
            return requests.get(f"{url}/healthz", timeout=1).json()
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


def cli(*args, env):
    r = subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_kill_9_anywhere_loses_and_doubles_nothing(tmp_path, db_url):
    """`db_url` is the central hub's database: SQLite, then PostgreSQL."""
    log = open(tmp_path / "processes.log", "w")
    central_dir, site_dir = tmp_path / "central", tmp_path / "site"
    p_central, p_site = free_port(), free_port()
    central_url, site_url = f"http://127.0.0.1:{p_central}", f"http://127.0.0.1:{p_site}"
    central_env = hub_env(central_dir, p_central, HAOBAN_DATABASE_URL=db_url)
    site_env = hub_env(site_dir, p_site, HAOBAN_UPSTREAM=central_url)
    cli("admin", "load-demo", env=central_env)
    hub_code = cli("admin", "enrol-code", "--site", SITE, "--role", "hub", "--name", "朱家角镇服务端", env=central_env)
    central = Proc(["-m", "server.cli", "serve"], central_env, log).start()
    procs = [central]
    try:
        wait_up(central_url)
        cli("hub", "enrol", "--upstream", central_url, f"--code={hub_code}", env={**site_env, "HAOBAN_UPSTREAM": ""})
        kiosk_code = cli("admin", "enrol-code", "--site", SITE, "--role", "kiosk", "--name", "自助机", env=site_env)
        site = Proc(["-m", "server.cli", "serve"], site_env, log).start()
        procs.append(site)
        wait_up(site_url)
        kiosk_args = ["-m", "tests.integration.kiosk_process", "--url", site_url, f"--code={kiosk_code}",
                      "--store", str(tmp_path / "kiosk.sqlite3"), "--tickets", str(TICKETS), "--cases", str(CASES),
                      "--offline-cases", str(OFFLINE_CASES)]
        kiosk = Proc(kiosk_args, os.environ, log).start()
        procs.append(kiosk)
        # let work flow, then kill each process in turn while it is busy, and start it again
        for victim, url in ((site, site_url), (kiosk, None), (central, central_url), (site, site_url), (kiosk, None)):
            time.sleep(1.5)
            victim.kill9()
            time.sleep(0.3)
            victim.start()
            if url:
                wait_up(url)
        deadline = time.monotonic() + 120
        while kiosk.p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert kiosk.p.returncode == 0, "the kiosk did not finish"
        # the site hub uploads what is left
        site_engine = make_engine(f"sqlite:///{site_dir / 'hub.sqlite3'}")
        central_engine = make_engine(db_url)
        q = text("select id from events where site_id = :s order by seq")
        for _ in range(450):  # the site hub's back-off after the central hub's restart is at most a minute
            with site_engine.connect() as a, central_engine.connect() as b:
                site_ids = list(a.execute(q, {"s": SITE}).scalars())
                central_ids = list(b.execute(q, {"s": SITE}).scalars())
            if site_ids == central_ids:
                break
            time.sleep(0.2)
        assert central_ids == site_ids and len(set(site_ids)) == len(site_ids)
        with site_engine.connect() as conn:
            issued = conn.execute(text("select number from tickets where site_id = :s"), {"s": SITE}).scalars().all()
        assert len(issued) == TICKETS and len(set(issued)) == TICKETS
        cases_q = text("select id, contact from cases where site_id = :s and source = 'kiosk' order by id")
        with site_engine.connect() as a, central_engine.connect() as b:
            at_site, at_central = a.execute(cases_q, {"s": SITE}).all(), b.execute(cases_q, {"s": SITE}).all()
        assert len(at_site) == CASES + OFFLINE_CASES and at_central == at_site  # none lost, none doubled, at both hubs
        sealed = [c for _, c in at_site if c]  # the offline ones: sealed on the kiosk, opened by the site hub only
        box = contact.box_key(site_dir)
        assert len(sealed) == OFFLINE_CASES and all(contact.unseal(None, c, box).phone == PHONE for c in sealed)
        assert check.differences(site_engine) == [] and check.differences(central_engine) == []
        status = cli("hub", "status", env=central_env)
        assert "朱家角镇服务端" in status
        answer_at_the_district_through_a_kill(site, site_url, central_url, site_env, central_env, site_engine,
                                              central_engine, at_site[0][0])
        site_engine.dispose()
        central_engine.dispose()
    finally:
        for p in procs:
            p.stop()
        log.close()


def _q(engine, sql: str, **params):
    """The rows of one query, on a connection closed at once (the checks below poll)."""
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def _wait(what, check, seconds=120):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def answer_at_the_district_through_a_kill(site, site_url, central_url, site_env, central_env, site_engine,
                                          central_engine, case_id):
    """A village case assigned to a district department (docs/cases.md "Across the hub tree"), answered at the
    district; the site hub is killed while it syncs and started again: the answer is at the site once, and the
    case is the same at both hubs."""
    from tests.integration.http import Device

    def window(engine, site_id):
        return _q(engine, "select id from windows where site_id = :s and kind = 'cases' order by number", s=site_id)[0][0]

    code = cli("admin", "enrol-code", "--site", SITE, "--role", "terminal", "--name", "办不成事窗口",
               "--window", window(site_engine, SITE), env=site_env)
    desk = Device(site_url, code)
    assert desk.sign_in("ZJJ01", "583920").status_code == 200
    assert desk.post(f"/cases/{case_id}/classify", json={"case_class": "general"}).status_code == 200
    r = desk.post(f"/cases/{case_id}/assign", json={"department": "区医保中心", "handler_site_id": "qp-centre"})
    assert r.status_code == 200, r.text
    case = "select status, answer, handler_site_id, department from cases where id = :c"
    _wait("the assignment reaches the district", lambda: _q(central_engine, case, c=case_id)[0][2] == "qp-centre")
    code = cli("admin", "enrol-code", "--site", "qp-centre", "--role", "terminal", "--name", "区办不成事窗口",
               "--window", window(central_engine, "qp-centre"), env=central_env)
    district = Device(central_url, code)
    assert district.sign_in("QP0101", "372915").status_code == 200
    r = district.post(f"/cases/{case_id}/answer", json={"answer": "done", "text": "已办理"})
    assert r.status_code == 200, r.text
    time.sleep(0.5)
    site.kill9()  # while it syncs (it pulls the case steps every round)
    site.start()
    wait_up(site_url)
    _wait("the answer reaches the site", lambda: _q(site_engine, case, c=case_id)[0][0] == "answered")
    ids = "select id from events where site_id = :s order by id"
    _wait("the site's log goes up again", lambda: _q(site_engine, ids, s=SITE) == _q(central_engine, ids, s=SITE))
    answers = "select count(*) from events where kind = 'case_answered'"
    assert [_q(x, answers)[0][0] for x in (site_engine, central_engine)] == [1, 1]
    assert tuple(_q(site_engine, case, c=case_id)[0]) == tuple(_q(central_engine, case, c=case_id)[0]) == (
        "answered", "done", "qp-centre", "区医保中心")
    assert check.differences(site_engine) == [] and check.differences(central_engine) == []
