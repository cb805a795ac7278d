"""Kiosk UI tests run real Qt Quick windows offscreen."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from devtools.harness import Harness, mid_morning  # noqa: E402 - mid_morning: slots never cross midnight


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
