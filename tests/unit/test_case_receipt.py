"""The 受理回执 of a 办不成事 case: byte-exact golden files from escpos' Dummy printer, what those bytes say, and the
printed QR code read back by the real decoder."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from common.devices.printer import (
    FS_CHINESE_OFF,
    FS_CHINESE_ON,
    OFFLINE_LINES,
    PHONE_LOST_LINES,
    CaseReceipt,
    EscposPrinter,
    PrinterFailed,
    dummy_printer,
)
from devtools.receipts import printed_qr_texts
from tests.unit.test_receipt import Offline

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
RECEIPT = CaseReceipt(site_name="青浦区行政服务中心", number="BC4K7PX2MQ", day=date(2026, 11, 26),
                      matter="医保卡（社保卡）补领", cause="材料要求不清楚", answer_days=(5, 15),
                      phone_masked="138****5678", status_url="https://haoban.qingpu.example/c/Zq3xv0b8Yt2k")


def printed(receipt: CaseReceipt = RECEIPT, encoding: str = "gb18030", chinese_mode: bool = True) -> bytes:
    printer = dummy_printer(encoding, chinese_mode)
    printer.print_case_receipt(receipt)
    return printer.device.output


@pytest.mark.parametrize("encoding, chinese_mode", [("gb18030", True), ("gbk", True), ("utf-8", False)])
def test_case_receipt_bytes_match_the_golden_file(encoding, chinese_mode):
    out = printed(encoding=encoding, chinese_mode=chinese_mode)
    golden = GOLDEN / f"case-receipt-{encoding}.bin"
    if os.environ.get("HAOBAN_WRITE_GOLDEN") == "1":  # after a deliberate change: review the diff of the .bin
        golden.write_bytes(out)
    assert out == golden.read_bytes()


def test_the_receipt_says_what_was_registered_and_when_the_answer_comes():
    out = printed()
    assert b"?" not in out.split(b"\x1d(k")[0]  # no character lost before the QR code
    for line in ("办不成事反映 受理回执", "受理日期：2026-11-26", "反映事项：医保卡（社保卡）补领", "问题类型：材料要求不清楚",
                 "一般问题 5 个工作日内", "复杂问题 15 个工作日内", "我们将在上述期限内联系您（138****5678）",
                 "也可拨打 12345 市民服务热线"):
        assert FS_CHINESE_ON + line.encode("gb18030") + FS_CHINESE_OFF in out, line
    assert b"\x1b!\x30" in out.split(b"BC4K7PX2MQ")[0][-40:]  # the number in double width and height
    assert "5678".encode() in out and "13800".encode() not in out  # the phone masked, never in full
    assert out.endswith(b"\x1dV\x00") and len(out) < 700


def test_without_a_phone_the_receipt_sends_the_citizen_to_the_qr_code():
    out = printed(CaseReceipt(**{**RECEIPT.__dict__, "phone_masked": None}))
    assert "您未留电话，答复请扫码查看".encode("gb18030") in out and "联系您".encode("gb18030") not in out


def test_the_printed_qr_code_reads_back_as_the_case_page():
    assert printed_qr_texts(printed()) == [RECEIPT.status_url]
    assert printed_qr_texts(printed(encoding="utf-8", chinese_mode=False)) == [RECEIPT.status_url]


def test_a_printer_failure_is_one_error():
    with pytest.raises(PrinterFailed):
        EscposPrinter(Offline()).print_case_receipt(RECEIPT)


OFFLINE = CaseReceipt(**{**RECEIPT.__dict__, "offline": True})


def test_the_offline_receipt_bytes_match_their_golden_file():
    """Registered on the kiosk while the network was down: the same receipt, saying in Chinese and English that the
    case goes to the centre when the connection is back and can be followed by the code once it has arrived."""
    out = printed(OFFLINE)
    golden = GOLDEN / "case-receipt-offline-gb18030.bin"
    if os.environ.get("HAOBAN_WRITE_GOLDEN") == "1":
        golden.write_bytes(out)
    assert out == golden.read_bytes()
    for line in OFFLINE_LINES:
        assert line.encode("gb18030") in out, line
        assert len(line) <= (16 if not line.isascii() else 32), line  # a 58 mm roll breaks longer lines anywhere
    assert b"?" not in out.split(b"\x1d(k")[0]  # every character printable in GB18030, before the QR code
    assert printed_qr_texts(out) == [RECEIPT.status_url]
    assert not any(line.encode("gb18030") in printed() for line in OFFLINE_LINES)  # online: none of it


def test_a_phone_that_could_not_be_taken_is_said_instead_of_a_call_back():
    out = printed(CaseReceipt(**{**OFFLINE.__dict__, "phone_masked": None, "phone_lost": True}))
    for line in PHONE_LOST_LINES:
        assert line.encode("gb18030") in out, line
    assert "联系您".encode("gb18030") not in out and "您未留电话".encode("gb18030") not in out
