"""Fixtures for the web pages: a small hall on a real SQLite file, the hub on loopback, Debian's Chromium."""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from common.usecases import reference
from devtools import browser as browser_mod
from tests import world as world_mod
from tests.conftest import LiveHub
from tests.integration.http import Device, terminal
from tests.world import PIN

SUPERVISOR = ("S1", "主管甲")


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as p:
        b = browser_mod.launch(p)
        yield b
        b.close()


@pytest.fixture
def hall(sqlite_engine):
    """The test world on SQLite, with a supervisor at site s1."""
    w = world_mod.build(sqlite_engine)
    with sqlite_engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no=SUPERVISOR[0], name=SUPERVISOR[1], pin=PIN, role="supervisor")
    return w


class RestartableHub(LiveHub):
    def crash(self) -> None:
        """Stop at once, dropping open connections as a killed process would (uvicorn would wait for streams)."""
        for protocol in list(self.server.server_state.connections):
            protocol.loop.call_soon_threadsafe(protocol.transport.abort)
        self.stop(cut=True)


@pytest.fixture
def live_hall(hall):
    with RestartableHub(hall.hub) as server:
        yield server


class Pages:
    """Open the hub's pages in Chromium; every request any page makes is recorded."""

    def __init__(self, chromium, url: str) -> None:
        self.chromium, self.url, self.requests, self.errors, self.opened = chromium, url, [], [], []

    def open(self, kind: str, path: str):
        page = browser_mod.new_page(self.chromium, kind)
        page.on("request", lambda r: self.requests.append(r))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.goto(self.url + path)
        self.opened.append(page)
        return page

    def foreign(self) -> list[str]:
        """Requests to anywhere but the hub: must be none (no CDN, no web fonts)."""
        return [r.url for r in self.requests if not r.url.startswith((self.url, "data:"))]

    def close(self) -> None:
        for page in self.opened:
            page.context.close()


@pytest.fixture
def pages(chromium, live_hall):
    p = Pages(chromium, live_hall.url)
    yield p
    p.close()


def kiosk(live, world) -> Device:
    return Device(live.url, world.codes.pop("kiosk"))


__all__ = ["Device", "terminal", "kiosk", "PIN", "SUPERVISOR"]
