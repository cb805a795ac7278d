"""One step for a village (issue 15): how long a village laptop's set-up takes against a district hub on loopback.

The district is a real hub (in process, real HTTP on loopback) with the demo reference data (two sites, 56 items,
the sample guides); each run is a new laptop: a fresh data folder and database (migrated, as the set-up screen's
`hub_engine` does), then `setup.village` (enrol upstream with a one-time code, fetch the reference data, make the
kiosk's and terminal's codes, write the three settings files), then a re-run on the same laptop (enrolled: only the
reference data again).

    PYTHONPATH=$PWD .venv/bin/python bench/setup.py [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.db.engine import make_engine, migrate  # noqa: E402
from common.domain.clock import SystemClock  # noqa: E402
from common.domain.model import Role  # noqa: E402
from common.usecases import auth, reference, setup  # noqa: E402
from common.usecases.hub import Hub  # noqa: E402
from devtools.loopback import LoopbackHub  # noqa: E402
from qtbase.setup import hub_engine  # noqa: E402

VILLAGE = "qp-zhujiajiao"


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--runs", type=int, default=5)
    runs = args.parse_args().runs
    tmp = Path(tempfile.mkdtemp())
    district = make_engine(f"sqlite:///{tmp / 'district.sqlite3'}")
    migrate(district)
    clock = SystemClock()
    with district.begin() as c:
        reference.load_demo(c)
    migrated, first, again = [], [], []
    with LoopbackHub(Hub(district, clock)) as live:
        for i in range(runs):
            with district.begin() as c:
                code = auth.create_enrolment_code(c, site_id=VILLAGE, role=Role.hub, name=f"laptop {i}", now=clock.now())
            folder = tmp / f"laptop{i}"
            plan = setup.Plan(hub_url=live.url, code=code, config_dir=folder / "conf", data_dir=folder / "data")
            start = time.perf_counter()
            engine = hub_engine(plan.data_dir)
            migrated.append(time.perf_counter() - start)
            start = time.perf_counter()
            setup.village(engine, plan, clock.now())
            first.append(time.perf_counter() - start)
            start = time.perf_counter()
            setup.village(engine, plan, clock.now())
            again.append(time.perf_counter() - start)
    for name, xs in (("new database, migrated", migrated), ("enrol + reference data + files", first),
                     ("re-run (enrolled)", again)):
        print(f"{name:32s} median {statistics.median(xs) * 1000:7.0f} ms   max {max(xs) * 1000:7.0f} ms   ({runs} runs)")


if __name__ == "__main__":
    main()
