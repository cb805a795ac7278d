"""The departments' own page (承办单位, docs/cases.md "The pages"): a department's handler signs in (the same form,
PIN checks, back-off and web session as a supervisor's) and sees "my department's cases": the work list of the cases
assigned to her department at her site (overdue and due soon first, red and worded), its figures, and a case with
its history and the forms of her steps (note, extend, answer, the contact in full to handle it). She acts as
`casework.Handler`: the hub's commands decide what she may do. Every form carries the CSRF token."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

import i18n
from common.domain import errors as e
from common.domain.clock import business_day
from common.readmodels import assessment, cases
from common.usecases.casework import Handler
from server.routes import answered
from server.web import dashboard, pages, session
from server.web.cases import _page, _query, case_view, handling_steps

router = APIRouter(prefix="/handler", tags=["handler"])
router.add_api_route("/sign-in", dashboard.sign_in_page, methods=["GET"], include_in_schema=False)
router.add_api_route("/sign-in", dashboard.sign_in, methods=["POST"], include_in_schema=False)
router.add_api_route("/sign-out", dashboard.sign_out, methods=["POST"], include_in_schema=False)
STEPS = ("note", "extend", "answer")  # her forms on a case's page (the hub refuses her any other step)


def _handler(request: Request) -> tuple[Handler, str]:
    user = session.handler(request)
    assert user.department is not None  # auth.handler: a handler has her department
    return Handler(site_id=user.site_id, clerk_id=user.clerk_id, department=user.department), user.name


def _refused(exc: e.HaobanError):
    """Not signed in: to the sign-in form; signed in as someone else (a supervisor): 403 in both languages."""
    if isinstance(exc, e.Unauthenticated):
        return RedirectResponse("/handler/sign-in", status_code=303)
    return pages.message(exc.zh, exc.en, exc.status)


@router.get("", include_in_schema=False)
def page(request: Request):
    """本单位案件: her department's work list and figures (open and overdue now, answered this quarter, on time)."""
    hub = request.app.state.hub
    try:
        actor, name = _handler(request)
        quarter = assessment.quarter_of(business_day(hub.clock.now()))
        since, _ = assessment.parse_quarter(quarter)
        figures = hub.read_department(actor, cases.department_figures, since)
        work = hub.read_department(actor, cases.worklist)
    except e.HaobanError as exc:
        return _refused(exc)
    return _page(request, "handler.html", figures=figures, work=work, who=name, department=actor.department,
                 quarter=quarter, base="/handler/cases")


@router.get("/cases/{case_id}", include_in_schema=False)
def one_page(request: Request, case_id: str):
    return one(request, case_id)


def one(request: Request, case_id: str, error: e.HaobanError | None = None, shown=None):
    """A case of her department with its history and the forms of her steps; any other case is not found."""
    hub = request.app.state.hub
    try:
        actor, _ = _handler(request)
        found = hub.read_department(actor, cases.detail, case_id[:64])
    except e.HaobanError as exc:
        return _refused(exc)
    return _page(request, "case_detail.html", http_status=error.status if error else 200, error=error, shown=shown,
                 base="/handler/cases", back="/handler", purposes=("handle",), note=i18n.text("web", "handler_centre_steps", pages.lang_of(request)),
                 **case_view(hub, actor.site_id, actor.clerk_id, found, STEPS))


@router.post("/cases/{case_id}/{step}", include_in_schema=False)
async def act(request: Request, case_id: str, step: str):
    """One of her steps on a case, from its form; refused (403, nothing written) without the CSRF token. The steps
    that are not hers (classify, assign, follow-up, appeal) reach the hub too, which refuses them
    (`handler_not_allowed`): one rule, in common/usecases/casework.py."""
    hub = request.app.state.hub
    try:
        actor, _ = _handler(request)
        f = await session.form(request)
    except e.HaobanError as exc:
        return _refused(exc) if isinstance(exc, e.Unauthenticated) else pages.message(exc.zh, exc.en, exc.status)
    case_id = case_id[:64]
    try:
        if step == "contact":  # the full contact, audited by the hub before it is shown
            shown = await run_in_threadpool(hub.case_contact, actor, case_id, f.get("purpose", ""))
            return one(request, case_id, shown=shown)
        commands = {
            **handling_steps(hub, actor, case_id, f),
            "classify": lambda: hub.classify_case.submit(actor, case_id, f.get("case_class", "")),
            "assign": lambda: hub.assign_case.submit(actor, case_id, f.get("department", "")),
            "follow-up": lambda: hub.follow_up_case.submit(actor, case_id, f.get("reached") == "yes", None),
            "appeal": lambda: hub.decide_appeal.submit(actor, case_id, f.get("upheld") == "yes"),
        }
        if step not in commands:
            raise e.NotFound("no_case")
        await answered(commands[step]())
    except e.HaobanError as exc:
        if exc.status in (403, 404):  # not hers, or no such case of her department: nothing to show
            return pages.message(exc.zh, exc.en, exc.status)
        return one(request, case_id, error=exc)
    return RedirectResponse(f"/handler/cases/{case_id}{_query(request)}", status_code=303)
