"""The citizen's phone page of a 一次告知 list, at the link in the printed list's QR code (common/guides/tell.py `link`):
/api/v1/public/guides/{item}?v=3&a=who.self~why.lost. The same list the kiosk showed, in the version printed; the
questions still open can be answered here, one tap each, and the last answer taken back. A newer version is said to
exist, with a link to it. Nothing personal is in the address or on the page. Browsers get the page, programs the
view as JSON; rate-limited per address as the phone ticket page is."""
from __future__ import annotations

import re

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


def _links(guide: Guide, newest: Guide, shown: dict, lang: str) -> dict:
    """The page's links: each open answer, back one answer, the newest version, the other languages."""
    suffix = "" if lang == "zh_CN" else f"&lang={_QUERY[lang]}"
    answers = dict(shown["answers"])
    pick = {a["id"]: tell.link("", guide, {**answers, shown["question"]["id"]: a["id"]}) + suffix
            for a in (shown["question"] or {"answers": []})["answers"]}
    back = None
    if answers:
        last = list(answers)[-1]
        back = tell.link("", guide, {k: v for k, v in answers.items() if k != last}) + suffix
    here = tell.link("", guide, answers)
    others = [(here + f"&lang={query}", phone.QUERY_LANG[query]) for query in ("en", "zh", "zh_Hant")
              if phone.QUERY_LANG[query] != lang]
    newer = tell.link("", newest, answers) + suffix if newest.version != guide.version else None
    return {"pick": pick, "back": back, "others": others, "newer": newer}


_QUERY = {lang: query for query, lang in phone.QUERY_LANG.items()}


def _bundle_page(request: Request, html: bool, lang: str, code: str, found, answers: dict[str, str]):
    """The phone page of a bundle's printed list (tell.bundle_view), its links made by tell.link_of."""
    head, guides, missing = found
    shown = tell.bundle_view(code, head["name"], head["name_en"], guides, missing, answers)
    if not html:
        return JSONResponse(shown)
    suffix = "" if lang == "zh_CN" else f"&lang={_QUERY[lang]}"
    at = {**shown, "answers": dict(shown["answers"])}

    def link(answers: dict[str, str]) -> str:
        url = tell.link_of("", {**at, "answers": answers})
        return url + (suffix if "?" in url else suffix.replace("&", "?", 1))

    pick = {a["id"]: link({**at["answers"], shown["question"]["id"]: a["id"]})
            for a in (shown["question"] or {"answers": []})["answers"]}
    back = link({k: v for k, v in list(at["answers"].items())[:-1]}) if at["answers"] else None
    here = tell.link_of("", at)
    joint = "&" if "?" in here else "?"
    others = [(here + f"{joint}lang={query}", phone.QUERY_LANG[query]) for query in ("en", "zh", "zh_Hant")
              if phone.QUERY_LANG[query] != lang]
    return pages.render("guide_phone.html", lang=lang, shown=shown, asked=None, found=True, newest=0,
                        en=lang == "en", pick=pick, back=back, others=others, newer=None)


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
        return _bundle_page(request, html, lang, item, bundle, answers)
    guide = asked or newest
    shown = tell.view(guide, answers)
    if not html:
        return JSONResponse({**shown, "newest_version": newest.version, "asked_version": version,
                             "asked_found": asked is not None})
    return pages.render("guide_phone.html", lang=lang, shown=shown, asked=version, found=asked is not None,
                        newest=newest.version, en=lang == "en", **_links(guide, newest, shown, lang))
