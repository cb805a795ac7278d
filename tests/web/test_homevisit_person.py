"""A person in full on the team's laptop, over real HTTP against a hub on loopback: the team clerk opens one visit
(masked), shows its person in full to call ahead or to find the door; the hub writes the showing to the audit log
first, the page is not kept by the browser, and the next opening is masked again. The supervisors' record of
personal data shown lists home-visit showings too (it answered 500 once a day list had been printed). Hostile input:
a purpose not offered, no CSRF token, another centre's visit, garbage ids: refused bilingually, nothing written."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import insert, select

from common.db.schema import AuditRow
from tests.integration.http import post_form
from tests.web.homehall import ZHANG, counts
from tests.web.test_dashboard import _sign_in
from tests.web.test_homevisit_team import DAY, team  # noqa: F401  (the fixture)


def _show(http, url, visit_id, purpose, lang=""):
    q = "?lang=en" if lang else ""
    return post_form(http, url, f"/homevisits/{visit_id}{q}", f"/homevisits/{visit_id}/person{q}", {"purpose": purpose})


def _audit(hall) -> list[tuple]:
    with hall.hub.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(AuditRow.site_id, AuditRow.clerk_id, AuditRow.what,
                                                      AuditRow.record_id, AuditRow.purpose).order_by(AuditRow.id))]


def test_a_person_is_shown_in_full_audited_and_masked_again(team, hall):  # noqa: F811
    url, v, http = team
    page = http.get(f"{url}/homevisits/{v.zhang}").text
    assert "张*明" in page and ZHANG["phone"] not in page and ZHANG["address"] not in page
    assert 'id="hvt-show-call"' in page and 'id="hvt-show-find"' in page and 'id="hvt-show-print"' not in page
    before = counts(hall)
    r = _show(http, url, v.zhang, "call")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert f'href="tel:{ZHANG["phone"]}"' in r.text and ZHANG["name"] in r.text and ZHANG["address"] in r.text
    assert 'id="hvt-shown-note"' in r.text and "已记入个人信息查看记录" in r.text and 'id="hvt-show"' not in r.text
    assert 'id="hvt-record"' in r.text  # the outcome's form stays under it
    assert counts(hall) == (before[0], before[1] + 1)  # no event: a showing is not a step of the visit
    assert _audit(hall)[-1] == ("s1", "s1-T1", "home_person", v.zhang, "call")
    en = _show(http, url, v.zhang, "find", lang="en")
    assert en.status_code == 200 and "this showing is written to the record" in en.text and ZHANG["address"] in en.text
    assert _audit(hall)[-1][-1] == "find"
    again = http.get(f"{url}/homevisits/{v.zhang}").text
    assert ZHANG["phone"] not in again and "张*明" in again


def test_the_record_of_data_shown_names_home_visits_in_words(team, hall):  # noqa: F811
    url, v, http = team
    assert _show(http, url, v.li, "call").status_code == 200  # 李四 (s1): the team clerk T1 of s1
    with hall.hub.engine.begin() as c:  # an entry written by an earlier version: its purpose as free text
        c.execute(insert(AuditRow).values(site_id="s1", at=hall.clock.now(), clerk_id="s1-T1", what="home_person",
                                          record_id=v.li, purpose="打印上门清单 2026-11-30 一队"))
    boss = _sign_in(url)
    zh = boss.get(f"{url}/dashboard/cases/audit")
    assert zh.status_code == 200, zh.text[:500]
    rows = zh.text.split('id="audit-log"')[1]
    assert f'href="/homevisits/{v.li}"' in rows and "上门办" in rows and "上门前电话联系" in rows
    assert "打印上门清单 2026-11-30 一队" in rows and "cases_purpose" not in rows
    en = boss.get(f"{url}/dashboard/cases/audit?lang=en").text.split('id="audit-log"')[1]
    assert "Home visit" in en and "Call before a home visit" in en
    assert ZHANG["phone"] not in zh.text


@pytest.mark.parametrize("purpose", ["print", "", "CALL", "call ", "x" * 5000, "call\x00", "handle"])
def test_a_purpose_not_offered_shows_nothing_and_writes_nothing(team, hall, purpose):  # noqa: F811
    url, v, http = team
    before = counts(hall)
    r = _show(http, url, v.zhang, purpose)
    assert r.status_code in (413, 422) and ZHANG["phone"] not in r.text
    assert "须说明用途" in r.text or "提交的内容过长" in r.text
    assert counts(hall) == before


def test_no_csrf_another_centre_or_garbage_shows_nothing(team, hall):  # noqa: F811
    url, v, http = team
    before = counts(hall)
    r = http.post(f"{url}/homevisits/{v.zhang}/person", data={"purpose": "call"})
    assert r.status_code == 403 and ZHANG["phone"] not in r.text
    token = http.get(url + DAY).text.split('name="csrf" value="')[1].split('"')[0]
    for visit_id in (v.other, "garbage", "x" * 3000, "0190c0de-0000-7000-8000-000000000000"):
        r = http.post(f"{url}/homevisits/{visit_id}/person", data={"purpose": "call", "csrf": token})
        assert r.status_code == 404 and "王五" not in r.text
    assert requests.post(f"{url}/homevisits/{v.zhang}/person", data={"purpose": "call", "csrf": token},
                         allow_redirects=False).status_code in (401, 403)
    assert counts(hall) == before
