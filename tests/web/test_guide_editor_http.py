"""The editors' pages of 办事指南 over real HTTP on loopback (docs/guides.md, "Editing at the hub"): the list, the form
of a guide, publishing through the same use case as the CLI (version + 1, by the supervisor, at the hub's clock),
every problem named next to its field with nothing written, the history and the diff; and the refusals: no CSRF,
wrong role, a sub-centre's supervisor, a hub enrolled upstream, a colleague's newer version, bodies too large or
malformed, script in fields shown as text."""
from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from common.db import guiderows, repo
from common.db.schema import GuideRow
from common.guides.files import samples
from common.usecases import reference
from server.web import guideform
from tests.integration.http import post_form
from tests.web.conftest import PIN, SUPERVISOR

SAMPLE = {g.item: g for g in samples()}
HOSTILE = '<script>window.pwned=1</script>"><img src=x onerror=alert(1)>'


def sign_in(url: str, staff_no: str = SUPERVISOR[0], site: str = "s1") -> requests.Session:
    http = requests.Session()
    r = post_form(http, url, "/dashboard/sign-in", "/dashboard/sign-in", {"site": site, "staff_no": staff_no, "pin": PIN},
                  allow_redirects=False)
    assert r.status_code == 303, r.text
    return http


def fields(view: dict) -> dict[str, str]:
    """The form's inputs as the browser posts them (tests/web: the same names the page renders)."""
    out = {k: view[k] for k in guideform.SCALARS}
    out["legal_basis"] = view["legal_basis"]
    if view["sample"]:
        out["sample"] = "on"
    for part, names in guideform.ROWS.items():
        for i, row in enumerate(view[part]):
            out.update({f"{part}[{i}].{f}": row[f] for f in names})
            for j, a in enumerate(row.get("answers", [])):
                out.update({f"{part}[{i}].answers[{j}].{f}": a[f] for f in guideform.ANSWER})
    return out


def csrf(http: requests.Session, url: str, page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', http.get(url + page, timeout=10).text)[1]


def publish(http, url: str, code: str, data: dict, action: str = "publish", base: int | None = 1, **kw):
    token = csrf(http, url, f"/dashboard/guides/{code}")
    return http.post(f"{url}/dashboard/guides/{code}", data={**data, "csrf": token, "action": action,
                                                              "base": "" if base is None else str(base)},
                     timeout=10, allow_redirects=False, **kw)


def rows(hall) -> int:
    with hall.hub.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(GuideRow)).scalar()


@pytest.fixture
def guided(hall, live_hall):
    """Item IA has the sample 医保卡补领 guide (YB-01) as its version 1, published by 区政务办."""
    with hall.hub.engine.begin() as conn:
        reference.publish_guides(conn, (SAMPLE["YB-01"].model_copy(update={"item": "IA"}),), "区政务办",
                                 hall.clock.now())
    return live_hall.url


def test_the_list_shows_every_item_with_its_newest_guide(hall, guided):
    page = sign_in(guided).get(f"{guided}/dashboard/guides").text
    ia = re.search(r'<tr data-code="IA">(.*?)</tr>', page, re.S)[1]
    assert "v1" in ia and "区政务办" in ia and "/dashboard/guides/IA/history" in ia
    ib = re.search(r'<tr data-code="IB">(.*?)</tr>', page, re.S)[1]
    assert "尚未编写" in ib and "history" not in ib
    assert 'id="read-only"' not in page
    english = sign_in(guided).get(f"{guided}/dashboard/guides?lang=en").text
    assert "No guide yet" in english and "Service guides" in english


