"""The editors' page of guide search's words (docs/guide-search.md "Words from the hall"), /dashboard/search-words:
what citizens searched for at the kiosks and found nothing (the last 30 days, most asked first), and the words the
district adds, one line each (synonym groups, more names of an item), published as a version that flows down to
every kiosk. Signed in as for the guides; only a top site's supervisor on a top hub publishes
(`guidework.editing`); every line checked before anything is written, a bad one named."""
from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from common.db import wordrows
from common.domain import errors as e
from common.readmodels import searchmisses
from common.usecases.guidework import WORDS_TEXT_MAX
from server.web import pages, session
from server.web.guides import _page, _who

router = APIRouter(prefix="/dashboard/search-words", tags=["dashboard"])
DAYS = 30


def _render(request: Request, sup, text: str | None = None, error: e.HaobanError | None = None, done: str | None = None):
    hub = request.app.state.hub

    def read(conn):
        return wordrows.newest(conn), wordrows.history(conn), searchmisses.misses(conn, hub.clock.now(), DAYS)

    newest, versions, missed = hub.guides_read(sup, read)
    if text is None:
        from common.search.lexicon import words_text

        text = words_text((newest or {}).get("words"))
    return _page(request, "words.html", http_status=error.status if error else 200, newest=newest, versions=versions,
                 missed=missed, days=DAYS, text=text, error=error, done=done, editing=hub.guide_editing(sup),
                 text_max=WORDS_TEXT_MAX)


@router.get("", include_in_schema=False)
def page(request: Request):
    sup, refused = _who(request)
    if refused:
        return refused
    done = request.query_params.get("published", "")
    return _render(request, sup, done=done if done.isdigit() and len(done) < 8 else None)


@router.post("", include_in_schema=False)
async def publish(request: Request):
    """The words as the next version; a refusal keeps the text as typed, with the reason, and writes nothing."""
    sup, refused = _who(request)
    if refused:
        return refused
    hub = request.app.state.hub
    try:
        fields = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        session.check_csrf(request, fields.get(session.CSRF_FIELD, ""))
    except e.HaobanError as exc:
        return _render(request, sup, error=exc)
    text = fields.get("words", "")
    base_text = fields.get("base", "")
    base = int(base_text) if base_text.isdigit() and len(base_text) < 8 else None
    try:
        version = await run_in_threadpool(hub.publish_words, sup, text, base)
    except e.HaobanError as exc:
        return _render(request, sup, text=text[:WORDS_TEXT_MAX], error=exc)
    query = "&lang=en" if pages.lang_of(request) == "en" else ""
    return RedirectResponse(f"/dashboard/search-words?published={version or 0}{query}", status_code=303)
