"""Kiosk UI tests run real Qt Quick windows offscreen."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from devtools.harness import Harness  # noqa: E402


def mid_morning():
    """The hub's clock runs at real speed from 10:00 Shanghai time today, so that appointment slots of the
    tests (now ± a few minutes) never cross midnight, whenever the tests run."""
    from datetime import datetime

    from common.domain.clock import SHANGHAI, OffsetClock, SystemClock

    now = datetime.now(SHANGHAI)
    return OffsetClock(SystemClock(), (now.replace(hour=10, minute=0) - now).total_seconds())


@pytest.fixture
def kiosk(tmp_path):
    h = Harness(tmp_path, clock=mid_morning())
    yield h
    h.close()


@pytest.fixture
def hall(tmp_path):
    """The test world's hall (tests/world.py) on SQLite, its hub served on loopback: (world, live hub)."""
    from common.db.engine import make_engine, migrate
    from qtbase.app import application

    from tests.conftest import LiveHub
    from tests.world import build

    application()
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    migrate(engine)
    world = build(engine)
    with LiveHub(world.hub) as live:
        yield world, live
    engine.dispose()
