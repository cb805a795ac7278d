"""The kiosk's 办不成事 button, without Qt (docs/cases.md, source "kiosk"): the matters to choose from, the checks of
what the citizen tapped, registering the case at the hub, printing its 受理回执 and the QR of its page, and the
ticket for the 办不成事 window. Online only: a case needs the hub's key to seal the contact (docs/cases.md, "Not
built yet"), so offline the citizen is sent to the window or to 12345 (`CaseOffline`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import i18n
from common.devices.printer import CaseReceipt, PrinterFailed
from common.domain import cases as c
from common.domain.clock import business_day
from common.domain.errors import CaseOffline
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
        return [KioskService._choice(i) for i in chosen]

    def window_ticket(self) -> dict | None:
        """The item of the 办不成事 window's queue, to take a ticket for it as for any item; None if the site has none."""
        tables = self.service._tables()
        queues = self._cases_queues(tables)
        found = sorted((i for i in tables["service_items"] if i["queue_id"] in queues), key=lambda i: i["code"])
        return KioskService._choice(found[0]) if found else None

    @staticmethod
    def words_text(words: list[str]) -> str | None:
        """The phrases tapped, in Chinese (the office reads the case in Chinese), in the order of the buttons."""
        return "；".join(TEXTS[w]["zh_CN"] for w in WORDS if w in words) or None

    def register(self, matter: dict | None, cause: str, phone: str | None, words: list[str],
                 case_id: str | None = None) -> CaseView:
        """POST /cases (source kiosk), then the 受理回执: a printer failure is `printed` False, never a lost case.
        Raises `CaseOffline` when the hub does not answer, the hub's refusal (`Relayed`) as it came. `case_id`: the
        report's own id, the same on every retry of it, so that a lost answer never opens a second case."""
        if cause not in CAUSES or (phone and not is_mobile(phone)):
            raise ValueError("cause or phone")  # the screens offer nothing else
        body = {"source": "kiosk", "cause": cause, "text": self.words_text(words),
                "item_id": matter["id"] if matter else None, "phone": phone or None, "case_id": case_id}
        try:
            answer = self.service.client.transport.call("POST", "/cases", json=body)
        except HubUnreachable as exc:
            self.service.client.unreachable(exc)
            raise CaseOffline() from None
        url = f"{self.service.public_url}{answer['status_path']}"
        day = business_day(self.service.client.now())
        days = (c.CLASSES["general"], c.CLASSES["complex"])
        printed = True
        try:
            self.service.printer.print_case_receipt(CaseReceipt(
                site_name=self.service.site_name(), number=answer["number"], day=day,
                matter=matter["name"] if matter else TEXTS["case_other_matter"]["zh_CN"],
                cause=TEXTS[f"case_cause_{cause}"]["zh_CN"], answer_days=days,
                phone_masked=masked(phone) if phone else None, status_url=url))
        except PrinterFailed:
            printed = False
        return CaseView(number=answer["number"], day=day, status_url=url, qr_png=qr_png(url), printed=printed,
                        answer_days=days)
