"""A report (common/readmodels/reports.py) as the rows of its tables and as an XLSX workbook: one table per sheet,
headings in the reader's language, every text cell formula-safe (`assessment.safe_text`)."""
from __future__ import annotations

import io

import i18n
from common.readmodels.assessment import safe_text
from common.readmodels.reports import OUTCOMES

# (key of a figures dict, text in i18n/web.json, number format): the columns every table shares after its name
FIGURES = (
    ("arrivals", "rep_arrivals", "0"), ("served", "rep_served", "0"), ("no_show", "rep_no_show", "0"),
    ("wait_median", "rep_wait_median", "0.0"), ("wait_p90", "rep_wait_p90", "0.0"),
    ("wait_within_limit_share", "rep_wait_share", "0.0%"),
    ("service_median", "rep_service_median", "0.0"), ("service_p90", "rep_service_p90", "0.0"),
    ("service_within_limit_share", "rep_service_share", "0.0%"),
    ("rated", "rep_rated", "0"), ("rating_average", "rep_rating_average", "0.00"), ("bad_ratings", "rep_bad", "0"),
    ("transferred", "rep_transferred", "0"),
    *((f"outcome_{o}", f"rep_outcome_{o}", "0") for o in OUTCOMES),
)
TIMES = (("paused_seconds", "rep_paused", "0.0"), ("idle_seconds", "rep_idle", "0.0"))
MINUTES = {"wait_median", "wait_p90", "service_median", "service_p90", "paused_seconds", "idle_seconds"}


def flat(fig: dict) -> dict:
    """A figures dict with its outcomes as columns and its times in minutes (what a table shows)."""
    out = {k: v for k, v in fig.items() if k != "outcomes"}
    out |= {f"outcome_{o}": n for o, n in fig.get("outcomes", {}).items()}
    for k in MINUTES & out.keys():
        out[k] = None if out[k] is None else round(out[k] / 60, 1)
    return out


def tables(report: dict, lang: str) -> list[tuple[str, list[str], list[list], list[str]]]:
    """(sheet title, headings, rows, number formats) of each table of the report."""
    def text(key: str, **kw) -> str:
        return i18n.text("web", key, lang, **kw)

    site = report["site"]
    fig_heads = [text(k) for _, k, _ in FIGURES]
    fig_formats = [f for _, _, f in FIGURES]
    time_heads, time_formats = [text(k) for _, k, _ in TIMES], [f for _, _, f in TIMES]

    def rows(entries, name, with_times: bool):
        keys = [k for k, _, _ in FIGURES] + ([k for k, _, _ in TIMES] if with_times else [])
        return [name(x) + [flat(x).get(k) for k in keys] for x in entries]

    total = site["total"]
    out = [(text("rep_sheet_total"), [text("rep_site")] + fig_heads + time_heads,
            rows([total], lambda _: [site["site_name"]], True), ["@"] + fig_formats + time_formats)]
    if report["summary"]:
        out.append((text("rep_sheet_sites"), [text("rep_site")] + fig_heads + time_heads,
                    rows(report["summary"], lambda x: [x["name"]], True), ["@"] + fig_formats + time_formats))
    out.append((text("rep_sheet_departments"), [text("rep_department")] + fig_heads,
                rows(site["departments"], lambda x: [text("rep_bundle") if x["bundle"] else (x["department"] or text("rep_no_department"))], False),
                ["@"] + fig_formats))
    out.append((text("rep_sheet_windows"), [text("rep_window_number"), text("rep_window")] + fig_heads + time_heads,
                rows(site["windows"], lambda x: [x["number"], x["name"]], True), ["0", "@"] + fig_formats + time_formats))
    out.append((text("rep_sheet_clerks"), [text("rep_staff_no"), text("rep_clerk")] + fig_heads + time_heads,
                rows(site["clerks"], lambda x: [x["staff_no"], x["name"]], True), ["@", "@"] + fig_formats + time_formats))
    out.append((text("rep_sheet_pauses"), [text("rep_pause_reason"), text("rep_pause_count"), text("rep_paused")],
                [[p["reason"] or text("rep_no_reason"), p["count"], round(p["seconds"] / 60, 1)] for p in site["pause_reasons"]],
                ["@", "0", "0.0"]))
    w = site.get("warnings")
    if w is not None:  # the live warnings of the period (common/db/warningrows.py): how often they came true
        out.append((text("rep_sheet_warnings"), [text(k) for k in ("rep_warn_raised", "rep_warn_decided",
                                                                     "rep_warn_came_true", "rep_warn_undecided",
                                                                     "rep_warn_precision", "rep_warn_crossed",
                                                                     "rep_warn_foretold", "rep_warn_recall")],
                    [[w["raised"], w["decided"], w["came_true"], w["undecided"], w["precision"], w["crossed"],
                      w["foretold"], w["recall"]]],
                    ["0", "0", "0", "0", "0.0%", "0", "0", "0.0%"]))
    return out


def to_xlsx(report: dict, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    site = report["site"]
    for title, heads, rows, formats in tables(report, lang):
        ws = wb.create_sheet(title[:31])
        ws.append([safe_text(i18n.text("web", "rep_heading", lang, site=site["site_name"], period=site["period"]))])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([safe_text(h) for h in heads])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r in rows:
            ws.append([safe_text(v) for v in r])
        for row in ws.iter_rows(min_row=3):
            for cell, fmt in zip(row, formats):
                if fmt != "@":
                    cell.number_format = fmt
        for i, h in enumerate(heads):
            ws.column_dimensions[ws.cell(row=2, column=i + 1).column_letter].width = 22 if i == 0 else max(9, min(16, len(h) + 4))
        ws.freeze_panes = "B3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
