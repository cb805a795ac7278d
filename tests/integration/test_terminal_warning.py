"""The live warning for a window's terminal over real HTTP (GET /api/v1/windows/{id}/warnings): the windows that may
serve the queue get it, the one suggested to help is told so, the others get nothing; a site's warnings are computed
once per 30 s of the hub's clock and anew on a new business day; other sites, other windows, devices without a clerk
and hostile window ids are refused in both languages, never with a 500."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from common.domain.model import Role
from common.usecases import auth
from tests.conftest import LiveHub
from tests.integration.http import Device, terminal
from tests.world import FakeClock, build

A_WARNING = {"letter": "A", "queue": "队列A", "minutes": 4, "horizon": 15}


def _hall(live, world, *numbers):
    """Terminals of s1 signed in at `numbers`, four A tickets waiting for 6 minutes (A's limit is 10: window 1
    (A, B) and window 2 (A only), a ticket per 10 minutes each, call the first after its limit)."""
    desks = {n: terminal(live, world, n) for n in numbers}
    kiosk = Device(live.url, world.codes.pop("kiosk"))
    for _ in range(4):
        assert kiosk.post("/tickets", json={"item_id": world.items["A"]}).status_code == 201
    world.clock.advance(minutes=6)
    return desks


def _warnings(desk, world, number):
    r = desk.get(f"/windows/{world.windows[number]}/warnings")
    assert r.status_code == 200, r.text
    return r.json()


def test_the_windows_of_the_queue_are_warned_and_the_helper_is_told_it_is_her(live, world):
    desks = _hall(live, world, 1, 2, 3, 4)
    at1, at2 = _warnings(desks[1], world, 1), _warnings(desks[2], world, 2)
    (w1,), (w2,) = at1["warnings"], at2["warnings"]
    assert {k: w1[k] for k in A_WARNING} == A_WARNING and w1["tickets"] >= 1
    # both idle: window 2 serves A alone, so it is the one to help; window 1 is told which one
    assert w1["window_number"] == 2 and w1["helper_is_me"] is False
    assert w2["window_number"] == 2 and w2["helper_is_me"] is True
    assert at1["at"] == at2["at"] == world.clock.now().isoformat() and at2["age_seconds"] == 0
    # window 3 (B, C) and window 4 (C) may not serve A: nothing for them
    assert _warnings(desks[3], world, 3)["warnings"] == [] and _warnings(desks[4], world, 4)["warnings"] == []


def test_a_window_nobody_is_signed_in_at_is_never_the_helper(live, world):
    desks = _hall(live, world, 1)  # window 2 has no clerk: window 1 is the one to help
    (w,) = _warnings(desks[1], world, 1)["warnings"]
    assert w["window_number"] == 1 and w["helper_is_me"] is True


def test_the_site_is_computed_once_per_30_seconds_of_the_hubs_clock(live, world):
    desks = _hall(live, world, 1, 2)
    cache = live.app.state.site_warnings
    assert len(_warnings(desks[1], world, 1)["warnings"]) == 1 and cache.computed == 1
    w2 = world.windows[2]
    for _ in range(4):  # window 2 calls every A ticket: nobody is left to pass the limit
        assert desks[2].post(f"/windows/{w2}/call-next").status_code == 200
        desks[2].post(f"/windows/{w2}/start")
        desks[2].post(f"/windows/{w2}/finish", json={"outcome": "completed"})
    world.clock.advance(seconds=29)
    cached = _warnings(desks[2], world, 2)  # the other terminal, 29 s later: the same computation
    assert cache.computed == 1 and len(cached["warnings"]) == 1 and cached["age_seconds"] == 29
    world.clock.advance(seconds=1)
    assert _warnings(desks[1], world, 1)["warnings"] == [] and cache.computed == 2


def test_a_new_business_day_is_computed_anew(engine):
    world = build(engine, FakeClock(datetime(2026, 12, 31, 15, 50, tzinfo=timezone.utc)))  # 23:50, 31 Dec, Shanghai
    with LiveHub(world.hub) as live:
        desks = _hall(live, world, 1)  # 23:56
        world.clock.advance(minutes=3, seconds=50)  # 23:59:50: four tickets within a minute of their limit
        (w,) = _warnings(desks[1], world, 1)["warnings"]
        assert w["minutes"] == 0 and w["horizon"] == 15
        world.clock.advance(seconds=20)  # 00:00:10 on 1 Jan: within 30 s, but yesterday's tickets wait no more today
        assert _warnings(desks[1], world, 1)["warnings"] == []
        assert live.app.state.site_warnings.computed == 2


def _refused(r, status: int, code: str | None = None):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["message_zh"] and body["message_en"]
    if code is not None:
        assert body["error"] == code, body


def test_other_sites_windows_and_devices_are_refused(live, world):
    desks = _hall(live, world, 1)
    w1 = world.windows[1]
    other_site = Device(live.url, world.codes.pop("s2terminal1"))
    assert other_site.sign_in("C1").status_code == 200
    _refused(other_site.get(f"/windows/{w1}/warnings"), 403)  # bound to its own window, at its own site
    with world.hub.engine.begin() as c:  # a terminal of s2 not bound to a window: s1's window is not at its site
        code = auth.create_enrolment_code(c, site_id="s2", role=Role.terminal, name="t9", now=world.clock.now())
    roaming = Device(live.url, code)
    assert roaming.sign_in("C1").status_code == 200
    _refused(roaming.get(f"/windows/{w1}/warnings"), 404, "not_found")
    _refused(desks[1].get(f"/windows/{world.windows[2]}/warnings"), 403)  # another window of its own site
    no_clerk = Device(live.url, world.codes.pop("terminal2"))
    _refused(no_clerk.get(f"/windows/{world.windows[2]}/warnings"), 401)
    for device in ("display", "pad1"):  # they read the queue, they serve no window
        _refused(Device(live.url, world.codes.pop(device)).get(f"/windows/{w1}/warnings"), 403)
    _refused(Device(live.url).get(f"/windows/{w1}/warnings"), 401)


@pytest.mark.parametrize("window_id", ["x" * 65, "w1'--", "窗口一", "..%2F..%2Fetc", "%00", "w%201", "<b>"])
def test_hostile_window_ids_get_a_bilingual_refusal(live, world, window_id):
    desk = terminal(live, world, 1)
    r = desk.get(f"/windows/{window_id}/warnings")
    assert 400 <= r.status_code < 500, (window_id, r.status_code, r.text)
    assert r.json()["message_zh"] and r.json()["message_en"]


def test_the_cache_keeps_a_bounded_number_of_sites_and_follows_its_clock_back():
    from server.warning_routes import SiteWarnings

    clock = FakeClock(datetime(2026, 12, 31, 15, 59, 50, tzinfo=timezone.utc))  # 23:59:50 in Shanghai
    cache, asked = SiteWarnings(clock, sites=2), []

    def compute(site):
        return lambda now: asked.append((site, now)) or [{"site": site}]

    for site in ("s1", "s2", "s1", "s3"):  # s1 asked again is the newest: s2 is the one dropped for s3
        assert cache.get(site, compute(site)) == (clock.now(), [{"site": site}])
    assert [s for s, _ in asked] == ["s1", "s2", "s3"]
    cache.get("s2", compute("s2"))
    assert [s for s, _ in asked] == ["s1", "s2", "s3", "s2"] and cache.computed == 4
    clock.advance(seconds=-5)  # the clock set back: what was computed "later" is no answer now
    cache.get("s2", compute("s2"))
    assert asked[-1] == ("s2", clock.now()) and cache.computed == 5
