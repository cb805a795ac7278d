"""The citizen's phone page: live status by the QR code's token, 中文 / English, nothing personal, rate-limited."""
from __future__ import annotations

import requests

from devtools.browser import wait_until
from server.web import phone, ratelimit
from tests.web.conftest import kiosk, terminal

PUBLIC_FIELDS = {"number", "site_name", "queue_name", "queue_names", "status", "people_ahead", "window_number", "window_name",
                 "target_window_number", "issued_at", "waited_seconds", "wait_minutes"}


def test_the_phone_page_follows_the_ticket_in_english(pages, hall, live_hall):
    k, t2 = kiosk(live_hall, hall), terminal(live_hall, hall, 2)
    first = k.post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    mine = k.post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    page = pages.open("phone", mine["status_path"] + "?lang=en")
    wait_until(page, "window.haobanPhone.updates >= 1")
    assert page.inner_text("#number") == mine["number"]
    assert page.inner_text("#headline") == "1 person ahead of you"
    # 1 ahead x 10 standard minutes / 2 windows serving queue A
    assert page.inner_text("#detail") == "About 5 min to wait"

    t2.post(f"/windows/{hall.windows[2]}/call-next")  # calls the first ticket: mine moves up
    wait_until(page, "document.getElementById('headline').textContent === 'You are next'")
    t2.post(f"/windows/{hall.windows[2]}/start")
    t2.post(f"/windows/{hall.windows[2]}/finish", json={"outcome": "completed"})
    t2.post(f"/windows/{hall.windows[2]}/call-next")
    wait_until(page, "document.getElementById('headline').textContent === 'Please go to window 2'")
    assert page.is_visible("#state.called")
    page.click("#lang")  # 中文
    wait_until(page, "document.getElementById('headline').textContent === '请到 2 号窗口'")
    assert first["number"] not in page.inner_text("body")
    assert pages.foreign() == []
    assert not [e for e in pages.errors if "vibrate" not in e]


def test_the_phone_page_speaks_traditional_chinese_and_links_the_other_languages(pages, hall, live_hall):
    mine = kiosk(live_hall, hall).post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    page = pages.open("phone", mine["status_path"] + "?lang=zh_Hant")
    wait_until(page, "window.haobanPhone.updates >= 1")
    assert page.inner_text("#label-number") == "您的號碼" and page.inner_text("#headline") == "下一位就是您"
    assert "個人資料" in page.inner_text("#privacy") and page.evaluate("document.documentElement.lang") == "zh-Hant"
    assert [page.inner_text("#lang"), page.inner_text("nav a:nth-child(2)")] == ["English", "中文"]
    page.click("#lang")
    wait_until(page, "document.getElementById('label-number').textContent === 'Your number'")


def test_a_ticket_sent_to_one_window_says_which(pages, hall, live_hall):
    k, t2 = kiosk(live_hall, hall), terminal(live_hall, hall, 2)
    mine = k.post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    page = pages.open("phone", mine["status_path"])
    wait_until(page, "window.haobanPhone.updates >= 1")
    t2.post(f"/windows/{hall.windows[2]}/call-next")
    assert t2.post(f"/windows/{hall.windows[2]}/transfer", json={"to_window_id": hall.windows[1]}).status_code == 200
    wait_until(page, "document.getElementById('detail').textContent === '已转至 1 号窗口，请留意该窗口叫号'")
    assert requests.get(live_hall.url + mine["status_path"], timeout=10).json()["target_window_number"] == 1
    later = k.post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    status = requests.get(live_hall.url + later["status_path"], timeout=10).json()
    assert status["people_ahead"] == 0 and status["target_window_number"] is None  # mine waits for window 1 only


def test_the_same_address_answers_json_to_programs_with_nothing_personal(live_hall, hall):
    ticket = kiosk(live_hall, hall).post("/tickets", json={"item_id": hall.items["C"]}).json()["ticket"]
    r = requests.get(live_hall.url + ticket["status_path"], timeout=10)
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == PUBLIC_FIELDS and body["number"] == ticket["number"] and body["people_ahead"] == 0
    page = requests.get(live_hall.url + ticket["status_path"], headers={"Accept": "text/html"}, timeout=10)
    assert page.headers["content-type"].startswith("text/html") and "script-src 'self'" in page.headers["content-security-policy"]
    missing = requests.get(f"{live_hall.url}/api/v1/public/tickets/nope", headers={"Accept": "text/html"}, timeout=10)
    assert missing.status_code == 404 and "找不到该号票" in missing.text and "No such ticket" in missing.text
    assert requests.get(f"{live_hall.url}/api/v1/public/tickets/nope", timeout=10).json()["error"] == "not_found"
    assert requests.get(f"{live_hall.url}/api/v1/public/tickets/nope/events", timeout=10).status_code == 404


