"""The 台账 export's `quarter` is checked before anything is read: a malformed or hostile value is a 422 with the
reason in Chinese and English (never echoed back; digits are ASCII only: 全角 ２０２６ is refused, not guessed), a well-formed one or `all` is a spreadsheet."""
from __future__ import annotations

import io

import pytest
import requests
from openpyxl import load_workbook

from tests.integration.http import post_form
from tests.web.conftest import PIN, SUPERVISOR

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def supervisor(live_hall):
    http = requests.Session()
    r = post_form(http, live_hall.url, "/dashboard/sign-in", "/dashboard/sign-in",
                  {"site": "s1", "staff_no": SUPERVISOR[0], "pin": PIN}, allow_redirects=False)
    assert r.status_code == 303
    return http


@pytest.mark.parametrize("quarter", ["2026Q5", "2026Q0", "26Q1", "2026q1", "x" * 500, "all'--", "<script>", "2026Q1\x00", "٢٠٢٦Q1",
                                     "２０２６Q1", ""])
def test_a_bad_quarter_is_refused_in_both_languages(live_hall, supervisor, quarter):
    r = supervisor.get(f"{live_hall.url}/dashboard/cases.xlsx", params={"quarter": quarter}, timeout=10)
    assert r.status_code == 422, (quarter, r.status_code)
    body = r.json()
    assert body["error"] == "invalid_input" and "quarter" in body["message_en"] and "quarter" in body["message_zh"]
    assert body["message_zh"] != body["message_en"] and "<script>" not in r.text and "x" * 50 not in r.text


@pytest.mark.parametrize("quarter", ["2026Q4", "2019Q1", "all"])
def test_a_good_quarter_or_all_is_a_spreadsheet(live_hall, supervisor, quarter):
    r = supervisor.get(f"{live_hall.url}/dashboard/cases.xlsx", params={"quarter": quarter}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    assert len(book.sheetnames) == 2
