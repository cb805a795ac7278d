"""Kiosk UI tests run real Qt Quick windows offscreen."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from kiosk.harness import Harness  # noqa: E402


@pytest.fixture
def kiosk(tmp_path):
    h = Harness(tmp_path)
    yield h
    h.close()
