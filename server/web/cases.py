"""The supervisors' cases panel (docs/cases.md): figures, the work list (overdue and due soon first, in red and in
words), a case with its history and the supervisor's steps as forms, the 台账 export, and the audit log of full
showings of personal data. A supervisor acts as `casework.Desk(site_id, clerk_id)` on her own site: the hub's
commands decide what she may do (not her own 差评). Every form carries the CSRF token (server/web/session.py)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

import i18n
from common.db import caserows
from common.db.engine import reader
from common.domain import errors as e
from common.domain.cases import CAUSES, CLASSES
from common.domain.clock import SHANGHAI, business_day
from common.readmodels import assessment, caseledger, cases
from common.usecases.casework import Desk
from server.routes import answered
from server.web import pages, session
from server.web.dashboard import QuarterQuery

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
ExportQuarter = Annotated[str | None, Query(max_length=6, pattern=r"^([0-9]{4}Q[1-4]|all)$")]
CODES = {"kind": "kind", "source": "source", "cause": "cause", "status": "status", "case_class": "class", "answer": "answer"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



def label(lang: str):
    """`label(field, code)`: a code in words (status "open" -> 办理中, step "case_noted" -> 处理记录)."""
    known = i18n.catalogue("web")

    def said(field: str, code: str) -> str:
        key = f"cases_step_{code}" if code.startswith("case_") else f"cases_{CODES.get(field, field)}_{code}"
        return i18n.text("web", key, lang) if key in known else code
    return said


def _desk(request: Request) -> Desk:
    sup = session.supervisor(request)
    return Desk(site_id=sup.site_id, clerk_id=sup.clerk_id)


def _page(request: Request, template: str, http_status: int = 200, **context):
    lang = pages.lang_of(request)
    query = "?lang=en" if lang == "en" else ""
    return session.form_page(request, template, http_status=http_status, lang=lang, query=query, label=label(lang),
                             **context)


def _quarter_figures(quarter: str):
    since, end = assessment.parse_quarter(quarter)
    return lambda conn, site_id, today, calendar: cases.figures(conn, [site_id], since, min(end, today), calendar)


def local_time(at: str) -> str:
    """A stored UTC time as the hall reads it: Shanghai, to the minute."""
    return datetime.fromisoformat(at).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def names(hub, site_id: str) -> tuple[dict[str, str], dict[str, str]]:
    with reader(hub.engine) as conn:
        return caseledger.names(conn, site_id)


@router.get("/cases", include_in_schema=False)
def panel_page(request: Request, quarter: QuarterQuery = None):
    return panel(request, quarter)


def panel(request: Request, quarter: str | None = None, error: e.HaobanError | None = None):
    """The figures of the quarter's cases, the work list, and the form to enter a case from 12345."""
    hub = request.app.state.hub
    try:
        desk = _desk(request)
    except e.Unauthenticated:
        return RedirectResponse("/dashboard/sign-in", status_code=303)
    except e.HaobanError as exc:  # a department's handler: not her page
        return pages.message(exc.zh, exc.en, exc.status)
    quarter = quarter or assessment.quarter_of(business_day(hub.clock.now()))
    items, _ = names(hub, desk.site_id)
    return _page(request, "cases.html", http_status=error.status if error else 200, quarter=quarter, error=error,
                 figures=hub.read_cases(desk, _quarter_figures(quarter)), work=hub.read_cases(desk, cases.worklist),
                 items=items, causes=sorted(CAUSES))


@router.post("/cases", include_in_schema=False)
async def hotline(request: Request):
    """Enter a case transferred from the 12345 hotline (source "hotline"); the contact is sealed by the hub."""
    try:
        desk = _desk(request)
        f = await session.form(request)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    try:
        done = await answered(request.app.state.hub.open_case.submit(
            desk, source="hotline", cause=f.get("cause", ""), text=f.get("text"), item_id=f.get("item_id") or None,
            name=f.get("name"), phone=f.get("phone")))
    except e.HaobanError as exc:
        return panel(request, error=exc)
    assert done.case is not None  # an opened case is in its Done
    return RedirectResponse(f"/dashboard/cases/{done.case.id}{_query(request)}", status_code=303)


def _query(request: Request) -> str:
    return "?lang=en" if pages.lang_of(request) == "en" else ""


@router.get("/cases.xlsx")
def export(request: Request, quarter: ExportQuarter = None):
    """The quarter's 台账 (the panel's quarter; by default the current one): every case registered in it with every
    field (contacts masked), and every step of those cases on a second sheet. `quarter=all`: every case of the site
    (a district's whole history takes seconds: docs/benchmarks.md, "Cases")."""
    hub = request.app.state.hub
    desk = _desk(request)
    period = None if quarter == "all" else assessment.parse_quarter(quarter or assessment.quarter_of(business_day(hub.clock.now())))
    rows, steps = hub.read_cases(desk, lambda conn, site, today, calendar: caseledger.ledger(
        conn, site, today, calendar, hub.masked_contact, period))
    lang = pages.lang_of(request)
    body = caseledger.to_xlsx(rows, steps, (i18n.text("web", "cases_sheet_cases", lang),
                                            i18n.text("web", "cases_sheet_history", lang)), label(lang))
    name = f"cases-{desk.site_id}-{business_day(hub.clock.now()).isoformat()}.xlsx"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                    "Cache-Control": "no-store"})


