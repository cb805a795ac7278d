"""The editors' pages of 办事指南 (docs/guides.md, "Editing at the hub"): the list of items with their newest guide,
a guide's form with a preview of its 一次告知 list as the kiosk shows it, publishing a version, and every version
with what changed from the one before.

A supervisor signs in as for the dashboard; only a supervisor of a top site publishes, and only on a hub that is
not enrolled upstream (`guidework.editing`: else the page is read-only and says why). Publishing goes through
`reference.publish_guides`, the CLI's way in, after the same checks as an import file's (`files.from_raw`); each
problem is shown next to its field, in Chinese and English. Every form carries the CSRF token."""
from __future__ import annotations

import difflib
import json
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

import i18n
from common.db import guiderows
from common.domain import errors as e
from common.domain.clock import SHANGHAI, utc
from common.domain.guide import Form, Guide, Source
from common.domain.limits import ID_MAX
from common.guides.rules import Problem
from common.readmodels import guideflags
from common.usecases import guidework
from server.web import guideform, pages, session

router = APIRouter(prefix="/dashboard/guides", tags=["dashboard"])



def local(at: datetime | str | None) -> str:
    """A stored time as the hall reads it: Shanghai, to the minute."""
    if at is None:
        return "—"
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return utc(when).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _who(request: Request):
    """The signed-in supervisor, or the response to give instead (sign in first; a handler: not her page)."""
    try:
        return session.supervisor(request), None
    except e.Unauthenticated:
        return None, RedirectResponse("/dashboard/sign-in", status_code=303)
    except e.HaobanError as exc:
        return None, pages.message(exc.zh, exc.en, exc.status)


def _code(code: str) -> str:
    if not code or len(code) > ID_MAX or not all(c.isascii() and (c.isalnum() or c in "_.-") for c in code):
        raise e.NotFound("guide_no_item", item=code[:ID_MAX])
    return code


def _page(request: Request, template: str, http_status: int = 200, **context):
    lang = pages.lang_of(request)
    return session.form_page(request, template, http_status=http_status, lang=lang, local=local,
                             query="?lang=en" if lang == "en" else "", **context)


@router.get("", include_in_schema=False)
def listing(request: Request):
    sup, refused = _who(request)
    if refused:
        return refused
    hub = request.app.state.hub
    flagged = hub.guides_read(sup, guideflags.at_hub, hub.clock.now())
    counts: dict[str, int] = {}
    for f in flagged:
        counts[f["item_code"]] = counts.get(f["item_code"], 0) + 1
    return _page(request, "guides.html", items=hub.guides_read(sup, guidework.catalogue),
                 editing=hub.guide_editing(sup), flag_counts=counts, flag_total=len(flagged), flag_days=guideflags.DAYS)


def _problems(found: list[Problem]) -> list[dict]:
    return [{"path": p.path, **{lang: i18n.text("errors", p.code, lang) for lang in ("zh_CN", "en")}} for p in found]


def _editor(request: Request, sup, code: str, view: dict | None = None, found: list[Problem] | None = None,
            checklist=None, error: e.HaobanError | None = None, done: str | None = None, base: int | None = None):
    hub = request.app.state.hub

    def read(conn):
        return guiderows.guide(conn, code), guidework.item_name(conn, code)

    newest, named = hub.guides_read(sup, read)
    flagged = hub.guides_read(sup, guideflags.at_hub, hub.clock.now(), guideflags.DAYS, code)
    if newest is None and named is None:
        return pages.message(*_texts(e.NotFound("guide_no_item", item=code)), 404)
    if view is None:  # the page as opened: the newest version, with its list as the kiosk shows it now
        view = guideform.view_of(newest, *(named or ("", None)))
        base = newest.version if newest else None
        checklist = guideform.preview(newest, {}) if newest else None
    problems = _problems(found or [])
    status = error.status if error else (422 if problems else 200)
    return _page(request, "guide_edit.html", http_status=status, code=code, v=view, newest=newest, base=base,
                 problems=problems, checklist=checklist, error=error, done=done, editing=hub.guide_editing(sup),
                 flags=flagged, flag_days=guideflags.DAYS,
                 rows=guideform.ROWS, spare=guideform.SPARE, spare_answers=guideform.SPARE_ANSWERS,
                 forms=[f.value for f in Form], sources=[s.value for s in Source], chosen=view.get("chosen", {}))


