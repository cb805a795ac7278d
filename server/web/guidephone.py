"""The citizen's phone page of a 一次告知 list, at the link in the printed list's QR code (common/guides/tell.py `link`):
/api/v1/public/guides/{item}?v=3&a=who.self~why.lost. The same list the kiosk showed, in the version printed; the
questions still open can be answered here, one tap each, and the last answer taken back. A newer version is said to
exist, with a link to it. Nothing personal is in the address or on the page. Browsers get the page, programs the
view as JSON; rate-limited per address as the phone ticket page is."""
from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Connection

from common.db import guiderows
from common.domain import errors as e
from common.domain.guide import Guide
from common.guides import tell
from server.web import pages, phone, ratelimit

router = APIRouter(prefix=tell.PATH, tags=["public"])
_ITEM = re.compile(r"^[A-Za-z0-9_\-.]{1,64}$")  # an item code as the catalogue has them (YB-01, 310117-HJ-03)


def _lookup(conn: Connection, item: str, version: int | None) -> tuple[Guide | None, Guide | None]:
    """The version asked for (None when this hub has not got it) and the newest one (None: no guide at all)."""
    newest = guiderows.guide(conn, item)
    if newest is None or version is None or version == newest.version:
        return newest, newest
    return guiderows.guide(conn, item, version), newest


def _join(url: str, extra: str) -> str:
    """`url` with one more query parameter ("lang=en"); as it is when `extra` is empty."""
    return url + ("&" if "?" in url else "?") + extra if extra else url


def _links(link: Callable[[dict[str, str]], str], shown: dict, lang: str) -> dict:
    """The page's links, `link(answers)` being the address of the same list under other answers: each open answer,
    back one answer, the other languages."""
    suffix = _lang_param(lang)
    answers = dict(shown["answers"])
    pick = {a["id"]: _join(link({**answers, shown["question"]["id"]: a["id"]}), suffix)
            for a in (shown["question"] or {"answers": []})["answers"]}
    back = _join(link(dict(list(answers.items())[:-1])), suffix) if answers else None
    here = link(answers)
    others = [(_join(here, f"lang={query}"), phone.QUERY_LANG[query]) for query in ("en", "zh", "zh_Hant")
              if phone.QUERY_LANG[query] != lang]
    return {"pick": pick, "back": back, "others": others}


def _lang_param(lang: str) -> str:
    """The query parameter that keeps the page's language on its links ("" for 中文, the default)."""
    return "" if lang == "zh_CN" else f"lang={_QUERY[lang]}"


_QUERY = {lang: query for query, lang in phone.QUERY_LANG.items()}


def _bundle_page(html: bool, lang: str, code: str, found, answers: dict[str, str]):
    """The phone page of a bundle's printed list (tell.bundle_view): its items' newest guides, no version."""
    head, guides, missing = found
    shown = tell.bundle_view(code, head["name"], head["name_en"], guides, missing, answers)
    if not html:
        return JSONResponse(shown)
    links = _links(lambda a: tell.link_of("", {**shown, "answers": a}), shown, lang)
    return pages.render("guide_phone.html", lang=lang, shown=shown, asked=None, found=True, newest=0,
                        en=lang == "en", newer=None, **links)


@router.get("/{item}")
def page(item: str, request: Request):
    """The list in 中文 (default), English (?lang=en) or 繁體 (?lang=zh_Hant); JSON for a client not asking for HTML."""
    hub = request.app.state.hub
    if wait := phone._wait(request, hub):
        return ratelimit.too_many(request, wait)
    html = pages.wants_html(request)
    lang = phone.QUERY_LANG.get(request.query_params.get("lang", ""), "zh_CN")
    try:
        version = tell.parse_version(request.query_params.get("v"))
        answers = tell.parse_answers(request.query_params.get("a"))
        if not _ITEM.match(item):
            raise e.NotFound("no_guide")
        asked, newest = hub.read(_lookup, item, version)
        bundle = hub.read(guiderows.bundle, item) if newest is None and version is None else None
        if newest is None and not (bundle and bundle[1]):
            raise e.NotFound("no_guide")
    except e.HaobanError as exc:
        if not html:
            raise
        return pages.render("guide_phone.html", http_status=exc.status, lang=lang, shown=None,
                            message=exc.messages.get(lang, exc.zh),
                            others=[(f"?lang={q}", phone.QUERY_LANG[q]) for q in ("en", "zh", "zh_Hant")
                                    if phone.QUERY_LANG[q] != lang])
    if newest is None:  # a 一件事 bundle's list: its items' newest guides (each has its own version)
        return _bundle_page(html, lang, item, bundle, answers)
    guide = asked or newest
    shown = tell.view(guide, answers)
    if not html:
        return JSONResponse({**shown, "newest_version": newest.version, "asked_version": version,
                             "asked_found": asked is not None})
    links = _links(lambda a: tell.link("", guide, a), shown, lang)
    newer = (_join(tell.link("", newest, shown["answers"]), _lang_param(lang)) if newest.version != guide.version
             else None)
    return pages.render("guide_phone.html", lang=lang, shown=shown, asked=version, found=asked is not None,
                        newest=newest.version, en=lang == "en", newer=newer, **links)
