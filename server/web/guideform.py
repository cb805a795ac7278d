"""The guide editor's form (server/web/guides.py): a guide as the form's texts, and the posted form back as a guide.

Every input is named by the path the checks give a problem (`materials[2].copies`, `questions[0].answers[1].next`),
so each problem the checks find (`files.from_raw`, the same reading as an import file's) is shown next to its
field. A row left blank is dropped; what comes back is shown from what was posted (compacted), never half-saved.
Conditions are written as in the workbook: `who=agent；why=lost`.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs

from common.domain import errors as e
from common.domain.guide import Guide
from common.guides import rules
from common.guides.files import GuideFileError, from_raw
from common.guides.rules import Problem
from common.guides.xlsx import _condition as condition_text  # the workbook's way of writing a condition
from common.guides.xlsx import _pairs as condition_pairs

FORM_MAX = 1024 * 1024  # bytes of one posted guide (url-encoded Chinese: 9 bytes a character); server/limits.py
FIELDS_MAX = 6_000  # inputs of one posted guide
SCALARS = ("name", "name_en", "catalogue_code", "kind", "body", "conditions", "statutory_days", "promised_days",
           "visits", "place", "hours", "windows", "consult_phone", "complaint_phone")
ROWS = {  # the lists of a guide, the inputs of each entry
    "materials": ("name", "name_en", "condition", "form", "copies", "paper", "source", "blank_form", "example",
                  "notes"),
    "steps": ("title", "detail"),
    "fees": ("name", "yuan", "basis", "condition"),
    "faq": ("question", "answer"),
    "questions": ("id", "text", "text_en"),
}
ANSWER = ("id", "text", "text_en", "next")
CHOICES = frozenset({"form", "source"})  # selects: never blank, so they do not make a row written
SPARE = {"materials": 2, "steps": 1, "fees": 1, "faq": 1, "questions": 1}  # blank rows offered for new entries
SPARE_ANSWERS = 1
_KEY = re.compile(r"^(?P<list>[a-z_]+)\[(?P<i>\d{1,3})\]\.(?:answers\[(?P<j>\d{1,3})\]\.)?(?P<field>[a-z_]+)$")


def view_of(guide: Guide | None, name: str = "", name_en: str | None = None) -> dict:
    """The form's texts of a guide (None: a new one, with the catalogue's name of the item)."""
    if guide is None:
        return {"name": name, "name_en": name_en or "", "legal_basis": "", "sample": False,
                **{k: [] for k in ROWS}}
    g = guide.model_dump(mode="json")
    out: dict = {k: _text(g.get(k)) for k in SCALARS}
    out["legal_basis"] = "\n".join(g["legal_basis"])
    out["sample"] = bool(g.get("sample"))
    for part, fields in ROWS.items():
        out[part] = [{f: (condition_text(entry[f]) if f == "condition" else _text(entry.get(f))) for f in fields}
                     for entry in g[part]]
    for q, entry in zip(out["questions"], g["questions"], strict=True):
        q["answers"] = [{f: _text(a.get(f)) for f in ANSWER} for a in entry["answers"]]
    return out


def _text(value) -> str:
    return "" if value is None else str(value)


def parse(body: bytes) -> tuple[dict[str, str], dict]:
    """The posted form: its plain fields (csrf, action, base, answer.<question>) and the guide's texts as a view.
    InvalidInput for a body that is not a form of a sane size."""
    if len(body) > FORM_MAX:
        raise e.InvalidInput("guide_form_too_big")
    try:
        fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "strict"), keep_blank_values=True,
                                                max_num_fields=FIELDS_MAX).items()}
    except (ValueError, UnicodeDecodeError):
        raise e.InvalidInput("guide_form_too_big") from None
    view: dict = {k: fields.get(k, "").strip() for k in SCALARS}
    view["legal_basis"] = fields.get("legal_basis", "")
    view["sample"] = fields.get("sample") == "on"
    rows: dict[str, dict[int, dict]] = {k: {} for k in ROWS}
    for key, value in fields.items():
        m = _KEY.match(key)
        if not m or m["list"] not in ROWS:
            continue
        entry = rows[m["list"]].setdefault(int(m["i"]), {})
        if m["j"] is not None:
            if m["list"] == "questions" and m["field"] in ANSWER:
                entry.setdefault("answers", {}).setdefault(int(m["j"]), {})[m["field"]] = value.strip()
        elif m["field"] in ROWS[m["list"]]:
            entry[m["field"]] = value.strip()
    for part, fields_of in ROWS.items():
        kept = []
        for i in sorted(rows[part]):
            entry = rows[part][i]
            answers = [a for _, a in sorted(entry.pop("answers", {}).items()) if any(a.get(f) for f in ANSWER)]
            if not any(entry.get(f) for f in fields_of if f not in CHOICES) and not answers:
                continue  # a blank row: nothing to keep
            row = {f: entry.get(f, "") for f in fields_of}
            if part == "questions":
                row["answers"] = [{f: a.get(f, "") for f in ANSWER} for a in answers]
            kept.append(row)
        view[part] = kept
    return fields, view


def _raw(view: dict, item: str) -> tuple[dict, list[Problem]]:
    """The guide as the file's JSON object, and the problems of writing conditions found on the way."""
    found: list[Problem] = []
    raw: dict = {"item": item, **{k: v for k, v in view.items() if k in SCALARS and v != ""}}
    raw["legal_basis"] = [line.strip() for line in view["legal_basis"].splitlines() if line.strip()]
    raw["sample"] = view["sample"]
    for part in ROWS:
        entries = []
        for i, row in enumerate(view[part]):
            entry = {k: v for k, v in row.items() if k != "answers" and v != ""}
            if "condition" in entry:
                pairs = condition_pairs(entry["condition"])
                if pairs is None:
                    found.append(Problem(f"{part}[{i}].condition", "guide_condition_form"))
                entry["condition"] = pairs or []
            if part == "questions":
                entry["answers"] = [{k: v for k, v in a.items() if v != ""} for a in row["answers"]]
            entries.append(entry)
        raw[part] = entries
    return raw, found


def guide_of(view: dict, item: str) -> tuple[Guide | None, list[Problem]]:
    """The guide of the form, checked as an import file's guide is; or None and every problem, by field path."""
    raw, found = _raw(view, item)
    try:
        (guide,) = from_raw({"guides": [raw]})
    except GuideFileError as exc:
        return None, found + [Problem(p.path.removeprefix("guides[0].").removeprefix("guides[0]"), p.code)
                              for p in exc.problems]
    return (None, found) if found else (guide, [])


def preview(guide: Guide, chosen: dict[str, str]) -> rules.Checklist:
    """The 一次告知 list as the kiosk shows it after the answers `chosen` (question id -> answer id), each question
    not chosen (or chosen with an answer it does not offer) answered with its first answer."""
    by_id = {q.id: q for q in guide.questions}
    answers: dict[str, str] = {}
    for _ in range(len(guide.questions) + 1):  # the questions never loop (rules.problems): one step a question
        asked = rules.checklist(guide, answers).next_question
        if asked is None:
            break
        offered = {a.id for a in by_id[asked].answers}
        answers[asked] = chosen[asked] if chosen.get(asked) in offered else by_id[asked].answers[0].id
    return rules.checklist(guide, answers)
