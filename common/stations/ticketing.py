"""The kiosk's use cases, without Qt: the catalogue to show, a preview of the wait, taking a ticket
(online from the hub, offline from leased numbers), checking in for an appointment (online only),
printing the ticket, and its QR code."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import qrcode

import i18n
from common.devices.printer import Printer, PrinterFailed, Receipt
from common.domain import errors as e
from common.domain import policy
from common.domain.clock import SHANGHAI
from common.domain.errors import CheckInOffline  # also imported from here by callers
from common.sync.client import SyncClient
from common.sync.transport import HubUnreachable

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
    item_name_en: str = ""
    queue_name_en: str = ""  # i18n.name with the hall's own English names
    slot: str = ""  # "09:30-10:00" for an appointment's ticket


@dataclass(frozen=True)
class CheckInView:
    """What checking in did: `checked_in` (with the ticket; `new` False when it was checked in before),
    `too_early` (come back at `opens_at`, HH:MM) or `late` (an ordinary ticket for `choice` in one tap)."""

    result: str
    choice: dict  # the booked item, as `KioskService.items` gives it
    slot: str
    opens_at: str = ""
    new: bool = False
    ticket: TicketView | None = None


def _hhmm(iso: str) -> str:
    from datetime import datetime

    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%H:%M")


def qr_png(text: str) -> bytes:
    # A fixed mask pattern: qrcode's search for the best of eight took 15 of the 16 ms per ticket
    # (profiled); any mask reads fine on a screen.
    code = qrcode.QRCode(box_size=8, border=2, mask_pattern=2)
    code.add_data(text)
    buf = io.BytesIO()
    code.make_image().save(buf, format="PNG")
    return buf.getvalue()


class KioskService:
    def __init__(self, client: SyncClient, printer: Printer, hub_url: str, public_url: str | None = None) -> None:
        self.client, self.printer, self.hub_url = client, printer, hub_url.rstrip("/")
        # where citizens' phones open a case's page (the QR of its 受理回执): the hub's address unless set apart
        self.public_url = (public_url or hub_url).rstrip("/")
        self._guide: str | None = None  # the session token of a guide signed in for the next (green) ticket

    # ------------------------------------------------------------ what to show

    def _tables(self) -> dict:
        tables = self.client.store.tables()
        if not tables:
            raise HubUnreachable("kiosk_no_catalogue")
        return tables

    def site_name(self, tables: dict | None = None) -> str:
        tables = tables or self._tables()
        return next((s["name"] for s in tables["sites"] if s["id"] == self.client.site_id), "")

    def items(self, category: str) -> list[dict]:
        """The choices of one category: items (personal / enterprise) or bundles (一件事)."""
        tables = self._tables()
        if category == "bundle":
            return [{"id": b["id"], "name": b["name"], "name_en": b.get("name_en") or "", "queue_id": b["queue_id"],
                     "bundle": True, "minutes": None} for b in tables["bundles"]]
        rank = {d: n for n, d in enumerate(DEPARTMENT_ORDER)}
        chosen = sorted((i for i in tables["service_items"] if i["category"] == category),
                        key=lambda i: (rank.get(i["department"], len(rank)), i["code"]))
        own = self.own_names(tables)
        return [self._choice(i, own) for i in chosen]

    @staticmethod
    def own_names(tables: dict) -> dict[str, str]:
        """The hall's own English names in this reference data (`own` of i18n.name)."""
        return i18n.own_names(tables.get("queues", []), tables.get("service_items", []))

    @staticmethod
    def _choice(i: dict, own: dict[str, str]) -> dict:
        return {"id": i["id"], "name": i["name"], "name_en": i.get("name_en") or "", "queue_id": i["queue_id"],
                "bundle": False, "minutes": i["standard_minutes"], "department": i["department"],
                "department_en": i18n.name(i["department"], "en", own), "code": i["code"]}

    def preview(self, choice: dict) -> dict:
        """People ahead in the queue and a plain estimate of the wait, from the hub's live figures."""
        tables = self._tables()
        windows = sum(1 for wq in tables["window_queues"] if wq["queue_id"] == choice["queue_id"])
        try:
            queues = self.client.transport.call("GET", "/queue")
        except HubUnreachable as exc:
            self.client.unreachable(exc)
            return {"people_ahead": None, "wait_minutes": None, "online": False}
        ahead = next((q["waiting"] for q in queues if q["queue_id"] == choice["queue_id"]), 0)
        return {"people_ahead": ahead, "wait_minutes": policy.estimate_wait_minutes(ahead, choice.get("minutes"), windows),
                "online": True}

    # ------------------------------------------------------------ taking a ticket

    # ------------------------------------------------------------ the green channel (policy.green_granted)

    def guide_sign_in(self, staff_no: str, pin: str) -> str:
        """A guide (导办员) signs in on the hub with her own staff number and PIN, for the next ticket only: the hub
        gives the green channel to a signed-in member of staff, never to a kiosk's word. Online only. Her name."""
        answer = self.client.transport.call("POST", "/clerk/sign-in", json={"staff_no": staff_no, "pin": pin})
        self._guide = answer["clerk_token"]
        return answer["name"]

    def guide_sign_out(self) -> None:
        """End the guide's session (after her ticket, or when the kiosk goes home); the hub may be away."""
        token, self._guide = self._guide, None
        if token is not None:
            try:
                self.client.transport.call("POST", "/clerk/sign-out", headers={"X-Clerk-Token": token})
            except HubUnreachable:
                pass  # the token is forgotten here: nobody can use the session

    def take_ticket(self, choice: dict, green: bool = False, id_number: str | None = None) -> TicketView:
        """`green`: by the guide signed in for it, or by the age on the ID card whose `id_number` the hub reads (only
        for the age: the number is neither kept here nor by the hub). Offline, a ticket is never green."""
        tables = self._tables()
        queue = next(q for q in tables["queues"] if q["id"] == choice["queue_id"])
        body = {"bundle_id" if choice["bundle"] else "item_id": choice["id"], "priority": "green" if green else "normal"}
        headers = None
        if green and self._guide is not None:
            headers = {"X-Clerk-Token": self._guide}
        elif green and id_number is not None:
            body["id_number"] = id_number
        notices, offline = [], False
        try:
            try:
                ticket = self.client.transport.call("POST", "/tickets", json=body, headers=headers)["ticket"]
            finally:
                self.guide_sign_out()  # one ticket per sign-in, whatever the answer
            number, token = ticket["number"], ticket["public_token"]
            ahead = self._people_ahead(token)
        except HubUnreachable as exc:
            self.client.unreachable(exc)
            if choice["bundle"]:
                raise
            item = next(i for i in tables["service_items"] if i["id"] == choice["id"])
            issued = self.client.issue_offline(item, queue)  # raises NoNumbers when the lease is used up
            number, token, ahead, offline = issued.data["number"], issued.data["public_token"], None, True
            notices.append("offline_ticket")
        return self._ticket(tables, queue, choice, number, token, ahead, offline, notices)

    def _people_ahead(self, token: str) -> int | None:
        """People ahead of a ticket the hub has just issued; None if the hub does not answer now. The ticket
        stands either way: a failure here must never make the kiosk issue a second, offline ticket."""
        try:
            return self.client.transport.call("GET", f"/public/tickets/{token}").get("people_ahead")
        except HubUnreachable:
            return None

    def _ticket(self, tables, queue, choice, number, token, ahead, offline, notices, slot: str = "") -> TicketView:
        """Print the receipt (a printer failure is a notice, never a lost ticket) and make the screen's view."""
        url = f"{self.hub_url}/api/v1/public/tickets/{token}"
        printed = True
        try:
            self.printer.print_receipt(Receipt(site_name=self.site_name(tables), number=number, queue_name=queue["name"],
                                               item_name=choice["name"] + (f"（预约 {slot}）" if slot else ""),
                                               people_ahead=ahead, issued_at=self.client.now(), status_url=url,
                                               prepare=choice.get("prepare", "")))
        except PrinterFailed:
            printed = False
            notices.append("printer_failed")
        return TicketView(number=number, queue_name=queue["name"], item_name=choice["name"], people_ahead=ahead,
                          status_url=url, qr_png=qr_png(url), printed=printed, offline=offline, notices=notices,
                          item_name_en=choice.get("name_en") or "", slot=slot,
                          queue_name_en=i18n.name(queue["name"], "en", self.own_names(tables)))

    # ------------------------------------------------------------ appointments

    def check_in(self, *, code: str | None = None, id_number: str | None = None) -> CheckInView:
        """Check in today's booking at the hub (by the code of its QR code or by the ID card); the ID number
        goes to the hub in the request body only, and is not kept here."""
        body = {"code": code} if code is not None else {"id_number": id_number}
        try:
            answer = self.client.transport.call("POST", "/appointments/check-in", json=body)
        except HubUnreachable as exc:
            self.client.unreachable(exc)
            raise CheckInOffline() from None
        tables, booked = self._tables(), answer["appointment"]
        item = next((i for i in tables["service_items"] if i["id"] == booked["item_id"]), None)
        if item is None:
            raise e.NotFound("kiosk_lacks_booked_item")
        choice, slot = self._choice(item, self.own_names(tables)), f"{_hhmm(booked['slot_start'])}-{_hhmm(booked['slot_end'])}"
        if answer["result"] != "checked_in":
            return CheckInView(answer["result"], choice, slot, opens_at=_hhmm(answer["opens_at"]) if answer["opens_at"] else "")
        t = answer["ticket"]
        queue = next(q for q in tables["queues"] if q["id"] == t["queue_id"])
        ahead = self._people_ahead(t["public_token"])
        notices = ["checked_in" if answer["new"] else "already_checked_in"]
        view = self._ticket(tables, queue, choice, t["number"], t["public_token"], ahead, False, notices, slot=slot)
        return CheckInView("checked_in", choice, slot, new=answer["new"], ticket=view)


def message(exc: Exception) -> tuple[str, str]:
    """What to tell the citizen about a failure, in Chinese and English."""
    said = exc.messages if isinstance(exc, e.HaobanError) else i18n.texts("errors", "kiosk_failed")
    return said["zh_CN"], said["en"]
