"""The supervisors' dashboard: sign-in with staff number and PIN, today's figures, the quarterly assessment."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

import i18n
from common.db import warningrows
from common.db.engine import reader
from common.db.schema import SiteRow
from common.domain import errors as e
from common.domain.clock import business_day
from common.planning import live
from common.readmodels import assessment, dashboard, firsttime, homevisits, queries
from common.usecases.auth import Supervisor
from server.web import charts, pages, session

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
SupervisorDep = Annotated[Supervisor, Depends(session.supervisor)]
SiteQuery = Annotated[str | None, Query(max_length=64)]
QuarterQuery = Annotated[str | None, Query(max_length=6, pattern=r"^[0-9]{4}Q[1-4]$")]


def _sites(hub, sup: Supervisor, site: str | None) -> tuple[list[dict], str]:
    """The sites this supervisor may see, and the one asked for (default: the own site)."""
    with reader(hub.engine) as conn:
        sites = dashboard.sites_for(conn, sup.site_id)
    chosen = site or sup.site_id
    if chosen not in {s["site_id"] for s in sites}:
        raise e.Forbidden("site_not_allowed")
    return sites, chosen


def data(hub, sup: Supervisor, site: str | None, quarter: str | None) -> dict:
    """Everything the page shows, as one dict: the chosen site's day, every visible site's figures, the assessment."""
    sites, chosen = _sites(hub, sup, site)
    now = hub.clock.now()
    quarter = quarter or assessment.quarter_of(business_day(now))
    with reader(hub.engine) as conn:
        day = dashboard.site_dashboard(conn, chosen, now)
        overview = [(day["figures"] if s["site_id"] == chosen else queries.figures(conn, s["site_id"], now))
                    | {"name": s["name"]} for s in sites] if len(sites) > 1 else []
        return {"supervisor": sup.name, "site_id": chosen, "quarter": quarter, "sites": sites, "day": day,
                "overview": overview, "assessment": assessment.assessment(conn, chosen, quarter, now),
                "first_time": firsttime.first_time(conn, [chosen], *assessment.parse_quarter(quarter)),
                "warnings": live.site_warnings(conn, chosen, now),
                "warning_record": warningrows.record(conn, chosen, now),
                "home": homevisits.figures(conn, now)}


@router.get("", include_in_schema=False)
def page(request: Request, site: SiteQuery = None, quarter: QuarterQuery = None):
    hub = request.app.state.hub
    try:
        sup = session.supervisor(request)
        d = data(hub, sup, site, quarter)
    except e.Unauthenticated:
        return RedirectResponse("/dashboard/sign-in", status_code=303)
    except e.HaobanError as exc:  # (a department's handler: not her page)
        return pages.message(exc.zh, exc.en, exc.status)
    lang = pages.lang_of(request)
    chart = charts.bars([(i18n.text("web", "dash_hour", lang, hour=p["hour"]), p["count"])
                         for p in d["day"]["arrivals_per_hour"]], i18n.text("web", "dash_chart", lang))
    return session.form_page(request, "dashboard.html", d=d, chart=chart, headers={"Refresh": "30"}, lang=lang,
                             lang_query="&lang=en" if lang == "en" else "")


@router.get("/data")
def data_json(request: Request, sup: SupervisorDep, site: SiteQuery = None, quarter: QuarterQuery = None) -> dict:
    """The dashboard's figures as JSON (the page shows the same)."""
    return data(request.app.state.hub, sup, site, quarter)


@router.get("/assessment.{fmt}")
def export(fmt: str, request: Request, sup: SupervisorDep, site: SiteQuery = None, quarter: QuarterQuery = None):
    """The quarterly 微笑 assessment of each clerk as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise e.NotFound("export_formats")
    d = data(request.app.state.hub, sup, site, quarter)
    name = f"smile-{d['site_id']}-{d['quarter']}.{fmt}"
    body = (assessment.to_csv(d["assessment"]) if fmt == "csv"
            else assessment.to_xlsx(d["assessment"], i18n.text("web", "dash_sheet", quarter=d["quarter"])))
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                     "Cache-Control": "no-store"})


@router.get("/sign-in", include_in_schema=False)
def sign_in_page(request: Request):
    return sign_in_form(request)


SIGN_IN = {"/dashboard": "web.sign_in_heading", "/handler": "web.handler_sign_in_heading",  # the pages signed in to
           "/video": "video.sign_in_heading", "/homevisits": "web.hvt_sign_in_heading"}


def sign_in_form(request: Request, error: e.HaobanError | None = None, form: dict | None = None):
    """The sign-in form of the page at the path's prefix (SIGN_IN: /dashboard, /handler, /video, /homevisits)."""
    prefix = request.url.path.removesuffix("/sign-in")
    return session.form_page(request, "sign_in.html", http_status=error.status if error else 200,
                             sites=_all_sites(request.app.state.hub), error=error, form=form or {},
                             action=f"{prefix}/sign-in", heading=SIGN_IN.get(prefix, SIGN_IN["/dashboard"]))


@router.post("/sign-in", include_in_schema=False)
async def sign_in(request: Request):
    """A supervisor or a department's handler, at either sign-in page: each goes to her own page (the dashboard,
    /handler). Every failure answers alike (README "Sign-in and back-off"); argon2 runs on the sign-in threads
    (server/signins.py), never on the event loop."""
    typed, found, refused = await session.sign_in(request)
    if found is None:
        return sign_in_form(request, refused, typed)
    token, known, role = found
    return session.signed_in(request, "/handler" if role == "handler" else "/dashboard", token, known)


@router.post("/sign-out", include_in_schema=False)
async def sign_out(request: Request):
    """Ends the browser's session (a supervisor's or a handler's), back to the sign-in of the page it came from."""
    try:
        await session.form(request)  # its CSRF field: no other site's page signs a supervisor out
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    token = request.cookies.get(session.SUPERVISOR_COOKIE)
    if token and len(token) <= 200:
        request.app.state.hub.supervisor_sign_out(token)
    response = RedirectResponse(request.url.path.removesuffix("/sign-out") + "/sign-in", status_code=303)
    response.delete_cookie(session.SUPERVISOR_COOKIE, path="/")
    return response


def _all_sites(hub) -> list[dict]:
    """The sign-in form's choice of site (the names of public service centres)."""
    with reader(hub.engine) as conn:
        return [{"site_id": r.id, "name": r.name} for r in conn.execute(select(SiteRow.id, SiteRow.name).order_by(SiteRow.id))]
