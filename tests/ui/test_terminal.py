"""The clerk terminal (Qt Widgets, offscreen) against a real hub on loopback with a clock the test moves."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget

from common.db.engine import make_engine, migrate
from common.sync_client import HttpTransport
from common.terminal import TerminalService, timer_colour
from kiosk.app import application
from terminal.window import TerminalWindow

from ..conftest import LiveHub
from ..world import PIN, build


@pytest.fixture
def terminal(tmp_path):
    application()
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    migrate(engine)
    world = build(engine)
    with LiveHub(world.hub) as live:
        info = HttpTransport(live.url, "").call("POST", "/enrol", json={"code": world.codes["terminal1"]})
        service = TerminalService(HttpTransport(live.url, info["token"]), world.windows[1], world.clock)
        window = TerminalWindow(service)
        window.show()
        yield window, world
        window.timer.stop()
        window.close()
        window.deleteLater()  # on the UI thread, not by a garbage collection in another thread
        QTest.qWait(50)
    engine.dispose()


def wait_for(predicate, timeout=5.0):
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        QTest.qWait(20)


def child(window, cls, name):
    return window.findChild(cls, name)


def sign_in(window, pin=PIN):
    child(window, QLineEdit, "staffNo").setText("C1")
    child(window, QLineEdit, "pin").setText(pin)
    window.sign_in()


def test_wrong_pin_then_sign_in(terminal):
    window, _ = terminal
    sign_in(window, "000000")
    wait_for(lambda: "工号或密码不正确" in child(window, QLabel, "signInError").text())
    assert window.pages.currentIndex() == 0
    sign_in(window)
    wait_for(lambda: window.pages.currentIndex() == 1)
    assert "工作人员1" in child(window, QLabel, "clerk").text()


def test_call_serve_with_timer_colours_and_finish(terminal, tmp_path):
    window, world = terminal
    kiosk = world.actor("kiosk")
    for _ in range(2):
        world.hub.issue_ticket(kiosk, item_id=world.items["A"])
    sign_in(window)
    wait_for(lambda: child(window, QListWidget, "queue").count() == 2)
    QTest.keyClick(window, Qt.Key_F1)  # call next
    wait_for(lambda: child(window, QLabel, "currentTicket").text() == "A001")
    QTest.keyClick(window, Qt.Key_F3)  # start
    timer = child(window, QLabel, "serviceTimer")
    wait_for(lambda: timer.property("colour") == "normal" and "办理" in timer.text())
    world.clock.advance(minutes=17)  # 85 % of 20 minutes
    window.refresh()
    wait_for(lambda: timer.property("colour") == "amber")
    window.grab().save(str(tmp_path / "terminal-amber.png"))
    world.clock.advance(minutes=4)
    window.refresh()
    wait_for(lambda: timer.property("colour") == "red")
    window.outcome.setCurrentIndex(4)  # rejected, without a reason
    QTest.keyClick(window, Qt.Key_F4)
    wait_for(lambda: "原因" in child(window, QLabel, "message").text())
    window.outcome.setCurrentIndex(0)  # completed
    QTest.keyClick(window, Qt.Key_F4)
    wait_for(lambda: child(window, QLabel, "currentTicket").text() == "—")
    assert child(window, QListWidget, "queue").item(0).text().startswith("A002")


def test_timer_colour_rule():
    t0 = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)
    assert timer_colour(None, 20, t0) == "normal"
    assert timer_colour(t0, 20, t0 + timedelta(minutes=15, seconds=59)) == "normal"
    assert timer_colour(t0, 20, t0 + timedelta(minutes=16)) == "amber"
    assert timer_colour(t0, 20, t0 + timedelta(minutes=20)) == "red"
