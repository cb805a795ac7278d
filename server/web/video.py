"""The 视频帮办 pages and their doors (docs/remote.md): the 帮办 desk (/video/desk), the village end (/video/village)
and the call's signalling (/video/signal/{id}).

Desk clerks and village staff sign in as supervisors do (the same form, PIN checks, back-off and session cookie;
window clerks too: `videowork.VIDEO_ROLES`). After its request the village end acts by the request's call token
(header `X-Video-Token`), never in a URL. Every POST of a signed-in page carries the page's CSRF token (header
`X-CSRF`). Every door checks who before anything is read or written; bodies are bounded (server/limits.py)."""
from __future__ import annotations

import json
import time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

import i18n
from common.domain import errors as e
from common.domain import videohelp as vh
from common.readmodels import videohelp as views
from common.usecases.videowork import VIDEO_ROLES, VideoUser, desk_may
from server import signalling
from server.web import dashboard, pages, session

router = APIRouter(prefix="/video", tags=["video"])
router.add_api_route("/sign-out", dashboard.sign_out, methods=["POST"], include_in_schema=False)
PRESENCE_S = 15.0  # a desk whose page asked within this long is on line
TOKEN_HEADER = "x-video-token"


def install(app, ice_servers: list | None = None) -> None:
    """The call channels and desk presence of this hub process; `ice_servers`: the pages' RTCPeerConnection
    iceServers (none by default: host candidates, peer to peer on the LAN; a TURN server: docs/remote.md)."""
    app.state.hub_ice_servers = ice_servers or []
    app.state.video_channels = signalling.Channels()
    app.state.video_desks = {}  # serving site id -> when a desk page of it last asked (monotonic)


def _user(request: Request) -> VideoUser:
    token = request.cookies.get(session.SUPERVISOR_COOKIE)
    if not token or len(token) > 200:
        raise e.Unauthenticated("sign_in_first")
    return request.app.state.hub.video_user(token)


def _posted(request: Request) -> VideoUser:
    session.check_csrf_header(request)
    return _user(request)


async def _json(request: Request, limit: int = 4096) -> dict:
    body = await request.body()
    if len(body) > limit:
        raise e.BodyTooLarge("video_signal_too_large", limit=limit)
    try:
        value = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise e.InvalidInput("video_signal_form") from exc
    if not isinstance(value, dict):
        raise e.InvalidInput("video_signal_form")
    return value


def _token(request: Request) -> str:
    token = request.headers.get(TOKEN_HEADER, "")
    if not 16 <= len(token) <= 64:
        raise e.NotFound("no_video")
    return token


def _script_json(value) -> Markup:
    """JSON to put inside a <script type="application/json">: no "<" in it, so it cannot end the script."""
    return Markup(json.dumps(value, ensure_ascii=False).replace("<", "\\u003c"))


def _page(request: Request, template: str, **context):
    lang = pages.lang_of(request)
    texts = {**i18n.by_language("video")[lang], "lang": "en" if lang == "en" else "zh"}
    return session.form_page(request, template, lang=lang, texts=_script_json(texts),
                             ice=_script_json(request.app.state.hub_ice_servers), **context)


def _desks_open(request: Request, serving_site_id: str | None) -> bool:
    seen = request.app.state.video_desks.get(serving_site_id)
    return seen is not None and time.monotonic() - seen < PRESENCE_S


# ---------------------------------------------------------------- sign-in

router.add_api_route("/sign-in", dashboard.sign_in_page, methods=["GET"], include_in_schema=False)


@router.post("/sign-in", include_in_schema=False)
async def sign_in(request: Request):
    """A desk clerk goes to the desk, village staff to the village end: by whether her site serves others."""
    hub = request.app.state.hub
    typed, found, refused = await session.sign_in(request, VIDEO_ROLES)
    if found is None:
        return dashboard.sign_in_form(request, refused, typed)
    token, known, _ = found
    user = hub.video_user(token)
    serves = await run_in_threadpool(hub.video_read, lambda conn, now: bool(views.videorows.served_by(conn, user.site_id)))
    return session.signed_in(request, "/video/desk" if serves else "/video/village", token, known)


