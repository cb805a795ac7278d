"""The quarterly "微笑" (smile) assessment of each clerk, and its export as CSV and XLSX.

Per clerk of a site over a quarter: services finished, the average rating, bad ratings, and the
share of services within both limits (wait and service). Every service counts for the clerk who gave
it (`common.domain.sla.Service`): a ticket transferred on after a first service credits that first window's clerk
too, and a rating counts for the service rated (the finished one).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

from sqlalchemy import Connection, select

from common.db import repo
from common.db.schema import ClerkRow
from common.domain import errors as e
from common.domain import sla
from common.domain.model import UNRATED
from common.readmodels.dashboard import BAD_SCORE

T = repo.T
FIRST_YEAR, LAST_YEAR = 2000, 2099  # the quarters a dashboard may ask for (9999Q4 ran past the calendar: a 500)
COLUMNS = (("staff_no", "工号"), ("name", "姓名"), ("services", "办件数"), ("rated", "评价数"),
           ("average_rating", "平均评分"), ("bad_ratings", "差评数"), ("within_limits_share", "时限内办结率"))


def parse_quarter(text: str) -> tuple[date, date]:
    """'2026Q4' -> (2026-10-01, 2026-12-31)."""
    m = re.fullmatch(r"(\d{4})Q([1-4])", text or "")
    if not m:
        raise e.InvalidInput("quarter_format")
    year, q = int(m[1]), int(m[2])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise e.InvalidInput("quarter_range", first=FIRST_YEAR, last=LAST_YEAR)
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def assessment(conn: Connection, site_id: str, quarter: str, now: datetime) -> list[dict]:
    """One row per clerk of the site (supervisors excluded), by staff number."""
    first, last = parse_quarter(quarter)
    clerks = conn.execute(select(ClerkRow.id, ClerkRow.staff_no, ClerkRow.name)
                          .where(ClerkRow.site_id == site_id, ClerkRow.role == "clerk")
                          .order_by(ClerkRow.staff_no)).all()
    rows = conn.execute(select(T).where(  # every ticket with a service: a transfer may end one before a finish
        T.c.site_id == site_id, T.c.business_day >= first.isoformat(), T.c.business_day <= last.isoformat(),
        T.c.started_at.is_not(None) | (T.c.transfers > 0)))
    served: dict[str, list] = {c.id: [] for c in clerks}
    for r in rows:
        t = repo.ticket_from_row(r)
        for s in sla.services(t):
            if s.clerk_id in served:
                served[s.clerk_id].append((t, s))
    out = []
    for c in clerks:
        mine = served[c.id]
        scores = [s.score for _, s in mine if s.score not in (None, UNRATED)]
        within = [sla.within_both(t, s) for t, s in mine]
        out.append({
            "staff_no": c.staff_no, "name": c.name, "services": len(mine), "rated": len(scores),
            "average_rating": round(sum(scores) / len(scores), 2) if scores else None,  # type: ignore[arg-type]
            "bad_ratings": sum(1 for s in scores if s is not None and s <= BAD_SCORE),
            "within_limits_share": round(sum(within) / len(within), 4) if within else None,
        })
    return out


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """A value as a spreadsheet may show it: text that Excel would read as a formula (`=`, `+`, `-`, `@`, tab or
    CR first: a clerk's name "=HYPERLINK(…)") gets a leading single quote (OWASP's rule); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel on a Chinese Windows opens it without mojibake."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([zh for _, zh in COLUMNS])
    for r in rows:
        w.writerow(["" if r[k] is None else safe_text(r[k]) for k, _ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([zh for _, zh in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([safe_text(r[k]) for k, _ in COLUMNS])
    for row in ws.iter_rows(min_row=2, min_col=len(COLUMNS), max_col=len(COLUMNS)):
        row[0].number_format = "0.0%"
    for col, width in zip("ABCDEFG", (10, 10, 8, 8, 10, 8, 14)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
