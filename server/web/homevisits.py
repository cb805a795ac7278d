"""The supervisors' 上门办 pages (docs/remote.md): the open requests (persons masked) with the figures, and the form
to register a request from a 12345 call. A supervisor acts as `HomeUser` of her own site; the hub's commands
(`common.usecases.homework`, the one door of every way in) decide and validate, and a refused form comes back with
its bilingual message and what was typed. Every form carries the CSRF token (server/web/session.py). The day's
planning and the printed list are in server/web/homeplan.py."""
from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from common.domain import errors as e
from common.domain import homevisits as hv
from common.domain.clock import business_day
from common.readmodels import homevisits as read
from common.usecases.homework import HomeUser
from server.routes import answered
from server.web import pages, session

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
SLOT_FIELDS = tuple(f"slot{d}" for d in range(hv.WEEKDAYS))  # the form's times that suit, Monday..Sunday
SHORT_MAX = 200  # a field of the form read at most this long (the commands give the real limits)


lang_of = pages.lang_of


def query_of(request: Request) -> str:
    return "?lang=en" if lang_of(request) == "en" else ""


def user(request: Request) -> HomeUser:
    """The supervisor signed in in this browser, as the home-visit commands' actor (a handler is refused)."""
    sup = session.supervisor(request)
    return HomeUser(site_id=sup.site_id, clerk_id=sup.clerk_id, clerk_role="supervisor")


def places(hub, who: HomeUser) -> list[dict]:
    return hub.home_read(lambda conn, now: read.places(conn, who.site_id))


def render(request: Request, template: str, error: e.HaobanError | None = None, **context):
    lang = lang_of(request)
    return session.form_page(request, template, http_status=error.status if error else 200, lang=lang,
                             query=query_of(request), error=error, slots_of=slots_of(lang), **context)


def slots_of(lang: str):
    """`slots_of(visit_slots)`: the times that suit in words ("周一上午、周三全天")."""
    def said(slots: list[str]) -> str:
        t = pages.translator(lang)
        return t("web.hv_slots_sep").join(t("web.hv_slot_line", day=t(f"web.hv_weekday_{d}"), slot=t(f"web.hv_slot_{s}"))
                                          for d, s in enumerate(slots) if s in hv.SLOTS)
    return said


def waiting_days(requested_at: str, today: date) -> int:
    return (today - business_day(datetime.fromisoformat(requested_at))).days


def signed_in(fn):
    """Run a page for the signed-in supervisor: to the sign-in page without a session, a bilingual page otherwise."""
    def page(request: Request, *args):
        try:
            who = user(request)
        except e.Unauthenticated:
            return RedirectResponse("/dashboard/sign-in", status_code=303)
        except e.HaobanError as exc:  # a department's handler: not her page
            return pages.message(exc.zh, exc.en, exc.status)
        return fn(request, who, *args)
    return page


@router.get("/homevisits", include_in_schema=False)
def list_page(request: Request):
    return signed_in(_list)(request)


def _list(request: Request, who: HomeUser):
    """The open requests of her villages, oldest first, and the figures of their visits."""
    hub = request.app.state.hub
    sites = [p["site_id"] for p in places(hub, who)]
    today = business_day(hub.clock.now())
    waiting = hub.home_read(lambda conn, now: read.open_requests(conn, hub.contact_key, now, sites))
    for r in waiting:
        r["waiting_days"] = waiting_days(r["requested_at"], today)
    figures = hub.home_read(lambda conn, now: read.figures(conn, now, sites))
    return render(request, "homevisits.html", waiting=waiting, f=figures, made=request.query_params.get("made") == "1",
                  cancelled=request.query_params.get("cancelled") == "1")


@router.get("/homevisits/new", include_in_schema=False)
def new_page(request: Request):
    return signed_in(_form)(request)


BASES = {"/dashboard/homevisits": "home_base.html", "/homevisits": "homevisit_team_base.html"}  # by the door


def _form(request: Request, who: HomeUser, typed: dict | None = None, error: e.HaobanError | None = None,
          door: str = "/dashboard/homevisits"):
    """The form of a request (a supervisor's from a 12345 call, or the village staff's for her own village: `door`
    /homevisits); after a refusal, with what was typed and why."""
    found = places(request.app.state.hub, who)
    if door == "/homevisits":
        found = [p for p in found if p["site_id"] == who.site_id]
    back = door + ("/requests" if door == "/homevisits" else "") + query_of(request)
    return render(request, "homevisit_new.html", error=error, places=found, base=BASES[door], action=f"{door}/new",
                  back=back, typed=typed or {}, reasons=sorted(hv.REASONS), slots=sorted(hv.SLOTS),
                  slot_fields=SLOT_FIELDS, village=door == "/homevisits")


@router.post("/homevisits/new", include_in_schema=False)
async def register(request: Request):
    """Register the request through `Hub.request_home_visit` (source "hotline" for a village below her site)."""
    try:
        who = user(request)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    return await registered(request, who, "/dashboard/homevisits")


async def registered(request: Request, who: HomeUser, door: str):
    """The posted request form of `door` (its CSRF token checked) through `Hub.request_home_visit`; at the village
    staff's door (/homevisits) only for her own village (source "village")."""
    hub = request.app.state.hub
    try:
        f = await session.form(request)
    except e.CsrfInvalid as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    except e.HaobanError as exc:  # too long to read: the empty form, with why
        return _form(request, who, error=exc, door=door)
    # what she typed comes back to her form, but not the ID number: it is typed again, never sent back to a page
    typed = {k: v[:SHORT_MAX] for k, v in f.items() if k not in (session.CSRF_FIELD, "id_number")}
    site_id = f.get("site_id", "")
    try:
        if door == "/homevisits" and site_id != who.site_id:  # the village staff asks for her own village only
            raise e.Forbidden("home_not_allowed")
        await answered(hub.request_home_visit.submit(
            who, site_id=site_id, item_id=f.get("item_id", ""), name=f.get("name", ""),
            phone=f.get("phone", ""), address=f.get("address", ""), slots=[f.get(s, "") for s in SLOT_FIELDS],
            reason=f.get("reason", ""), id_number=f.get("id_number") or None,
            certificate_seen=f.get("certificate_seen") == "yes"))
    except e.HaobanError as exc:
        return _form(request, who, typed, exc, door)
    q = query_of(request)
    back = door + ("/requests" if door == "/homevisits" else "")
    return RedirectResponse(f"{back}{q}{'&' if q else '?'}made=1", status_code=303)
