"""视频帮办 in real Chromium with a fake camera and microphone: a desk and a village page connect through the hub on
loopback and each decodes the other's video (the browser's own getStats); a reload of the village page rejoins;
a hang-up at either end ends both; the outcome and the 微笑 rating are recorded once."""
from __future__ import annotations

import pytest

from devtools import browser as browser_mod
from tests.web import videohall
from tests.web.conftest import RestartableHub

pytestmark = pytest.mark.slow
FRAMES = "window.haobanCall && window.haobanCall.stats().then(n => n > 0)"


@pytest.fixture
def media_browser(chromium):
    b = browser_mod.launch(chromium.browser_type, media=True)
    yield b
    b.close()


@pytest.fixture
def video_hub(hall):
    videohall.build(hall.hub.engine)
    with RestartableHub(hall.hub) as server:
        yield server


def _page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.requests = requests
    return page


def _ask_and_take(desk, village):
    browser_mod.wait_until(village, "!document.getElementById('ask').disabled", 30)
    village.click("#ask")
    browser_mod.wait_until(desk, "document.querySelectorAll('#queue li').length === 1", 30)
    desk.click("#take-next")


def test_call_both_ways_reload_hang_up_outcome_rating(media_browser, video_hub, hall):
    desk, village = _page(media_browser), _page(media_browser)
    videohall.sign_in(desk, video_hub.url, videohall.DISTRICT, videohall.DESK[0])
    videohall.sign_in(village, video_hub.url, videohall.VILLAGE, videohall.VILLAGER[0])
    assert desk.url.endswith("/video/desk") and village.url.endswith("/video/village")
    _ask_and_take(desk, village)
    for page in (desk, village):  # each end decodes the other's video frames
        assert browser_mod.wait_until(page, FRAMES, 30)
    browser_mod.wait_until(desk, "document.body.dataset.state === 'in_call'", 30)

    village.reload()  # the village page rejoins the same call (its request is in sessionStorage)
    for page in (village, desk):
        assert browser_mod.wait_until(page, FRAMES, 30)

    village.click("#hang-up")  # the village ends the call: the desk's ends too, and it asks for the outcome
    browser_mod.wait_until(desk, "document.body.dataset.state === 'call_over'", 30)
    browser_mod.wait_until(village, "document.body.dataset.state === 'rate'", 30)
    desk.check("input[value=completed]")
    desk.click("#save-outcome")
    village.click("#face-5")
    browser_mod.wait_until(village, "document.body.dataset.state === 'thanks'", 30)
    browser_mod.wait_until(desk, "document.body.dataset.state === 'idle'", 30)
    (v,) = hall.hub.video_read(lambda conn, now: list(videohall_requests(conn).values()))
    assert (v.status.value, v.outcome, v.rating_score, v.hung_up_by) == ("finished", "completed", 5, "village")

    # a second call, ended by the desk this time: the village page ends as well
    village.click(".vh-again >> visible=true")
    _ask_and_take(desk, village)
    assert browser_mod.wait_until(village, FRAMES, 30)
    desk.click("#hang-up")
    browser_mod.wait_until(village, "document.body.dataset.state === 'rate'", 30)
    browser_mod.wait_until(desk, "document.body.dataset.state === 'call_over'", 30)
    for page in (desk, village):
        assert page.errors == []
        assert [u for u in page.requests if not u.startswith((video_hub.url, "data:"))] == []
        page.context.close()


def videohall_requests(conn):
    from common.db import videorows

    return videorows.requests(conn, [videohall.VILLAGE])
