"""The kiosk's use cases, without Qt: the catalogue to show, a preview of the wait, taking a ticket
(online from the hub, offline from leased numbers), printing it, and its QR code."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import qrcode

from . import errors as e
from .devices.printer import Printer, PrinterFailed, Receipt
from .sync_client import HubUnreachable, SyncClient

CATEGORIES = ("personal", "enterprise", "bundle")
# The most asked-for departments first (plan §4: 医保 and 就业 are the high-frequency items).
DEPARTMENT_ORDER = ("医保", "社保", "就业", "户籍", "公积金", "民政", "老龄", "残联", "企业登记", "税务")


@dataclass(frozen=True)
class TicketView:
    number: str
    queue_name: str
    item_name: str
    people_ahead: int | None
    status_url: str
    qr_png: bytes
    printed: bool
    offline: bool
    notices: list[str] = field(default_factory=list)  # keys of texts to show (i18n)


def qr_png(text: str) -> bytes:
    # A fixed mask pattern: qrcode's search for the best of eight took 15 of the 16 ms per ticket
    # (profiled); any mask reads fine on a screen.
    code = qrcode.QRCode(box_size=8, border=2, mask_pattern=2)
    code.add_data(text)
    buf = io.BytesIO()
    code.make_image().save(buf, format="PNG")
    return buf.getvalue()


class KioskService:
    def __init__(self, client: SyncClient, printer: Printer, hub_url: str) -> None:
        self.client, self.printer, self.hub_url = client, printer, hub_url.rstrip("/")

    # ------------------------------------------------------------ what to show

    def _tables(self) -> dict:
        reference = self.client.store.get("reference")
        if not reference:
            raise HubUnreachable("本机尚未取得办事目录，请联系工作人员", "This kiosk has no catalogue yet; please ask staff")
        return reference["tables"]

    def site_name(self, tables: dict | None = None) -> str:
        tables = tables or self._tables()
        return next((s["name"] for s in tables["sites"] if s["id"] == self.client.site_id), "")

    def items(self, category: str) -> list[dict]:
        """The choices of one category: items (personal / enterprise) or bundles (一件事)."""
        tables = self._tables()
        if category == "bundle":
            return [{"id": b["id"], "name": b["name"], "queue_id": b["queue_id"], "bundle": True,
                     "minutes": None} for b in tables["bundles"]]
        rank = {d: n for n, d in enumerate(DEPARTMENT_ORDER)}
        chosen = sorted((i for i in tables["service_items"] if i["category"] == category),
                        key=lambda i: (rank.get(i["department"], len(rank)), i["code"]))
        return [{"id": i["id"], "name": i["name"], "queue_id": i["queue_id"], "bundle": False,
                 "minutes": i["standard_minutes"], "department": i["department"]} for i in chosen]

    def preview(self, choice: dict) -> dict:
        """People ahead in the queue and a plain estimate of the wait, from the hub's live figures."""
        tables = self._tables()
        windows = sum(1 for wq in tables["window_queues"] if wq["queue_id"] == choice["queue_id"]) or 1
        try:
            queues = self.client.transport.call("GET", "/queue")
        except HubUnreachable:
            return {"people_ahead": None, "wait_minutes": None, "online": False}
        ahead = next((q["waiting"] for q in queues if q["queue_id"] == choice["queue_id"]), 0)
        minutes = choice.get("minutes") or 15
        return {"people_ahead": ahead, "wait_minutes": round(ahead * minutes / windows), "online": True}

    # ------------------------------------------------------------ taking a ticket

    def take_ticket(self, choice: dict, green: bool = False) -> TicketView:
        tables = self._tables()
        queue = next(q for q in tables["queues"] if q["id"] == choice["queue_id"])
        body = {"bundle_id" if choice["bundle"] else "item_id": choice["id"], "priority": "green" if green else "normal"}
        notices, offline = [], False
        try:
            answer = self.client.transport.call("POST", "/tickets", json=body)
            ticket = answer["ticket"]
            number, token = ticket["number"], ticket["public_token"]
            ahead = self.client.transport.call("GET", f"/public/tickets/{token}").get("people_ahead")
        except HubUnreachable:
            if choice["bundle"]:
                raise
            item = next(i for i in tables["service_items"] if i["id"] == choice["id"])
            issued = self.client.issue_offline(item, queue)  # raises NoNumbers when the lease is used up
            number, token, ahead, offline = issued.data["number"], issued.data["public_token"], None, True
            notices.append("offline_ticket")
        url = f"{self.hub_url}/api/v1/public/tickets/{token}"
        printed = True
        try:
            self.printer.print_receipt(Receipt(site_name=self.site_name(tables), number=number, queue_name=queue["name"],
                                               item_name=choice["name"], people_ahead=ahead,
                                               issued_at=self.client.now(), status_url=url))
        except PrinterFailed:
            printed = False
            notices.append("printer_failed")
        return TicketView(number=number, queue_name=queue["name"], item_name=choice["name"], people_ahead=ahead,
                          status_url=url, qr_png=qr_png(url), printed=printed, offline=offline, notices=notices)


def message(exc: Exception) -> tuple[str, str]:
    """What to tell the citizen about a failure, in Chinese and English."""
    if isinstance(exc, e.HaobanError):
        return exc.zh, exc.en
    return "系统暂时无法办理，请联系工作人员", "Something went wrong; please ask staff"
