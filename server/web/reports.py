"""The supervisors' monthly and quarterly reports: a printable page and its XLSX (same sign-in as the dashboard)."""
from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

import i18n
from common.db.engine import reader
from common.domain import errors as e
from common.readmodels import reportbook, reports
from server.web import charts, pages, session

router = APIRouter(prefix="/dashboard/reports", tags=["dashboard"])
# bounded here, checked by reports.parse_period (a clear zh/en message for what is not a period)
PeriodQuery = Annotated[str | None, Query(max_length=16)]
SiteQuery = Annotated[str | None, Query(max_length=64)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



def data(hub, request: Request, site: str | None, period: str | None) -> dict:
    sup = session.supervisor(request)
    with reader(hub.engine) as conn:
        return reports.report(conn, sup.site_id, site, period, hub.clock.now()) | {"supervisor": sup.name}


def _charts(d: dict, lang: str) -> list:
    site = d["site"]
    if site["kind"] == "month":
        days = [(p["day"][8:], p["arrivals"]) for p in site["per_day"]]
        arrivals = charts.bars(days, i18n.text("web", "rep_chart_days", lang), width=760)
    else:
        months: Counter[str] = Counter()
        for p in site["per_day"]:
            months[p["day"][:7]] += p["arrivals"]
        arrivals = charts.bars(sorted(months.items()), i18n.text("web", "rep_chart_months", lang), width=760)
    shares = [((i18n.text("web", "rep_bundle", lang) if x["bundle"] else x["department"] or "—"),
               round(x["wait_within_limit_share"] * 100)) for x in site["departments"] if x["wait_within_limit_share"] is not None]
    return [arrivals] + ([charts.bars(shares, i18n.text("web", "rep_chart_departments", lang), width=760)] if shares else [])


@router.get("", include_in_schema=False)
def page(request: Request, site: SiteQuery = None, period: PeriodQuery = None):
    hub, lang = request.app.state.hub, pages.lang_of(request)
    try:
        d = data(hub, request, site, period)
    except e.Unauthenticated:
        return RedirectResponse("/dashboard/sign-in", status_code=303)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    made = hub.clock.now().astimezone(reports.SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return session.form_page(request, "reports.html", lang=lang, d=d, r=d["site"], charts=_charts(d, lang),
                             made=made, flat=reportbook.flat, outcomes=reports.OUTCOMES,
                             query=("&lang=en" if lang == "en" else ""))


@router.get("/data")
def data_json(request: Request, site: SiteQuery = None, period: PeriodQuery = None) -> dict:
    """The report as JSON (the page shows the same)."""
    return data(request.app.state.hub, request, site, period)


@router.get(".xlsx")
def export(request: Request, site: SiteQuery = None, period: PeriodQuery = None):
    """The report as an XLSX workbook: totals, sites, departments, windows, clerks, pauses."""
    d = data(request.app.state.hub, request, site, period)
    name = f"report-{d['site']['site_id']}-{d['site']['period']}.xlsx"
    return Response(reportbook.to_xlsx(d, pages.lang_of(request)), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
