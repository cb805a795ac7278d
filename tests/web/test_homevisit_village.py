"""The village staff's own 上门办 pages over real HTTP: 张马村 (s2)'s clerk registers a request for a citizen of her
village (source "village", the certificate seen by her, sealed at rest) and sees her village's open requests masked.
Hostile input: another village's id posted, a bad phone, no CSRF token, a body too long, a handler's session, none;
each refused with its bilingual message, never a 500, nothing written."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from common.db import homerows
from common.db.schema import EventRow
from common.usecases import reference
from tests.integration.http import post_form
from tests.web.conftest import PIN
from tests.web.homehall import ZHANG, counts
from tests.web.test_dashboard import _sign_in
from tests.web.test_homevisit_team import team, team_sign_in  # noqa: F401 - the fixture

NEW, MINE = "/homevisits/new", "/homevisits/requests"
GOOD = {"site_id": "s2", "item_id": "s2-IA", "name": "赵六", "phone": "13700002222", "address": "张马村 5 组 20 号",
        "slot0": "morning", "slot4": "afternoon", "reason": "certificate", "certificate_seen": "yes"}


@pytest.fixture
def village(team):  # noqa: F811
    url, v, _ = team
    return url, v, team_sign_in(url, "V1", "s2")


def test_the_village_clerk_registers_a_request_for_her_village(village, hall):
    url, v, http = village
    form = http.get(url + NEW).text
    assert 'id="hv-village"' in form and "张马村" in form and 'id="hv-site"' not in form  # no choice of village
    assert "s1-IA" not in form and 's2-IA' in form  # her village's matters only
    before = counts(hall)
    r = post_form(http, url, NEW, NEW, GOOD, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{MINE}?made=1"
    assert counts(hall)[0] == before[0] + 1
    with hall.hub.engine.connect() as conn:
        new = [x for x in homerows.visits(conn, ["s2"]).values() if x.id != v.zhang]
        raw = str(conn.execute(select(EventRow.data)).all())
    assert len(new) == 1 and (new[0].source, new[0].seen_by) == ("village", "s2-V1")
    assert "赵六" not in raw and "13700002222" not in raw
    mine = http.get(url + MINE + "?made=1").text
    assert 'id="made"' in mine and "赵*" in mine and f'data-id="{new[0].id}"' in mine
    assert f'data-id="{v.zhang}"' in mine and "已安排" in mine and "一队" in mine  # planned requests too
    assert f'data-id="{v.li}"' not in mine and ZHANG["name"] not in mine and "赵六" not in mine
    assert f'href="/homevisits/{new[0].id}/cancel"' in mine
    en = http.get(url + MINE + "?lang=en").text
    assert "This village&#39;s requests" in en and "Planned" in en


@pytest.mark.parametrize("change, zh", [
    ({"site_id": "s1", "item_id": "s1-IA"}, "您没有办理此上门办事项的权限"),  # the town's, not her village
    ({"site_id": "s3", "item_id": "s3-IA"}, "您没有办理此上门办事项的权限"),  # another centre's
    ({"site_id": ""}, "您没有办理此上门办事项的权限"),
    ({"item_id": "s3-IA"}, ""),  # another centre's matter named for her village: no such matter here
    ({"phone": "1370000abcd"}, "联系电话应为 5 到 20 位数字"),
    ({"name": "名" * 51}, "请填写办事人姓名"),
    ({"certificate_seen": ""}, "不符合上门办理条件"),
])
def test_a_refused_village_request_comes_back_on_her_form(village, hall, change, zh):
    url, _, http = village
    before = counts(hall)
    r = post_form(http, url, NEW, NEW, {**GOOD, **change}, allow_redirects=False)
    assert r.status_code in (403, 404, 422) and 'id="hv-form"' in r.text and 'id="error"' in r.text
    assert zh in r.text and 'id="hv-site"' not in r.text
    assert counts(hall) == before


def test_no_csrf_too_long_no_session_or_a_handler_writes_nothing(village, hall):
    url, _, http = village
    before = counts(hall)
    http.get(url + NEW)
    assert http.post(url + NEW, data=GOOD, allow_redirects=False).status_code == 403
    r = post_form(http, url, NEW, NEW, {**GOOD, "address": "路" * 2000}, allow_redirects=False)
    assert r.status_code == 422 and "提交的内容过长" in r.text and 'id="hv-form"' in r.text
    for path in (NEW, MINE):
        r = requests.get(url + path, allow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/homevisits/sign-in"
    assert requests.post(url + NEW, data=GOOD).status_code in (401, 403)
    with hall.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="H1", name="医保经办", pin=PIN, role="handler",
                               department="区医保中心")
    handler = _sign_in(url, "H1")
    assert handler.get(url + MINE, allow_redirects=False).status_code == 303
    assert post_form(handler, url, "/handler", NEW, GOOD, allow_redirects=False).status_code in (401, 403)
    assert counts(hall) == before
