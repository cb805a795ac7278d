"""The citizen's phone page at the link in the receipt's QR code: number, queue, people ahead, the wait, the window.

The same address answers JSON to programs and the page to browsers. The page follows the ticket
live through a small event stream of its own (the token is the only key; nothing personal is sent).
"""
from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from common.db import repo
from common.db.engine import reader
from common.domain import errors as e
from common.domain.ids import public_token_form
from common.readmodels import board
from server import limits
from server.deps import HubDep
from server.feed import feed, watch
from server.web import pages, ratelimit

router = APIRouter(prefix="/api/v1/public")
KEEPALIVE_SECONDS = 15.0
FINAL = ("finished", "no_show", "expired")
RATE, BURST = 2.0, 120  # lookups per second per address, and the burst a hall's shared Wi-Fi needs
QUERY_LANG = {"zh": "zh_CN", "en": "en", "zh_Hant": "zh_Hant"}  # ?lang= -> the page's language (default zh_CN)


def limiter(request: Request) -> ratelimit.TokenBucket:
    return request.app.state.phone_limit  # made once by `web.install`


def _wait(request: Request, hub) -> float:
    """0 if the lookup may go ahead; enrolled devices (the kiosk asks after each ticket it issues) are not limited."""
    credentials = request.headers.get("authorization", "")
    if credentials[:7].lower() == "bearer " and len(credentials) < 200:
        try:
            hub.actor(credentials[7:].strip())
            return 0.0
        except e.HaobanError:
            pass
    return limiter(request).take(request.client.host if request.client else "?")


def _check_token(token: str) -> None:
    if not public_token_form(token):  # (a NUL would reach PostgreSQL as an error, not a miss)
        raise e.NotFound("no_ticket")


def answer(request: Request, hub, token: str):
    """GET /api/v1/public/tickets/{token}: the page for a browser, the status as JSON for anyone else."""
    if wait := _wait(request, hub):
        return ratelimit.too_many(request, wait)
    html = pages.wants_html(request)
    try:
        _check_token(token)
        status = hub.read(board.ticket_status, token, now=True)
    except e.NotFound as exc:
        if not html:
            raise
        return pages.message(exc.zh, exc.en, 404)
    if not html:
        return JSONResponse(status)
    lang = QUERY_LANG.get(request.query_params.get("lang", ""), "zh_CN")
    others = [(query, QUERY_LANG[query]) for query in ("en", "zh", "zh_Hant") if QUERY_LANG[query] != lang]
    return pages.render("phone.html", lang=lang, status=status, status_json=pages.script_json(status), token=token,
                        others=others, texts_json=pages.script_json(pages.texts_of("phone", lang)))


@router.get("/tickets/{token}/events", tags=["public"], response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "server-sent events"}})
async def ticket_events(token: str, request: Request, hub: HubDep):
    """The ticket's public status each time it changes, as server-sent events (ends when it is final).

    One watch per ticket (server/feed.py) reads its status once per event of the site for all its
    streams, and wakes them only when it differs. A full hub or address: 503 or 429 (server/limits.py)."""
    if wait := _wait(request, hub):
        return ratelimit.too_many(request, wait)
    _check_token(token)
    first = await run_in_threadpool(hub.read, board.ticket_status, token, now=True)  # 404 for an unknown token

    site_id = await run_in_threadpool(_site_of, hub, token)
    site_feed = feed(request.app, hub, site_id)

    async def body():
        ticket = watch(site_feed, token, lambda: hub.read(board.ticket_status, token, now=True), first, _same)
        status, changed = ticket.value, ticket.changed  # the watch's: at most one event behind, then brought up to date
        try:
            yield f"retry: 2000\ndata: {json.dumps(status, ensure_ascii=False)}\n\n"
            while status["status"] not in FINAL and not await request.is_disconnected():
                if not await site_feed.wait(changed, KEEPALIVE_SECONDS):
                    yield ": keep-alive\n\n"
                    continue
                changed = ticket.changed
                if not _same(ticket.value, status):
                    status = ticket.value
                    yield f"data: {json.dumps(status, ensure_ascii=False)}\n\n"
        finally:
            ticket.leave()

    return limits.stream(request, body)


def _same(a: dict, b: dict) -> bool:
    """The same status as a page shows it (the seconds waited go on by themselves)."""
    return {**a, "waited_seconds": 0} == {**b, "waited_seconds": 0}


def _site_of(hub, token: str) -> str:
    with reader(hub.engine) as conn:
        return conn.execute(select(repo.T.c.site_id).where(repo.T.c.public_token == token)).scalar()
