"""The live warning banner on the clerk terminal (Qt Widgets, offscreen) against a real hub on loopback with a clock
the test moves: it appears in amber above the keys (never over them) in the terminal's language, goes when the
warning does, and, with the hub away, goes once its last answer is older than two minutes."""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLabel

from common.domain.model import Outcome
from qtbase.probes import wait_for
from tests.ui.test_terminal import open_desk
from tests.world import PIN


def _box(widget, window) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def test_the_banner_comes_with_the_warning_and_goes_with_it_or_with_the_hub(hall, tmp_path):
    world, live = hall
    desk = open_desk(tmp_path, world, live, name="w")  # window 1 (A, B), no rating pad; window 2 has no clerk
    w, vm = desk.window, desk.model
    banner = w.findChild(QLabel, "liveWarning")
    try:
        wait_for(lambda: desk.client.status.online, timeout=30)
        w.sign_in_page.staff_no.setText("C1")
        w.sign_in_page.pin.setText(PIN)
        w.sign_in()
        wait_for(lambda: vm.signed_in and vm.loaded is not None and vm.warning.got is not None, timeout=30)
        assert vm.warning.got["warnings"] == [] and banner.isHidden()  # nothing waiting: no banner
        kiosk = world.actor("kiosk")
        for _ in range(4):
            world.hub.issue_ticket(kiosk, item_id=world.items["A"])
        world.clock.advance(minutes=6)  # A's limit is 10 minutes; one window calls a ticket per 10 minutes
        vm.warning.ask()  # as the 30-second poll does
        wait_for(lambda: banner.isVisible(), timeout=30, what=lambda: vm.warning.got)
        assert banner.text() == "⚠ 队列A 预计 4 分钟后超时 — 请本窗口协助"  # nobody else there to help
        assert banner.styleSheet().startswith("background:#C98A1B") and banner.font().pointSize() >= 20
        keys = [w.serve_page.buttons[a] for a in ("call-next", "finish", "recall", "start")]
        assert all(not _box(banner, w).intersects(_box(k, w)) for k in keys)  # above the keys, never over them
        vm.toggleLanguage()
        wait_for(lambda: "could help" in banner.text() or "this window" in banner.text())
        assert banner.text() == "⚠ 队列A: a ticket will pass its wait limit in about 4 min — please help from this window"
        vm.toggleLanguage()
        clerk, w1 = clerk_of(world, desk), world.windows[1]
        for _ in range(4):  # the clerk calls and serves every A ticket: nobody left to pass the limit
            world.hub.call_next(clerk, w1)
            world.hub.start(clerk, w1)
            world.hub.finish(clerk, w1, Outcome.completed)
        world.clock.advance(seconds=30)  # the hub's 30 s are up: computed again
        vm.warning.ask()
        wait_for(lambda: banner.isHidden(), timeout=30, what=banner.text)
        assert vm.warning.got["warnings"] == []
        # a new warning, then the hub goes away: the banner stays while the last answer is fresh, then goes
        for _ in range(4):
            world.hub.issue_ticket(kiosk, item_id=world.items["A"])
        world.clock.advance(minutes=6)
        vm.warning.ask()
        wait_for(lambda: banner.isVisible(), timeout=30)
        live.stop(cut=True)
        vm.warning.ask()
        wait_for(lambda: not vm.warning._asking, timeout=30)
        assert banner.isVisible()  # 0 s old: still true enough to show
        world.clock.advance(minutes=2, seconds=1)  # the terminal's ticker (each second) finds it too old
        wait_for(lambda: banner.isHidden(), timeout=30, what=banner.text)
    finally:
        desk.close()


def clerk_of(world, desk):
    """Window 1's clerk as the hub sees her (the terminal's own device and session)."""
    transport = desk.service.transport
    return world.hub.actor(transport.http.headers["Authorization"].removeprefix("Bearer "),
                           transport.http.headers["X-Clerk-Token"])

