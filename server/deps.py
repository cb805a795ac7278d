"""Typed dependencies: the hub, and the device (and clerk) behind each request."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.domain import errors as e
from common.usecases.auth import Actor
from common.usecases.hub import Hub

bearer = HTTPBearer(auto_error=False, description="Device token from /api/v1/enrol")


async def get_hub(request: Request) -> Hub:  # async: no thread hop for a plain attribute
    return request.app.state.hub


HubDep = Annotated[Hub, Depends(get_hub)]


def get_actor(
    hub: HubDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    x_clerk_token: Annotated[str | None, Header(max_length=200)] = None,
) -> Actor:
    if credentials is None or not credentials.credentials:
        raise e.Unauthenticated()
    return hub.actor(credentials.credentials, x_clerk_token)


ActorDep = Annotated[Actor, Depends(get_actor)]
