"""The staffing plan of a site and day (common/planning/advice.py `plan_day`) as an XLSX workbook."""
from __future__ import annotations

import io

from common.readmodels.assessment import safe_text


def to_xlsx(d: dict, titles: tuple[str, str, str]) -> bytes:
    """The plan as a workbook: sheet 1 the windows per hour, sheet 2 forecast arrivals, sheet 3 shares within limits
    (every text through `safe_text`: a queue named "=HYPERLINK(…)" stays text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    letters = {q["queue_id"]: (q["letter"], q["name"]) for q in d["queues"]}
    wb = Workbook()
    ws = wb.active
    ws.title = titles[0][:31]
    ws.append(["时段", "开放窗口数", "窗口（服务队列）"])
    for p in d["plan"]:
        ws.append([f"{p['hour']:02d}:00-{p['hour'] + 1:02d}:00", len(p["windows"]),
                   safe_text("、".join(f"{w['name']}（{''.join(w['queues'])}）" for w in p["windows"]))])
    for name, rows, fmt in ((titles[1], d["forecast"], "0.0"), (titles[2], d["within"], "0.0%")):
        sheet = wb.create_sheet(name[:31])
        sheet.append(["队列", *[f"{h:02d}:00" for h in d["hours"]]])
        for q, values in rows.items():
            letter, qname = letters.get(q, ("?", q))
            sheet.append([safe_text(f"{letter} {qname}"), *values])
        for row in sheet.iter_rows(min_row=2, min_col=2):
            for cell in row:
                cell.number_format = fmt
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 16
    wb.worksheets[0].column_dimensions["C"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