@router.get("/cases/audit", include_in_schema=False)
def audit(request: Request):
    """Who saw which reporter's contact in full, when and why (newest first)."""
    hub = request.app.state.hub
    try:
        desk = _desk(request)
    except e.Unauthenticated:
        return RedirectResponse("/dashboard/sign-in", status_code=303)
    except e.HaobanError as exc:  # a department's handler: not her page
        return pages.message(exc.zh, exc.en, exc.status)
    said = i18n.by_language("web")[pages.lang_of(request)]
    with reader(hub.engine) as conn:  # a purpose this program has no words for (an older entry's) as it was written
        entries = [{**a, "at": local_time(a["at"]), "purpose": said.get(f"cases_purpose_{a['purpose']}", a["purpose"])}
                   for a in caserows.audit_entries(conn, desk.site_id)]
        numbers = {x.id: x.number for x in caserows.cases_by_id(conn, {a["record_id"] for a in entries})}
    _, clerks = names(hub, desk.site_id)
    return _page(request, "case_audit.html", entries=entries, numbers=numbers, clerks=clerks)


@router.get("/cases/{case_id}", include_in_schema=False)
def one_page(request: Request, case_id: str):
    return one(request, case_id)


def one(request: Request, case_id: str, error: e.HaobanError | None = None, shown=None):
    """A case with its history and the steps the supervisor may take now."""
    hub = request.app.state.hub
    try:
        desk = _desk(request)
        found = hub.read_cases(desk, cases.detail, case_id[:64])
    except e.Unauthenticated:
        return RedirectResponse("/dashboard/sign-in", status_code=303)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    return _page(request, "case_detail.html", http_status=error.status if error else 200, error=error, shown=shown,
                 **case_view(hub, desk.site_id, desk.clerk_id, found, STEPS))


STEPS = ("classify", "assign", "note", "extend", "answer", "follow_up", "appeal")  # a supervisor's, on the page


def case_view(hub, site_id: str, clerk_id: str, found: dict, steps) -> dict:
    """What a case's page shows: the case (its contact masked, times local), the names, and a form for each of
    `steps` the case is ready for now (none on a 差评 of the viewer's own service)."""
    found["contact_masked"] = hub.masked_contact(found.pop("sealed_contact"))
    items, clerks = names(hub, site_id)
    kinds = [h["kind"] for h in found["history"]]
    for h in found["history"]:
        h["at"] = local_time(h["at"])
    rating, status = found["kind"] == "rating", found["status"]
    ready = {"classify": not rating and status in ("registered", "open"),
             "assign": status == "open" or (rating and status == "registered"),
             "note": status != "closed",
             "extend": status == "open" and bool(found["due_day"]) and not found["overdue"],
             "answer": status == "open" or (rating and status == "registered"),
             "follow_up": status == "answered",
             "appeal": rating and found["answer"] == "appeal" and "case_appeal_decided" not in kinds}
    own = rating and found["rated_clerk_id"] == clerk_id
    return {"c": found, "items": items, "clerks": clerks, "own": own, "classes": list(CLASSES),
            "may": {} if own else {k: v for k, v in ready.items() if k in steps},
            "answers": ["rectified", "explained", "appeal"] if rating else ["done", "partly", "cannot"]}


def _yes(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def due_day(value: str | None) -> date:
    """The extension form's new due day (an <input type=date>: 2026-12-08)."""
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        raise e.InvalidInput("case_due_form") from None


def handling_steps(hub, actor, case_id: str, f: dict[str, str]) -> dict:
    """The steps of handling a case from their forms (a supervisor's, a department's handler's): the hub decides
    who may take which."""
    return {
        "note": lambda: hub.note_case.submit(actor, case_id, f.get("note", ""), f.get("contact_made") == "yes"),
        "extend": lambda: hub.extend_case.submit(actor, case_id, due_day(f.get("new_due")), f.get("reason", ""),
                                                 f.get("told") == "yes"),
        "answer": lambda: hub.answer_case.submit(actor, case_id, f.get("answer", ""), f.get("text", ""),
                                                 f.get("legal_reason")),
    }


@router.post("/cases/{case_id}/{step}", include_in_schema=False)
async def act(request: Request, case_id: str, step: str):
    """One step of the supervisor's on a case, from its form; refused (403, nothing written) without the CSRF token."""
    hub = request.app.state.hub
    try:
        desk = _desk(request)
        f = await session.form(request)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    case_id = case_id[:64]
    try:
        if step == "contact":  # the full contact, audited by the hub before it is shown
            shown = await run_in_threadpool(hub.case_contact, desk, case_id, f.get("purpose", ""))
            return one(request, case_id, shown=shown)
        commands = {
            **handling_steps(hub, desk, case_id, f),
            "classify": lambda: hub.classify_case.submit(desk, case_id, f.get("case_class", ""), f.get("explanation")),
            "assign": lambda: hub.assign_case.submit(desk, case_id, f.get("department", "")),
            "follow-up": lambda: hub.follow_up_case.submit(desk, case_id, f.get("reached") == "yes",
                                                           _yes(f.get("satisfied")) if f.get("reached") == "yes" else None,
                                                           f.get("note")),
            "appeal": lambda: hub.decide_appeal.submit(desk, case_id, f.get("upheld") == "yes", f.get("note")),
        }
        if step not in commands:
            raise e.NotFound("no_case")
        await answered(commands[step]())
    except e.HaobanError as exc:
        return one(request, case_id, error=exc)
    return RedirectResponse(f"/dashboard/cases/{case_id}{_query(request)}", status_code=303)