# ---------------------------------------------------------------- the desk

@router.get("/desk", include_in_schema=False)
def desk_page(request: Request):
    try:
        _user(request)
    except e.Unauthenticated:
        return RedirectResponse("/video/sign-in", status_code=303)
    return _page(request, "video_desk.html")


@router.get("/desk/state")
async def desk_state(request: Request, wait: int = 0) -> dict:
    """The desk's queue, its call and today's figures; with `wait`, after the next change (or 2 s): the page asks
    again at once, so a new request shows within a moment. Each ask marks the desk's site on line."""
    user = _user(request)
    request.app.state.video_desks[user.site_id] = time.monotonic()
    if wait:
        await request.app.state.video_channels.wait()
    return await run_in_threadpool(request.app.state.hub.video_read, views.desk, user.site_id, user.clerk_id)


@router.post("/desk/take")
async def take(request: Request) -> dict:
    """Take the request named (a call-back, say), or the next live one of the queue."""
    user, body = _posted(request), await _json(request)
    hub = request.app.state.hub
    request_id = body.get("request_id")
    if request_id is None:
        view = await run_in_threadpool(hub.video_read, views.desk, user.site_id, user.clerk_id)
        live = [q for q in view["queue"] if not q["call_back"]]
        if not live:
            raise e.NotFound("no_video")
        request_id = live[0]["id"]
    if not isinstance(request_id, str):
        raise e.NotFound("no_video")
    await run_in_threadpool(hub.take_video, user, request_id)
    request.app.state.video_channels.notify()
    return {"request_id": request_id}


@router.post("/desk/{request_id}/{step}")
async def desk_step(request: Request, request_id: str, step: str) -> dict:
    """connected, hang-up, finish ({"outcome", "reason"})."""
    user, body = _posted(request), await _json(request)
    hub, channels = request.app.state.hub, request.app.state.video_channels
    if step == "connected":
        await run_in_threadpool(hub.connect_video, user, request_id)
    elif step == "hang-up":
        await run_in_threadpool(hub.desk_hang_up_video, user, request_id)
        channels.drop(request_id)
    elif step == "finish":
        outcome, reason = body.get("outcome"), body.get("reason")
        if not isinstance(outcome, str) or not (reason is None or isinstance(reason, str)):
            raise e.InvalidInput("video_outcome")
        await run_in_threadpool(lambda: hub.finish_video(user, request_id, outcome=outcome, reason=reason))
    else:
        raise e.NotFound("no_video")
    channels.notify()
    return {"ok": True}


# ---------------------------------------------------------------- the village end

@router.get("/village", include_in_schema=False)
def village_page(request: Request):
    try:
        user = _user(request)
    except e.Unauthenticated:
        return RedirectResponse("/video/sign-in", status_code=303)
    matters = request.app.state.hub.video_read(lambda conn, now: views.matters(conn, user.site_id))
    return _page(request, "video_village.html", matters=matters)


def _serving(request: Request, user: VideoUser) -> str | None:
    return request.app.state.hub.video_read(lambda conn, now: views.videorows.parent_of(conn, user.site_id))


@router.get("/village/availability")
async def availability(request: Request) -> dict:
    """Whether a live call can be had now (a desk of the serving site on line at this hub); else a call-back."""
    user = _user(request)
    hub = request.app.state.hub
    reachable = await run_in_threadpool(hub.video_reachable, user.site_id)
    serving = await run_in_threadpool(_serving, request, user)
    return {"available": reachable and _desks_open(request, serving)}


@router.get("/village/call-backs")
async def call_backs(request: Request) -> list[dict]:
    """The signed-in village's call-back requests and where each stands (taken, finished: from the desk, which may
    be at the district's hub)."""
    user = _user(request)
    return await run_in_threadpool(request.app.state.hub.video_read, views.call_backs, user.site_id)


