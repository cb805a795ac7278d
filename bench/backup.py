"""`haoban backup` and `haoban restore` of a hub with 100,000 events (issue 15): time and size.

The hub is bench/cases.py's district (30 sites; cases with their events and sealed contacts beside the halls' ticket
events), written in bulk to about --events events, with its two key files. Then server.backup.backup (SQLite: the
online backup API; PostgreSQL: pg_dump of one snapshot), the archive's size, and server.backup.restore into a new data
folder (and a new database), which checks every member, migrates and compares the row counts.

    PYTHONPATH=$PWD .venv/bin/python bench/backup.py sqlite [--events 100000]
    PYTHONPATH=$PWD .venv/bin/python bench/backup.py postgresql
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench._hub import PG_ADMIN, fresh_database  # noqa: E402
from bench.cases import load  # noqa: E402
from common.db.engine import make_engine, migrate  # noqa: E402
from common.domain import contact  # noqa: E402
from common.usecases import appointments  # noqa: E402
from server import backup  # noqa: E402
from server.settings import Settings  # noqa: E402

CASES = 4000  # about 4 events each; the rest are ticket events


def restore_target(kind: str) -> str:
    if kind == "sqlite":
        return ""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text("DROP DATABASE IF EXISTS haoban_bench_restored WITH (FORCE)"))
        c.execute(text("CREATE DATABASE haoban_bench_restored"))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/haoban_bench_restored"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["sqlite", "postgresql"])
    ap.add_argument("--events", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "source"
        source.mkdir(mode=0o700)
        url = fresh_database(args.kind, source)
        engine = make_engine(url)
        migrate(engine)
        load(engine, CASES, 0)
        with engine.connect() as conn:
            case_events = conn.execute(text("select count(*) from events")).scalar()
        engine.dispose()
        engine = make_engine(url)
        load_more(engine, args.events - case_events)
        appointments.hub_key(source)
        contact.contact_key(source)
        settings = Settings(data_dir=str(source), database_url=url)
        size = Path(url.removeprefix("sqlite:///")).stat().st_size if args.kind == "sqlite" else None

        t = time.perf_counter()
        path, manifest = backup.backup(settings, folder / "hub.tar.gz", datetime.now(timezone.utc))
        took = time.perf_counter() - t
        print(f"{args.kind}: {manifest['counts']['events']} events, {manifest['counts']['cases']} cases"
              + (f", database file {size / 1e6:.1f} MB" if size else ""))
        print(f"backup  {took:.2f} s, archive {path.stat().st_size / 1e6:.1f} MB")

        target = Settings(data_dir=str(folder / "target"), database_url=restore_target(args.kind))
        t = time.perf_counter()
        backup.restore(target, path)
        print(f"restore {time.perf_counter() - t:.2f} s (checked, migrated, counts equal)")


def load_more(engine, n: int) -> None:
    """More ticket events, in bulk (bench/cases.py's filler), up to the wanted total."""
    import random

    from sqlalchemy import insert

    from bench.cases import filler
    from common.db.schema import EventRow

    rows = filler(max(n, 0), random.Random(15))
    with engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(EventRow), rows[i:i + 5000])
    engine.dispose()


if __name__ == "__main__":
    main()
