"""The 一次告知 list on the citizen's phone, at the printed list's QR link: the version printed, a newer one said to
exist, open questions answered one tap each and taken back, 中文 / English, hostile addresses answered without a 500."""
from __future__ import annotations

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.db import guiderows
from common.domain import errors as e
from common.guides import files, tell
from common.usecases import reference

SAMPLE = {g.item: g for g in files.samples()}
YB01 = SAMPLE["YB-01"]  # 社保卡补换: who (self / agent / minor), then why (lost / broken)


def publish(hall, guide, by="区政务办"):
    with hall.hub.engine.begin() as conn:
        return reference.publish_guides(conn, (guide,), by, hall.clock.now())


def two_versions(hall):
    """YB-01 as version 1, then version 2 with one more material note: the link printed on version 1 still opens it."""
    publish(hall, YB01)
    first = hall.hub.read(guiderows.guide, "YB-01")
    changed = YB01.materials[0].model_copy(update={"notes": "第二版：须在有效期内"})
    publish(hall, YB01.model_copy(update={"materials": (changed, *YB01.materials[1:])}))
    return first


def test_the_printed_version_opens_with_its_answers_and_says_a_newer_one_exists(hall, live_hall):
    first = two_versions(hall)
    assert first.version == 1
    answers = {"who": "agent", "why": "lost"}
    link = tell.link(live_hall.url, first, answers)
    got = requests.get(link, timeout=10)
    assert got.status_code == 200
    body = got.json()
    assert (body["version"], body["newest_version"], body["asked_found"]) == (1, 2, True)
    assert body["materials"] == tell.view(first, answers)["materials"]
    assert "第二版" not in str(body["materials"])
    page = requests.get(link, headers={"accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "此清单已更新为第 2 版" in page.text
    assert "他人代办" in page.text and "id=\"question\"" not in page.text  # both questions answered: the list is final
    newest = requests.get(f"{live_hall.url}{tell.PATH}/YB-01?a=who.agent~why.lost", timeout=10).json()
    assert newest["version"] == 2 and "第二版：须在有效期内" in str(newest["materials"])


def test_a_version_this_hub_has_not_got_shows_the_newest_and_says_so(hall, live_hall):
    publish(hall, YB01)
    page = requests.get(f"{live_hall.url}{tell.PATH}/YB-01?v=7&lang=en", headers={"accept": "text/html"}, timeout=10)
    assert page.status_code == 200
    assert "Version 7 is not held here; this is the newest, version 1" in page.text


def test_hostile_addresses_get_a_clear_answer_and_never_a_500(hall, live_hall):
    publish(hall, YB01)
    base = live_hall.url + tell.PATH
    cases = {
        "/YB-01?v=abc": (422, "guide_link_version"), "/YB-01?v=0": (422, "guide_link_version"),
        "/YB-01?v=99999999": (422, "guide_link_version"), "/YB-01?a=who": (422, "guide_link_answers"),
        "/YB-01?a=" + "~".join(["who.self"] * 21): (422, "guide_link_answers"),
        "/YB-01?a=" + "x" * 601: (422, "guide_link_answers"), "/YB-01?a=who.self%00": (422, "guide_link_answers"),
        "/NO-SUCH": (404, "no_guide"), "/" + "A" * 65: (404, "no_guide"), "/YB%0001": (404, "no_guide"),
    }
    for path, (status, key) in cases.items():
        got = requests.get(base + path, timeout=10)
        assert got.status_code == status, path
        assert got.json()["message_zh"] == e.HaobanError(key if status == 422 else "no_guide").zh, path
        page = requests.get(base + path, headers={"accept": "text/html"}, timeout=10)
        assert page.status_code == status and "headline" in page.text, path
    wrong = requests.get(base + "/YB-01?a=who.nobody~why.lost", timeout=10).json()  # not offered: asked again
    assert wrong["question"]["id"] == "who" and wrong["answered"] == []
    page = requests.get(base + "/NO-SUCH", headers={"accept": "text/html"}, timeout=10)
    assert "找不到该事项的办事指南" in page.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(item=st.text(max_size=80), v=st.text(max_size=12), a=st.text(max_size=120))
def test_any_address_is_answered_without_a_server_error(hall, live_hall, item, v, a):
    publish(hall, YB01)  # the same content again adds no version
    got = requests.get(f"{live_hall.url}{tell.PATH}/{requests.utils.quote(item, safe='') or 'YB-01'}",
                       params={"v": v, "a": a}, timeout=10)
    assert got.status_code in (200, 404, 422), (item, v, a, got.status_code)


def test_the_citizen_answers_on_the_phone_goes_back_and_reads_it_in_english(hall, pages):
    publish(hall, YB01)
    page = pages.open("phone", tell.link("", YB01, {"who": "agent"}))  # the kiosk printed it with one answer
    assert page.is_visible("#question") and "补领" in page.inner_text("#question")
    assert "以下是目前已确定的材料" in page.inner_text("#pending")
    page.click("#question .choices a:first-child")  # 丢失
    page.wait_for_selector("#answered")
    assert not page.is_visible("#question")
    expected = tell.view(YB01, {"who": "agent", "why": "lost"})["materials"]
    items = page.locator("#materials li b").all_inner_texts()
    assert items == [m["name"] for m in expected]
    page.click("#back")
    page.wait_for_selector("#question")
    assert page.locator("#answered li").count() == 1
    page.click("#lang")  # English
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("#name") == YB01.name_en
    assert page.locator("#materials li b").all_inner_texts()[0] == (YB01.materials[0].name_en or YB01.materials[0].name)
    box = page.locator("#question .choices a").first.bounding_box()
    assert box is not None and box["height"] >= 48  # a thumb's target
    assert pages.foreign() == [] and pages.errors == []


def bundle_guides(hall):
    """The test world's bundle BD (items IA, IC) with guides: IA asks YB-01's questions, IC GJJ-03's (whose "who"
    offers self and agent only)."""
    ia = YB01.model_copy(update={"item": "IA", "name": "事项A"})
    ic = SAMPLE["GJJ-03"].model_copy(update={"item": "IC", "name": "事项C"})
    with hall.hub.engine.begin() as conn:
        reference.publish_guides(conn, (ia, ic), "区政务办", hall.clock.now())
    return ia, ic


def test_a_bundle_list_opens_on_the_phone_each_question_asked_once(hall, live_hall):
    ia, ic = bundle_guides(hall)
    base = f"{live_hall.url}{tell.PATH}/BD"
    first = requests.get(base, timeout=10).json()
    assert first["bundle"] and [i["item"] for i in first["items"]] == ["IA", "IC"] and first["question"]["id"] == "who"
    both = requests.get(base + "?a=who.agent~why.lost", timeout=10).json()  # IC's "who" answered by IA's
    assert both["question"]["id"] == "proof" and len(both["answered"]) == 2  # "who" once, for both items
    expected = tell.bundle_view("BD", "一件事", "", [ia, ic], [], {"who": "agent", "why": "lost", "proof": "paper"})
    done = requests.get(base + "?a=who.agent~why.lost~proof.paper", timeout=10).json()
    assert done["final"] and done["materials"] == expected["materials"]
    minor = requests.get(base + "?a=who.minor~why.lost", timeout=10).json()  # not offered by IC: asked of IC alone
    assert minor["question"]["id"] == "IC-who"
    page = requests.get(base + "?a=who.agent&lang=en", headers={"accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "These 2 matters done in one go" in page.text
    for bad in ("?v=1", "?a=who", "?a=" + "x" * 601):  # a bundle has no version of its own; garbage answers
        got = requests.get(base + bad, timeout=10)
        assert got.status_code in (404, 422) and got.json()["message_zh"], bad


def test_a_bundle_list_on_the_phone_is_answered_and_taken_back_in_both_languages(hall, pages, tmp_path):
    bundle_guides(hall)
    page = pages.open("phone", f"{tell.PATH}/BD?a=who.agent~why.lost")
    assert "事项A" in page.inner_text("#items") and page.is_visible("#question")
    page.click("#question .choices a:last-child")  # 纸质证明
    page.wait_for_selector("#answered")
    assert not page.is_visible("#question") and page.locator("#answered li").count() == 3
    page.screenshot(path=str(tmp_path / "bundle-zh.png"), full_page=True)
    page.click("#back")
    page.wait_for_selector("#question")
    page.click("#lang")
    page.wait_for_selector("html[lang=en]")
    assert "These 2 matters done in one go" in page.inner_text("#items")
    page.screenshot(path=str(tmp_path / "bundle-en.png"), full_page=True)
    assert pages.foreign() == [] and pages.errors == []
