"""Receipt printing over python-escpos with our own Chinese path.

python-escpos 3.1 sends CJK text as raw GB18030 without the printer's Chinese mode and turns
full-width punctuation into "?", so text goes out here: encoded per printer (gb18030, gbk or
utf-8), wrapped in FS & ... FS . (Chinese character mode on, off) where the printer needs it.
The QR code is the printer's native one (~70 bytes instead of an image of several KB).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from escpos import escpos
from escpos.exceptions import Error as EscposError

from common.domain.clock import SHANGHAI
from common.domain.errors import PrinterFailed  # also imported from here by callers

FS_CHINESE_ON = b"\x1c\x26"  # FS &
FS_CHINESE_OFF = b"\x1c\x2e"  # FS .
ENCODINGS = ("gb18030", "gbk", "utf-8")


@dataclass(frozen=True)
class Receipt:
    site_name: str
    number: str
    queue_name: str
    item_name: str
    people_ahead: int | None
    issued_at: datetime
    status_url: str


class Printer(Protocol):
    def print_receipt(self, receipt: Receipt) -> None:
        """Print, or raise `PrinterFailed` (paper out, offline): the caller shows the ticket on screen."""


class EscposPrinter:
    """A receipt printer behind python-escpos (USB, serial, network, file or Dummy)."""

    def __init__(self, device: escpos.Escpos, encoding: str = "gb18030", chinese_mode: bool = True,
                 check_paper: bool = False) -> None:
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {ENCODINGS}")
        self.device, self.encoding, self.chinese_mode = device, encoding, chinese_mode
        self.check_paper = check_paper  # only printers that answer status queries (USB, serial)

    def text(self, line: str) -> None:
        data = line.encode(self.encoding, errors="replace")
        if self.chinese_mode and self.encoding != "utf-8":
            data = FS_CHINESE_ON + data + FS_CHINESE_OFF
        self.device._raw(data + b"\n")

    def print_receipt(self, r: Receipt) -> None:
        try:
            if self.check_paper and self.device.paper_status() == 0:
                raise PrinterFailed("printer_no_paper")
            self.render(r)
        except PrinterFailed:
            raise
        except (EscposError, OSError) as exc:
            raise PrinterFailed() from exc

    def render(self, r: Receipt) -> None:
        d = self.device
        d.hw("INIT")
        d.set(align="center", bold=True)
        self.text(r.site_name)
        d.set(align="center", bold=False)
        self.text("排队号码")
        d.set(align="center", double_width=True, double_height=True, bold=True)
        self.text(r.number)
        d.set(align="center", normal_textsize=True, bold=False)
        self.text(f"{r.queue_name}：{r.item_name}")
        if r.people_ahead is not None:
            self.text(f"您前面还有 {r.people_ahead} 人等候")
        self.text(f"取号时间：{r.issued_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")
        self.text("请留意叫号（过号请到服务台）")
        d.qr(r.status_url, native=True, size=6)  # centred by the alignment set above
        self.text("微信或手机扫码，随时查看排队进度")
        d.cut()


def dummy_printer(encoding: str = "gb18030", chinese_mode: bool = True) -> EscposPrinter:
    """The simulator: a printer that keeps the bytes (`.device.output`)."""
    from escpos.printer import Dummy

    return EscposPrinter(Dummy(), encoding, chinese_mode)
