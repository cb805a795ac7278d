"""视频帮办 through the hub tree (docs/remote.md): the village hub of s2 (a SQLite file of its own) below the district
`world` (SQLite and PostgreSQL), over real HTTP. With the link cut the village staff leave a call-back; it is kept
at the village; the link back, it reaches the district's desk queue; a district clerk takes it, phones the village
and records the outcome on the desk's HTTP doors; those steps come down to the village hub (its page shows them) and
go back up recognised as the district's own. The district's door refuses what a child hub may not relay."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from common.db import videorows
from common.db.schema import EventRow, SiteRow
from common.domain import errors as e
from common.domain import limits as L
from common.domain import videohelp as vh
from common.domain.events import Event
from common.domain.ids import uuid7
from common.readmodels import videohelp as views
from common.sync.protocol import PROTOCOL, to_wire
from common.sync.transport import HttpTransport
from common.usecases import check, door, upstream
from common.usecases.videowork import VideoUser
from tests.conftest import LiveHub
from tests.integration.http import Device
from tests.integration.test_child_history import child, district  # noqa: F401 - fixtures
from tests.integration.test_video_hostile import _bilingual, _signed_in

STAFF = VideoUser(site_id="s2", clerk_id="s2-C1", device_id="video-village")
DESK = VideoUser(site_id="s1", clerk_id="s1-C1", device_id="video-desk")


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(EventRow)).scalar()


def _requests(engine) -> dict[str, vh.VideoHelp]:
    with engine.connect() as conn:
        return videorows.requests(conn, ["s2"])


def _call_back_left_offline(world, child):  # noqa: F811
    """The link cut, the village staff leave a call-back; kept at the village, nothing at the district."""
    cut = upstream.UpstreamLink(child.hub.engine, child.hub.clock, url="http://127.0.0.1:9")  # nothing listens
    before = _count(world.hub.engine)
    with pytest.raises(e.HubUnreachable):
        cut.sync_once()
    left = child.hub.request_video(STAFF, item_id="s2-IA", call_back=True, desks_open=False).event.data
    with pytest.raises(e.HubUnreachable):
        cut.sync_once()
    assert _count(world.hub.engine) == before and left["request_id"] not in _requests(world.hub.engine)
    assert [v["status"] for v in child.hub.video_read(views.call_backs, "s2")] == ["call_back"]
    return left


def test_a_call_back_left_offline_is_taken_at_the_district_and_its_steps_come_down(district, child):  # noqa: F811
    world, live = district
    with pytest.raises(e.Conflict) as refused:  # no live call across the tree: the desks are the district's
        child.hub.request_video(STAFF, item_id="s2-IA", call_back=False, desks_open=True)
    assert refused.value.key == "video_unavailable"
    left = _call_back_left_offline(world, child)
    rid = left["request_id"]
    child.link.sync_once()  # the link is back: the call-back goes up
    with world.hub.engine.connect() as conn:
        village_name = conn.execute(select(SiteRow.name).where(SiteRow.id == "s2")).scalar()
    desk = _signed_in(live.url, "s1", "C1")  # a district clerk at the 帮办 desk, over HTTP
    queue = desk.get(f"{live.url}/video/desk/state").json()["queue"]
    assert [(q["id"], q["village"], q["item"], q["call_back"], q["status"]) for q in queue] == [
        (rid, village_name, "事项A", True, "call_back")]
    assert desk.post(f"{live.url}/video/desk/take", json={"request_id": rid}).json() == {"request_id": rid}
    mine = desk.get(f"{live.url}/video/desk/state").json()["mine"]
    assert (mine["id"], mine["status"], mine["by_phone"]) == (rid, "taken", True)  # returned by phone
    r = desk.post(f"{live.url}/video/desk/{rid}/connected", json={})  # no video call across the tree
    _bilingual(r, 403, "forbidden")
    assert r.json()["message_en"] == "This village's video help is handled at its own hub"
    assert desk.post(f"{live.url}/video/desk/{rid}/finish", json={"outcome": "completed"}).json() == {"ok": True}
    assert _requests(child.hub.engine)[rid].status is vh.VideoStatus.call_back  # not down yet

    child.link.sync_once()  # the desk's steps come down with the village hub's next round
    here = _requests(child.hub.engine)[rid]
    assert (here.status, here.clerk_id, here.outcome) == (vh.VideoStatus.finished, "s1-C1", "completed")
    with LiveHub(child.hub) as village_hub:  # the village page, served by the village hub
        staff = _signed_in(village_hub.url, "s2", "C1")
        shown = staff.get(f"{village_hub.url}/video/village/call-backs").json()
        assert [(v["id"], v["status"], v["outcome"], v["item"]) for v in shown] == [(rid, "finished", "completed", "事项A")]
        assert "call_token" not in str(shown) and left["call_token"] not in str(shown)
        for cookies in ({}, {"haoban_session": "x" * 201}, {"haoban_session": "forged"}):  # no session: told so
            r = requests.get(f"{village_hub.url}/video/village/call-backs", cookies=cookies, timeout=10)
            _bilingual(r, 401)
        district_desk = desk.get(f"{live.url}/video/village/call-backs").json()  # her own site's: none of the village
        assert district_desk == []
    child.link.sync_once()  # ... and go back up, where the district knows them as its own
    assert _requests(world.hub.engine) == _requests(child.hub.engine)
    with child.hub.engine.connect() as conn:
        assert upstream.set_aside(conn) == [] and upstream.cases_set_aside(conn) == (0, [])
    assert check.differences(world.hub.engine) == []


def test_one_writer_at_a_time(district, child):  # noqa: F811
    """Once left for the district's desk, the village end writes nothing on the call-back (cancel, hang up, rate);
    the district's desk takes and finishes it, no other step, and not another village's nor a request of its own."""
    world, _ = district
    left = _call_back_left_offline(world, child)
    rid, token = left["request_id"], left["call_token"]
    child.link.sync_once()
    before = _count(child.hub.engine)
    for step in ("cancel", "hang_up", "rate"):
        with pytest.raises(e.Forbidden) as refused:
            child.hub.village_video(step, rid, token, 5)
        assert refused.value.key == "video_with_upstream" and refused.value.messages["zh_CN"] and refused.value.en
    assert _count(child.hub.engine) == before
    with pytest.raises(e.Forbidden) as refused:  # the desk of s1 writes at the district's hub, not the village's
        child.hub.take_video(VideoUser(site_id="s1", clerk_id="s1-C1"), rid)
    assert refused.value.key == "video_with_upstream" and _count(child.hub.engine) == before
    world.hub.take_video(DESK, rid)
    child.link.sync_once()  # the take comes down: the village page says a clerk will phone
    assert [(v["id"], v["status"]) for v in child.hub.video_read(views.call_backs, "s2")] == [(rid, "taken")]
    for act in (lambda: world.hub.connect_video(DESK, rid), lambda: world.hub.desk_hang_up_video(DESK, rid)):
        with pytest.raises(e.Forbidden) as refused:
            act()
        assert refused.value.key == "video_at_child_hub"
    with pytest.raises(e.Forbidden) as refused:  # another clerk of the desk
        world.hub.finish_video(VideoUser(site_id="s1", clerk_id="s1-C2"), rid, outcome="completed")
    assert refused.value.key == "video_other_clerk"
    with pytest.raises(e.ReasonRequired):
        world.hub.finish_video(DESK, rid, outcome="rejected")
    world.hub.finish_video(DESK, rid, outcome="rejected", reason="需本人到场")
    child.link.sync_once()
    assert (_requests(child.hub.engine)[rid].status, _requests(child.hub.engine)[rid].reason) == (
        vh.VideoStatus.finished, "需本人到场")


def _push(live, child, *events: Event):  # noqa: F811
    with child.hub.engine.connect() as conn:
        token = upstream.load_state(conn)["token"]
    body = {"protocol": PROTOCOL, "after": 10**6, "events": [{**to_wire(x), "p": 10**6 + 1 + i} for i, x in enumerate(events)]}
    HttpTransport(live.url, token).call("POST", "/sync/push", json=body)


def _asked(world, **changes) -> Event:
    data = {"request_id": uuid7(), "serving_site_id": "s1", "item_id": "s2-IA", "call_token": "t" * 32,
            "wait_limit_min": 10, "service_limit_min": 20, "call_back": True, **changes}
    return Event(id=uuid7(), site_id="s2", kind=vh.VIDEO_REQUESTED, at=world.clock.now(), clerk_id="s2-C1", data=data)


@pytest.mark.parametrize("changes, status, field", [
    ({"serving_site_id": "s2"}, 403, "serving_site_id"),  # not the village's parent
    ({"serving_site_id": "x" * 20}, 403, "serving_site_id"),
    ({"item_id": "s1-IA"}, 403, "item_id"),  # another site's matter
    ({"call_back": False}, 422, "call_back"),  # a live call cannot cross the tree
])
def test_the_district_refuses_a_request_a_child_may_not_relay(district, child, changes, status, field):  # noqa: F811
    world, live = district
    before = _count(world.hub.engine)
    with pytest.raises(e.HaobanError) as refused:
        _push(live, child, _asked(world, **changes))
    assert refused.value.status == status and field in refused.value.en and refused.value.messages["zh_CN"]
    assert _count(world.hub.engine) == before


def test_the_district_refuses_a_desk_step_a_child_forged_and_a_device_pushing_video(district, child):  # noqa: F811
    world, live = district
    asked = _asked(world)
    rid = asked.data["request_id"]
    taken = Event(id=uuid7(), site_id="s2", kind=vh.VIDEO_TAKEN, at=world.clock.now(), clerk_id="s2-C1",
                  data={"request_id": rid, "desk_clerk_id": "s2-C1"})
    cancelled = Event(id=uuid7(), site_id="s2", kind=vh.VIDEO_CANCELLED, at=world.clock.now(), data={"request_id": rid})
    before = _count(world.hub.engine)
    for forged in (taken, cancelled):  # in the batch of the request itself: the request's serving site is ours
        with pytest.raises(e.HaobanError) as refused:
            _push(live, child, asked, forged)
        assert refused.value.status == 403 and "serving_site_id" in refused.value.en
    assert _count(world.hub.engine) == before
    kiosk = Device(live.url, world.codes["s2kiosk"])  # a device never pushes video help: the hub writes it
    wire = {**to_wire(dataclasses.replace(asked, device_id=kiosk.info["device_id"])), "p": 1}
    r = kiosk.post("/sync/push", json={"protocol": PROTOCOL, "after": 0, "events": [wire]})
    assert r.status_code == 403 and r.json()["message_zh"] and r.json()["message_en"]
    assert _count(world.hub.engine) == before


def test_steps_sent_down_that_do_not_fit_are_set_aside(district, child):  # noqa: F811
    """The village hub lets in only the district's take and finish of a call-back it holds, served by the district:
    not another kind, not a request it does not hold, not one of another site, not one it serves itself."""
    world, _ = district
    left = _call_back_left_offline(world, child)
    rid = left["request_id"]
    now = world.clock.now()

    def step(kind, data, site="s2", q=0, at=now):
        return {**to_wire(Event(id=uuid7(), site_id=site, kind=kind, at=at, clerk_id="s1-C1", data=data)), "q": 10**6 + q}

    page = [step(vh.VIDEO_CONNECTED, {"request_id": rid}, q=1),
            step(vh.VIDEO_TAKEN, {"request_id": uuid7(), "desk_clerk_id": "s1-C1"}, q=2),
            step(vh.VIDEO_TAKEN, {"request_id": rid, "desk_clerk_id": "s1-C1"}, site="s1", q=3),
            step(vh.VIDEO_TAKEN, {"request_id": rid, "desk_clerk_id": "s1-C1"}, q=4,
                 at=now - timedelta(days=L.HUB_DAYS_BACK + 1)),  # from further back than a child's own may be
            step(vh.VIDEO_TAKEN, {"request_id": rid, "desk_clerk_id": "s1-C1"}, q=5)]
    with child.hub.engine.connect() as conn:
        good, aside, upto = door.admit_from_upstream(conn, {"events": [dict(x) for x in page], "next": 10**6 + 5}, 10**6, now)
    assert [a["key"] for a in aside] == ["sync_event_not_allowed", "sync_not_own_site", "sync_own_site_only",
                                         "sync_event_time"]
    assert [x.kind for x in good] == [vh.VIDEO_TAKEN] and upto == 10**6 + 5
    with child.hub.engine.begin() as conn:  # as if the village were served by a site of its own hub
        conn.execute(SiteRow.__table__.update().where(SiteRow.id == "s1").values(parent_id="s2"))
        conn.execute(SiteRow.__table__.update().where(SiteRow.id == "s2").values(parent_id=None))
    with child.hub.engine.connect() as conn:
        good, aside, _ = door.admit_from_upstream(conn, {"events": [dict(x) for x in page[4:]], "next": 10**6 + 5}, 10**6 + 4, now)
    assert good == [] and [a["key"] for a in aside] == ["sync_not_own_site"] and "serving_site_id" in aside[0]["message_en"]
