"""The visiting team's 上门办 pages on its laptop (docs/remote.md): the laptop is the village hub, the pages are
served by it on loopback, so they work with no link to the district.

From the team's day list the clerk opens one visit (the person masked), ticks the materials taken and records the
outcome (已办理 / 不在家 / 需再次上门) through `Hub.record_home_visit`; when the citizen was at home she hands the
laptop over and the citizen rates the service with the five faces, as at a window, through `Hub.rate_home_visit`
(one rating per visit). A team clerk (a clerk or supervisor of the village or of the site above) signs in at
/homevisits/sign-in as supervisors do (same form, PIN checks, back-off, session cookie; `homework.HOME_ROLES`).
Every form carries the CSRF token; a refusal comes back on its page with the bilingual message, nothing written."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from common.domain import errors as e
from common.domain import homevisits as hv
from common.domain.clock import business_day
from common.readmodels import homevisits as read
from common.usecases.homework import HOME_ROLES, SHOW_PURPOSES, HomeUser
from server.routes import answered
from server.web import dashboard, homeplan, pages, session
from server.web import homevisits as web

router = APIRouter(prefix="/homevisits", tags=["homevisits"])
router.add_api_route("/sign-out", dashboard.sign_out, methods=["POST"], include_in_schema=False)
OTHER_SPLIT = re.compile(r"[、，,;；\n]+")  # the "other materials" box: names one after another
TICKS = tuple(f"m{i}" for i in range(hv.MATERIALS_MAX))  # a ticked material of the matter's guide
SHOWN_ON_SCREEN = tuple(p for p in SHOW_PURPOSES if p != "print")  # why the team opens a person in full on screen


def user(request: Request) -> HomeUser:
    """The team's clerk signed in in this browser (a clerk or a supervisor; a handler has no such page)."""
    token = request.cookies.get(session.SUPERVISOR_COOKIE)
    if not token or len(token) > 200:
        raise e.Unauthenticated("sign_in_first")
    return request.app.state.hub.home_user(token)


def _sites(hub, who: HomeUser) -> list[str]:
    return [p["site_id"] for p in web.places(hub, who)]


def one(hub, who: HomeUser, visit_id: str) -> dict:
    """One visit of her villages (masked); another site's or an unknown one is "no such visit"."""
    sites = _sites(hub, who)
    found = hub.home_read(lambda conn, now: read.visit(conn, visit_id[:64], hub.contact_key, now, sites))
    if found is None:
        raise e.NotFound("no_home_visit")
    return found


def day_link(request: Request, team: str | None, day: str | None, **more: str) -> str:
    q = {k: v for k, v in (("team", team), ("day", day)) if v}
    q |= more | ({"lang": "en"} if web.lang_of(request) == "en" else {})
    return "/homevisits" + (f"?{urlencode(q)}" if q else "")


def _render(request: Request, template: str, error: e.HaobanError | None = None, **context):
    return web.render(request, template, error=error, day_link=lambda team, day, **m: day_link(request, team, day, **m),
                      **context)


def team_page(fn):
    """Run a GET page for the signed-in team clerk: to the sign-in without a session, a bilingual page on a refusal."""
    def page(request: Request, *args):
        try:
            who = user(request)
            return fn(request, who, *args)
        except e.Unauthenticated:
            return RedirectResponse("/homevisits/sign-in", status_code=303)
        except e.HaobanError as exc:
            return pages.message(exc.zh, exc.en, exc.status)
    return page


# ---------------------------------------------------------------- sign-in

router.add_api_route("/sign-in", dashboard.sign_in_page, methods=["GET"], include_in_schema=False)


@router.post("/sign-in", include_in_schema=False)
async def sign_in(request: Request):
    typed, found, refused = await session.sign_in(request, HOME_ROLES)
    if found is None:
        return dashboard.sign_in_form(request, refused, typed)
    return session.signed_in(request, "/homevisits", found[0], found[1])


# ---------------------------------------------------------------- the day

@router.get("", include_in_schema=False)
def day_page(request: Request):
    return team_page(_day)(request)


def _day(request: Request, who: HomeUser):
    """Her teams; a team's visits of the day still to make (big rows, in the day list's order), then those made."""
    hub = request.app.state.hub
    q = request.query_params
    today = business_day(hub.clock.now())
    sites = _sites(hub, who)
    teams = hub.home_read(lambda conn, now: read.teams(conn, sites))
    team_typed = q.get("team", "")[:64] or (teams[0] if len(teams) == 1 else "")
    error, team, todo, made = None, None, [], []
    try:
        day = homeplan.day_of(q.get("day", "")[:32], today)
        if team_typed:
            team = homeplan.team_of(team_typed)
            todo = hub.home_read(lambda conn, now: read.day_list(conn, team, day, [], hub.contact_key, now, sites))
            made = hub.home_read(lambda conn, now: read.recorded(conn, team, day, hub.contact_key, now, sites))
    except e.HaobanError as exc:
        error, day = exc, today
    return _render(request, "homevisit_team_day.html", error=error, teams=teams, team=team, day=day.isoformat(),
                   todo=todo, made=made, saved=q.get("saved", "")[:16])


