"""The hall display board (1920x1080 TV): enrol once with a one-time code, then live calls, counts and voice."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from common.devices import voice
from common.domain import errors as e
from common.domain import limits as L
from common.domain.model import Role
from common.readmodels import board
from common.usecases.auth import Actor
from server.stream import site_stream
from server.web import pages, session

router = APIRouter(prefix="/display", tags=["display board"])
DisplayDep = Annotated[Actor, Depends(session.display)]


@router.get("", include_in_schema=False)
def page(request: Request, code: str | None = Query(None, max_length=40)):
    """The board; a browser that is not yet enrolled gets the enrolment form (the code may come in the URL)."""
    try:
        session.display(request)
    except (e.Unauthenticated, e.Forbidden):
        response = session.form_page(request, "enrol.html", code=code or "", error=None)
        if session.DISPLAY_COOKIE in request.cookies:  # e.g. the device was revoked: its cookie ends with it
            response.delete_cookie(session.DISPLAY_COOKIE, path="/")
        return response
    texts = {lang: pages.texts_of("web", lang, "display_") for lang in ("zh_CN", "en")}
    return pages.render("display.html", texts_json=pages.script_json(texts))


@router.post("/enrol", include_in_schema=False)
async def enrol(request: Request):
    """Spend a one-time code of role display; the token goes into an HttpOnly cookie, never to the page."""
    code = ""
    try:
        code = (await session.form(request)).get("code", "").strip()
        token, _ = request.app.state.hub.enrol(code, Role.display)
    except (e.EnrolmentInvalid, e.CsrfInvalid) as exc:
        return session.form_page(request, "enrol.html", http_status=exc.status, code=code, error=exc)
    response = RedirectResponse("/display", status_code=303)
    session.set_cookie(request, response, session.DISPLAY_COOKIE, token, session.DISPLAY_COOKIE_DAYS * 86400)
    return response


@router.get("/state")
def state(request: Request, actor: DisplayDep) -> dict:
    """Latest calls, waiting counts per queue, the notice, and the last event's position to stream from."""
    return request.app.state.hub.read(board.board, actor.site_id, now=True)


@router.get("/events")
async def events(
    request: Request,
    actor: DisplayDep,
    last_event_id: Annotated[int | None, Header(ge=0, le=L.POSITION_MAX)] = None,
    after: Annotated[int | None, Query(ge=0, le=L.POSITION_MAX)] = None,
):
    """The site's event stream for the board, resumable like /api/v1/events."""
    return await site_stream(request, request.app.state.hub, actor.site_id,
                             last_event_id if last_event_id is not None else after, device_id=actor.device_id)


@router.get("/calls/{seq}.wav")
def call_audio(seq: Annotated[int, Path(ge=0, le=L.POSITION_MAX)], request: Request, actor: DisplayDep) -> Response:
    """The chime and the spoken call "请 A012 号到 3 号窗口" for the call stored at `seq`, as one WAV."""
    number, window = request.app.state.hub.read(board.call, actor.site_id, seq)
    return Response(voice.call_wav(number, window), media_type="audio/wav",
                    headers={"Cache-Control": "private, max-age=86400", "X-Call": f"{number}@{window}"})
