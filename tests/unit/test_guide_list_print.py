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
