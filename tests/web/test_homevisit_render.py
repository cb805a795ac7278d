"""The 上门办 pages in real Chromium, 中文 and English: from the dashboard's link to the open requests, a refused 12345
request (its message on the form), a day planned by its buttons and its printed list (the buttons off paper, A4
portrait); nothing fetched from elsewhere, no script error. HAOBAN_SCREENSHOTS=1 saves the shots in docs/screenshots."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.web.homehall import ZHANG, counts, seed
from tests.web.test_dashboard import _sign_in
from tests.web.test_reports import _browser_page

SHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("HAOBAN_SCREENSHOTS") == "1"
         else Path(tempfile.mkdtemp(prefix="haoban-home-shots-")))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_supervisor_plans_and_prints_a_day_of_home_visits_in_chromium(pages, hall, live_hall, lang):
    v = seed(hall)
    http = _sign_in(live_hall.url)
    q = "?lang=en" if lang == "en" else ""
    page = _browser_page(pages, http, "/dashboard")
    page.click("#homevisits-link")
    page.wait_for_selector("#hv-open")
    if lang == "en":
        page.goto(f"{pages.url}/dashboard/homevisits{q}")
    assert page.locator("#hv-open tbody tr").count() == 2
    assert page.get_attribute("#hv-fig-requests", "data-value") == "2"
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(SHOTS / f"web-homevisits-{lang}.png"), full_page=True)

    page.click("#hv-new")
    page.select_option("#hv-site", "s2")
    page.select_option("#hv-item", "s2-IA")
    page.fill("#hv-name", "赵六")
    page.fill("#hv-phone", "1370000abcd")
    page.fill("#hv-address", "张马村 5 组 20 号")
    page.select_option("#hv-slot0", "morning")
    page.select_option("#hv-reason", "certificate")
    page.check("#hv-seen")
    before = counts(hall)
    page.click("#hv-submit")
    page.wait_for_selector("#error")
    said = page.inner_text("#error")
    assert said == ("联系电话应为 5 到 20 位数字" if lang == "zh" else "The phone number is 5 to 20 digits")
    assert page.input_value("#hv-name") == "赵六" and counts(hall) == before
    page.screenshot(path=str(SHOTS / f"web-homevisit-form-error-{lang}.png"), full_page=True)

    page.goto(f"{pages.url}/dashboard/homevisits/day{q}{'&' if q else '?'}team=一队&day=2026-11-30")
    for _ in range(2):
        page.locator("#hv-to-plan form.assign button").first.click()
        page.wait_for_selector("#hv-day-list")
    assert page.locator("#hv-day-list tbody tr").count() == 2 and page.locator("#hv-to-plan form.assign").count() == 0
    page.fill("#hv-team", "二队")  # another team's day: empty, the two stay on 一队's
    page.click("#hv-show")
    page.wait_for_selector("#hv-day-list")
    assert page.locator("#hv-day-list tbody td.none").count() == 1
    page.go_back()
    page.wait_for_selector("#hv-day-list")
    assert page.locator("#hv-day-list tbody tr").first.get_attribute("data-id") == v.zhang  # 张马村 first, by name
    page.screenshot(path=str(SHOTS / f"web-homevisit-day-{lang}.png"), full_page=True)
    page.click("#hv-print")
    page.wait_for_selector("#print-heading")
    assert page.inner_text(f'[data-id="{v.zhang}"] dd.address') == ZHANG["address"]
    assert page.locator(f'[data-id="{v.zhang}"] ol.materials li').count() >= 1
    assert counts(hall)[1] == before[1] + 2  # two full showings, audited
    page.emulate_media(media="print")
    assert not page.is_visible("#print-now")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 portrait at 96 dpi
    page.screenshot(path=str(SHOTS / f"web-homevisit-print-{lang}.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    refused = "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    assert not pages.foreign() and pages.errors == [refused]  # the refused form's own page, and nothing else