def test_an_edit_is_published_as_the_next_version_and_kept_in_the_history(hall, guided):
    http = sign_in(guided)
    view = guideform.view_of(SAMPLE["YB-01"])
    view["materials"][0]["copies"] = "3"
    view["materials"][0]["notes"] = "须本人到场核验"
    r = publish(http, guided, "IA", fields(view))
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/guides/IA?published=2"
    assert "已发布第 2 版" in http.get(guided + r.headers["location"]).text
    with hall.hub.engine.connect() as conn:
        newest = guiderows.guide(conn, "IA")
        assert (newest.version, newest.published.by, newest.materials[0].copies) == (2, SUPERVISOR[1], 3)
        assert newest.published.at == hall.clock.now()
        assert newest.model_dump(exclude={"version", "published", "materials"}) == \
            SAMPLE["YB-01"].model_copy(update={"item": "IA"}).model_dump(exclude={"version", "published", "materials"})
    history = http.get(f"{guided}/dashboard/guides/IA/history").text
    assert re.findall(r'data-version="(\d+)"', history) == ["2", "1"] and SUPERVISOR[1] in history
    diff = http.get(f"{guided}/dashboard/guides/IA/diff/2").text
    assert '<span class="add">+materials[0].copies: 3</span>' in diff
    assert '<span class="add">+materials[0].notes: &#34;须本人到场核验&#34;</span>' in diff
    old_note = SAMPLE["YB-01"].materials[0].notes
    assert f'<span class="del">-materials[0].notes: &#34;{old_note}&#34;</span>' in diff  # the note she replaced
    # the same content again: no version added, the page says so
    r = publish(http, guided, "IA", fields(view), base=2)
    assert r.headers["location"] == "/dashboard/guides/IA?published=0" and rows(hall) == 2
    assert "未发布新版本" in http.get(guided + r.headers["location"]).text


def test_a_new_guide_for_an_item_without_one_becomes_version_1(hall, guided):
    http = sign_in(guided)
    page = http.get(f"{guided}/dashboard/guides/IB").text
    assert 'value="事项B"' in page and "第 1 版" in page
    data = {"name": "事项B", "body": "区医保中心", "conditions": "本市参保人员", "promised_days": "0", "place": "1号窗口",
            "hours": "工作日 9:00-17:00", "consult_phone": "12393", "materials[0].name": "居民身份证",
            "materials[0].form": "原件", "materials[0].source": "申请人自备", "materials[1].name": ""}
    r = publish(http, guided, "IB", data, base=None)
    assert r.status_code == 303, r.text
    with hall.hub.engine.connect() as conn:
        g = guiderows.guide(conn, "IB")
    assert (g.version, [m.name for m in g.materials], g.promised_days) == (1, ["居民身份证"], 0)


def test_every_problem_is_named_next_to_its_field_and_nothing_is_written(hall, guided):
    http = sign_in(guided)
    view = guideform.view_of(SAMPLE["YB-01"])
    view["materials"][0]["copies"] = "99"
    view["materials"][1]["condition"] = "who agent"
    view["name"] = ""
    view["consult_phone"] = "call me"
    data = fields(view)
    r = publish(http, guided, "IA", data)
    assert r.status_code == 422 and rows(hall) == 1
    problems = set(re.findall(r'class="field-error" data-path="([^"]+)">([^<]+)<', r.text))
    assert ("materials[0].copies", "数值超出范围") in problems
    assert ("materials[1].condition", "适用条件应写成“问题编号=答案编号”，多个用分号隔开") in problems
    assert ("name", "缺少此项") in problems and ("consult_phone", "含有控制字符、空白或不允许的字符") in problems
    assert 'name="materials[0].copies" id="materials[0].copies" value="99"' in r.text  # what she wrote stays
    loop = fields(guideform.view_of(SAMPLE["YB-01"]))  # the fields right, the questions not: the rules' checks
    loop["questions[0].answers[0].next"] = loop["questions[0].id"]  # the first question leads to itself
    r = publish(http, guided, "IA", loop)
    assert r.status_code == 422 and rows(hall) == 1
    assert 'data-path="questions[0]">问题形成循环，无法问完<' in r.text
    r = http.post(f"{guided}/dashboard/guides/IA?lang=en", data={**data, "csrf": csrf(http, guided, "/dashboard/guides/IA"),
                                                                 "action": "preview", "base": "1"}, timeout=10)
    assert r.status_code == 422 and 'data-path="materials[0].copies">number out of range<' in r.text


