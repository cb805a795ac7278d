"""Words from the hall (docs/guide-search.md): a kiosk's search that found nothing reaches the hub masked; the editors
see it on /dashboard/search-words, add a synonym or an item's name, publish a version; the kiosk's next sync brings
it and the same search finds the matter. Refusals write nothing: a bad line (named), an unknown code, a sub-centre's
supervisor, a colleague's newer version, no CSRF, a body too large. Over real HTTP on loopback; one page in Chromium."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests

from common.db import wordrows
from common.devices.printer import dummy_printer
from common.stations.guide import GuideDesk
from common.stations.ticketing import KioskService
from common.sync.client import SyncClient
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport
from common.usecases import reference
from tests.integration.http import Device
from tests.web.conftest import PIN, SUPERVISOR
from tests.web.test_guide_editor_http import sign_in

PAGE = "/dashboard/search-words"


def publish(http, url: str, words: str, base: str | None = None, csrf: str | None = None):
    page = http.get(url + PAGE, timeout=10).text
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    found_base = re.search(r'name="base" value="([^"]*)"', page)[1]
    data = {"csrf": csrf if csrf is not None else token, "base": found_base if base is None else base, "words": words}
    return http.post(url + PAGE, data=data, timeout=10, allow_redirects=False)


@pytest.fixture
def desk(hall, live_hall, tmp_path):
    info = Device(live_hall.url, hall.codes["kiosk"]).info
    client = SyncClient(LocalStore(tmp_path / "kiosk.sqlite3"), HttpTransport(live_hall.url, info["token"], timeout=10),
                        device_id=info["device_id"], site_id=info["site_id"], lease_size=5, clock=hall.clock)
    client.sync_once()
    return GuideDesk(KioskService(client, dummy_printer(), live_hall.url))


def versions(hall) -> int:
    with hall.hub.engine.connect() as conn:
        return len(wordrows.history(conn))


def test_a_miss_at_the_kiosk_becomes_a_word_every_kiosk_then_finds(hall, live_hall, desk):
    url = live_hall.url
    for _ in range(2):
        assert desk.search("小蓝本 13812345678").miss
        assert desk.leave()
    desk.search("补办护照")
    desk.leave()
    desk.service.client.sync_once()  # the misses go up with the kiosk's sync
    http = sign_in(url)
    page = http.get(url + PAGE, timeout=10).text
    rows = re.findall(r'<td class="text">([^<]*)</td><td>(\d+)</td>', page)
    assert rows[0] == ("小蓝本 #", "2") and ("补办护照", "1") in rows  # most asked first, digits masked
    assert "13812345678" not in page and "共 3 次" in page

    r = publish(http, url, "# 市民的叫法\nIA: 小蓝本\n小蓝本 = 蓝封皮\nIB: 护照加急、大本")
    assert r.status_code == 303 and r.headers["location"].endswith("?published=1")
    shown = http.get(url + r.headers["location"], timeout=10).text
    assert "已发布第 1 版" in shown and "小蓝本 = 蓝封皮" in shown and "IA: 小蓝本" in shown and SUPERVISOR[1] in shown
    again = publish(http, url, "小蓝本 = 蓝封皮\nIA: 小蓝本\nIB: 护照加急、大本")  # the same words, in another order
    assert again.headers["location"].endswith("?published=0")
    assert versions(hall) == 1

    desk.service.client.sync_once()  # the reference data brings the words; the index is built again with them
    assert [c["name"] for c in desk.search("小蓝本").choices][:1] == ["事项A"]
    assert [c["name"] for c in desk.search("蓝封皮").choices][:1] == ["事项A"]  # a synonym of its new name
    assert [c["name"] for c in desk.search("护照加急").choices][:1] == ["事项B"]
    assert [c["name"] for c in desk.search("xlb").choices][:1] == ["事项A"]  # its pinyin initials too


def test_a_bad_line_an_unknown_code_or_too_much_is_refused_named_and_writes_nothing(hall, live_hall):
    http = sign_in(live_hall.url)
    cases = [("医保卡 = 社保卡\n孤零零", 422, "第 2 行有误"), ("NOPE: 某词", 404, "事项代码“NOPE”不在事项目录中"),
             ("词 = " + "长" * 40, 422, "第 1 行有误"), ("\n".join(["甲 = 乙"] * 501), 422, "最多 500 行"),
             ("<script>alert(1)</script> = 事项A\x00", 422, "第 1 行有误")]
    for words, status, said in cases:
        r = publish(http, live_hall.url, words)
        assert r.status_code == status and said in r.text, (words[:20], r.status_code)
        assert "<script>alert" not in r.text  # the text comes back escaped in the box
    assert publish(http, live_hall.url, "甲 = 乙", csrf="forged").status_code == 403
    huge = http.post(live_hall.url + PAGE, data={"words": "甲" * 70_000}, timeout=10)
    assert huge.status_code == 413
    assert versions(hall) == 0


def test_a_colleagues_newer_version_and_a_sub_centres_supervisor_are_refused(hall, live_hall):
    url = live_hall.url
    first, second = sign_in(url), sign_in(url)
    page = second.get(url + PAGE, timeout=10).text  # she opens the page before her colleague publishes
    assert publish(first, url, "甲 = 乙").status_code == 303
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    late = second.post(url + PAGE, data={"csrf": token, "base": "", "words": "丙 = 丁"}, timeout=10, allow_redirects=False)
    assert late.status_code == 409 and versions(hall) == 1
    with hall.hub.engine.begin() as c:
        reference.create_site(c, id="s9", name="某镇中心", level="community", parent_id="s1")
        reference.create_clerk(c, site_id="s9", staff_no="Z1", name="镇主管", pin=PIN, role="supervisor")
    town = sign_in(url, "Z1", site="s9")
    page = town.get(url + PAGE, timeout=10).text
    assert 'id="read-only"' in page and 'id="publish"' not in page and "甲 = 乙" in page
    assert publish(town, url, "戊 = 己").status_code == 403 and versions(hall) == 1
    assert requests.get(url + PAGE, timeout=10, allow_redirects=False).status_code == 303  # not signed in: sign in


def test_the_page_in_chromium_in_chinese_and_english(hall, pages, desk, tmp_path):
    folder = Path(os.environ.get("HAOBAN_SCREENSHOTS") or tmp_path)
    for typed in ("小蓝本", "小蓝本", "居住证积分怎么算", "开个体户要带啥"):
        desk.search(typed)
        desk.leave()
    desk.service.client.sync_once()
    page = pages.open("dashboard", "/dashboard/sign-in")
    page.fill("#staff_no", SUPERVISOR[0])
    page.fill("#pin", PIN)
    page.click("#sign-in")
    page.wait_for_selector("#kpis")
    page.goto(pages.url + "/dashboard/guides")
    page.click("#words-link")
    page.wait_for_selector("#missed-texts")
    assert page.inner_text("#missed-texts tbody tr:first-child td.text") == "小蓝本"
    page.fill("#words", "小蓝本 = 事项A\n个体户 = 个体工商户")
    page.click("#publish")
    page.wait_for_selector("#done")
    assert "已发布第 1 版" in page.inner_text("#done")
    page.screenshot(path=str(folder / "web-search-words-zh.png"), full_page=True)
    page.goto(pages.url + PAGE + "?lang=en")
    assert "Searched at the kiosks and not found" in page.inner_text("#missed")
    page.screenshot(path=str(folder / "web-search-words-en.png"), full_page=True)
    assert pages.foreign() == [] and pages.errors == []
