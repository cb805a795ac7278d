"""Planning a team's day of 上门办 (docs/remote.md): pick a team and a day, put open requests on it (each through
`Hub.plan_home_visit`), see the day's list in `readmodels.homevisits.day_list`'s order, and print it.

The printed list is for the team at the door: each visit's person in full (`Hub.show_home_person`, one audit entry
per visit, purpose "print") and the matter's 一次告知 materials as the kiosk tells them
(`common.guides.tell.view` of the item's newest guide, before any question is answered: what is sure, and the
question the team still has to ask when the list depends on it). It is a POST with the page's CSRF token, so no
link, prefetch or other site prints personal data."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from common.db import guiderows
from common.domain import errors as e
from common.domain import homevisits as hv
from common.domain.clock import business_day
from common.guides import tell
from common.readmodels import homevisits as read
from common.usecases.homework import HomeUser
from server.routes import answered
from server.web import homevisits as web
from server.web import pages, session

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
ORDER_DIGITS = 3  # 1..999 (hv.ORDER_MAX)


def day_of(value: str | None, default: date | None = None) -> date:
    """A day from a form or a link (an <input type=date>: 2026-11-27); `default` when none is given."""
    if not value and default is not None:
        return default
    try:
        if not value or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise e.InvalidInput("home_day_form") from None


def team_of(value: str | None) -> str:
    team = (value or "").strip()
    if not 0 < len(team) <= hv.TEAM_MAX or not team.isprintable():
        raise e.InvalidInput("home_team")
    return team


def order_of(value: str | None) -> int:
    if not value or len(value) > ORDER_DIGITS or not value.isascii() or not value.isdigit():
        raise e.InvalidInput("home_order")
    return int(value)


def _sites(hub, who: HomeUser) -> list[str]:
    return [p["site_id"] for p in web.places(hub, who)]


def _day_list(hub, who: HomeUser, team: str, day: date) -> list[dict]:
    sites = _sites(hub, who)
    return hub.home_read(lambda conn, now: read.day_list(conn, team, day, [], hub.contact_key, now, sites))


@router.get("/homevisits/day", include_in_schema=False)
def day_page(request: Request):
    return web.signed_in(_day)(request)


def _day(request: Request, who: HomeUser, team: str | None = None, day: str | None = None,
         error: e.HaobanError | None = None):
    """The picker, the team's list for the day (masked), and the open requests to put on it."""
    hub = request.app.state.hub
    today = business_day(hub.clock.now())
    q = request.query_params
    team_typed, day_typed = (team if team is not None else q.get("team", ""))[:64], (day or q.get("day", ""))[:32]
    chosen, listed = None, []
    try:
        wanted = day_of(day_typed, today)
        if team_typed:
            chosen = team_of(team_typed)
            listed = _day_list(hub, who, chosen, wanted)
    except e.HaobanError as exc:
        error, wanted = error or exc, today
    sites = _sites(hub, who)
    waiting = hub.home_read(lambda conn, now: read.open_requests(conn, hub.contact_key, now, sites))
    for r in waiting:
        r["waiting_days"] = web.waiting_days(r["requested_at"], today)
    known = hub.home_read(lambda conn, now: read.teams(conn, sites))
    return web.render(request, "homevisit_day.html", error=error, team=chosen, team_typed=team_typed,
                      day=wanted.isoformat(), listed=listed, waiting=waiting, teams=known,
                      next_order=max([r["order"] or 0 for r in listed], default=0) + 1)


async def _posted(request: Request) -> tuple[HomeUser, dict[str, str], str, str]:
    """Who posts a form of the day page (its CSRF token checked), its fields, and its team and day as typed."""
    who = web.user(request)
    f = await session.form(request)
    return who, f, f.get("team", "")[:64], f.get("day", "")[:32]


@router.post("/homevisits/plan", include_in_schema=False)
async def plan(request: Request):
    """Put one request on a team's day at a place in its order (again: re-planned), then back to the day."""
    hub = request.app.state.hub
    try:
        who, f, team, day = await _posted(request)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    try:
        await answered(hub.plan_home_visit.submit(who, f.get("visit_id", "")[:64], team=team_of(team),
                                                  day=day_of(day), order=order_of(f.get("order"))))
    except e.HaobanError as exc:
        return _day(request, who, team, day, exc)
    back = {"team": team.strip(), "day": day, **({"lang": "en"} if web.lang_of(request) == "en" else {})}
    return RedirectResponse(f"/dashboard/homevisits/day?{urlencode(back)}", status_code=303)


def told(conn, code: str | None) -> dict | None:
    """The 一次告知 of a matter (its newest guide) before any answer, or None when it has no guide."""
    guide = guiderows.guide(conn, code) if code else None
    return tell.view(guide, {}) if guide is not None else None


@router.post("/homevisits/print", include_in_schema=False)
async def print_list(request: Request):
    """The printable day list: persons in full (each showing audited), materials from the matters' guides."""
    try:
        who, _, team, day = await _posted(request)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    try:
        chosen, wanted = team_of(team), day_of(day)
    except e.HaobanError as exc:
        return _day(request, who, team, day, exc)
    hub = request.app.state.hub
    listed = _day_list(hub, who, chosen, wanted)
    guides = hub.home_read(lambda conn, now: {c: told(conn, c) for c in {r["item_code"] for r in listed}})
    for r in listed:
        try:
            r["person"] = await run_in_threadpool(hub.show_home_person, who, r["id"], "print")
        except e.HaobanError:  # another hub's seal: the team reads it on that hub's list; this one stays masked
            r["person"] = None
        r["told"] = guides.get(r["item_code"])
    return web.render(request, "homevisit_print.html", team=chosen, day=wanted.isoformat(), listed=listed)
