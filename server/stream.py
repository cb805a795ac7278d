"""Server-sent events: the live stream of a site's events, resumable with Last-Event-ID."""
from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from common.domain import limits as L
from server import limits
from server.deps import ActorDep, HubDep
from server.feed import feed

router = APIRouter(prefix="/api/v1")
KEEPALIVE_SECONDS = 15.0


def frame(event) -> str:
    data = {"id": event.id, "kind": event.kind, "at": event.at.isoformat(), "data": event.data,
            "device_id": event.device_id, "clerk_id": event.clerk_id}
    return f"id: {event.seq}\nevent: {event.kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("/events", tags=["queries"], response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "server-sent events"}})
async def events(
    request: Request,
    hub: HubDep,
    actor: ActorDep,
    last_event_id: Annotated[int | None, Header(ge=0, le=L.POSITION_MAX)] = None,
    after: Annotated[int | None, Query(ge=0, le=L.POSITION_MAX, description="start after this event sequence")] = None,
):
    """The site's events from `Last-Event-ID` (or `after`; default: now) onwards, as they happen."""
    return await site_stream(request, hub, actor.site_id, last_event_id if last_event_id is not None else after,
                             device_id=actor.device_id)


async def site_stream(request: Request, hub, site_id: str, start: int | None, *, device_id: str):
    """A site's events after `start` (default: now) as server-sent events for the device `device_id`, until the
    client goes or the device is revoked (within `feed.REVOKED_SECONDS`: its reconnection is then refused), or the
    refusal when the streams are full (server/limits.py)."""
    site_feed = feed(request.app, hub, site_id)

    async def body():
        latest = await site_feed.join()
        position = latest if start is None else start
        try:
            yield "retry: 2000\n\n"
            while device_id not in site_feed.revoked and not await request.is_disconnected():
                tick = site_feed.tick
                batch = site_feed.after(position)
                if batch is None:  # further back than the feed's memory: from the database
                    batch = await run_in_threadpool(site_feed.fetch, position)
                for event in batch:
                    yield frame(event)
                    position = event.seq
                if not batch and not await site_feed.wait(tick, KEEPALIVE_SECONDS):
                    yield ": keep-alive\n\n"
        finally:
            site_feed.leave()

    return limits.stream(request, body)
