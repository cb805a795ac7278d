"""Who is behind a browser: the display board's device cookie, a supervisor's session cookie; form bodies.

Both cookies are HttpOnly (no script reads them) and SameSite=Strict (no other site's page sends them).
"""
from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import Response

from common.domain import errors as e
from common.domain.model import Role
from common.usecases.auth import Actor, Supervisor

DISPLAY_COOKIE = "haoban_display"
SUPERVISOR_COOKIE = "haoban_session"
DISPLAY_COOKIE_DAYS = 3650  # the TV is enrolled once; revoking the device ends it
SUPERVISOR_COOKIE_SECONDS = 12 * 3600
# The token of the browser's last session with the dashboard: it outlives the session (which ends after 12 hours
# or at sign-out, so the token opens nothing) and spares this browser that account's back-off.
KNOWN_COOKIE = "haoban_known"
KNOWN_COOKIE_SECONDS = 400 * 86400
MAX_FORM_BYTES = 4096


def set_cookie(response: Response, name: str, token: str, max_age: int) -> None:
    response.set_cookie(name, token, max_age=max_age, httponly=True, samesite="strict", path="/")


def display(request: Request) -> Actor:
    """The display board enrolled in this browser; Unauthenticated if none (or not a display)."""
    token = request.cookies.get(DISPLAY_COOKIE)
    if not token or len(token) > 200:
        raise e.Unauthenticated()
    actor = request.app.state.hub.actor(token)
    if actor.role is not Role.display:
        raise e.Forbidden()
    return actor


def supervisor(request: Request) -> Supervisor:
    token = request.cookies.get(SUPERVISOR_COOKIE)
    if not token or len(token) > 200:
        raise e.Unauthenticated("sign_in_first")
    return request.app.state.hub.supervisor(token)


def known_browser(request: Request) -> str | None:
    token = request.cookies.get(KNOWN_COOKIE)
    return token if token and len(token) <= 200 else None


async def form(request: Request) -> dict[str, str]:
    """A small urlencoded form body as a dict of first values."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise e.InvalidInput("form_too_long")
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
