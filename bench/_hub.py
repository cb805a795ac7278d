"""Shared by the benchmarks: a fresh database with the demo sites, and a hub process serving it."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.demo import _free_port, _prepare  # noqa: E402

PG_ADMIN = os.environ.get("HAOBAN_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_BENCH = os.environ.get("HAOBAN_BENCH_DB", "haoban_bench")  # its own name: two benchmarks at once drop each other's


def fresh_database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        for old in folder.glob("bench.sqlite3*"):
            old.unlink()
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{PG_BENCH}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{PG_BENCH}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_BENCH


def demo_engine(kind: str):
    """A fresh database of `kind` (sqlite | postgresql), migrated, with the demo sites loaded."""
    import tempfile

    from common.db.engine import make_engine, migrate
    from common.usecases import reference

    engine = make_engine(fresh_database(kind, Path(tempfile.mkdtemp())))
    migrate(engine)
    with engine.begin() as c:
        reference.load_demo(c)
    return engine


def timed(fn, runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls of `fn`, sorted."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return sorted(out)


def mid_morning() -> str:
    """The hub's clock for a benchmark: today's 10:00 in Shanghai, running at real speed, so that no run crosses
    midnight or falls outside the hall's day whatever the wall clock says (a run at 23:59 once waited for ever)."""
    from datetime import datetime

    from common.domain.clock import SHANGHAI

    return f"sim:{datetime.now(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0).isoformat()}:1"


class HubProcess:
    """`haoban serve` in its own process, as in production (on a mid-morning clock)."""

    def __init__(self, db_url: str, workers: int = 1, tree: Path = ROOT, env: dict | None = None, prepare=_prepare) -> None:
        """`tree`: the checkout whose hub runs (another one: a before/after comparison); `env`: more settings;
        `prepare`: makes the database and returns the devices' codes (devtools.demo._prepare: the demo sites)."""
        self.db_url = db_url
        self.codes = prepare(db_url)
        self.port = _free_port(0)
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "HAOBAN_DATABASE_URL": db_url, "HAOBAN_PORT": str(self.port), "HAOBAN_HOST": "127.0.0.1",
               "HAOBAN_WORKERS": str(workers), "HAOBAN_CLOCK": mid_morning(), **(env or {})}
        if tree != ROOT:
            env |= {"PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve"], env=env, cwd=tree)
        for _ in range(300):
            try:
                requests.get(f"{self.url}/healthz", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("hub did not start")

    def rss_mib(self, field: str = "VmRSS") -> float:
        """Resident memory of the hub: its process and any worker processes under it (VmHWM: its peak)."""
        pids = [self.proc.pid] + [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        total = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1])
        return total / 1024

    def cpu_seconds(self) -> float:
        """CPU time the hub process has used so far (user + system)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kiosk_codes(self, count: int, site_id: str = "qp-centre") -> list[str]:
        """One-time codes for `count` more kiosks."""
        from common.domain.clock import SystemClock
        from common.domain.model import Role
        from common.usecases import auth

        engine = create_engine(self.db_url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as c:
            codes = [auth.create_enrolment_code(c, site_id=site_id, role=Role.kiosk, name=f"bench{i}", now=SystemClock().now())
                     for i in range(count)]
        engine.dispose()
        return codes

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
