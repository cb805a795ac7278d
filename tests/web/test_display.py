"""The hall display board in real Chromium: enrolment, live calls with voice, reconnection after a hub restart."""
from __future__ import annotations

import requests

from common.readmodels import board
from common.usecases import reference
from devtools.browser import wait_until
from tests.conftest import LiveHub
from tests.integration.http import post_form
from tests.web.conftest import kiosk, terminal

NOW_NUMBER = "document.getElementById('now-number').textContent"


def _enrolled_board(pages, hall):
    page = pages.open("display", f"/display?code={hall.codes['display']}")
    wait_until(page, "window.haobanBoard && window.haobanBoard.connected")
    return page


def test_a_call_shows_on_the_board_and_the_phone_and_is_announced(pages, hall, live_hall):
    board = _enrolled_board(pages, hall)
    k, t1 = kiosk(live_hall, hall), terminal(live_hall, hall, 1)
    ticket = k.post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    phone = pages.open("phone", ticket["status_path"])
    wait_until(phone, "window.haobanPhone.status.status === 'waiting'")
    assert "下一位就是您" in phone.inner_text("#headline")  # nobody ahead

    call = t1.post(f"/windows/{hall.windows[1]}/call-next").json()
    wait_until(board, f"{NOW_NUMBER} === {ticket['number']!r}")
    assert board.inner_text("#now-window").startswith("请到 1 号窗口")
    wait_until(phone, "window.haobanPhone.status.status === 'called'")
    assert phone.inner_text("#headline") == "请到 1 号窗口"

    # the call was fetched and decoded as audio, by its event's position
    played = wait_until(board, "window.haobanBoard.played.length && window.haobanBoard.played")
    assert played[0]["seq"] == call["event"]["seq"] and played[0]["number"] == ticket["number"]
    assert played[0]["window"] == 1 and played[0]["seconds"] > 1.5 and "error" not in played[0]
    audio = [r for r in pages.requests if r.url.endswith(f"/display/calls/{call['event']['seq']}.wav")]
    assert audio and audio[0].response().headers["x-call"] == f"{ticket['number']}@1"

    # a recall is announced again; the board shows no names, only numbers and windows
    t1.post(f"/windows/{hall.windows[1]}/recall")
    wait_until(board, "window.haobanBoard.played.length === 2")
    assert "工作人员" not in board.inner_text("body")
    assert pages.foreign() == [] and pages.errors == []


def test_the_board_reconnects_after_a_hub_restart_and_resumes_where_it_was(pages, hall, live_hall):
    board = _enrolled_board(pages, hall)
    k, t1 = kiosk(live_hall, hall), terminal(live_hall, hall, 1)
    first = k.post("/tickets", json={"item_id": hall.items["A"]}).json()["ticket"]
    called = t1.post(f"/windows/{hall.windows[1]}/call-next").json()
    wait_until(board, f"{NOW_NUMBER} === {first['number']!r}")
    # the number may show from the board's state load before the stream's event has come: wait for the event
    wait_until(board, f"window.haobanBoard.lastSeq >= {called['event']['seq']}")
    seen = board.evaluate("window.haobanBoard.lastSeq")
    port = live_hall.port

    live_hall.crash()  # the hub stops ...
    wait_until(board, "!window.haobanBoard.connected")
    assert board.is_visible("#link")
    # ... and while it is down, the hall goes on through the same database (as another worker would)
    second = hall.hub.issue_ticket(_actor(hall, "kiosk2"), item_id=hall.items["A"]).ticket

    with LiveHub(hall.hub, port=port) as again:
        t2 = terminal(again, hall, 2)
        wait_until(board, "window.haobanBoard.connected", timeout=30)
        call = t2.post(f"/windows/{hall.windows[2]}/call-next").json()
        assert call["ticket"]["number"] == second.number
        wait_until(board, f"{NOW_NUMBER} === {second.number!r}")
        assert board.inner_text("#now-window").startswith("请到 2 号窗口")
        assert first["number"] in board.inner_text("#recent")
        # it asked for the events after the last one it had seen, not from now
        resumed = [r for r in pages.requests if "/display/events" in r.url][1:]
        assert resumed and all(_start(r) >= seen for r in resumed) and _start(resumed[0]) == seen
        wait_until(board, f"window.haobanBoard.played.some(p => p.number === {second.number!r})")


def _start(request) -> int:
    """Where an event-stream request starts: Last-Event-ID (the browser's own reconnect) or ?after=."""
    header = request.all_headers().get("last-event-id")
    return int(header) if header is not None else int(request.url.rsplit("after=", 1)[1])


def _actor(hall, name):
    from common.domain.model import Role
    from common.usecases import auth

    with hall.hub.engine.begin() as c:
        code = auth.create_enrolment_code(c, site_id="s1", role=Role.kiosk, name=name, now=hall.clock.now())
    return hall.hub.enrol(code)[1]


def test_enrolment_takes_only_a_display_code_and_keeps_the_token_in_an_httponly_cookie(live_hall, hall):
    http = requests.Session()
    kiosk_code = hall.codes["kiosk"]
    r = post_form(http, live_hall.url, "/display", "/display/enrol", {"code": kiosk_code}, allow_redirects=False)
    assert r.status_code == 401 and "登记码无效" in r.text and "invalid" in r.text
    assert kiosk(live_hall, hall).info["role"] == "kiosk"  # the refused code was not spent
    assert http.get(f"{live_hall.url}/display/state").status_code == 401

    r = post_form(http, live_hall.url, "/display", "/display/enrol", {"code": hall.codes["display"]}, allow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    state = http.get(f"{live_hall.url}/display/state").json()
    assert state["site_name"] == "测试中心s1" and [q["letter"] for q in state["queues"]] == ["A", "B", "C"]
    assert state["notice"] == board.DEFAULT_NOTICE
    with hall.hub.engine.begin() as c:
        reference.set_notice(c, site_id="s1", text="今日下午二时起社保窗口暂停办理，请谅解")
    assert http.get(f"{live_hall.url}/display/state").json()["notice"] == "今日下午二时起社保窗口暂停办理，请谅解"
    assert http.get(f"{live_hall.url}/display/calls/1.wav").status_code == 404
    # the code is spent: a second browser cannot enrol with it
    again = post_form(requests.Session(), live_hall.url, "/display", "/display/enrol", {"code": hall.codes["display"]},
                      allow_redirects=False)
    assert again.status_code == 401
