"""视频帮办 across the hub tree in real Chromium, 中文 and English (docs/remote.md): the district's desk page shows a
village hub's call-back (its village and matter, 待回拨), the clerk takes it, is told to phone the village, records
the outcome; the village hub's page then shows the call-back finished. No script error on either page.
HAOBAN_SCREENSHOTS=1 saves the shots in docs/screenshots."""
from __future__ import annotations

import pytest

from devtools import browser as browser_mod
from tests.conftest import LiveHub
from tests.integration.test_child_history import child, district  # noqa: F401 - fixtures
from tests.integration.test_video_tree import _call_back_left_offline
from tests.web import videohall
from tests.web.test_homevisit_render import SHOTS

TEXTS = {"zh": ("待回拨", "请致电村居回拨", "已回拨办结"), "en": ("Call-back", "Call the village back by telephone", "Called back, done")}


def _page(chromium):
    page = browser_mod.new_page(chromium, "dashboard")
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_district_desk_takes_a_village_hubs_call_back_in_chromium(chromium, district, child, lang):  # noqa: F811
    world, live = district
    tag, phone, finished = TEXTS[lang]
    _call_back_left_offline(world, child)
    child.link.sync_once()
    desk = _page(chromium)
    videohall.sign_in(desk, live.url, "s1", "C1", lang if lang == "en" else "")
    browser_mod.wait_until(desk, "document.querySelectorAll('#queue li').length === 1", 30)
    row = desk.inner_text("#queue li")
    assert tag in row and "事项A" in row
    desk.screenshot(path=str(SHOTS / f"web-video-desk-call-back-{lang}.png"), full_page=True)
    desk.click(".vh-callback")
    browser_mod.wait_until(desk, "!document.getElementById('by-phone').hidden", 30)
    assert phone in desk.inner_text("#by-phone") and desk.locator("#call").is_hidden()
    desk.screenshot(path=str(SHOTS / f"web-video-desk-by-phone-{lang}.png"), full_page=True)
    desk.click("#save-outcome")
    browser_mod.wait_until(desk, "document.getElementById('finish').hidden", 30)
    assert desk.errors == []

    child.link.sync_once()  # the desk's steps come down to the village hub
    with LiveHub(child.hub) as village_hub:
        village = _page(chromium)
        videohall.sign_in(village, village_hub.url, "s2", "C1", lang if lang == "en" else "")
        browser_mod.wait_until(village, "!document.getElementById('call-backs').hidden", 30)
        assert finished in village.inner_text("#call-back-list")
        village.screenshot(path=str(SHOTS / f"web-video-village-call-backs-{lang}.png"), full_page=True)
        assert village.errors == []
