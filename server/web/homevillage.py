"""The village staff's own 上门办 pages on the village point's laptop (docs/remote.md): her village's open requests
(persons masked, each with its state and a cancel link) and the form to register one for a citizen of her village.

A village clerk signs in as the team does (/homevisits/sign-in, `homework.HOME_ROLES`). The form is the
supervisors' (homevisit_new.html) without the choice of village: she asks for her own village only (source
"village" in `Hub.request_home_visit`; a certificate she saw is recorded as seen by her). Another village's id
posted is refused, nothing written. Its routes come before the team's /homevisits/{visit_id}."""
from __future__ import annotations

from fastapi import APIRouter, Request

from common.domain import errors as e
from common.domain.clock import business_day
from common.readmodels import homevisits as read
from common.usecases.homework import HomeUser
from server.web import hometeam, pages
from server.web import homevisits as web

router = APIRouter(prefix="/homevisits", tags=["homevisits"])
DOOR = "/homevisits"


@router.get("/requests", include_in_schema=False)
def requests_page(request: Request):
    return hometeam.team_page(_requests)(request)


def _requests(request: Request, who: HomeUser):
    """Her village's open requests, oldest first: to plan, planned (team and day), to visit again."""
    hub = request.app.state.hub
    today = business_day(hub.clock.now())
    mine = hub.home_read(lambda conn, now: read.open_requests(conn, hub.contact_key, now, [who.site_id], planned=True))
    for r in mine:
        r["waiting_days"] = web.waiting_days(r["requested_at"], today)
    name = next((p["name"] for p in web.places(hub, who) if p["site_id"] == who.site_id), who.site_id)
    return web.render(request, "homevisit_village.html", mine=mine, village=name,
                      made=request.query_params.get("made") == "1")


@router.get("/new", include_in_schema=False)
def new_page(request: Request):
    return hometeam.team_page(lambda request, who: web._form(request, who, door=DOOR))(request)


@router.post("/new", include_in_schema=False)
async def register(request: Request):
    try:
        who = hometeam.user(request)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    return await web.registered(request, who, DOOR)
