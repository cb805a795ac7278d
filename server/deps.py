"""Typed dependencies: the hub, and the device (and clerk) behind each request."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from common.domain import errors as e
from common.usecases import auth
from common.usecases.auth import Actor
from common.usecases.hub import Hub

bearer = HTTPBearer(auto_error=False, description="Device token from /api/v1/enrol")


async def get_hub(request: Request) -> Hub:  # async: no thread hop for a plain attribute
    return request.app.state.hub


HubDep = Annotated[Hub, Depends(get_hub)]


async def any_actor(
    hub: HubDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    x_clerk_token: Annotated[str | None, Header(max_length=200)] = None,
) -> Actor:
    """The device behind the request, whatever its role (only for a door that checks the role itself)."""
    if credentials is None or not credentials.credentials or len(credentials.credentials) > 200:
        raise e.Unauthenticated()
    if hub.local_reads:
        # An indexed read of a local file, which in WAL mode never waits for the writer: done on the event loop,
        # it costs less than the thread hop it saves (docs/benchmarks.md, "Throughput").
        return hub.actor(credentials.credentials, x_clerk_token)
    return await run_in_threadpool(hub.actor, credentials.credentials, x_clerk_token)  # a round trip: off the loop


async def get_actor(actor: Annotated[Actor, Depends(any_actor)]) -> Actor:
    """The device behind the request, if its role may at least read: the booking adapter's token opens no door
    but the import. (async: no I/O, so no thread hop)"""
    auth.require(actor, "read")
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
AnyActorDep = Annotated[Actor, Depends(any_actor)]