def test_the_preview_shows_the_checklist_for_the_answers_chosen_and_writes_nothing(hall, guided):
    http = sign_in(guided)
    g = SAMPLE["YB-01"]
    q = g.questions[0]
    data = {**fields(guideform.view_of(g)), f"answer.{q.id}": q.answers[-1].id}
    r = publish(http, guided, "IA", data, action="preview")
    assert r.status_code == 200 and rows(hall) == 1
    want = guideform.preview(g, {q.id: q.answers[-1].id})
    assert want.next_question is None and want.answered[0] == (q.text, q.answers[-1].text)
    listed = re.search(r'<ol id="preview-materials">(.*?)</ol>', r.text, re.S)[1]
    assert [m.name for m in want.materials] == re.findall(r"<li><b>([^<]+)</b>", listed)
    assert f'<option value="{q.answers[-1].id}" selected>' in r.text


def test_a_colleagues_newer_version_is_not_overwritten(hall, guided):
    http = sign_in(guided)
    view = guideform.view_of(SAMPLE["YB-01"])
    with hall.hub.engine.begin() as conn:  # someone publishes version 2 while she edits version 1
        reference.publish_guides(conn, (SAMPLE["YB-01"].model_copy(update={"item": "IA", "visits": 2}),), "同事",
                                 hall.clock.now())
    view["hours"] = "周一至周六"
    r = publish(http, guided, "IA", fields(view), base=1)
    assert r.status_code == 409 and "刚有人发布了第 2 版" in r.text and rows(hall) == 2


def test_without_the_csrf_token_or_signed_in_nothing_is_written(hall, guided):
    http = sign_in(guided)
    data = {**fields(guideform.view_of(SAMPLE["YB-01"])), "action": "publish", "base": "1", "hours": "全天"}
    assert http.post(f"{guided}/dashboard/guides/IA", data=data, timeout=10).status_code == 403
    assert http.post(f"{guided}/dashboard/guides/IA", data={**data, "csrf": "x" * 32}, timeout=10).status_code == 403
    anonymous = requests.post(f"{guided}/dashboard/guides/IA", data=data, timeout=10, allow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/dashboard/sign-in"
    assert requests.get(f"{guided}/dashboard/guides", timeout=10, allow_redirects=False).status_code == 303
    assert rows(hall) == 1


def test_a_handler_may_not_open_the_guides(hall, guided):
    with hall.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="H1", name="经办人", pin=PIN, role="handler", department="区医保中心")
    http = requests.Session()
    post_form(http, guided, "/handler/sign-in", "/dashboard/sign-in", {"site": "s1", "staff_no": "H1", "pin": PIN})
    assert http.get(f"{guided}/dashboard/guides", timeout=10).status_code == 403
    data = {**fields(guideform.view_of(SAMPLE["YB-01"])), "hours": "全天", "action": "publish", "base": "1",
            "csrf": http.cookies["haoban_csrf"]}  # her own page's token: right, but not her page
    assert http.post(f"{guided}/dashboard/guides/IA", data=data, timeout=10).status_code == 403 and rows(hall) == 1


def test_a_sub_centres_supervisor_reads_but_does_not_publish(hall, guided):
    with hall.hub.engine.begin() as c:
        reference.create_site(c, id="s9", name="某镇中心", level="community", parent_id="s1")
        reference.create_clerk(c, site_id="s9", staff_no="Z1", name="镇主管", pin=PIN, role="supervisor")
    http = sign_in(guided, "Z1", site="s9")
    page = http.get(f"{guided}/dashboard/guides/IA").text
    assert 'id="read-only"' in page and "办事指南由区中心统一编写发布" in page and 'id="publish"' not in page
    assert "<fieldset disabled>" in page
    r = publish(http, guided, "IA", {**fields(guideform.view_of(SAMPLE["YB-01"])), "hours": "全天"})
    assert r.status_code == 403 and rows(hall) == 1


def test_a_hub_enrolled_upstream_shows_the_guides_read_only(hall, guided):
    with hall.hub.engine.begin() as conn:
        repo.put_sync_state(conn, "upstream", {"site_id": "s1", "url": "http://up", "token": "t"})
    http = sign_in(guided)
    for page in (http.get(f"{guided}/dashboard/guides").text, http.get(f"{guided}/dashboard/guides/IA").text):
        assert 'id="read-only"' in page and "请在区中心发布" in page
    r = publish(http, guided, "IA", {**fields(guideform.view_of(SAMPLE["YB-01"])), "hours": "全天"})
    assert r.status_code == 403 and "请在区中心发布" in r.text and rows(hall) == 1


