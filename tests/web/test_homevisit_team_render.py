"""The team's 上门办 laptop pages in real Chromium, 中文 and English, on a laptop's screen: the sign-in, the day's
list, one visit (masked) with a refused outcome said on it, its person shown in full (audited), the outcome recorded, the citizen's five faces and the
thanks; every button and link a touch target of at least 60 px; nothing fetched from elsewhere, no script error.
HAOBAN_SCREENSHOTS=1 saves the shots in docs/screenshots."""
from __future__ import annotations

import pytest

from common.domain import homevisits as hv
from tests.web.conftest import PIN
from tests.web.homehall import BOSS, ZHANG, counts
from tests.web.test_dashboard import _sign_in
from tests.web.test_homevisit_render import SHOTS
from tests.web.test_homevisit_team import _visit, team  # noqa: F401 - the fixture
from tests.web.test_reports import _browser_page

TOUCH = 60


def _targets_big(page) -> None:
    """Every visible button, link and checkbox's label is at least TOUCH px high."""
    small = page.evaluate("""(min) => [...document.querySelectorAll('button, a.button, a.visit, label.tick')]
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < min)
        .map(e => e.id || e.textContent.trim())""", TOUCH)
    assert small == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_team_records_a_visit_and_the_citizen_rates_it_in_chromium(pages, hall, live_hall, team, lang):  # noqa: F811
    url, v, _ = team
    q = "?lang=en" if lang == "en" else ""
    page = pages.open("dashboard", f"/homevisits/sign-in{q}")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.select_option("#site", "s1")
    page.fill("#staff_no", "T1")
    page.fill("#pin", PIN)
    page.click("#sign-in")
    page.wait_for_selector("#hvt-todo")
    if lang == "en":
        page.goto(f"{pages.url}/homevisits{q}")
    assert page.locator("#hvt-todo li").count() == 2
    assert page.locator("#hvt-todo li").first.get_attribute("data-id") == v.zhang
    assert ZHANG["name"] not in page.content()
    _targets_big(page)
    page.screenshot(path=str(SHOTS / f"web-homevisit-team-day-{lang}.png"), full_page=True)

    page.locator("#hvt-todo a.visit").first.click()
    page.wait_for_selector("#hvt-record")
    assert page.inner_text("#hvt-person").startswith("张*明") and ZHANG["address"] not in page.content()
    before = counts(hall)
    page.locator("label.tick input").first.check()
    page.click("#hvt-not-home")  # a material ticked and nobody at home: refused, said on the form
    page.wait_for_selector("#error")
    assert ("不在家时不能有材料" if lang == "zh" else "none when nobody was at home") in page.inner_text("#error")
    assert page.locator("label.tick input").first.is_checked() and counts(hall) == before
    _targets_big(page)
    page.screenshot(path=str(SHOTS / f"web-homevisit-team-visit-{lang}.png"), full_page=True)

    page.click("#hvt-show-call")  # to call ahead: the person in full, the showing audited, the form still under it
    page.wait_for_selector("#hvt-person-full")
    assert ZHANG["phone"] in page.inner_text("#hvt-person-full") and page.locator("#hvt-record").count() == 1
    assert counts(hall) == (before[0], before[1] + 1)
    _targets_big(page)
    page.screenshot(path=str(SHOTS / f"web-homevisit-team-person-{lang}.png"), full_page=True)

    page.fill("#hvt-other", "户口簿")
    page.click("#hvt-done")
    page.wait_for_selector("#hvt-faces")
    assert page.locator("#hvt-faces button.face").count() == 5
    box = page.locator("#face-1").bounding_box()
    assert box["height"] >= 2 * TOUCH and box["width"] >= 2 * TOUCH
    assert "张*明" not in page.content()
    _targets_big(page)
    page.screenshot(path=str(SHOTS / f"web-homevisit-team-rate-{lang}.png"), full_page=True)

    page.click("#face-5")
    page.wait_for_selector("#hvt-thanks")
    got = _visit(hall, v.zhang)
    assert got.rating_score == 5 and "户口簿" in got.visits[-1]["materials"] and counts(hall)[0] == before[0] + 2
    _targets_big(page)
    page.screenshot(path=str(SHOTS / f"web-homevisit-team-thanks-{lang}.png"), full_page=True)
    page.click("#hvt-next")
    page.wait_for_selector("#hvt-made")
    assert page.locator("#hvt-todo li[data-id]").count() == 1
    refused = "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    assert not pages.foreign() and pages.errors == [refused]  # the refused outcome's own page, and nothing else


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_request_is_cancelled_from_the_supervisors_list_and_the_teams_visit_in_chromium(pages, hall, live_hall,
                                                                                         team, lang):  # noqa: F811
    url, v, http = team
    q = "?lang=en" if lang == "en" else ""
    hall.hub.record_home_visit(BOSS, v.li, outcome="not_home", materials=[])  # back to plan: on the list
    page = _browser_page(pages, _sign_in(url), f"/dashboard/homevisits{q}")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.click(f'tr[data-id="{v.li}"] a.cancel-link')
    page.wait_for_selector("#hvc-form")
    before = counts(hall)
    page.fill("#hvc-reason", "   ")  # only spaces: the browser lets it through, the command refuses it
    page.click("#hvc-submit")
    page.wait_for_selector("#error")
    assert page.inner_text("#error") == ("请填写原因" if lang == "zh" else "A reason is required")
    assert counts(hall) == before and "李*" in page.inner_text("#hvc-person")
    page.screenshot(path=str(SHOTS / f"web-homevisit-cancel-{lang}.png"), full_page=True)
    page.fill("#hvc-reason", "办事人已到镇中心窗口办理")
    page.click("#hvc-submit")
    page.wait_for_selector("#cancelled")
    assert page.locator(f'#hv-open tr[data-id="{v.li}"]').count() == 0

    team_page = pages.open("dashboard", f"/homevisits/sign-in{q}")
    team_page.set_viewport_size({"width": 1366, "height": 768})
    team_page.context.add_cookies([{"name": "haoban_session", "value": http.cookies["haoban_session"], "url": pages.url}])
    team_page.goto(f"{pages.url}/homevisits/{v.zhang}{q}")
    team_page.click("#hvt-cancel")
    team_page.wait_for_selector("#hvc-form")
    _targets_big(team_page)
    team_page.fill("#hvc-reason", "老人已由子女陪同到村居办理")
    team_page.screenshot(path=str(SHOTS / f"web-homevisit-team-cancel-{lang}.png"), full_page=True)
    team_page.click("#hvc-submit")
    team_page.wait_for_selector("#saved")
    assert _visit(hall, v.zhang).status is hv.HomeStatus.cancelled
    assert team_page.locator(f'#hvt-todo li[data-id="{v.zhang}"]').count() == 0
    refused = "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    assert not pages.foreign() and pages.errors == [refused]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_village_clerk_registers_a_request_on_the_laptop_in_chromium(pages, hall, live_hall, team, lang):  # noqa: F811
    url, v, _ = team
    q = "?lang=en" if lang == "en" else ""
    page = pages.open("dashboard", f"/homevisits/sign-in{q}")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.select_option("#site", "s2")
    page.fill("#staff_no", "V1")
    page.fill("#pin", PIN)
    page.click("#sign-in")
    page.wait_for_selector("#hvt-todo")
    page.goto(f"{pages.url}/homevisits{q}")
    page.click("#hvt-requests")
    page.wait_for_selector("#hvv-list")
    page.click("#hvv-new")
    page.wait_for_selector("#hv-form")
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
    assert page.input_value("#hv-name") == "赵六" and counts(hall) == before
    _targets_big(page)
    page.screenshot(path=str(SHOTS / f"web-homevisit-village-form-{lang}.png"), full_page=True)
    page.fill("#hv-phone", "13700002222")
    page.click("#hv-submit")
    page.wait_for_selector("#made")
    assert page.locator("#hvv-list li[data-id]").count() == 2 and counts(hall)[0] == before[0] + 1
    assert "赵六" not in page.content() and "赵*" in page.content()
    _targets_big(page)
    page.screenshot(path=str(SHOTS / f"web-homevisit-village-{lang}.png"), full_page=True)
    refused = "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    assert not pages.foreign() and pages.errors == [refused]
