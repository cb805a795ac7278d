"""The 台账 of cases (docs/cases.md): every case of a site with every field, and its full history, as an XLSX workbook.

The office is judged by this ledger, so it holds every step; it holds no personal data but the masked contact (the
caller masks it: only the hub holds the key), and every text cell is neutralised against formula injection as the
assessment's export is (`assessment.safe_text`: a reporter's text "=HYPERLINK(…)" stays text in Excel).
"""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection, select

from common.db.caserows import K, case_from_row
from common.db.repo import E, event_from_row
from common.db.schema import ClerkRow, ServiceItemRow
from common.domain.cases import KINDS
from common.domain.clock import SHANGHAI
from common.domain.workdays import WorkCalendar
from common.readmodels.assessment import safe_text
from common.readmodels.cases import flags

# (field, header): the case sheet's columns, in the order of the workflow
CASE_COLUMNS = (
    ("number", "案件编号"), ("kind", "类型"), ("source", "来源"), ("cause", "原因"), ("text", "反映内容"),
    ("opened_day", "登记日期"), ("opened_at", "登记时间"), ("item", "事项"), ("ticket_id", "关联办件"),
    ("rated_clerk", "被评价人员"), ("contact_name", "联系人（脱敏）"), ("contact_phone", "联系电话（脱敏）"),
    ("status", "状态"), ("case_class", "定性"), ("due_day", "办理期限"), ("overdue", "超期"),
    ("department", "承办单位"), ("handler_site_id", "承办单位所属中心"), ("contacts", "联系次数"),
    ("first_contact_at", "首次联系时间"), ("extensions", "延期次数"), ("answer", "答复结果"),
    ("answer_text", "答复内容"), ("answered_at", "答复时间"), ("answered_on_time", "按期答复"),
    ("negative_reported", "否定答复报告"), ("follow_ups", "回访次数"), ("reached", "回访联系上"),
    ("satisfied", "回访满意"), ("reopened", "重新办理"), ("escalated", "督办"), ("appeal_upheld", "申诉成立"),
    ("closed_at", "办结时间"), ("id", "案件标识"),
)
HISTORY_COLUMNS = (("number", "案件编号"), ("seq", "序号"), ("at", "时间"), ("kind", "步骤"), ("clerk", "经办人"),
                   ("detail", "内容"))


def names(conn: Connection, site_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """Item id -> name and clerk id -> name at the site (for lists and the ledger: ids mean nothing to an office)."""
    items = dict(conn.execute(select(ServiceItemRow.id, ServiceItemRow.name).where(ServiceItemRow.site_id == site_id)).all())
    clerks = dict(conn.execute(select(ClerkRow.id, ClerkRow.name).where(ClerkRow.site_id == site_id)).all())
    return items, clerks


def ledger(conn: Connection, site_id: str, today: date, calendar: WorkCalendar,
           mask: Callable[[str | None], dict | None],
           period: tuple[date, date] | None = None) -> tuple[list[dict], list[dict]]:
    """(cases, steps) of `site_id`, oldest first: the cases registered within `period` (first and last day; None:
    all), and every step of those cases. `mask(sealed)` gives a contact as lists show it."""
    items, clerks = names(conn, site_id)
    q = select(K).where(K.c.site_id == site_id)
    if period is not None:
        q = q.where(K.c.opened_day >= period[0].isoformat(), K.c.opened_day <= period[1].isoformat())
    found = [case_from_row(r) for r in conn.execute(q.order_by(K.c.opened_at, K.c.id))]
    cases = []
    for x in found:
        shown = mask(x.contact) or {}
        row = {k: getattr(x, k, None) for k, _ in CASE_COLUMNS}
        row.update(kind=x.kind.value, status=x.status.value, item=items.get(x.item_id or "", x.item_id),
                   rated_clerk=clerks.get(x.rated_clerk_id or "", x.rated_clerk_id),
                   contact_name=shown.get("name"), contact_phone=shown.get("phone"),
                   overdue=flags(x, today, calendar)["overdue"])
        cases.append(row)
    numbers = {x.id: x.number for x in found}
    steps = []
    for r in conn.execute(select(E).where(E.c.site_id == site_id, E.c.kind.in_(KINDS)).order_by(E.c.seq)):
        ev = event_from_row(r)
        data = {k: v for k, v in ev.data.items() if k not in ("contact", "public_token", "case_id")}
        case_id = str(ev.data.get("case_id"))
        if case_id not in numbers:  # a step of a case of another period
            continue
        steps.append({"number": numbers.get(case_id, case_id), "seq": r.seq,
                      "at": ev.at, "kind": ev.kind, "clerk": clerks.get(ev.clerk_id or "", ev.clerk_id),
                      "detail": json.dumps(data, ensure_ascii=False, sort_keys=True)})
    return cases, steps


def _cell(value):
    """A value as the sheet holds it: times without their zone (Excel has none), yes/no in words, text neutralised."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.astimezone(SHANGHAI).replace(tzinfo=None)
    return safe_text(value)


CODED = ("kind", "source", "cause", "status", "case_class", "answer")  # codes the sheet shows in words (`label`)


def to_xlsx(cases: list[dict], steps: list[dict], titles: tuple[str, str],
            label: Callable[[str, str], str] = lambda field, code: code) -> bytes:
    """Two sheets: the cases, one row each, and their history, one row per step. `label(field, code)`: a code in
    words (e.g. status "open" -> 办理中)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    # write-only: rows stream to the file as they come (a district's 20,000 cases: docs/benchmarks.md, "Cases")
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in ((titles[0], CASE_COLUMNS, cases), (titles[1], HISTORY_COLUMNS, steps)):
        ws = wb.create_sheet(title[:31])
        ws.freeze_panes = "B2"
        header = []
        for _, text in columns:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for r in rows:
            ws.append([_cell(label(k, r[k]) if k in CODED and r[k] is not None else r[k]) for k, _ in columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
