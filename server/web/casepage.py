"""The citizen's page of a case at /c/{token}, the link in the 受理回执's QR code: the case number, where it stands in
plain words, the answer, and an overdue case said to be overdue. The token is the only key; nothing personal is on
the page (the read model `cases.public` holds none). Rate-limited per address as the phone ticket page is."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request

from common.domain import errors as e
from common.readmodels import cases
from server.web import pages, phone, ratelimit

router = APIRouter(tags=["public"])
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def said(status: dict, lang: str) -> dict:
    """The headline, the line under it and the answer's label in `lang`: what the page says of the case."""
    t = pages.translator(lang)

    def day(iso: str | None) -> str:
        d = date.fromisoformat(iso) if iso else None
        return t("phone.case_date", m=d.month, d=d.day, mon=MONTHS_EN[d.month - 1]) if d else ""

    due, answer = status["due_day"], status["answer"]
    label = t(f"phone.case_answer_{answer}") if answer else None
    detail = None
    if status["overdue"]:
        headline = t("phone.case_overdue", date=day(due))
    elif status["status"] == "registered":
        rating = status["kind"] == "rating" and due
        headline = t("phone.case_registered_rating", date=day(due)) if rating else t("phone.case_registered")
        detail = None if rating else t("phone.case_registered_detail")
    elif status["status"] == "open":
        headline = t("phone.case_open", date=day(due)) if due else t("phone.case_open_undated")
    elif status["status"] == "answered":
        headline, detail = t("phone.case_answered", answer=label), t("phone.case_answered_detail")
    else:
        headline, detail = t("phone.case_closed"), label
    return {"headline": headline, "detail": detail, "opened": t("phone.case_opened", date=day(status["opened_day"]))}


@router.get("/c/{token}", include_in_schema=False)
def page(token: str, request: Request):
    """The page in 中文 (default), English (?lang=en) or 繁體 (?lang=zh_Hant); an unknown token: a page saying so."""
    hub = request.app.state.hub
    if wait := phone._wait(request, hub):
        return ratelimit.too_many(request, wait)
    lang = phone.QUERY_LANG.get(request.query_params.get("lang", ""), "zh_CN")
    others = [(query, phone.QUERY_LANG[query]) for query in ("en", "zh", "zh_Hant") if phone.QUERY_LANG[query] != lang]
    try:
        status = hub.read_public_case(cases.public, token[:65])
    except e.NotFound:
        return pages.render("case.html", http_status=404, lang=lang, status=None, others=others)
    return pages.render("case.html", lang=lang, status=status, words=said(status, lang), others=others)