@router.post("/village/request")
async def ask(request: Request) -> dict:
    """{"item_id", "call_back"} -> {"request_id", "token"}: the token is the village end's for this request."""
    user, body = _posted(request), await _json(request)
    hub = request.app.state.hub
    item_id, call_back = body.get("item_id"), body.get("call_back", False)
    if not isinstance(call_back, bool):
        raise e.InvalidInput("video_signal_form")
    serving = await run_in_threadpool(_serving, request, user)
    done = await run_in_threadpool(lambda: hub.request_video(user, item_id=item_id, call_back=call_back,
                                                             desks_open=_desks_open(request, serving)))
    request.app.state.video_channels.notify()
    return {"request_id": done.event.data["request_id"], "token": done.event.data["call_token"]}


@router.get("/v/{request_id}/state")
async def village_state(request: Request, request_id: str, wait: int = 0) -> dict:
    token = _token(request)
    if wait:
        await request.app.state.video_channels.wait()
    hub = request.app.state.hub
    v = await run_in_threadpool(hub.video_by_token, request_id, token)
    return await run_in_threadpool(hub.video_read, views.village, v)


@router.post("/v/{request_id}/{step}")
async def village_step(request: Request, request_id: str, step: str) -> dict:
    """cancel, hang-up, rate ({"score": 1-5}): by the call token (no sign-in: a kiosk's window has none)."""
    token, body = _token(request), await _json(request)
    score = body.get("score", 0)
    if step not in ("cancel", "hang-up", "rate") or type(score) is not int:
        raise e.NotFound("no_video") if step not in ("cancel", "hang-up", "rate") else e.InvalidInput("video_score")
    hub, channels = request.app.state.hub, request.app.state.video_channels
    await run_in_threadpool(hub.village_video, step.replace("-", "_"), request_id, token, score)
    if step != "rate":
        channels.drop(request_id)
    channels.notify()
    return {"ok": True}


# ---------------------------------------------------------------- signalling

async def _end(request: Request, request_id: str) -> tuple[str, vh.VideoHelp]:
    """Which end of the call this browser is, after checking it is one: the village end by the call token, the desk
    by the signed-in clerk who took the request (a clerk of another site, or another clerk, is refused)."""
    hub = request.app.state.hub
    if TOKEN_HEADER in request.headers:
        return "village", await run_in_threadpool(hub.video_by_token, request_id, _token(request))
    user = _user(request)
    v = await run_in_threadpool(hub.video_request, request_id)
    desk_may(user, v)
    return "desk", v


@router.post("/signal/{request_id}")
async def signal_post(request: Request, request_id: str) -> dict:
    """One message (offer, answer, candidate, hello, bye: JSON, at most 16 KB) for the other end of a live call."""
    if TOKEN_HEADER not in request.headers:
        session.check_csrf_header(request)
    side, v = await _end(request, request_id)
    body = await request.body()
    if len(body) > signalling.MAX_MESSAGE:
        raise e.BodyTooLarge("video_signal_too_large", limit=signalling.MAX_MESSAGE)
    message = await _json(request, signalling.MAX_MESSAGE)
    if v.status not in vh.LIVE or not isinstance(message.get("type"), str):
        raise e.Conflict("video_no_call") if v.status not in vh.LIVE else e.InvalidInput("video_signal_form")
    number = request.app.state.video_channels.post(v.id, side, message, len(body))
    return {"number": number}


@router.get("/signal/{request_id}")
async def signal_read(request: Request, request_id: str, after: int = 0) -> dict:
    """The messages for this end after `after`, waiting up to 2 s for one; with the request's status, so that a
    hang-up at the other end is seen here at once."""
    side, v = await _end(request, request_id)
    channels = request.app.state.video_channels
    after = max(0, min(after, 2**31))
    messages, cursor = channels.read(v.id, side, after)
    if not messages and v.status in vh.LIVE:
        await channels.wait()
        messages, cursor = channels.read(v.id, side, after)
        v = await run_in_threadpool(request.app.state.hub.video_request, request_id)
    return {"messages": messages, "next": cursor, "status": v.status.value}