# ---------------------------------------------------------------- one visit: the outcome

@router.get("/{visit_id}", include_in_schema=False)
def visit_page(request: Request, visit_id: str):
    return team_page(_visit)(request, visit_id)


def _visit(request: Request, who: HomeUser, visit_id: str, error: e.HaobanError | None = None,
           ticked: tuple[str, ...] = (), other: str = "", shown: hv.Person | None = None):
    v = one(request.app.state.hub, who, visit_id)
    page = _render(request, "homevisit_team_visit.html", error=error, v=v, ticked=ticked, other=other,
                   ticks=TICKS, shown=shown, purposes=SHOWN_ON_SCREEN)
    if shown is not None:
        page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/{visit_id}/person", include_in_schema=False)
async def person(request: Request, visit_id: str):
    """The person in full on the visit's page (to call ahead, or to find the door): the hub writes the showing to
    the audit log first; the page is not kept by the browser. A purpose not offered is refused, nothing shown."""
    hub = request.app.state.hub
    try:
        who = user(request)
        f = await session.form(request)
        v = one(hub, who, visit_id)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    purpose = f.get("purpose", "")[:16]
    try:
        if purpose not in SHOWN_ON_SCREEN:
            raise e.InvalidInput("contact_purpose")
        shown = await run_in_threadpool(hub.show_home_person, who, v["id"], purpose)
    except e.NotFound as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    except e.HaobanError as exc:
        return _visit(request, who, visit_id, exc)
    return _visit(request, who, visit_id, shown=shown)


def materials_of(f: dict[str, str]) -> list[str]:
    """The materials taken: the guide's ticked (m0, m1, ...) and the names written in "other", in that order."""
    ticked = [f[k].strip() for k in TICKS if f.get(k, "").strip()]
    other = [m.strip() for m in OTHER_SPLIT.split(f.get("other", "")) if m.strip()]
    return list(dict.fromkeys(ticked + other))


@router.post("/{visit_id}/record", include_in_schema=False)
async def record(request: Request, visit_id: str):
    """Record the outcome; the citizen then rates (done, or needs another visit: she was at home)."""
    hub = request.app.state.hub
    try:
        who = user(request)
        f = await session.form(request)
    except e.HaobanError as exc:  # no session, no CSRF token, or a body too long to read: nothing written
        return pages.message(exc.zh, exc.en, exc.status)
    outcome = f.get("outcome", "")[:16]
    try:
        v = one(hub, who, visit_id)
        await answered(hub.record_home_visit.submit(who, v["id"], outcome=outcome, materials=materials_of(f)))
    except e.NotFound as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    except e.HaobanError as exc:
        ticked = tuple(f[k][:60] for k in TICKS if k in f)
        return _visit(request, who, visit_id, exc, ticked, f.get("other", "")[:200])
    q = "?lang=en" if web.lang_of(request) == "en" else ""
    if outcome == "not_home":
        return RedirectResponse(day_link(request, v["team"], v["day"], saved="not_home"), status_code=303)
    return RedirectResponse(f"/homevisits/{v['id']}/rate{q}", status_code=303)


# ---------------------------------------------------------------- the citizen's rating

@router.get("/{visit_id}/rate", include_in_schema=False)
def rate_page(request: Request, visit_id: str):
    return team_page(_rate)(request, visit_id)


def _rate(request: Request, who: HomeUser, visit_id: str, error: e.HaobanError | None = None):
    v = one(request.app.state.hub, who, visit_id)
    if not v["ratable"]:
        exc = e.AlreadyRated() if v["rated"] else e.Conflict("home_not_visited")
        return pages.message(exc.zh, exc.en, exc.status)
    return _render(request, "homevisit_team_rate.html", error=error, v=v)


@router.post("/{visit_id}/rate", include_in_schema=False)
async def rate(request: Request, visit_id: str):
    hub = request.app.state.hub
    try:
        who = user(request)
        f = await session.form(request)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    score = f.get("score", "")
    try:
        v = one(hub, who, visit_id)
        if len(score) != 1 or not score.isascii() or not score.isdigit():
            raise e.InvalidInput("home_score")
        await answered(hub.rate_home_visit.submit(who, v["id"], int(score)))
    except (e.NotFound, e.AlreadyRated, e.Conflict) as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    except e.HaobanError as exc:
        return _rate(request, who, visit_id, exc)
    q = "?lang=en" if web.lang_of(request) == "en" else ""
    return RedirectResponse(f"/homevisits/{v['id']}/thanks{q}", status_code=303)


@router.get("/{visit_id}/thanks", include_in_schema=False)
def thanks_page(request: Request, visit_id: str):
    return team_page(_thanks)(request, visit_id)


def _thanks(request: Request, who: HomeUser, visit_id: str):
    v = one(request.app.state.hub, who, visit_id)
    return _render(request, "homevisit_team_thanks.html", v=v)
