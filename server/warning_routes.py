"""The live warning on a window's terminal (docs/planning.md, "Live warning"): the warnings of the queues the window
may serve, and whether it is the window suggested to help. The clerk signed in at that window asks; the site's
warnings are computed at most once per `EVERY` by the hub's clock, whichever of its terminals asks, and kept for
`SITES` sites at the most. Reads only."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Request

from common.db import repo
from common.db.engine import reader
from common.domain import errors as e
from common.domain import limits as L
from common.domain.clock import business_day
from common.planning import live
from common.usecases import auth
from server.deps import ActorDep, HubDep

EVERY = timedelta(seconds=30)  # a terminal asks every 30 s; 34 terminals of a centre share one computation
SITES = 512  # sites kept: a district hub's and more

router = APIRouter(prefix="/api/v1")
WindowId = Annotated[str, Path(min_length=1, max_length=L.ID_MAX, pattern=L.ID_PATTERN)]


class _Entry:
    def __init__(self) -> None:
        self.lock = threading.Lock()  # one computation of this site at a time; other sites do not wait for it
        self.at: datetime | None = None
        self.value: list[dict] = []


class SiteWarnings:
    """Each site's warnings as last computed, and when (the injected clock's time); computed again once `every` has
    passed, at a new business day (yesterday's tickets are no longer waiting), or when the clock has gone back."""

    def __init__(self, clock, every: timedelta = EVERY, sites: int = SITES) -> None:
        self.clock, self.every, self.sites = clock, every, sites
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self.computed = 0  # computations (not answers from the cache): a figure for tests

    def get(self, site_id: str, compute: Callable[[datetime], list[dict]]) -> tuple[datetime, list[dict]]:
        with self._lock:
            entry = self._entries.get(site_id)
            if entry is None:
                entry = self._entries[site_id] = _Entry()
                while len(self._entries) > self.sites:
                    self._entries.popitem(last=False)
            self._entries.move_to_end(site_id)
        with entry.lock:
            now = self.clock.now()
            if (entry.at is None or not entry.at <= now < entry.at + self.every
                    or business_day(entry.at) != business_day(now)):
                entry.value, entry.at = compute(now), now
                with self._lock:
                    self.computed += 1
            return entry.at, entry.value


def install(app: FastAPI, hub) -> None:
    app.include_router(router)
    app.state.site_warnings = SiteWarnings(hub.clock)


@router.get("/windows/{window_id}/warnings", tags=["queries"])
def window_warnings(window_id: WindowId, hub: HubDep, actor: ActorDep, request: Request) -> dict:
    """The live warnings for the queues this window may serve (its own terminal, a clerk signed in): each with the
    queue, the minutes until a ticket is expected to pass its wait limit, the helper window's number and
    `helper_is_me`. `at` is when the site's warnings were computed, `age_seconds` how long ago by the hub's clock."""
    auth.require(actor, "serve", window_id)
    with reader(hub.engine) as conn:
        if repo.window(conn, actor.site_id, window_id) is None:
            raise e.NotFound("no_window")

    def compute(now: datetime) -> list[dict]:
        with reader(hub.engine) as conn:
            return live.site_warnings(conn, actor.site_id, now)

    at, site = request.app.state.site_warnings.get(actor.site_id, compute)
    age = max(0, int((hub.clock.now() - at).total_seconds()))
    return {"at": at.isoformat(), "age_seconds": age, "warnings": live.for_window(site, window_id)}
