"""The printed 一次告知 list: byte-exact golden files (tests/golden/guide-list-*.bin) per code page, what the bytes must
hold, its QR read back by the real decoder, and the ticket receipt's "请准备" line (its own golden file)."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from common.devices.printer import FS_CHINESE_OFF, FS_CHINESE_ON, LINE, Receipt, dummy_printer, wrap
from common.guides import files, tell
from common.guides.rules import checklist
from common.stations.guide import guide_list as guide_list_of
from devtools.receipts import printed_qr_texts

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
AT = datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)  # 23:59 on 31 Dec in Shanghai
YB01 = {g.item: g for g in files.samples()}["YB-01"]
ANSWERS = {"who": "agent", "why": "lost"}
URL = tell.link("http://127.0.0.1:8300", YB01, ANSWERS)


def guide_list():
    return guide_list_of("青浦区行政服务中心", tell.view(YB01, ANSWERS), URL, AT)


def golden(name: str, out: bytes) -> bytes:
    path = GOLDEN / name
    if os.environ.get("HAOBAN_WRITE_GOLDEN") == "1":  # after a deliberate change: review the diff of the .bin
        path.write_bytes(out)
    return path.read_bytes()


@pytest.mark.parametrize("encoding, chinese_mode", [("gb18030", True), ("gbk", True), ("utf-8", False)])
def test_guide_list_bytes_match_the_golden_file(encoding, chinese_mode):
    printer = dummy_printer(encoding, chinese_mode)
    printer.print_guide_list(guide_list())
    assert printer.device.output == golden(f"guide-list-{encoding}.bin", printer.device.output)


def test_the_list_holds_every_material_with_form_and_copies_and_the_day_in_shanghai():
    printer = dummy_printer("gb18030")
    printer.print_guide_list(guide_list())
    out = printer.device.output
    assert b"?" not in out.split(b"\x1d(k")[0]  # no character lost before the QR code
    for text in ("一次告知 · 材料清单", "办事指南第 1 版 · 2026-12-01 发布", "1. 居民身份证（原件 1 份）",
                 "· 为谁办理？他人代办", "打印时间：2026-12-31 23:59", "收费：补卡工本费 20 元"):
        assert FS_CHINESE_ON + text.encode("gb18030") + FS_CHINESE_OFF in out, text
    assert "代办人居民身份证".encode("gb18030") in out and "原社会保障卡".encode("gb18030") not in out


def test_the_qr_code_opens_the_same_list_on_the_phone_and_carries_nothing_personal():
    printer = dummy_printer()
    printer.print_guide_list(guide_list())
    assert printed_qr_texts(printer.device.output) == [URL]
    assert URL == "http://127.0.0.1:8300/api/v1/public/guides/YB-01?v=1&a=who.agent~why.lost"


def test_lines_never_pass_the_roll_width():
    for text in ("1. 《社会保障卡补换申请表》（原件 1 份）", "a" * 70, "混合 mixed 文字" * 5, ""):
        lines = wrap(text)
        assert "".join(lines) == text
        assert all(sum(2 if "\u4e00" <= c <= "\u9fff" or c in "《》（）、：" else 1 for c in ln) <= LINE for ln in lines)


def test_the_ticket_receipt_prints_what_to_have_ready():
    told = checklist(YB01, {})
    receipt = Receipt(site_name="青浦区行政服务中心", number="A012", queue_name="医保社保", item_name="医保卡（社保卡）补领",
                      people_ahead=3, issued_at=datetime(2026, 11, 26, 1, 30, tzinfo=timezone.utc),
                      status_url="http://127.0.0.1:8300/api/v1/public/tickets/Zq3xv0b8", prepare=tell.prepare(told))
    printer = dummy_printer("gb18030")
    printer.print_receipt(receipt)
    out = printer.device.output
    assert out == golden("receipt-prepare-gb18030.bin", out)
    assert FS_CHINESE_ON + "请准备：居民身份证、《社会保障卡".encode("gb18030") + FS_CHINESE_OFF in out


@pytest.mark.parametrize("raw", ["x" * 601, "who", "who.", ".a", "who.a b", "who.a~" * 21, "a.b.c", "<s>.x",
                                 "who.\x00", "身.份"])
def test_garbage_answers_in_a_link_are_one_clear_error(raw):
    from common.domain import errors as e

    with pytest.raises(e.InvalidInput) as err:
        tell.parse_answers(raw)
    assert err.value.zh and err.value.en


def test_a_link_round_trips_to_the_same_list():
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(URL).query)
    assert tell.parse_version(query["v"][0]) == 1
    assert tell.view(YB01, tell.parse_answers(query["a"][0])) == tell.view(YB01, ANSWERS)


BIRTH = [{g.item: g for g in files.samples()}[code] for code in ("HJ-03", "YB-04", "YB-07")]


def birth(answers: dict[str, str], missing: list[dict] | None = None) -> dict:
    return tell.bundle_view("BD-01", "新生儿出生一件事", "Newborn, all in one go", BIRTH, missing or [], answers)


def test_a_bundle_list_is_the_union_of_its_items_lists_each_question_asked_once():
    first = birth({})
    assert first["bundle"] and first["question"]["id"] == "married" and not first["final"]
    names = [m["name"] for m in first["materials"]]
    assert len(names) == len(set(names))
    every = {m.name for g in BIRTH for m in g.materials if m.required}
    assert every == set(names)  # before any answer: what every item surely asks, once
    done = birth({"married": "yes", "who": "minor"})
    assert done["final"] and done["answers"] == {"married": "yes", "who": "minor"} and len(done["answered"]) == 2
    assert done["promised_days"] == max(g.promised_days for g in BIRTH)
    # an answer the later item does not offer for its question of the same id: that item's question is asked alone
    odd = birth({"married": "yes", "who": "agent"})
    assert odd["question"]["id"] == "YB-07-who"
    fixed = birth({"married": "yes", "who": "agent", "YB-07-who": "self"})
    assert fixed["final"] and fixed["answers"] == {"married": "yes", "YB-07-who": "self"}


def test_the_printed_bundle_list_names_its_items_and_what_is_missing_golden():
    shown = birth({"married": "yes", "who": "minor"}, [{"name": "出生医学证明办理", "name_en": "Birth certificate"}])
    url = tell.link_of("http://127.0.0.1:8300", shown)
    assert url == "http://127.0.0.1:8300/api/v1/public/guides/BD-01?a=married.yes~who.minor"
    printer = dummy_printer("gb18030")
    printer.print_guide_list(guide_list_of("朱家角镇社区事务受理服务中心", shown, url, AT))
    out = printer.device.output
    assert out == golden("guide-list-bundle-gb18030.bin", out)
    assert "办事指南第".encode("gb18030") not in out and printed_qr_texts(out) == [url]
    assert FS_CHINESE_ON + "· 包含 3 个事项：".encode("gb18030") in out
    assert "出生医学证明办理的办事指南尚在编".encode("gb18030") in out  # the item without a guide is named