def _texts(exc: e.HaobanError) -> tuple[str, str]:
    return exc.zh, exc.en


@router.get("/{code}", include_in_schema=False)
def edit(request: Request, code: str):
    sup, refused = _who(request)
    if refused:
        return refused
    try:
        code = _code(code)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    done = request.query_params.get("published", "")
    return _editor(request, sup, code, done=done if done.isdigit() and len(done) < 8 else None)


@router.post("/{code}", include_in_schema=False)
async def post(request: Request, code: str):
    """"预览" (action=preview): the 一次告知 list of the guide as written, nothing stored; "发布" (action=publish): the
    guide as its item's next version. Either way the whole form is checked first; a refusal stores nothing."""
    sup, refused = _who(request)
    if refused:
        return refused
    hub = request.app.state.hub
    try:
        code = _code(code)
        fields, view = guideform.parse(await request.body())
        session.check_csrf(request, fields.get(session.CSRF_FIELD, ""))
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    base_text = fields.get("base", "")
    base = int(base_text) if base_text.isdigit() and len(base_text) < 8 else None
    view["chosen"] = {k.removeprefix("answer."): v for k, v in fields.items() if k.startswith("answer.")}
    guide, found = guideform.guide_of(view, code)
    if guide is None:
        return _editor(request, sup, code, view, found, base=base)
    if fields.get("action") != "publish":
        return _editor(request, sup, code, view, checklist=guideform.preview(guide, view["chosen"]), base=base)
    try:
        version = await run_in_threadpool(hub.publish_guide, sup, guide, base)
    except e.HaobanError as exc:
        return _editor(request, sup, code, view, error=exc, base=base)
    query = "&lang=en" if pages.lang_of(request) == "en" else ""
    return RedirectResponse(f"/dashboard/guides/{code}?published={version or 0}{query}", status_code=303)


@router.get("/{code}/history", include_in_schema=False)
def history(request: Request, code: str):
    sup, refused = _who(request)
    if refused:
        return refused
    try:
        code = _code(code)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    versions = request.app.state.hub.guides_read(sup, guiderows.history, code)
    return _page(request, "guide_history.html", code=code, versions=versions, diff=None)


def content_lines(g: Guide) -> list[str]:
    """A version's content as one line a field, named by its path (`materials[0].copies: 4`): what an editor changes,
    not its version and publisher. A diff of these lines names each changed field as the form does."""
    body = g.model_dump(mode="json", exclude_defaults=True, exclude={"version", "published"})
    lines: list[str] = []

    def walk(value, path: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else k)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")
        else:
            lines.append(f"{path}: {json.dumps(value, ensure_ascii=False)}")

    walk(body, "")
    return lines


@router.get("/{code}/diff/{version}", include_in_schema=False)
def diff(request: Request, code: str, version: int):
    """Version `version` against the one before it (the first version: against nothing)."""
    sup, refused = _who(request)
    if refused:
        return refused
    hub = request.app.state.hub
    try:
        code = _code(code)
        if not 1 <= version <= 1_000_000:
            raise e.NotFound("guide_no_version", version=version)
        new, old = hub.guides_read(sup, lambda conn: (guiderows.guide(conn, code, version),
                                                       guiderows.guide(conn, code, version - 1) if version > 1 else None))
        if new is None:
            raise e.NotFound("guide_no_version", version=version)
    except e.HaobanError as exc:
        return pages.message(exc.zh, exc.en, exc.status)
    lines = list(difflib.unified_diff(content_lines(old) if old else [], content_lines(new),
                                      f"v{version - 1}", f"v{version}", lineterm="", n=2))
    versions = hub.guides_read(sup, guiderows.history, code)
    return _page(request, "guide_history.html", code=code, versions=versions, diff=lines, shown=new)
