"""The kiosk's 查询·办事指南 driven like a citizen would: taps by object name on the real Qt Quick window (the kiosk's own
keyboard, no IME), the demo hub on loopback. The search is local: with the hub cut it still finds, and the ticket
comes from the kiosk's lease."""
from __future__ import annotations

from sqlalchemy import select, text

from common.devices.voice import prompt_wav
from common.stations.guide import SHOWN
from common.sync.store import OUTBOX
from kiosk.guide import LONGEST


def type_keys(kiosk, keys: str) -> None:
    for key in keys:
        kiosk.tap(f"guideKey_{key}")


def results(kiosk) -> list[str]:
    kiosk.wait_for(lambda: not kiosk.model.guide_timer.isActive())  # the debounced search has run
    kiosk.settle()
    return [r["name"] for r in kiosk.model.view["guide"]["results"]]


def issued(kiosk) -> list[tuple[str, str]]:
    with kiosk.hub.engine.connect() as conn:
        return list(conn.execute(text("select number, item_id from tickets order by number")).all())


def test_ybk_on_the_keys_finds_the_medical_card_and_takes_its_ticket_at_the_hub(kiosk, tmp_path):
    kiosk.tap("guideButton")
    assert kiosk.screen() == "guide" and kiosk.visible("guideKeyboard")
    for key in ("a", "z", "0", "9", "space", "del", "clear"):
        assert kiosk.item(f"guideKey_{key}").height() >= 80  # a big target for an old hand
    type_keys(kiosk, "ybk")
    assert kiosk.item("guideQuery").property("text").startswith("ybk")
    found = results(kiosk)
    assert found[0] == "医保卡（社保卡）补领" and len(found) <= SHOWN
    assert kiosk.item("guideResult_0").property("subtitle") == "医保"
    kiosk.grab(tmp_path / "ybk.png")
    kiosk.tap("guideResult_0")
    assert kiosk.screen() == "guide_matter"
    assert kiosk.item("guideMatterName").property("text") == "医保卡（社保卡）补领"
    assert kiosk.item("guideMatterWindows").property("text") == "A · 医保社保 队列 · 1、2、3、7 号窗口"
    assert kiosk.visible("guideMaterials")  # the guide's material list comes later: said so meanwhile
    kiosk.tap("backButton")  # back to the results, the query kept
    assert kiosk.screen() == "guide" and kiosk.model.view["guide"]["query"] == "ybk"
    kiosk.tap("guideResult_0")
    kiosk.tap("guideTicketButton")
    assert kiosk.screen() == "confirm"
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])
    kiosk.tap("backButton")  # from the confirm screen back to the matter's page
    assert kiosk.screen() == "guide_matter"
    kiosk.tap("guideTicketButton")
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    number = kiosk.model.view["ticket"]["number"]
    assert issued(kiosk) == [(number, "qp-centre-YB-01")] and number.startswith("A")


def test_a_chip_runs_its_question_and_a_bundle_is_said_to_be_one(kiosk):
    kiosk.tap("guideButton")
    kiosk.tap("guideChip_1")  # 孩子出生
    assert kiosk.model.view["guide"]["query"] == "孩子出生"
    assert results(kiosk)[0] == "新生儿出生一件事"
    assert kiosk.item("guideResult_0").property("subtitle").endswith("· 一件事")
    kiosk.tap("guideChip_0")
    assert results(kiosk)[0] == "居民身份证申领、换领、补领"
    kiosk.tap("guideResult_0")
    kiosk.tap("guideTicketButton")
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    assert issued(kiosk)[0][1] == "qp-centre-HJ-06"