def test_script_in_a_field_is_published_as_text_and_shown_escaped(hall, guided):
    http = sign_in(guided)
    view = guideform.view_of(SAMPLE["YB-01"])
    view["name"], view["materials"][0]["name"] = HOSTILE[:100], HOSTILE
    assert publish(http, guided, "IA", fields(view)).status_code == 303
    with hall.hub.engine.connect() as conn:
        assert guiderows.guide(conn, "IA").materials[0].name == HOSTILE
    for path in ("/dashboard/guides/IA", "/dashboard/guides/IA/diff/2", "/dashboard/guides/IA/history"):
        page = http.get(guided + path).text
        assert "<script>window" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page or path.endswith("history"), path


@pytest.mark.parametrize("body, status", [
    (b"\xff\xfe" * 100, 422),  # not UTF-8
    (b"&".join(b"x%d=1" % i for i in range(7000)), 422),  # too many fields
    (b"name=" + b"a" * (1024 * 1024 + 10), 413),  # over the route's bound: refused before it is read
])
def test_garbage_and_huge_bodies_are_refused_with_a_message(hall, guided, body, status):
    http = sign_in(guided)
    r = http.post(f"{guided}/dashboard/guides/IA", data=body, timeout=30,
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == status and rows(hall) == 1
    if status == 422:
        assert "未保存任何内容" in r.text and "nothing was saved" in r.text


def test_too_many_materials_and_too_long_texts_are_named(hall, guided):
    http = sign_in(guided)
    data = fields(guideform.view_of(SAMPLE["YB-01"]))
    data.update({f"materials[{i}].name": f"材料{i}" for i in range(70)})
    data["conditions"] = "长" * 2001
    r = publish(http, guided, "IA", data)
    assert r.status_code == 422 and rows(hall) == 1
    assert 'data-path="materials">条目太多<' in r.text and 'data-path="conditions">文字太长<' in r.text


@pytest.mark.parametrize("path", ["/dashboard/guides/NOPE", "/dashboard/guides/IA/diff/9", "/dashboard/guides/IA/diff/0",
                                  "/dashboard/guides/%3Cb%3E"])
def test_unknown_items_and_versions_are_said_so(hall, guided, path):
    r = sign_in(guided).get(guided + path, timeout=10)
    assert r.status_code == 404 and "没有这个" in r.text


def test_the_clerks_flags_show_on_the_list_and_on_the_guides_page(hall, guided):
    """A refusal whose clerk ticked "指南有误": counted on the list, listed on its guide's page with the version
    then current, the site and window, and the reason as text (script in it is not run)."""
    from common.domain.model import Outcome

    hub, kiosk, clerk = hall.hub, hall.actor("kiosk"), hall.actor("terminal1")
    hub.issue_ticket(kiosk, item_id=hall.items["A"])
    hub.call_next(clerk, clerk.window_id)
    hub.start(clerk, clerk.window_id)
    hub.finish(clerk, clerk.window_id, Outcome.rejected, "清单没写户口簿" + HOSTILE[:30], guide_wrong=True)
    http = sign_in(guided)
    page = http.get(f"{guided}/dashboard/guides").text
    assert "窗口反馈办事指南有误 1 次" in page
    ia = re.search(r'<tr data-code="IA">(.*?)</tr>', page, re.S)[1]
    assert re.search(r'class="flag"[^>]*>1</a>', ia)
    ib = re.search(r'<tr data-code="IB">(.*?)</tr>', page, re.S)[1]
    assert 'class="flag"' not in ib
    edit = http.get(f"{guided}/dashboard/guides/IA").text
    flags = re.search(r'<section class="card flags" id="flags">(.*?)</section>', edit, re.S)[1]
    assert "共 1 次" in flags and "v1" in flags and "1 号窗口" in flags and "清单没写户口簿" in flags
    assert "<script>" not in flags and "&lt;script&gt;" in flags
    assert 'id="flags"' not in http.get(f"{guided}/dashboard/guides/IB").text
    hall.clock.advance(days=31)  # a month on: out of the page's 30 days
    assert "窗口反馈办事指南有误 0 次" in sign_in(guided).get(f"{guided}/dashboard/guides").text  # (signed in anew)
