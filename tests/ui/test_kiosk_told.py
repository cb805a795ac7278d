"""The guide of a matter on the kiosk (real offscreen Qt Quick window, the demo hub on loopback): its version, the guided
questions one tap each with back, the 一次告知 list narrowing with the answers, 打印清单 (the printed bytes and their
QR), "请准备" on the confirm screen and on the receipt, and the version a kiosk offline holds."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QFontMetrics, QGuiApplication

from common.devices.printer import FS_CHINESE_ON
from devtools.receipts import printed_qr_texts
from tests.ui.test_kiosk_guide import results, type_keys

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def keep(kiosk, name: str, tmp_path: Path | None = None) -> None:
    """A screen grabbed: into tmp_path (the test renders it whatever), into docs/screenshots with HAOBAN_SCREENSHOTS=1."""
    if tmp_path is not None:
        kiosk.grab(tmp_path / name)
    if os.environ.get("HAOBAN_SCREENSHOTS") == "1":
        kiosk.grab(SHOTS / name)


def materials(kiosk) -> list[str]:
    return [m["name"] for m in kiosk.model.view["guide"]["told"]["materials"]]


def open_ybk(kiosk) -> None:
    kiosk.tap("guideButton")
    type_keys(kiosk, "ybk")
    assert results(kiosk)[0] == "医保卡（社保卡）补领"
    kiosk.tap("guideResult_0")
    assert kiosk.screen() == "guide_matter"


def test_the_guide_its_questions_and_the_list_narrowing_with_each_tap(kiosk, tmp_path):
    open_ybk(kiosk)
    assert kiosk.item("guideVersion").property("text") == "第 1 版 · 2026-12-01 发布"
    assert not kiosk.visible("guideOfflineVersion")
    assert kiosk.item("guideQuestion").property("text") == "为谁办理？"
    assert materials(kiosk) == ["居民身份证", "《社会保障卡补换申请表》"]  # what is sure before any answer
    for i in range(3):
        answer = kiosk.item(f"guideAnswer_{i}")
        assert answer.height() >= 120 and answer.width() >= 120  # ≥ 15 mm (BigButton's measure)
    assert not kiosk.visible("guideUndoButton")
    kiosk.tap("guideAnswer_1")  # 他人代办
    assert kiosk.item("guideQuestion").property("text") == "补领还是换领？"
    assert materials(kiosk) == ["居民身份证", "《社会保障卡补换申请表》", "代办人居民身份证", "委托书"]
    kiosk.tap("guideAnswer_1")  # 损坏换领
    told = kiosk.model.view["guide"]["told"]
    assert told["final"] and not kiosk.visible("guideQuestion") and "原社会保障卡" in materials(kiosk)
    assert "原件 1 份" in kiosk.item("guideMaterial_0").property("text")
    if os.environ.get("HAOBAN_SCREENSHOTS") == "1":
        kiosk.grab(SHOTS / "kiosk-guide-list-zh.png")
    kiosk.tap("guideUndoButton")  # back one question: the list widens again
    assert kiosk.item("guideQuestion").property("text") == "补领还是换领？" and "原社会保障卡" not in materials(kiosk)
    kiosk.tap("guideAnswer_0")  # 遗失补领
    kiosk.tap("languageButton")
    kiosk.settle()
    assert kiosk.item("guideVersion").property("text") == "Version 1 · published 2026-12-01"
    assert kiosk.item("guideMaterial_2").property("text").startswith("3. Agent's ID card")
    kiosk.grab(tmp_path / "en.png")
    if os.environ.get("HAOBAN_SCREENSHOTS") == "1":
        kiosk.grab(SHOTS / "kiosk-guide-list-en.png")
    kiosk.tap("languageButton")
    kiosk.tap("guideTicketButton")
    assert kiosk.screen() == "confirm"
    assert kiosk.item("confirmPrepare").property("text") == "请准备：居民身份证、《社会保障卡补换申请表》、代办人居民身份证等 4 项"
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])
    if os.environ.get("HAOBAN_SCREENSHOTS") == "1":
        kiosk.grab(SHOTS / "kiosk-confirm-prepare-zh.png")
    before = len(kiosk.printer.device.output)
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    receipt = kiosk.printer.device.output[before:]
    assert FS_CHINESE_ON + "请准备：居民身份证、《社会保障".encode("gb18030") in receipt  # 16 a line: the roll's width


def test_the_list_is_printed_with_a_qr_code_that_opens_it_on_the_phone(kiosk):
    open_ybk(kiosk)
    kiosk.tap("guideAnswer_0")  # 本人
    kiosk.tap("guideAnswer_0")  # 遗失补领
    kiosk.tap("guidePrintButton")
    kiosk.wait_for(lambda: kiosk.model.view["guide"].get("printed") == "ok")
    assert kiosk.visible("guidePrinted")
    out = kiosk.printer.device.output
    assert FS_CHINESE_ON + "一次告知 · 材料清单".encode("gb18030") in out
    assert "补卡工本费 20 元".encode("gb18030") in out
    assert printed_qr_texts(out) == [f"{kiosk.hub.url}/api/v1/public/guides/YB-01?v=1&a=who.self~why.lost"]


def test_a_printer_failure_is_said_and_the_list_stays(kiosk):
    def broken(_r):
        raise OSError("paper out")

    kiosk.printer.render_guide_list = broken
    open_ybk(kiosk)
    kiosk.tap("guidePrintButton")
    kiosk.wait_for(lambda: kiosk.model.view["guide"].get("printed") == "failed")
    assert kiosk.item("guidePrinted").property("text") == "打印机暂时不能打印，请拍下本页"
    assert kiosk.screen() == "guide_matter" and materials(kiosk)


def test_offline_the_kiosk_shows_the_version_it_holds_and_says_so(kiosk, tmp_path):
    kiosk.hub.stop()
    from common.sync.transport import HubUnreachable

    try:
        kiosk.client.sync_once()
    except HubUnreachable:
        pass
    kiosk.wait_for(lambda: not kiosk.model.service.client.status.online, timeout=3)
    open_ybk(kiosk)
    assert kiosk.visible("guideOfflineVersion") and kiosk.item("guideVersion").property("text").startswith("第 1 版")
    assert kiosk.item("guideOfflineVersion").property("text") == "本机暂未联网，显示的是本机保存的版本"
    if os.environ.get("HAOBAN_SCREENSHOTS") == "1":
        kiosk.grab(SHOTS / "kiosk-guide-offline-zh.png")


def test_hostile_taps_never_break_the_page(kiosk):
    open_ybk(kiosk)
    for bad in (-1, 3, 99, 2**31 - 1):
        kiosk.model.guideAnswer(bad)
    kiosk.model.guideUndo()  # nothing to undo
    assert kiosk.model.view["guide"]["told"]["answered"] == [] and kiosk.screen() == "guide_matter"
    kiosk.tap("homeButton") if kiosk.visible("homeButton") else kiosk.model.reset()
    kiosk.model.guideAnswer(0)
    kiosk.model.guidePrint()
    assert kiosk.screen() == "home" and kiosk.model._guide_answers == {}


def test_no_glyph_of_the_guide_screens_is_missing_from_the_font(kiosk):
    from common.guides import files

    metrics = QFontMetrics(QGuiApplication.font())
    needed = set()
    for g in files.samples():
        needed |= set(g.name) | {c for m in g.materials for c in m.name + (m.notes or "")}
        needed |= {c for q in g.questions for c in q.text + "".join(a.text for a in q.answers)}
    missing = sorted(ch for ch in needed if not ch.isspace() and not metrics.inFontUcs4(ord(ch)))
    assert missing == []


def test_elder_mode_reads_the_final_list_aloud_from_the_clips(kiosk):
    """"请准备以下材料", each material whose name has clips (numbered), "其余材料请看屏幕上的清单" for the rest; only once the
    list is final, and not while English is shown (the clips are Chinese)."""
    from common.devices import voice

    kiosk.tap("elderButton")
    open_ybk(kiosk)
    kiosk.tap("guideAnswer_1")  # 他人代办: a question is still open, nothing read yet
    before = len(kiosk.speaker.played)
    kiosk.tap("guideAnswer_0")  # 遗失补领: the list is final
    assert len(kiosk.speaker.played) == before + 1
    names = materials(kiosk)
    expected = voice.list_clips(names)
    assert expected[:4] == ["p_guide_list", "n1", "w_jumin_shenfenzheng", "n2"]  # 居民身份证, then 代办人居民身份证
    assert expected[-1] == "p_guide_more"  # 《社会保障卡补换申请表》 has no clip: left to the screen
    assert kiosk.speaker.played[-1] == voice.join(expected)
    kiosk.tap("guideUndoButton")
    kiosk.tap("languageButton")
    kiosk.settle()
    kiosk.tap("guideAnswer_0")
    assert len(kiosk.speaker.played) == before + 1  # English: the screen only


def test_in_landscape_the_whole_list_shows_beside_the_matter_without_scrolling(kiosk, tmp_path):
    """At 1920x1080 the matter's facts and its list stand side by side: the last material is inside the list's view."""
    from qtbase.app import LANDSCAPE

    kiosk.resize(LANDSCAPE)
    open_ybk(kiosk)
    kiosk.tap("guideAnswer_1")  # 他人代办: four materials
    kiosk.tap("guideAnswer_0")
    kiosk.settle()
    box, last = kiosk.item("guideTell"), kiosk.item(f"guideMaterial_{len(materials(kiosk)) - 1}")
    bottom = last.mapToItem(box, 0, last.height()).y()
    assert 0 < bottom <= box.height(), (bottom, box.height())
    name = kiosk.item("guideMatterName")
    assert name.mapToItem(box, 0, 0).x() < 0  # the facts are to the left of the list, not above it
    kiosk.grab(tmp_path / "landscape-list.png")
