"""Guides as a workbook in a 事项库 export's column layout: one sheet of items, and one sheet each of materials,
fees, steps, questions (a row per answer) and FAQ, keyed by the item's code. Read all or none, like the JSON file:
each problem is named by its cell (`材料!F7`)."""
from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook

from common.domain.guide import Guide
from common.guides.files import FILE_MAX, GuideFileError, dump, from_raw
from common.guides.rules import Problem

# sheet -> the list of the guide it fills (None: the guide itself) and its columns (header, field)
SHEETS: dict[str, tuple[str | None, tuple[tuple[str, str], ...]]] = {
    "事项": (None, (("事项编码", "item"), ("事项名称", "name"), ("英文名称", "name_en"), ("基本编码", "catalogue_code"),
                  ("事项类型", "kind"), ("实施主体", "body"), ("设定依据", "legal_basis"), ("受理条件", "conditions"),
                  ("法定办结时限", "statutory_days"), ("承诺办结时限", "promised_days"), ("到现场次数", "visits"),
                  ("办理地点", "place"), ("办理时间", "hours"), ("办理窗口", "windows"), ("咨询电话", "consult_phone"),
                  ("监督投诉电话", "complaint_phone"), ("版本", "version"), ("发布人", "published.by"),
                  ("发布时间", "published.at"), ("示例内容", "sample"))),
    "材料": ("materials", (("事项编码", "item"), ("材料名称", "name"), ("英文名称", "name_en"), ("适用条件", "condition"),
                         ("材料形式", "form"), ("份数", "copies"), ("纸张规格", "paper"), ("来源渠道", "source"),
                         ("空白表格", "blank_form"), ("示例样表", "example"), ("填报须知", "notes"))),
    "收费": ("fees", (("事项编码", "item"), ("收费项目", "name"), ("金额（元）", "yuan"), ("收费依据", "basis"),
                    ("适用条件", "condition"))),
    "流程": ("steps", (("事项编码", "item"), ("环节", "title"), ("说明", "detail"))),
    "问题": ("questions", (("事项编码", "item"), ("问题编号", "id"), ("问题", "text"), ("英文问题", "text_en"),
                         ("答案编号", "answer.id"), ("答案", "answer.text"), ("英文答案", "answer.text_en"),
                         ("下一问题", "answer.next"))),
    "常见问题": ("faq", (("事项编码", "item"), ("问题", "question"), ("解答", "answer"))),
}
_PATH = re.compile(r"^guides\[(\d+)\](?:\.(materials|fees|steps|questions|faq)\[(\d+)\])?(?:\.answers\[(\d+)\])?"
                   r"\.?([a-z_]+)?")


def _condition(pairs: Sequence[dict]) -> str:
    return "；".join(f"{p['question']}={p['answer']}" for p in pairs)


def _pairs(text: str) -> list[dict] | None:
    pairs = []
    for part in re.split(r"[;；]", text):
        q, eq, a = part.strip().partition("=")
        if not eq or not q.strip() or not a.strip():
            return None
        pairs.append({"question": q.strip(), "answer": a.strip()})
    return pairs


