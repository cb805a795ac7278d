"""The kiosk's 办不成事 button, without Qt (docs/cases.md, source "kiosk"): the matters to choose from, the checks of
what the citizen tapped, registering the case at the hub, printing its 受理回执 and the QR of its page, and the
ticket for the 办不成事 window. Offline too: the case is then kept in the kiosk's store with its other events (the contact
sealed to the hub's public key) and pushed with the next sync; receipt and screen say so (docs/cases.md)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import i18n
from common.devices.printer import CaseReceipt, PrinterFailed
from common.domain import cases as c
from common.domain.clock import business_day
from common.stations.ticketing import DEPARTMENT_ORDER, KioskService, qr_png
from common.sync.transport import HubUnreachable

CAUSES = ("policy", "system", "materials", "attitude", "other")  # the order of the buttons
assert set(CAUSES) == c.CAUSES
WORDS = ("case_word_many_trips", "case_word_which_department", "case_word_call_soon", "case_word_online_too")
MOBILE = re.compile(r"1[3-9]\d{9}")
TEXTS = i18n.catalogue("kiosk")


def is_mobile(phone: str) -> bool:
    """An 11-digit mainland mobile number (the kiosk's keypad offers digits only)."""
    return MOBILE.fullmatch(phone) is not None


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


@dataclass(frozen=True)
class CaseView:
    number: str
    day: date
    status_url: str
    qr_png: bytes
    printed: bool
    answer_days: tuple[int, int]
    offline: bool = False  # kept on the kiosk, sent to the centre with the next sync
    phone_kept: bool = False  # a phone was given and goes with the case (offline without the hub's key: not)
    window_open: bool | None = None  # a 办不成事 window serves now (None: the hub is away, the kiosk cannot tell)


class CaseDesk:
    """The 办不成事 flow over a `KioskService` (its sync client, printer, catalogue and public address)."""

    def __init__(self, service: KioskService) -> None:
        self.service = service

    def _cases_queues(self, tables: dict) -> set[str]:
        windows = {w["id"] for w in tables.get("windows", []) if w.get("kind") == "cases"}
        return {wq["queue_id"] for wq in tables.get("window_queues", []) if wq["window_id"] in windows}

    def matters(self) -> list[dict]:
        """The site's items, personal before enterprise, the busiest departments first; not the 办不成事 item."""
        tables = self.service._tables()
        skip, rank = self._cases_queues(tables), {d: n for n, d in enumerate(DEPARTMENT_ORDER)}
        chosen = sorted((i for i in tables["service_items"] if i["queue_id"] not in skip),
                        key=lambda i: (i["category"] != "personal", rank.get(i["department"], len(rank)), i["code"]))
        own = KioskService.own_names(tables)
        return [KioskService._choice(i, own) for i in chosen]

    def window_ticket(self) -> dict | None:
        """The item of the 办不成事 window's queue, to take a ticket for it as for any item; None if the site has none."""
        tables = self.service._tables()
        queues = self._cases_queues(tables)
        found = sorted((i for i in tables["service_items"] if i["queue_id"] in queues), key=lambda i: i["code"])
        return KioskService._choice(found[0], KioskService.own_names(tables)) if found else None

    def window_open(self) -> bool | None:
        """Whether a 办不成事 window serves now (a clerk at it, not paused), from the hub; None when the hub is away
        (the ticket is offered then: the kiosk cannot tell, and the hall may well be open)."""
        tables = self.service._tables()
        windows = {w["id"] for w in tables.get("windows", []) if w.get("kind") == "cases"}
        try:
            states = self.service.client.transport.call("GET", "/windows")
        except HubUnreachable as exc:
            self.service.client.unreachable(exc)
            return None
        return any(w["window_id"] in windows and w.get("staffed") and not w["paused"] for w in states)

    @staticmethod
    def words_text(words: list[str]) -> str | None:
        """The phrases tapped, in Chinese (the office reads the case in Chinese), in the order of the buttons."""
        return "；".join(TEXTS[w]["zh_CN"] for w in WORDS if w in words) or None

    def register(self, matter: dict | None, cause: str, phone: str | None, words: list[str],
                 case_id: str | None = None, public_token: str | None = None) -> CaseView:
        """POST /cases (source kiosk), then the 受理回执: a printer failure is `printed` False, never a lost case.
        When the hub does not answer, the case is registered here (`SyncClient.open_case_offline`) and sent with the
        next sync; the hub's refusal (`Relayed`) is raised as it came. `case_id` and `public_token`: the report's own,
        the same on every retry of it, so that a lost answer never opens a second case nor prints a wrong QR."""
        if cause not in CAUSES or (phone and not is_mobile(phone)):
            raise ValueError("cause or phone")  # the screens offer nothing else
        client, item_id, text = self.service.client, matter["id"] if matter else None, self.words_text(words)
        body = {"source": "kiosk", "cause": cause, "text": text, "item_id": item_id, "phone": phone or None,
                "case_id": case_id, "public_token": public_token if case_id else None}
        try:
            answer = client.transport.call("POST", "/cases", json=body)
            number, token, offline, kept = answer["number"], answer["public_token"], False, bool(phone)
        except HubUnreachable as exc:
            client.unreachable(exc)
            x = client.open_case_offline(source="kiosk", cause=cause, text=text, item_id=item_id, phone=phone or None,
                                         case_id=case_id, public_token=public_token)
            number, token, offline = x.data["number"], x.data["public_token"], True
            kept = bool(phone) and x.data["contact"] is not None
        url = f"{self.service.public_url}/c/{token}"
        day = business_day(client.now())
        days = (c.CLASSES["general"], c.CLASSES["complex"])
        printed = True
        try:
            self.service.printer.print_case_receipt(CaseReceipt(
                site_name=self.service.site_name(), number=number, day=day,
                matter=matter["name"] if matter else TEXTS["case_other_matter"]["zh_CN"],
                cause=TEXTS[f"case_cause_{cause}"]["zh_CN"], answer_days=days,
                phone_masked=masked(phone) if kept and phone else None, status_url=url, offline=offline,
                phone_lost=bool(phone) and not kept))
        except PrinterFailed:
            printed = False
        return CaseView(number=number, day=day, status_url=url, qr_png=qr_png(url), printed=printed, answer_days=days,
                        offline=offline, phone_kept=kept, window_open=None if offline else self.window_open())
