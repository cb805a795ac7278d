"""Receipt printing over python-escpos with our own Chinese path.

python-escpos 3.1 sends CJK text as raw GB18030 without the printer's Chinese mode and turns
full-width punctuation into "?", so text goes out here: encoded per printer (gb18030, gbk or
utf-8), wrapped in FS & ... FS . (Chinese character mode on, off) where the printer needs it.
The QR code is the printer's native one (~70 bytes instead of an image of several KB).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
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
    prepare: str = ""  # "请准备：…" of the matter's guide (common.guides.tell.prepare), "" without a guide


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


@dataclass(frozen=True)
class GuideList:
    """The printed 一次告知 list of one matter under the citizen's answers: `materials` as (name, form, copies,
    required); `url` opens the same list on the phone (common.guides.tell.link: no personal data in it)."""

    site_name: str
    name: str
    version: int  # 0: a 一件事 bundle's list (its items' guides have their own versions)
    published: str
    answered: tuple[str, ...]  # "为谁办理？本人"
    materials: tuple[tuple[str, str, int, bool], ...]
    promised_days: int
    visits: int
    fees: tuple[tuple[str, float], ...]
    place: str
    hours: str
    phone: str
    url: str
    printed_at: datetime
    notes: tuple[str, ...] = field(default=())


LINE = 32  # columns of a 58 mm roll: 32 Latin or 16 Chinese characters


def wrap(text: str, width: int = LINE) -> list[str]:
    """Lines of at most `width` columns (a Chinese character takes two), so the printer never breaks one itself."""
    lines, line, used = [], "", 0
    for c in text:
        w = 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
        if used + w > width:
            lines.append(line)
            line, used = "", 0
        line, used = line + c, used + w
    return [*lines, line] if line or not lines else lines


# What a 受理回执 printed offline adds (short lines: 16 Chinese or 32 Latin characters fit a 58 mm roll)
OFFLINE_LINES = ("本机离线登记，已受理；", "恢复联网后自动报送服务中心，", "报送后可扫码查看办理进度", "Registered while offline: it is",
                 "sent to the centre when the", "connection is back, and can be", "followed by the code then.")
PHONE_LOST_LINES = ("本机未能记录您的电话，", "答复请扫码查看", "Your phone number could not be", "taken here: scan the code for",
                    "the answer.")


TEST_QR = "HB1:TEST"  # what the test page's QR code holds; the set-up screen's test scan expects it
TEST_LINES = ("能看清这几行中文，打印机就正常", "（全角标点：，。；“好办”）", "If you can read this,", "the printer works")


class Printer(Protocol):
    def print_receipt(self, receipt: Receipt) -> None:
        """Print, or raise `PrinterFailed` (paper out, offline): the caller shows the ticket on screen."""

    def print_case_receipt(self, receipt: CaseReceipt) -> None:
        """The same for a case's 受理回执: the caller shows the case number on screen."""

    def print_guide_list(self, guide_list: GuideList) -> None:
        """The same for a 一次告知 list: the caller says so, the list stays on screen."""


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

    def print_guide_list(self, r: GuideList) -> None:
        self._print(self.render_guide_list, r)

    def print_test_page(self, qr: str = TEST_QR) -> None:
        """The set-up screen's test print: Chinese, English and a QR code the test scan can read back."""
        self._print(self.render_test_page, qr)

    def render_test_page(self, qr: str) -> None:
        d = self.device
        d.hw("INIT")
        d.set(align="center", bold=True)
        self.text("好办 打印测试")
        d.set(align="center", bold=False)
        for line in TEST_LINES:
            self.text(line)
        d.qr(qr, native=True, size=6)
        self.text("用扫码器扫这个码，测试扫码")
        self.text("Scan this code to test the scanner")
        d.cut()

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
        if r.prepare:
            d.set(align="left")
            for line in wrap(f"请准备：{r.prepare}"):
                self.text(line)
            d.set(align="center")
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


    def render_guide_list(self, r: GuideList) -> None:
        """一次告知: the matter, its version, the answers, every material with its form and copies, time limit,
        fees, place and hours, then the QR code of the same list on the phone."""
        d = self.device
        d.hw("INIT")
        d.set(align="center", bold=True)
        self.text(r.site_name)
        d.set(align="center", double_height=True, bold=True)
        self.text("一次告知 · 材料清单")
        d.set(align="left", normal_textsize=True, bold=True)
        for line in wrap(r.name):
            self.text(line)
        d.set(align="left", bold=False)
        if r.version:  # a 一件事 bundle's list (version 0) names its items instead, among the answers
            self.text(f"办事指南第 {r.version} 版" + (f" · {r.published} 发布" if r.published else ""))
        for answer in r.answered:
            for line in wrap(f"· {answer}"):
                self.text(line)
        self.text("-" * LINE)
        self.text("请带齐以下材料：")
        for n, (name, form, copies, required) in enumerate(r.materials, 1):
            tail = f"（{form} {copies} 份" + ("" if required else "，按您的情况") + "）"
            for line in wrap(f"{n}. {name}{tail}"):
                self.text(line)
        self.text("-" * LINE)
        self.text(f"承诺时限：{r.promised_days} 个工作日" if r.promised_days else "承诺时限：即办")
        self.text(f"到现场次数：{r.visits} 次")
        fees = "；".join(f"{name} {yuan:g} 元" for name, yuan in r.fees) or "不收费"
        for text in (f"收费：{fees}", f"地点：{r.place}", f"时间：{r.hours}", f"咨询电话：{r.phone}", *r.notes):
            for line in wrap(text):
                self.text(line)
        self.text(f"打印时间：{r.printed_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")
        d.set(align="center")
        d.qr(r.url, native=True, size=5)
        self.text("手机扫码，随时查看这份清单")
        d.cut()


def dummy_printer(encoding: str = "gb18030", chinese_mode: bool = True) -> EscposPrinter:
    """The simulator: a printer that keeps the bytes (`.device.output`)."""
    from escpos.printer import Dummy

    return EscposPrinter(Dummy(), encoding, chinese_mode)


def open_printer(spec: str, encoding: str = "gb18030", chinese_mode: bool = True) -> EscposPrinter:
    """The printer of a kiosk spec (kiosk.toml `printer`): usb:VID:PID, serial:PORT, network:HOST[:PORT], file:PATH
    (a printer's device file, /dev/usb/lp0) or dummy (the simulator: receipts kept in memory)."""
    from escpos import printer as p

    kind, _, arg = spec.partition(":")
    device = {
        "usb": lambda: p.Usb(*(int(x, 16) for x in arg.split(":"))),
        "serial": lambda: p.Serial(arg),
        "network": lambda: p.Network(arg),
        "file": lambda: p.File(arg),
        "dummy": lambda: p.Dummy(),
    }[kind]()
    return EscposPrinter(device, encoding, chinese_mode, check_paper=kind in ("usb", "serial"))