def to_xlsx(guides: Sequence[Guide]) -> bytes:
    """The workbook of these guides (the same content as `files.dump`)."""
    raw = json.loads(dump(guides))["guides"]
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, (part, columns) in SHEETS.items():
        ws = wb.create_sheet(sheet)
        ws.append([h for h, _ in columns])
        for g in raw:
            for row in _rows(g, part):
                ws.append([_cell(row, field) for _, field in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rows(g: dict, part: str | None) -> list[dict]:
    if part is None:
        return [g]
    if part == "questions":
        return [{"item": g["item"], **q, "answer": a} for q in g.get(part, []) for a in q["answers"]]
    return [{"item": g["item"], **entry} for entry in g.get(part, [])]


def _cell(row: dict, field: str) -> object:
    head, _, tail = field.partition(".")
    value = row.get(head)
    if tail:
        value = value.get(tail) if isinstance(value, dict) else None
    if field == "legal_basis" and value is not None:
        return "\n".join(value)
    if field == "condition":
        return _condition(value or []) or None
    return value


def from_xlsx(data: bytes) -> tuple[Guide, ...]:
    """The guides of a workbook, or GuideFileError naming every bad cell (nothing is half read)."""
    if len(data) > FILE_MAX:
        raise GuideFileError([Problem("(file)", "guide_file_size")])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise GuideFileError([Problem("(file)", "guide_not_xlsx")]) from None
    found: list[Problem] = []
    guides: list[dict] = []
    where: dict[tuple, tuple[str, int]] = {}  # (guide, list, index[, answer]) -> ("材料", row)
    index: dict[str, int] = {}
    for sheet, (part, columns) in SHEETS.items():
        if sheet not in wb.sheetnames:
            found.append(Problem(sheet, "guide_missing"))
            continue
        for r, values in enumerate(wb[sheet].iter_rows(min_row=2, values_only=True), start=2):
            row = {f: v for (_, f), v in zip(columns, values, strict=False) if v not in (None, "")}
            if not row:
                continue
            _put(row, part, r, sheet, columns, guides, index, where, found)
    if found:
        raise GuideFileError(found)
    try:
        return from_raw({"guides": guides})
    except GuideFileError as e:
        raise GuideFileError([Problem(_cell_of(p.path, where), p.code) for p in e.problems]) from None


def _put(row: dict, part: str | None, r: int, sheet: str, columns: tuple, guides: list[dict],
         index: dict[str, int], where: dict[tuple, tuple[str, int]], found: list[Problem]) -> None:
    col = {f: chr(ord("A") + i) for i, (_, f) in enumerate(columns)}
    item = str(row.pop("item", ""))
    if part is None:
        if item in index:
            found.append(Problem(f"{sheet}!A{r}", "guide_duplicate"))
            return
        for key in ("published.by", "published.at"):
            if key in row:
                row.setdefault("published", {})[key.split(".")[1]] = row.pop(key)
        if "legal_basis" in row:
            row["legal_basis"] = [line for line in str(row["legal_basis"]).splitlines() if line.strip()]
        index[item] = len(guides)
        where[(len(guides),)] = (sheet, r)
        guides.append({"item": item, **row})
        return
    if item not in index:
        found.append(Problem(f"{sheet}!A{r}", "guide_unknown_item"))
        return
    gi = index[item]
    if "condition" in row:
        pairs = _pairs(str(row["condition"]))
        if pairs is None:
            found.append(Problem(f"{sheet}!{col['condition']}{r}", "guide_condition_form"))
            return
        row["condition"] = pairs
    entries = guides[gi].setdefault(part, [])
    if part == "questions":
        answer = {k.split(".")[1]: row.pop(k) for k in list(row) if k.startswith("answer.")}
        same = next((i for i, q in enumerate(entries) if q.get("id") == row.get("id")), None)
        if same is None:
            same = len(entries)
            entries.append({**row, "answers": []})
            where[(gi, part, same)] = (sheet, r)
        where[(gi, part, same, len(entries[same]["answers"]))] = (sheet, r)
        entries[same]["answers"].append(answer)
        return
    where[(gi, part, len(entries))] = (sheet, r)
    entries.append(row)


def _cell_of(path: str, where: dict[tuple, tuple[str, int]]) -> str:
    """`guides[0].materials[2].copies` -> `材料!F4`: the cell the bad value came from (its row where the field has
    no column of its own)."""
    m = _PATH.match(path)
    if not m:
        return path
    gi, part, i, ai, field = m.groups()
    key: tuple = (int(gi),) if part is None else (int(gi), part, int(i)) + ((int(ai),) if ai else ())
    found = where.get(key) or where.get(key[:3]) or where.get(key[:1])
    if found is None:
        return path
    sheet, row = found
    names = [f for _, f in SHEETS[sheet][1]]
    name = f"answer.{field}" if ai and f"answer.{field}" in names else field
    if name in names:
        return f"{sheet}!{chr(ord('A') + names.index(name))}{row}"
    return f"{sheet}!{row}"