def test_lookups_are_rate_limited_per_address_with_a_bilingual_429(live_hall, hall):
    live_hall.server.config.app.state.phone_limit = ratelimit.TokenBucket(rate=0.01, burst=3)
    device = kiosk(live_hall, hall)
    ticket = device.post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    url = live_hall.url + ticket["status_path"]
    assert [requests.get(url, timeout=10).status_code for _ in range(3)] == [200, 200, 200]
    r = requests.get(url, timeout=10)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert r.json()["message_zh"] == ratelimit.ZH and r.json()["message_en"] == ratelimit.EN
    page = requests.get(url, headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 429 and ratelimit.ZH in page.text and ratelimit.EN in page.text
    assert requests.get(url + "/events", timeout=10).status_code == 429
    # the kiosk that asks after each ticket it issues is an enrolled device: not limited
    assert all(device.http.get(url, timeout=10).status_code == 200 for _ in range(5))


def test_the_token_bucket_refills_at_its_rate():
    now = [0.0]
    bucket = ratelimit.TokenBucket(rate=2.0, burst=2, clock=lambda: now[0])
    assert [bucket.take("a"), bucket.take("a")] == [0.0, 0.0]
    assert bucket.take("a") == 0.5 and bucket.take("b") == 0.0  # each address has its own bucket
    now[0] += 0.5
    assert bucket.take("a") == 0.0 and bucket.take("a") > 0
    assert phone.RATE * 60 >= 100  # a hall's shared Wi-Fi: a hundred phones a minute behind one address


def test_a_full_hub_gets_a_readable_message_and_the_page_tries_again_later(chromium, hall, live_hall):
    """The streams' cap per address is reached (a hall's Wi-Fi): the page keeps the status it has, says in both
    languages that live updates are busy, and connects again after the hub's Retry-After (30 s, fast-forwarded)."""
    from devtools import browser as browser_mod
    from server import limits

    mine = kiosk(live_hall, hall).post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    slots = live_hall.app.state.stream_slots
    slots.limits = limits.Limits(max_streams=10, max_streams_per_address=0)
    page = browser_mod.new_page(chromium, "phone")
    try:
        page.clock.install()
        page.goto(live_hall.url + mine["status_path"])
        wait_until(page, "window.haobanPhone.busy >= 1")
        privacy = page.inner_text("#privacy")
        assert "实时更新繁忙" in privacy and "Live updates are busy" in privacy
        assert page.inner_text("#number") == mine["number"]
        slots.limits = limits.Limits()
        page.clock.fast_forward(31_000)
        wait_until(page, "document.getElementById('privacy').textContent.includes('个人信息')")  # connected again
        assert slots.open == 1
    finally:
        page.context.close()


def test_the_queue_is_named_in_the_page_s_language_when_the_hall_s_name_is_known(pages, hall, live_hall):
    from sqlalchemy import update

    from common.db.schema import QueueRow

    with hall.hub.engine.begin() as conn:
        conn.execute(update(QueueRow).where(QueueRow.id == hall.queues["A"]).values(name="医保社保"))
    mine = kiosk(live_hall, hall).post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    status = requests.get(live_hall.url + mine["status_path"], timeout=10).json()
    assert status["queue_name"] == "医保社保" and status["queue_names"]["en"] == "Medical and social insurance"
    for lang, expected in (("en", "Medical and social insurance"), ("zh_Hant", "醫保社保"), ("zh", "医保社保")):
        page = pages.open("phone", mine["status_path"] + f"?lang={lang}")
        wait_until(page, "window.haobanPhone.updates >= 1")
        assert page.inner_text("#queue") == expected, lang


def test_the_hall_s_own_english_name_of_its_queue_wins_over_the_common_one(pages, hall, live_hall, tmp_path):
    """Reference data's `name_en` (revision 0016) before i18n/names.json; 繁體 still from names.json."""
    import os
    from pathlib import Path

    from sqlalchemy import update

    from common.db.schema import QueueRow

    with hall.hub.engine.begin() as conn:
        conn.execute(update(QueueRow).where(QueueRow.id == hall.queues["A"])
                     .values(name="医保社保", name_en="Medicare & Social Security Desk"))
    mine = kiosk(live_hall, hall).post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    status = requests.get(live_hall.url + mine["status_path"], timeout=10).json()
    assert status["queue_names"] == {"en": "Medicare & Social Security Desk", "zh_Hant": "醫保社保"}
    page = pages.open("phone", mine["status_path"] + "?lang=en")
    wait_until(page, "window.haobanPhone.updates >= 1")
    assert page.inner_text("#queue") == "Medicare & Social Security Desk"
    page.screenshot(path=str(tmp_path / "own-name-en.png"), full_page=True)  # docs/screenshots with HAOBAN_SCREENSHOTS=1
    if os.environ.get("HAOBAN_SCREENSHOTS") == "1":
        page.screenshot(path=str(Path(__file__).resolve().parents[2] / "docs/screenshots/web-phone-own-name-en.png"),
                        full_page=True)
