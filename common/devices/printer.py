"""Receipt printing over python-escpos with our own Chinese path.

python-escpos 3.1 sends CJK text as raw GB18030 without the printer's Chinese mode and turns
full-width punctuation into "?", so text goes out here: encoded per printer (gb18030, gbk or
utf-8), wrapped in FS & ... FS . (Chinese character mode on, off) where the printer needs it.
The QR code is the printer's native one (~70 bytes instead of an image of several KB).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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


@dataclass(frozen=True)
class CaseReceipt:
    """The 受理回执 of a 办不成事 case registered at the kiosk. `answer_days`: the working days to the answer of a
    general and of a complex case (common.domain.cases.CLASSES: the office classifies the case later, so the
    receipt cannot promise one day); `phone_masked`: the number left for the call back (138****5678), or None."""

    site_name: str
    number: str
    day: date
    matter: str
    cause: str
    answer_days: tuple[int, int]
    phone_masked: str | None
    status_url: str
    offline: bool = False  # registered on the kiosk while the network was down: sent to the centre later
    phone_lost: bool = False  # a phone was given but could not be sealed (a kiosk that never synced, offline)


# What a 受理回执 printed offline adds (short lines: 16 Chinese or 32 Latin characters fit a 58 mm roll)
OFFLINE_LINES = ("本机离线登记，已受理；", "恢复联网后自动报送服务中心，", "报送后可扫码查看办理进度", "Registered while offline: it is",
                 "sent to the centre when the", "connection is back, and can be", "followed by the code then.")
PHONE_LOST_LINES = ("本机未能记录您的电话，", "答复请扫码查看", "Your phone number could not be", "taken here: scan the code for",
                    "the answer.")


class Printer(Protocol):
    def print_receipt(self, receipt: Receipt) -> None:
        """Print, or raise `PrinterFailed` (paper out, offline): the caller shows the ticket on screen."""

    def print_case_receipt(self, receipt: CaseReceipt) -> None:
        """The same for a case's 受理回执: the caller shows the case number on screen."""


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
        self._print(self.render, r)

    def print_case_receipt(self, r: CaseReceipt) -> None:
        self._print(self.render_case, r)

    def _print(self, render, r) -> None:
        try:
            if self.check_paper and self.device.paper_status() == 0:
                raise PrinterFailed("printer_no_paper")
            render(r)
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

    def render_case(self, r: CaseReceipt) -> None:
        """Short lines (16 characters fit a 58 mm roll): the printer would break longer ones anywhere."""
        general, complex_ = r.answer_days
        d = self.device
        d.hw("INIT")
        d.set(align="center", bold=True)
        self.text(r.site_name)
        self.text("办不成事反映 受理回执")
        d.set(align="center", bold=False)
        self.text("受理编号")
        d.set(align="center", double_width=True, double_height=True, bold=True)
        self.text(r.number)
        d.set(align="left", normal_textsize=True, bold=False)
        self.text(f"受理日期：{r.day:%Y-%m-%d}")
        self.text(f"反映事项：{r.matter}")
        self.text(f"问题类型：{r.cause}")
        self.text("我们将分类办理并答复您：")
        self.text(f"一般问题 {general} 个工作日内")
        self.text(f"复杂问题 {complex_} 个工作日内")
        if r.phone_lost:
            for line in PHONE_LOST_LINES:
                self.text(line)
        else:
            self.text(f"我们将在上述期限内联系您（{r.phone_masked}）" if r.phone_masked else "您未留电话，答复请扫码查看")
        if r.offline:
            for line in OFFLINE_LINES:
                self.text(line)
        d.set(align="center")
        d.qr(r.status_url, native=True, size=6)
        self.text("微信或手机扫码，查看办理进度")
        self.text("也可拨打 12345 市民服务热线")
        d.cut()


def dummy_printer(encoding: str = "gb18030", chinese_mode: bool = True) -> EscposPrinter:
    """The simulator: a printer that keeps the bytes (`.device.output`)."""
    from escpos.printer import Dummy

    return EscposPrinter(Dummy(), encoding, chinese_mode)
