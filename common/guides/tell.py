"""一次告知 as a citizen meets it (docs/guides.md, "The kiosk, the printed list and the phone page"): the view of a guide
under the answers given so far (the kiosk's screen and the phone page show the same dict), the short "请准备：…" of a
ticket, and the phone link of a printed list (item code, version and answers: nothing personal in it).

No Qt, no web framework: `rules.checklist` decides which materials apply; this only shapes it for a screen.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from common.domain import errors as e
from common.domain.clock import SHANGHAI
from common.domain.guide import Form, Guide
from common.guides.rules import Checklist, checklist, walk

PATH = "/api/v1/public/guides"  # the phone page of a guide: PATH/{item}?v=3&a=who.self~why.lost
ANSWERS_MAX = 20  # (question, answer) pairs a link may carry
RAW_MAX = 600  # characters of the `a` parameter (20 pairs of two 12-character ids fit)
_PAIR = re.compile(r"^([A-Za-z0-9_\-]{1,64})\.([A-Za-z0-9_\-]{1,64})$")
PREPARE_MAX = 3  # materials named on a ticket's "请准备" line (the rest: "等 N 项")
FORM_EN = {Form.original: "original", Form.copy: "copy", Form.elicence: "e-licence", Form.later: "may follow later"}


def published_on(guide: Guide) -> str:
    """The day the version was published (Shanghai time), or "" for a guide never published (a draft)."""
    return f"{guide.published.at.astimezone(SHANGHAI):%Y-%m-%d}" if guide.published else ""


def view(guide: Guide, answers: Mapping[str, str]) -> dict:
    """What the screen shows: the version, the questions answered, the question to ask next (with its answers) or
    none, and the 一次告知 list as it stands (what is sure so far while a question is open)."""
    path, pending = walk(guide, answers)
    told = checklist(guide, answers)
    by_id = {q.id: q for q in guide.questions}
    question = None
    if pending is not None:
        q = by_id[pending]
        question = {"id": q.id, "text": q.text, "text_en": q.text_en or q.text,
                    "answers": [{"id": a.id, "text": a.text, "text_en": a.text_en or a.text} for a in q.answers]}
    answered = []
    for q, aid in path:
        a = next(a for a in q.answers if a.id == aid)
        answered.append({"question": q.text, "question_en": q.text_en or q.text, "answer": a.text,
                         "answer_en": a.text_en or a.text})
    return {"item": guide.item, "name": guide.name, "name_en": guide.name_en or guide.name,
            "version": guide.version, "published": published_on(guide), "sample": guide.sample,
            "question": question, "answered": answered, "final": pending is None,
            "answers": {q.id: aid for q, aid in path},
            "materials": [{"name": m.name, "name_en": m.name_en or m.name, "form": m.form.value,
                           "form_en": FORM_EN[m.form], "copies": m.copies, "required": m.required,
                           "notes": m.notes or ""} for m in told.materials],
            "promised_days": told.promised_days, "statutory_days": told.statutory_days, "visits": told.visits,
            "fees": [{"name": n, "yuan": y} for n, y in told.fees], "place": told.place, "hours": told.hours,
            "windows": told.windows or "", "consult_phone": guide.consult_phone}


def prepare(told: Checklist, limit: int = PREPARE_MAX) -> str:
    """The short "请准备" of a ticket: the first materials by name, "等 N 项" when there are more ("" when none)."""
    names = [m.name for m in told.materials]
    if not names:
        return ""
    shown = "、".join(names[:limit])
    return f"{shown}等 {len(names)} 项" if len(names) > limit else shown


def prepare_en(told: Checklist, limit: int = PREPARE_MAX) -> str:
    names = [m.name_en or m.name for m in told.materials]
    shown = "; ".join(names[:limit])
    return f"{shown} and {len(names) - limit} more" if len(names) > limit else shown


def link(base: str, guide: Guide, answers: Mapping[str, str]) -> str:
    """The phone link of this list: the item, the version and the answers on the path (ids only)."""
    path, _ = walk(guide, answers)
    pairs = "~".join(f"{q.id}.{aid}" for q, aid in path)
    url = f"{base}{PATH}/{quote(guide.item, safe='')}?v={guide.version}"
    return url + (f"&a={pairs}" if pairs else "")


def parse_answers(raw: str | None) -> dict[str, str]:
    """The `a` parameter of a link back into answers; anything else is `InvalidInput("guide_link_answers")`."""
    if not raw:
        return {}
    if len(raw) > RAW_MAX:
        raise e.InvalidInput("guide_link_answers")
    parts = raw.split("~")
    if len(parts) > ANSWERS_MAX:
        raise e.InvalidInput("guide_link_answers")
    answers: dict[str, str] = {}
    for part in parts:
        match = _PAIR.match(part)
        if match is None:
            raise e.InvalidInput("guide_link_answers")
        answers[match.group(1)] = match.group(2)
    return answers


def parse_version(raw: str | None) -> int | None:
    """The `v` parameter: a version number, or None when absent; garbage is `InvalidInput("guide_link_version")`."""
    if raw is None or raw == "":
        return None
    if len(raw) > 7 or not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise e.InvalidInput("guide_link_version")
    return int(raw)
