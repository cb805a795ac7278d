"""Cancelling a 上门办 request from a page (docs/remote.md), through `Hub.cancel_home_visit`: with a reason, from any
open state (to plan, planned, to visit again). Two doors, one page: a supervisor's from the dashboard's lists
(/dashboard/homevisits/{id}/cancel), and the team's or village staff's from the laptop's visit page
(/homevisits/{id}/cancel), each for the visits of her own villages only (`hometeam.one`). The page shows the visit
masked, asks the reason and posts with the CSRF token; a refusal comes back on it with its bilingual message and the
reason typed, nothing written."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from common.domain import errors as e
from common.usecases.homework import HomeUser
from server.routes import answered
from server.web import hometeam, pages, session
from server.web import homevisits as web

router = APIRouter(tags=["homevisits"])
REASON_SHOWN = 500  # a refused reason comes back at most this long (the command's limit: limits.TEXT_MAX)
DOORS = {  # the door's path prefix: (who is signed in, the page the form extends, its sign-in)
    "/dashboard/homevisits": (web.user, "home_base.html", "/dashboard/sign-in"),
    "/homevisits": (hometeam.user, "homevisit_team_base.html", "/homevisits/sign-in"),
}


def _door(request: Request) -> str:
    return "/dashboard/homevisits" if request.url.path.startswith("/dashboard/") else "/homevisits"


def _back(request: Request, door: str, v: dict) -> str:
    """Where the page goes back to: the supervisor's list, or the team's day of the visit."""
    if door == "/homevisits":
        return hometeam.day_link(request, v["team"], v["day"])
    return door + web.query_of(request)


def _page(request: Request, who: HomeUser, visit_id: str, error: e.HaobanError | None = None, reason: str = ""):
    door = _door(request)
    v = hometeam.one(request.app.state.hub, who, visit_id)
    return web.render(request, "homevisit_cancel.html", error=error, v=v, base=DOORS[door][1], door=door,
                      back=_back(request, door, v), reason=reason)


def _get(request: Request, visit_id: str):
    who_of, _, sign_in = DOORS[_door(request)]
    try:
        who = who_of(request)
        return _page(request, who, visit_id)
    except e.Unauthenticated:
        return RedirectResponse(sign_in, status_code=303)
    except e.HaobanError as exc:  # a handler's session, an unknown or another centre's visit
        return pages.message(exc.zh, exc.en, exc.status)


async def _post(request: Request, visit_id: str):
    hub, door = request.app.state.hub, _door(request)
    try:
        who = DOORS[door][0](request)
        f = await session.form(request)
        v = hometeam.one(hub, who, visit_id)
    except e.HaobanError as exc:  # no session, no CSRF token, a body too long, no such visit of hers: nothing written
        return pages.message(exc.zh, exc.en, exc.status)
    reason = f.get("reason", "")
    try:
        await answered(hub.cancel_home_visit.submit(who, v["id"], reason))
    except e.HaobanError as exc:
        return _page(request, who, visit_id, exc, reason[:REASON_SHOWN])
    if door == "/homevisits":
        return RedirectResponse(hometeam.day_link(request, v["team"], v["day"], saved="cancelled"), status_code=303)
    q = web.query_of(request)
    return RedirectResponse(f"{door}{q}{'&' if q else '?'}cancelled=1", status_code=303)


for prefix in DOORS:
    router.add_api_route(prefix + "/{visit_id}/cancel", _get, methods=["GET"], include_in_schema=False)
    router.add_api_route(prefix + "/{visit_id}/cancel", _post, methods=["POST"], include_in_schema=False)
