"""Sync endpoints (docs/sync.md): push, pull, number leases and reference data; gzip both ways."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from common.db.engine import reader
from common.domain import errors as e
from common.domain import limits as L
from common.domain.model import Role
from common.readmodels import queries
from common.sync import protocol as wire
from common.usecases import reference
from server.deps import ActorDep, HubDep

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])

_BATCH_SCHEMA = {
    "type": "object",
    "required": ["protocol", "after", "events"],
    "properties": {"protocol": {"type": "integer"}, "after": {"type": "integer"}, "events": {"type": "array"}},
}


def packed(answer: dict) -> Response:
    return Response(wire.encode(answer), media_type="application/json", headers={"Content-Encoding": "gzip"})


@router.post("/push", openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _BATCH_SCHEMA}}}})
async def push(request: Request, hub: HubDep, actor: ActorDep, content_encoding: Annotated[str | None, Header()] = None):
    """Store a batch of the device's (or child hub's) events exactly once; answers the acknowledged position."""
    raw = await request.body()
    if len(raw) > wire.MAX_BODY:
        raise e.InvalidInput("sync_too_large")
    body = wire.decode(raw, compressed=(content_encoding or "").lower() == "gzip")
    return packed(await run_in_threadpool(hub.push, actor, body))


@router.get("/pull")
def pull(hub: HubDep, actor: ActorDep, protocol: Annotated[int, Query()],
         after: Annotated[int, Query(ge=0, le=L.POSITION_MAX)] = 0, limit: Annotated[int, Query(ge=1, le=wire.MAX_BATCH)] = 500):
    """The site's events after `after`, in this hub's order."""
    wire.check_protocol(protocol)
    return packed(hub.pull(actor, after, limit))


@router.get("/cases")
def case_steps(hub: HubDep, actor: ActorDep, protocol: Annotated[int, Query()],
               after: Annotated[int, Query(ge=0, le=L.POSITION_MAX)] = 0,
               limit: Annotated[int, Query(ge=1, le=wire.MAX_BATCH)] = 500):
    """For a child hub only: the handling steps this hub's departments wrote on its site's cases, after this hub's
    seq `after` (docs/sync.md "Cases down the tree")."""
    wire.check_protocol(protocol)
    return packed(hub.case_steps(actor, after, limit))


class LeaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    protocol: int
    letter: str = Field(pattern=r"^[A-Z]$")
    size: int = Field(default=50, ge=1, le=500)


@router.post("/lease")
def lease(body: LeaseIn, hub: HubDep, actor: ActorDep):
    """Reserve today's numbers `first`..`last` of one queue letter for this device's offline use."""
    wire.check_protocol(body.protocol)
    done = hub.lease(actor, body.letter, body.size)
    return {"protocol": wire.PROTOCOL, **done.event.data, "hub_time": done.event.at.isoformat()}


@router.get("/reference")
def reference_data(hub: HubDep, actor: ActorDep, protocol: Annotated[int, Query()]):
    """The reference data of the device's site (queues, windows, items, bundles, clerks), with its version."""
    wire.check_protocol(protocol)
    hub.seen(actor)  # a child hub's every contact (it pulls no events): `hub status` shows it
    with reader(hub.engine) as conn:
        snap = reference.for_peer(conn, actor.site_id, child_hub=actor.role is Role.hub, box=hub.box_key)
    return packed({"protocol": wire.PROTOCOL, **snap, "hub_time": hub.clock.now().isoformat()})


@router.get("/sites/figures", tags=["queries"])
def all_site_figures(hub: HubDep, actor: ActorDep) -> list[dict]:
    """Today's figures of every site this hub holds: for the district centre's dashboard."""
    return hub.read(queries.all_figures, actor, now=True)