def test_no_result_is_said_in_both_languages_with_what_to_try(kiosk, tmp_path):
    kiosk.tap("guideButton")
    type_keys(kiosk, "qqxxzz")
    assert results(kiosk) == [] and kiosk.visible("guideNoResult")
    assert kiosk.item("guideTry").property("text") == "试试输入拼音首字母，如 ybk（医保卡），或点上面的常见问题"
    assert "咨询台" in kiosk.item("guideHelpDesk").property("text")
    assert kiosk.model.guide.misses == 0  # reported only when the citizen leaves the screen
    kiosk.tap("languageButton")
    kiosk.settle()
    assert kiosk.item("guideTry").property("text").startswith("Try the initials of the pinyin, e.g. ybk")
    assert kiosk.item("guideHelpDesk").property("text") == "Still not found? Please ask at the help desk"
    kiosk.grab(tmp_path / "none-en.png")
    kiosk.tap("guideKey_clear")
    assert results(kiosk) == [] and not kiosk.visible("guideNoResult")  # an empty box is not a miss
    kiosk.tap("homeButton")  # leaving the screen: the search that found nothing goes to the hub with the next sync
    kiosk.wait_for(lambda: kiosk.screen() != "guide")
    assert kiosk.model.guide.misses == 1
    with kiosk.model.service.client.store.engine.connect() as conn:
        outbox = [w for (w,) in conn.execute(select(OUTBOX.c.wire))]
    assert [w["d"] for w in outbox if w["k"] == "search_missed"] == [{"text": "qqxxzz"}]  # (the wire's short keys)


def test_every_key_pressed_200_times_never_crashes_and_stays_bounded(kiosk):
    kiosk.tap("guideButton")
    keys = [*"abcdefghijklmnopqrstuvwxyz0123456789", "space", "del", "clear"]
    for n in range(200):  # every key, in a scrambled order, "clear" among them
        kiosk.tap(f"guideKey_{keys[(n * 7) % len(keys)]}")
        assert len(kiosk.model.view["guide"]["query"]) <= LONGEST
    assert len(results(kiosk)) <= SHOWN
    kiosk.tap("guideKey_clear")
    for _ in range(LONGEST + 20):
        kiosk.tap("guideKey_m")
    assert kiosk.model.view["guide"]["query"] == "m" * LONGEST
    for key in ("<script>", "'; drop table tickets; --", "身", "\x00", ""):
        kiosk.model.guideKey(key)  # not a key of the keyboard: ignored
    assert kiosk.model.view["guide"]["query"] == "m" * LONGEST
    assert len(results(kiosk)) <= SHOWN and kiosk.screen() == "guide"
    kiosk.model.guideOpen(99)
    kiosk.model.guideOpen(-1)
    kiosk.model.guideChip(6)
    assert kiosk.screen() == "guide"


def test_idle_returns_home_and_nothing_of_the_query_is_left(kiosk):
    kiosk.tap("guideButton")
    type_keys(kiosk, "gjj")
    assert results(kiosk)
    kiosk.model.idle_seconds = 0.3
    kiosk.model.touch()
    kiosk.wait_for(lambda: kiosk.screen() == "home", timeout=3)
    assert kiosk.model.view["guide"] == {"query": "", "results": [], "no_result": False, "matter": {}}
    assert kiosk.model._guide_hits == [] and kiosk.model._guide_choice is None
    kiosk.tap("guideButton")
    assert kiosk.item("guideQuery").property("text") == "输入事项名称的拼音或首字母"


def test_offline_the_search_still_finds_and_the_ticket_comes_from_the_lease(kiosk):
    kiosk.hub.stop()
    kiosk.tap("guideButton")
    type_keys(kiosk, "ybk")
    assert results(kiosk)[0] == "医保卡（社保卡）补领"
    kiosk.tap("guideResult_0")
    kiosk.tap("guideTicketButton")
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    ticket = kiosk.model.view["ticket"]
    assert "offline_ticket" in ticket["notices"] and ticket["item"] == "医保卡（社保卡）补领"
    assert kiosk.client.store.backlog() == 1 and kiosk.visible("offlineBadge")


def test_elder_mode_speaks_the_guide_and_its_results_once(kiosk):
    kiosk.tap("elderButton")
    kiosk.tap("guideButton")
    type_keys(kiosk, "ybk")
    results(kiosk)
    type_keys(kiosk, "b")
    results(kiosk)
    assert kiosk.speaker.played == [prompt_wav(p) for p in ("welcome", "guide", "guide_results")]
    assert kiosk.item("guideKey_a").height() >= kiosk.item("guideKey_a").width() * 0.8
