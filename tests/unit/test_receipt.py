"""Receipts: byte-exact golden files from escpos' Dummy printer, and what those bytes must contain."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from escpos.printer import Dummy

from common.devices.printer import FS_CHINESE_OFF, FS_CHINESE_ON, EscposPrinter, PrinterFailed, Receipt, dummy_printer

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
RECEIPT = Receipt(site_name="青浦区行政服务中心", number="A012", queue_name="医保社保", item_name="医保卡（社保卡）补领",
                  people_ahead=3, issued_at=datetime(2026, 11, 26, 1, 30, tzinfo=timezone.utc),
                  status_url="http://127.0.0.1:8300/api/v1/public/tickets/Zq3xv0b8")


@pytest.mark.parametrize("encoding, chinese_mode", [("gb18030", True), ("gbk", True), ("utf-8", False)])
def test_receipt_bytes_match_the_golden_file(encoding, chinese_mode):
    printer = dummy_printer(encoding, chinese_mode)
    printer.print_receipt(RECEIPT)
    out = printer.device.output
    golden = GOLDEN / f"receipt-{encoding}.bin"
    if os.environ.get("HAOBAN_WRITE_GOLDEN") == "1":  # after a deliberate change: review the diff of the .bin
        golden.write_bytes(out)
    assert out == golden.read_bytes()


def test_chinese_text_and_full_width_punctuation_are_encoded_not_replaced():
    printer = dummy_printer("gb18030")
    printer.print_receipt(RECEIPT)
    out = printer.device.output
    assert b"?" not in out.split(b"\x1d(k")[0]  # no character was lost before the QR code
    for text in ("青浦区行政服务中心", "医保社保：医保卡（社保卡）补领", "请留意叫号（过号请到服务台）", "取号时间：2026-11-26 09:30"):
        assert FS_CHINESE_ON + text.encode("gb18030") + FS_CHINESE_OFF in out
    assert "（".encode("gb18030") == b"\xa3\xa8" and "：".encode("gb18030") == b"\xa3\xba"


def test_native_qr_code_carries_the_status_url_and_the_paper_is_cut():
    printer = dummy_printer()
    printer.print_receipt(RECEIPT)
    out = printer.device.output
    url = RECEIPT.status_url.encode()
    store = b"\x1d(k" + (len(url) + 3).to_bytes(2, "little") + b"1P0" + url  # GS ( k: store the QR data
    assert store in out and b"\x1d(k\x03\x001Q0" in out  # ... and print it
    assert out.endswith(b"\x1dV\x00") and len(out) < 600  # cut; a native QR keeps the receipt small


def test_utf8_printers_get_no_chinese_mode_command():
    printer = dummy_printer("utf-8", chinese_mode=False)
    printer.print_receipt(RECEIPT)
    assert FS_CHINESE_ON not in printer.device.output
    assert "医保卡（社保卡）补领".encode() in printer.device.output


class Offline(Dummy):
    def _raw(self, msg):
        raise OSError("printer offline")


class OutOfPaper(Dummy):
    def paper_status(self):
        return 0


def test_printer_failures_become_one_error_with_a_plain_message():
    with pytest.raises(PrinterFailed) as err:
        EscposPrinter(Offline()).print_receipt(RECEIPT)
    assert "屏幕" in err.value.zh
    with pytest.raises(PrinterFailed) as err:
        EscposPrinter(OutOfPaper(), check_paper=True).print_receipt(RECEIPT)
    assert "打印纸" in err.value.zh


def test_the_set_up_screens_test_page_matches_its_golden_file_and_carries_the_test_code():
    printer = dummy_printer("gb18030", True)
    printer.print_test_page()
    out = printer.device.output
    golden = GOLDEN / "test-page-gb18030.bin"
    if os.environ.get("HAOBAN_WRITE_GOLDEN") == "1":
        golden.write_bytes(out)
    assert out == golden.read_bytes()
    assert "能看清这几行中文".encode("gb18030") in out and b"HB1:TEST" in out and FS_CHINESE_ON in out
