"""/metrics in the Prometheus text format: the hall's gauges read at scrape time, and request latency by route.

Only for this machine (a socket peer of 127.0.0.1 or ::1 with no forwarding header: a reverse proxy must not pass
/metrics on, and one that does is refused) or for a device token of role hub of this hub's own site. The gauges
come from the database when Prometheus asks (`HubCollector`): nothing is kept up to date by hand, so every hub
process answers the same. The latency histogram is this process's own (docs/install.md, "Operating it").
"""
from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool

from common.db import repo
from common.domain import errors as e
from common.domain.model import Role
from common.readmodels import gauges
from common.usecases.hub import Hub

LOOPBACK = frozenset({"127.0.0.1", "::1"})
FORWARDED = (b"x-forwarded-for", b"forwarded", b"x-real-ip")  # any of them: the request came through a proxy
UNMATCHED = "<unmatched>"  # the route label of a request no route took (a bounded label set, whatever the paths)


class HubCollector(Collector):
    """The hall's gauges, read from the database at each scrape (common/readmodels/gauges.py)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def describe(self):
        return []  # registering must not read the database; the names come with each scrape

    def collect(self):
        g = gauges.read(self.hub.engine, self.hub.clock.now())
        waiting = GaugeMetricFamily("haoban_waiting_tickets", "Tickets waiting today, per site and queue letter",
                                    labels=["site", "queue"])
        longest = GaugeMetricFamily("haoban_longest_wait_seconds", "Longest current wait of a waiting ticket today",
                                    labels=["site", "queue"])
        for (site, letter), count in sorted(g.waiting.items()):
            waiting.add_metric([site, letter], count)
            longest.add_metric([site, letter], round(g.longest_wait[(site, letter)], 1))
        windows = GaugeMetricFamily("haoban_windows", "Windows by state: open (staffed, not paused), paused, closed",
                                    labels=["site", "state"])
        for (site, state), count in sorted(g.windows.items()):
            windows.add_metric([site, state], count)
        backlog = GaugeMetricFamily("haoban_sync_backlog_events", "Events a sync peer has still to get from this hub "
                                    "(peer 'upstream': this hub's events not yet uploaded)", labels=["peer", "site", "role"])
        for (peer, site, role), count in sorted(g.backlog.items()):
            backlog.add_metric([peer, site, role], count)
        events = GaugeMetricFamily("haoban_event_log_seq", "Sequence number of the last event in a site's log",
                                   labels=["site"])
        for site, seq in sorted(g.events.items()):
            events.add_metric([site], seq)
        return [waiting, longest, windows, backlog, events]


class Latency:
    """ASGI middleware: seconds from a request's arrival to its response's headers (a live stream's first byte, not
    its end), by route template and status class."""

    def __init__(self, app, histogram: Histogram) -> None:
        self.app, self.histogram = app, histogram

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()

        async def timed(message) -> None:
            if message["type"] == "http.response.start":
                route = getattr(scope.get("route"), "path", None) or UNMATCHED
                self.histogram.labels(route, f"{message['status'] // 100}xx").observe(time.perf_counter() - start)
            await send(message)

        await self.app(scope, receive, timed)


def from_this_machine(request: Request) -> bool:
    """The socket peer is the loopback address and no proxy says it forwarded the request. (uvicorn rewrites the
    client from X-Forwarded-For only for a trusted proxy: a forged header from elsewhere leaves the real peer.)"""
    client = request.client.host if request.client else ""
    return client in LOOPBACK and not any(name in FORWARDED for name, _ in request.scope["headers"])


def allowed(hub: Hub, token: str | None) -> None:
    """Raise unless `token` is a device token of role hub of one of this hub's own sites."""
    if not token or len(token) > 200:
        raise e.Unauthenticated("metrics_refused")
    try:
        actor = hub.actor(token)
    except e.Unauthenticated:  # an unknown or revoked token: said in the words of this door
        raise e.Unauthenticated("metrics_refused") from None
    if actor.role is not Role.hub or actor.site_id not in hub.read(repo.own_sites):
        raise e.Forbidden("metrics_refused")


def install(app: FastAPI, hub: Hub) -> None:
    registry = CollectorRegistry()
    registry.register(HubCollector(hub))
    ProcessCollector(registry=registry)  # memory, CPU and open files of this hub process
    latency = Histogram("haoban_request_seconds", "Time to the response headers, by route template and status class",
                        ["route", "status"], registry=registry)
    app.add_middleware(Latency, histogram=latency)

    @app.get("/metrics", tags=["public"], include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not from_this_machine(request):
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            await run_in_threadpool(allowed, hub, token.strip() if scheme.lower() == "bearer" else None)
        body = await run_in_threadpool(generate_latest, registry)  # the gauges' reads: off the event loop
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
