"""The dashboard's staffing page (人员排班建议): the advised plan of a site and day, and its XLSX export. The plan is
computed on the planner's thread (server/planner.py), the route only checks and renders."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

import i18n
from common.db.caserows import calendar
from common.db.engine import reader
from common.domain import errors as e
from common.domain.clock import business_day
from common.planning import advice
from common.readmodels import staffing_xlsx
from server.planner import Planner
from server.web import pages, session
from server.web.dashboard import _sites

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
SiteQuery = Annotated[str | None, Query(max_length=64)]
DayQuery = Annotated[str | None, Query(max_length=10)]
LangQuery = Annotated[str | None, Query(pattern=r"^(zh_CN|en)$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def planner(request: Request) -> Planner:
    app = request.app
    if getattr(app.state, "planner", None) is None:
        app.state.planner = Planner()
    return app.state.planner


async def plan(request: Request, site: str | None, day: str | None) -> dict:
    """Who asks (a supervisor, for one of her sites), which day, then the plan from the cache or the planner."""
    hub = request.app.state.hub
    sup = session.supervisor(request)
    sites, chosen = _sites(hub, sup, site)
    today = business_day(hub.clock.now())
    with reader(hub.engine) as conn:
        cal = calendar(conn)
        wanted = advice.parse_day(day, today, cal)
        version = advice.data_version(conn, chosen, wanted, today)

    def compute() -> dict:
        with reader(hub.engine) as conn:
            return advice.plan_day(conn, chosen, wanted, today, cal)

    d = await planner(request).get((chosen, wanted.isoformat(), version), compute)
    return {**d, "sites": sites, "supervisor": sup.name,
            "site_name": next(s["name"] for s in sites if s["site_id"] == chosen)}


@router.get("/staffing", include_in_schema=False)
async def page(request: Request, site: SiteQuery = None, day: DayQuery = None, lang: LangQuery = None):
    try:
        d = await plan(request, site, day)
    except e.Unauthenticated:
        return RedirectResponse("/dashboard/sign-in", status_code=303)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    return session.form_page(request, "staffing.html", d=d, lang=lang or i18n.DEFAULT)


@router.get("/staffing.xlsx")
async def export(request: Request, site: SiteQuery = None, day: DayQuery = None):
    """The staffing plan of a site and day as XLSX (the page shows the same)."""
    d = await plan(request, site, day)
    titles = (i18n.text("web", "staff_sheet_plan"), i18n.text("web", "staff_sheet_forecast"),
              i18n.text("web", "staff_sheet_within"))
    return Response(staffing_xlsx.to_xlsx(d, titles), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="staffing-{d["site_id"]}-{d["day"]}.xlsx"',
        "Cache-Control": "no-store"})
