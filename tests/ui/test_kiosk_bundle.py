"""A 一件事 bundle's page on the kiosk (real offscreen Qt Quick window, the demo hub on loopback): the matters it does
in one go, its items' questions in turn (a question of the same id asked once), one 一次告知 list without duplicates,
printed with a QR code that opens the same list on the phone, and its "请准备" on the confirm screen."""
from __future__ import annotations

import requests

from devtools.receipts import printed_qr_texts
from tests.ui.test_kiosk_guide import results, type_keys
from tests.ui.test_kiosk_told import keep, materials


def open_birth(kiosk) -> None:
    kiosk.tap("guideButton")
    type_keys(kiosk, "xsr")  # 新生儿
    assert results(kiosk)[0] == "新生儿出生一件事"
    kiosk.tap("guideResult_0")
    assert kiosk.screen() == "guide_matter"


def test_a_bundle_asks_its_items_questions_in_turn_and_lists_their_materials_once(kiosk, tmp_path):
    open_birth(kiosk)
    told = kiosk.model.view["guide"]["told"]
    assert told["bundle"] and [i["item"] for i in told["items"]] == ["HJ-03", "YB-04", "YB-07"]
    assert not kiosk.visible("guideVersion") and kiosk.visible("guideBundleItems")
    assert kiosk.item("guideBundleItems").property("text").startswith("一次办好以下 3 个事项：新生儿出生户口登记、")
    assert kiosk.item("guideQuestion").property("text") == told["question"]["text"]  # HJ-03's first question
    before = materials(kiosk)
    assert len(before) == len(set(before))  # one line per material, whichever items ask for it
    kiosk.tap("guideAnswer_0")
    second = kiosk.model.view["guide"]["told"]
    assert second["question"] is not None and second["question"]["id"] == "who"  # YB-07's, after HJ-03's
    kiosk.tap("guideAnswer_1")
    final = kiosk.model.view["guide"]["told"]
    assert final["final"] and not kiosk.visible("guideQuestion") and len(final["answered"]) == 2
    assert set(before) <= set(materials(kiosk))
    keep(kiosk, "kiosk-guide-bundle-zh.png")
    kiosk.tap("languageButton")
    kiosk.settle()
    assert kiosk.item("guideBundleItems").property("text").startswith("These 3 matters done in one go: ")
    assert kiosk.item("guideMatterDepartment").property("text") == "Household registration; Medical insurance"
    assert "Queue C · Household registration and residence permits" in kiosk.item("guideMatterWindows").property("text")
    keep(kiosk, "kiosk-guide-bundle-en.png", tmp_path)
    kiosk.tap("languageButton")
    kiosk.tap("guideUndoButton")
    assert kiosk.model.view["guide"]["told"]["question"]["id"] == "who"
    kiosk.tap("guideAnswer_1")
    kiosk.tap("guideTicketButton")
    assert kiosk.screen() == "confirm"
    assert kiosk.item("confirmPrepare").property("text").startswith("请准备：" + materials(kiosk)[0])


def test_the_bundle_list_is_printed_and_its_qr_opens_the_same_list_on_the_phone(kiosk):
    open_birth(kiosk)
    kiosk.tap("guideAnswer_0")
    kiosk.tap("guideAnswer_1")
    told = kiosk.model.view["guide"]["told"]
    kiosk.tap("guidePrintButton")
    kiosk.wait_for(lambda: kiosk.model.view["guide"].get("printed") == "ok")
    out = kiosk.printer.device.output
    assert "· 包含 3 个事项：".encode("gb18030") in out and "办事指南第".encode("gb18030") not in out
    [url] = printed_qr_texts(out)
    pairs = "~".join(f"{k}.{a}" for k, a in told["answers"].items())
    assert url == f"{kiosk.hub.url}/api/v1/public/guides/BD-01?a={pairs}"
    phone = requests.get(url, timeout=5).json()  # the phone page's JSON: the same list
    assert [m["name"] for m in phone["materials"]] == materials(kiosk) and phone["final"]
    assert phone["bundle"] and phone["answers"] == told["answers"]


def test_the_hall_s_own_english_names_of_queue_and_department_come_down_with_the_reference_data(kiosk, tmp_path):
    """Reference data's queue `name_en` and item `department_en` (revision 0016) win over i18n/names.json on the
    kiosk's English screens once the kiosk has synced; a department without its own stays as names.json has it."""
    from sqlalchemy import update

    from common.db.schema import QueueRow, ServiceItemRow

    with kiosk.hub.engine.begin() as conn:
        conn.execute(update(QueueRow).where(QueueRow.letter == "C").values(name_en="Hukou & Residence Desk"))
        conn.execute(update(ServiceItemRow).where(ServiceItemRow.department == "户籍").values(department_en="Hukou Office"))
    kiosk.client.sync_once()
    open_birth(kiosk)
    kiosk.tap("languageButton")
    kiosk.settle()
    assert kiosk.item("guideMatterDepartment").property("text") == "Hukou Office; Medical insurance"
    assert "Queue C · Hukou & Residence Desk" in kiosk.item("guideMatterWindows").property("text")
    keep(kiosk, "kiosk-guide-own-names-en.png", tmp_path)
    kiosk.tap("guideTicketButton")
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    assert kiosk.model.view["ticket"]["queue_en"] == "Hukou & Residence Desk"
