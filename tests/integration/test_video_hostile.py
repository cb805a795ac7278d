"""视频帮办's doors against hostile input, over real HTTP on loopback: an oversized signalling message, another call's
token, a clerk of another site, too many pending messages, a forged CSRF header; every refusal in both languages."""
from __future__ import annotations

import re

import pytest
import requests

from common.usecases import reference
from devtools.loopback import LoopbackHub
from server import signalling
from tests import world as world_mod
from tests.web import videohall
from tests.world import PIN


@pytest.fixture
def hub_url(sqlite_engine):
    w = world_mod.build(sqlite_engine)
    item = videohall.build(sqlite_engine)
    with sqlite_engine.begin() as c:  # a second clerk at the district: not the one who took the call
        reference.create_clerk(c, site_id=videohall.DISTRICT, staff_no="D2", name="帮办乙", pin=PIN)
    with LoopbackHub(w.hub) as live:
        yield live.url, item


def _signed_in(url: str, site: str, staff_no: str) -> requests.Session:
    s = requests.Session()
    page = s.get(f"{url}/video/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = s.post(f"{url}/video/sign-in", data={"csrf": csrf, "site": site, "staff_no": staff_no, "pin": PIN},
               allow_redirects=False)
    assert r.status_code == 303
    s.headers["X-CSRF"] = csrf
    return s


def _bilingual(r: requests.Response, status: int, code: str | None = None) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["message_zh"] and body["message_en"]
    if code:
        assert body["error"] == code


def _call(url, item):
    desk = _signed_in(url, videohall.DISTRICT, "D1")
    village = _signed_in(url, videohall.VILLAGE, "V1")
    desk.get(f"{url}/video/desk/state")  # the desk is on line
    mine = village.post(f"{url}/video/village/request", json={"item_id": item}).json()
    assert desk.post(f"{url}/video/desk/take", json={}).json()["request_id"] == mine["request_id"]
    return desk, village, mine


def test_signalling_bounds_and_who_may_read(hub_url):
    url, item = hub_url
    desk, village, mine = _call(url, item)
    rid, token = mine["request_id"], mine["token"]
    sig = f"{url}/video/signal/{rid}"
    as_village = {"X-Video-Token": token}
    huge = {"type": "offer", "sdp": "x" * (signalling.MAX_MESSAGE + 1)}
    _bilingual(requests.post(sig, json=huge, headers=as_village), 413)
    _bilingual(requests.post(sig, data=b"{not json", headers=as_village), 422)
    # another call's token, and a made-up one: not found, nothing learnt
    other = village.post(f"{url}/video/village/request", json={"item_id": item, "call_back": True}).json()
    _bilingual(requests.post(sig, json={"type": "hello"}, headers={"X-Video-Token": other["token"]}), 404, "not_found")
    _bilingual(requests.get(sig, headers={"X-Video-Token": "A" * 32}), 404, "not_found")
    # a clerk of another district, and another clerk of the same desk site: refused
    stranger = _signed_in(url, videohall.OTHER, "X1")
    _bilingual(stranger.get(sig), 404, "not_found")
    _bilingual(stranger.post(f"{url}/video/desk/{rid}/hang-up", json={}), 404, "not_found")
    colleague = _signed_in(url, videohall.DISTRICT, "D2")
    _bilingual(colleague.post(sig, json={"type": "hello"}), 403, "forbidden")
    # a forged CSRF header from the right clerk's browser: refused
    _bilingual(desk.post(sig, json={"type": "offer"}, headers={"X-CSRF": "forged" * 5}), 403)
    # too many messages unread by the other end
    for _ in range(signalling.MAX_PENDING):
        assert requests.post(sig, json={"type": "candidate"}, headers=as_village).status_code == 200
    _bilingual(requests.post(sig, json={"type": "candidate"}, headers=as_village), 429, "too_many_requests")
    got = desk.get(sig, params={"after": 0}).json()
    assert len(got["messages"]) == signalling.MAX_PENDING and got["status"] == "taken"
    assert desk.get(sig, params={"after": got["next"]}).json()["messages"] == []  # read: dropped
    # after the hang-up the channel is gone and nobody may post
    assert requests.post(f"{url}/video/v/{rid}/hang-up", json={}, headers=as_village).status_code == 200
    _bilingual(requests.post(sig, json={"type": "hello"}, headers=as_village), 409)


def test_steps_out_of_order_and_bad_values(hub_url):
    url, item = hub_url
    desk = _signed_in(url, videohall.DISTRICT, "D1")
    village = _signed_in(url, videohall.VILLAGE, "V1")
    # no desk on line: a live request is refused plainly, a call-back is kept
    _bilingual(village.post(f"{url}/video/village/request", json={"item_id": item}), 409, "conflict")
    assert village.get(f"{url}/video/village/availability").json() == {"available": False}
    kept = village.post(f"{url}/video/village/request", json={"item_id": item, "call_back": True}).json()
    queue = desk.get(f"{url}/video/desk/state").json()["queue"]
    assert [(q["id"], q["call_back"], q["village"]) for q in queue] == [(kept["request_id"], True, "金泽镇蔡浜村")]
    assert "token" not in str(queue) and kept["token"] not in str(queue)
    _bilingual(village.post(f"{url}/video/village/request", json={"item_id": "nope", "call_back": True}), 404)
    _bilingual(village.post(f"{url}/video/village/request", json={"item_id": item, "call_back": "yes"}), 422)
    _bilingual(village.post(f"{url}/video/village/request", json=[1, 2]), 422)
    # the desk's steps need the take first; a rating before any call is refused; a bad score too
    rid, as_village = kept["request_id"], {"X-Video-Token": kept["token"]}
    _bilingual(desk.post(f"{url}/video/desk/{rid}/finish", json={"outcome": "completed"}), 403)
    _bilingual(requests.post(f"{url}/video/v/{rid}/rate", json={"score": 5}, headers=as_village), 409)
    _bilingual(requests.post(f"{url}/video/v/{rid}/rate", json={"score": "5"}, headers=as_village), 422)
    assert desk.post(f"{url}/video/desk/take", json={"request_id": rid}).status_code == 200
    _bilingual(desk.post(f"{url}/video/desk/take", json={"request_id": rid}), 409)  # taken already
    assert desk.post(f"{url}/video/desk/{rid}/connected", json={}).status_code == 200
    assert desk.post(f"{url}/video/desk/{rid}/hang-up", json={}).status_code == 200
    _bilingual(desk.post(f"{url}/video/desk/{rid}/finish", json={"outcome": "rejected"}), 422)  # needs its reason
    _bilingual(desk.post(f"{url}/video/desk/{rid}/finish", json={"outcome": "<script>"}), 422)
    assert desk.post(f"{url}/video/desk/{rid}/finish", json={"outcome": "rejected", "reason": "材料不全"}).status_code == 200
    assert requests.post(f"{url}/video/v/{rid}/rate", json={"score": 4}, headers=as_village).status_code == 200
    _bilingual(requests.post(f"{url}/video/v/{rid}/rate", json={"score": 5}, headers=as_village), 409)  # once
    # unsigned, and a village clerk at the desk's doors
    _bilingual(requests.get(f"{url}/video/desk/state"), 401)
    _bilingual(village.post(f"{url}/video/desk/take", json={}), 404)
