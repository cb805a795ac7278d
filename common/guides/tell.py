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
from common.guides.rules import Checklist, bundle_checklist, checklist, walk

PATH = "/api/v1/public/guides"  # the phone page of a guide: PATH/{item}?v=3&a=who.self~why.lost
ANSWERS_MAX = 20  # (question, answer) pairs a link may carry
RAW_MAX = 600  # characters of the `a` parameter (20 pairs of two 12-character ids fit)
_PAIR = re.compile(r"^([A-Za-z0-9_\-]{1,64})\.([A-Za-z0-9_\-]{1,64})$")
PREPARE_MAX = 3  # materials named on a ticket's "请准备" line (the rest: "等 N 项")
FORM_EN = {Form.original: "original", Form.copy: "copy", Form.elicence: "e-licence", Form.later: "may follow later"}


def published_on(guide: Guide) -> str:
    """The day the version was published (Shanghai time), or "" for a guide never published (a draft)."""
    return f"{guide.published.at.astimezone(SHANGHAI):%Y-%m-%d}" if guide.published else ""


def _question(q, key: str) -> dict:
    return {"id": key, "text": q.text, "text_en": q.text_en or q.text,
            "answers": [{"id": a.id, "text": a.text, "text_en": a.text_en or a.text} for a in q.answers]}


def _answered(q, aid: str) -> dict:
    a = next(a for a in q.answers if a.id == aid)
    return {"question": q.text, "question_en": q.text_en or q.text, "answer": a.text, "answer_en": a.text_en or a.text}


def _list(told: Checklist) -> dict:
    """The 一次告知 part of a view: materials with form and copies, time limits, visits, fees, place and hours."""
    return {"materials": [{"name": m.name, "name_en": m.name_en or m.name, "form": m.form.value,
                           "form_en": FORM_EN[m.form], "copies": m.copies, "required": m.required,
                           "notes": m.notes or ""} for m in told.materials],
            "promised_days": told.promised_days, "statutory_days": told.statutory_days, "visits": told.visits,
            "fees": [{"name": n, "yuan": y} for n, y in told.fees], "place": told.place, "hours": told.hours,
            "windows": told.windows or ""}


def view(guide: Guide, answers: Mapping[str, str]) -> dict:
    """What the screen shows: the version, the questions answered, the question to ask next (with its answers) or
    none, and the 一次告知 list as it stands (what is sure so far while a question is open)."""
    path, pending = walk(guide, answers)
    by_id = {q.id: q for q in guide.questions}
    return {"item": guide.item, "name": guide.name, "name_en": guide.name_en or guide.name,
            "version": guide.version, "published": published_on(guide), "sample": guide.sample, "bundle": False,
            "question": _question(by_id[pending], pending) if pending is not None else None,
            "answered": [_answered(q, aid) for q, aid in path], "final": pending is None,
            "answers": {q.id: aid for q, aid in path}, **_list(checklist(guide, answers)),
            "consult_phone": guide.consult_phone}


def item_answers(item: str, answers: Mapping[str, str]) -> dict[str, str]:
    """One item's answers within a bundle: a question id means the same question in each of the bundle's items, so
    "本人还是代办？" is asked once; `ITEM-id` answers that item's question alone (asked so when the item does not offer
    the answer given for an earlier item's question of the same id)."""
    prefix = f"{item}-"
    return {**answers, **{k[len(prefix):]: a for k, a in answers.items() if k.startswith(prefix)}}


def bundle_view(code: str, name: str, name_en: str, guides: list[Guide], missing: list[dict],
                answers: Mapping[str, str]) -> dict:
    """A 一件事 bundle's view, the same dict as `view`: its items' questions in turn, each question id asked once,
    and the union of the items' lists (rules.bundle_checklist). `missing`: its items without a guide ({name, name_en}),
    said on the screen (the list lacks their materials). `version` 0: each item has its own, in `items`."""
    per = {g.item: item_answers(g.item, answers) for g in guides}
    answered, used, question = [], {}, None
    for g in guides:
        path, pending = walk(g, per[g.item])
        for q, aid in path:
            key = q.id if answers.get(q.id) == aid else f"{g.item}-{q.id}"
            if key not in used:
                used[key] = aid
                answered.append(_answered(q, aid))
        if pending is not None and question is None:
            key = pending if pending not in answers else f"{g.item}-{pending}"
            question = _question(next(q for q in g.questions if q.id == pending), key)
    order = [k for k in answers if k in used]  # in the order the citizen answered (the last one is taken back)
    return {"item": code, "name": name, "name_en": name_en or name, "version": 0, "published": "",
            "sample": any(g.sample for g in guides), "bundle": True,
            "items": [{"item": g.item, "name": g.name, "name_en": g.name_en or g.name, "version": g.version,
                       "published": published_on(g)} for g in guides], "missing": missing,
            "question": question, "answered": answered, "final": question is None,
            "answers": {k: used[k] for k in order}, **_list(bundle_checklist(guides, per)),
            "consult_phone": guides[0].consult_phone}


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
    return link_of(base, {"item": guide.item, "version": guide.version, "answers": {q.id: aid for q, aid in path}})


def link_of(base: str, shown: dict) -> str:
    """The phone link of a view (`view` or `bundle_view`): its item or bundle code, its version (a guide's), the
    answers on its path."""
    pairs = "~".join(f"{k}.{a}" for k, a in shown["answers"].items())
    url = f"{base}{PATH}/{quote(shown['item'], safe='')}" + (f"?v={shown['version']}" if shown["version"] else "")
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + f"a={pairs}"


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
