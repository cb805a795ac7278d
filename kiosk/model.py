"""The kiosk's view-model: the one QObject the QML talks to. It holds no business logic: it calls
`common.stations.ticketing.KioskService`, runs slow work off the UI thread, takes device events (ID-card reader,
QR scanners) on the UI thread, and turns results into plain maps."""
from __future__ import annotations

import base64
import time

from PySide6.QtCore import QTimer, Slot

import i18n
from common.devices.idreader import CardWatcher
from common.devices.scanner import KeyboardWedge, ScanRejected, parse_scan
from common.domain import policy
from common.domain.idcard import parse_id
from common.domain.ids import new_token, uuid7
from common.stations.reporting import CAUSES, WORDS, CaseDesk, is_mobile
from common.stations.ticketing import CATEGORIES, CheckInOffline, KioskService, message
from kiosk.guide import GuideScreens
from qtbase.viewmodel import ScreenModel

TEXTS = i18n.catalogue("kiosk")
# The spoken prompt of each screen in elder mode (clips of common.devices.voice.PROMPTS).
PROMPT_OF = {"home": "welcome", "items": "choose_item", "confirm": "confirm", "ticket": "take_ticket",
             "checkin": "checkin", "error": "error", "guide": "guide", **{s: s for s in ("case_matter", "case_cause", "case_phone",
                                                                       "case_words", "case_confirm", "case_done")}}
READS_DEVICES = ("home", "checkin", "checkin_result", "confirm")  # screens that act on a card or a scan
CASE_STEPS = ("case_matter", "case_cause", "case_phone", "case_words", "case_confirm")  # the 办不成事 flow, in order


class KioskModel(ScreenModel, GuideScreens):
    CATALOGUE = "kiosk"

    def __init__(self, service: KioskService, idle_seconds: float = 60.0, admin_check=None, on_exit=None,
                 id_reader=None, speaker=None, demo: dict | None = None) -> None:
        super().__init__()
        self.service, self.idle_seconds = service, idle_seconds
        self.cases = CaseDesk(service)
        self.admin_check, self.on_exit = admin_check or (lambda pin: False), on_exit or (lambda: None)
        self.speaker, self.demo = speaker, demo  # demo: {"card": CardData, "qr": payload} for the simulator buttons
        self._elder, self._taps, self._staff_green = False, [], False
        self._card_id: str | None = None  # an elder's ID number, for the hub to read the age from; dropped with the ticket
        self._items: list[dict] = []
        self._choice: dict | None = None
        self.idle = QTimer(self, singleShot=True, timeout=self.reset)
        self.banner_timer = QTimer(self, singleShot=True, interval=8000, timeout=lambda: self._set(banner={}))
        # the background sync changes online / offline and may bring the catalogue: show it
        self.status = QTimer(self, interval=1000, timeout=self._refresh_status)
        self.status.start()
        self._guide_start()
        self.wedge = KeyboardWedge(self._scan)
        self.card_watcher = None
        if id_reader is not None:  # reads in its own thread; cards arrive here through the worker's queue
            self.card_watcher = CardWatcher(id_reader, lambda card: self.worker.post(self._card, card),
                                            lambda exc: self.worker.post(self._card_failed, exc)).start()
        self.reset()

    def _set(self, **changes) -> None:
        before = self._view.get("screen")
        if changes.get("screen", before) != before and "banner" not in changes:
            changes["banner"] = {}  # a passing message belongs to the screen it was shown on
        super()._set(**changes)
        if before == "guide" and self._view["screen"] != "guide":
            self.guide.leave()  # a search that found nothing goes to the editors
        if self._view["screen"] != before:
            self._say(PROMPT_OF.get(self._view["screen"]))

    def _say(self, prompt: str | None) -> None:
        """Elder mode speaks each screen's prompt (recorded Chinese clips: only while Chinese is shown)."""
        if prompt and self._elder and self.speaker is not None and self._lang == "zh_CN":
            from common.devices.voice import prompt_wav

            self.speaker.play(prompt_wav(prompt))

    def _background(self, work, done) -> None:
        self._set(busy=True)
        self.worker.run(work, done)

    def _refresh_status(self) -> None:
        status = self.service.client.status
        online, site = status.online, self._view.get("site") or self._site_name()
        if (online, site, status.set_aside) != (self._view.get("online"), self._view.get("site"), self._view.get("set_aside")):
            self._set(online=online, site=site, set_aside=status.set_aside)  # set aside: events the hub refused

    def _site_name(self) -> str:
        try:
            return self.service.site_name()
        except Exception:  # noqa: BLE001 - no catalogue yet: the name is simply not shown
            return ""

    # ------------------------------------------------------------ taking a ticket

    @Slot()
    def reset(self) -> None:
        """Back to the home screen with nothing personal left on it (idle timeout, or "home")."""
        if self._staff_green:  # a guide signed in and left without a ticket: her session ends
            self.worker.run(self.service.guide_sign_out, lambda _result: None)
        self._items, self._choice, self._staff_green, self._late_choice, self._card_id = [], None, False, None, None
        self._matters, self._case_ticket = [], None
        self.guide.leave()  # a search that found nothing, left by "home" or the idle timeout, goes to the editors
        self._guide_clear()
        self._view = {"screen": "home", "busy": False, "category": "", "items": [], "choice": {}, "preview": {},
                      "ticket": {}, "error": {}, "checkin": {}, "banner": {}, "green_offer": None, "green": False,
                      "staff_green": False, "guide_error": "", "card_error": "", "scale": 1.35 if self._elder else 1.0,
                      "matters": [], "case": {}, "case_done": {}, "guide": self._guide_empty(),
                      "elder": self._elder, "demo": self.demo is not None,
                      "online": self.service.client.status.online, "site": self._site_name(),
                      "set_aside": self.service.client.status.set_aside}
        self.viewChanged.emit()

    @Slot()
    def touch(self) -> None:
        self.idle.start(int(self.idle_seconds * (2 if self._elder else 1) * 1000))

    @Slot(str)
    def go(self, screen: str) -> None:
        self.touch()
        if screen == "home":
            self.reset()
            self._say("welcome")
        elif screen == "cases":
            self.startCase()
        elif screen == "guide":
            self.startGuide()
        else:
            self._set(screen=screen, checkin={}, busy=False)

    @Slot(str)
    def chooseCategory(self, category: str) -> None:
        self.touch()
        if category not in CATEGORIES:
            return
        try:
            self._items = self.service.items(category)
        except Exception as exc:  # noqa: BLE001
            return self._fail(exc)
        self._set(screen="items", category=category,
                  items=[{"name": i["name"], "name_en": i["name_en"], "minutes": i["minutes"] or 0} for i in self._items])

    @Slot(int)
    def chooseItem(self, index: int) -> None:
        self.touch()
        if 0 <= index < len(self._items):
            self._confirm(self._items[index])

    def _confirm(self, choice: dict, answers: dict | None = None) -> None:
        prepare, prepare_en = self.guide.prepare(choice.get("code"), answers)  # "请准备": on screen and receipt
        choice = {**choice, "prepare": prepare}
        self._choice, self._card_id = choice, None
        green = self._staff_green
        self._set(screen="confirm", choice={"name": choice["name"], "name_en": choice["name_en"], "prepare": prepare,
                                            "prepare_en": prepare_en}, preview={},
                  green_offer=True if green else None, green=green, card_error="")
        self._background(lambda: self.service.preview(choice), self._previewed)

    def _previewed(self, result) -> None:
        kind, value = result
        self._set(busy=False, preview=value if kind == "ok" else {}, online=value.get("online", False) if kind == "ok" else False)

    @Slot()
    def confirm(self) -> None:
        self.touch()
        if self._view.get("busy") or self._view.get("screen") != "confirm":
            return  # a second tap never takes a second ticket
        choice, green, card_id = self._choice, bool(self._view.get("green")), self._card_id
        self._card_id = None
        self._background(lambda: self.service.take_ticket(choice, green=green, id_number=card_id), self._taken)

    def _taken(self, result) -> None:
        kind, t = result
        self._staff_green = False  # the guide's session ended with the request (KioskService.take_ticket)
        if kind == "error":
            return self._fail(t)
        self.touch()  # the citizen gets the full idle time to read the ticket
        self._set(busy=False, screen="ticket", online=not t.offline, staff_green=False, ticket={
            "number": t.number, "queue": t.queue_name, "queue_en": t.queue_name_en or t.queue_name, "item": t.item_name, "item_en": t.item_name_en, "slot": t.slot,
            "ahead": -1 if t.people_ahead is None else t.people_ahead, "printed": t.printed,
            "notices": t.notices, "qr": "data:image/png;base64," + base64.b64encode(t.qr_png).decode()})
        if t.offline:
            self._say("offline")

    def _fail(self, exc) -> None:
        zh, en = message(exc)
        self._set(busy=False, screen="error", error={"text": zh if self._lang == "zh_CN" else en})

    @Slot()
    def toggleGreen(self) -> None:
        self.touch()
        if self._view.get("green_offer"):
            self._set(green=not self._view.get("green"))

    # ------------------------------------------------------------ 办不成事: reporting a matter (common.stations.reporting)

    @Slot()
    def startCase(self) -> None:
        """The first step: which matter. What the citizen chooses is kept in `view["case"]` until home or idle."""
        self.touch()
        try:
            self._matters = self.cases.matters()
        except Exception as exc:  # noqa: BLE001 - no catalogue yet
            return self._fail(exc)
        # a new report, a new id and token (made here, kept through every retry: a lost answer never makes a second
        # case, and the case kept offline after it is the same one, with the same QR)
        self._set(screen="case_matter", busy=False, case_done={}, case={"matter": None, "cause": "", "phone": "",
                  "phone_error": False, "words": [], "error": {}, "case_id": uuid7(), "token": new_token()},
                  matters=[{"name": m["name"], "name_en": m["name_en"], "department": m["department"],
                                    "department_en": m["department_en"]}
                           for m in self._matters])

    def _case(self, **changes) -> None:
        self._set(case={**self._view["case"], **changes})

    def _on(self, screen: str) -> bool:
        return self._view.get("screen") == screen and not self._view.get("busy")

    @Slot(int)
    def caseMatter(self, index: int) -> None:
        """An item of the list, or -1: 其他事项."""
        self.touch()
        if self._on("case_matter") and -1 <= index < len(self._matters):
            m = self._matters[index] if index >= 0 else None
            self._case(matter=None if m is None else {"id": m["id"], "name": m["name"], "name_en": m["name_en"]})
            self._set(screen="case_cause")

    @Slot(str)
    def caseCause(self, cause: str) -> None:
        self.touch()
        if self._on("case_cause") and cause in CAUSES:
            self._case(cause=cause)
            self._set(screen="case_phone")

    @Slot(str)
    def caseKey(self, key: str) -> None:
        """The on-screen keypad: a digit, "del" or "clear"."""
        self.touch()
        if not self._on("case_phone"):
            return
        phone = self._view["case"]["phone"]
        phone = phone[:-1] if key == "del" else "" if key == "clear" else (phone + key)[:11] if key.isdigit() else phone
        self._case(phone=phone, phone_error=False)

    @Slot()
    def casePhoneNext(self) -> None:
        self.touch()
        if self._on("case_phone"):
            phone = self._view["case"]["phone"]
            if phone and not is_mobile(phone):
                return self._case(phone_error=True)
            self._set(screen="case_words")

    @Slot()
    def caseSkipPhone(self) -> None:
        self.touch()
        if self._on("case_phone"):
            self._case(phone="", phone_error=False)
            self._set(screen="case_words")

    @Slot(str)
    def caseWord(self, word: str) -> None:
        self.touch()
        if self._on("case_words") and word in WORDS:
            words = self._view["case"]["words"]
            self._case(words=[w for w in words if w != word] if word in words else [*words, word])

    @Slot()
    def caseWordsNext(self) -> None:
        self.touch()
        if self._on("case_words"):
            self._set(screen="case_confirm")

    @Slot()
    def caseBack(self) -> None:
        """One step back; what was chosen stays."""
        self.touch()
        screen = self._view.get("screen")
        if screen in CASE_STEPS[1:] and not self._view.get("busy"):
            self._case(error={})
            self._set(screen=CASE_STEPS[CASE_STEPS.index(screen) - 1])

    @Slot()
    def caseSubmit(self) -> None:
        self.touch()
        if not self._on("case_confirm"):
            return  # a second tap never registers a second case
        case = self._view["case"]
        matter, cause, phone, words = case["matter"], case["cause"], case["phone"], list(case["words"])
        self._case(error={})
        self._background(lambda: self.cases.register(matter, cause, phone, words, case["case_id"], case["token"]),
                         self._registered)

    def _registered(self, result) -> None:
        kind, value = result
        if kind == "error":  # offline or refused: said in both languages, the choices kept for another try
            zh, en = message(value)
            self._case(error={"zh": zh, "en": en})
            self._set(busy=False, online=self.service.client.status.online)
            return self._say("error")
        self.touch()  # the full idle time to read the number and scan the code
        try:  # a ticket for the 办不成事 window only while one serves (or while the kiosk cannot tell: offline)
            self._case_ticket = self.cases.window_ticket() if value.window_open is not False else None
        except Exception:  # noqa: BLE001 - no ticket offered without a catalogue
            self._case_ticket = None
        phone = self._view["case"]["phone"]
        self._set(busy=False, screen="case_done", online=not value.offline, case={**self._view["case"], "phone": ""},
                  case_done={
            "number": value.number, "day": value.day.isoformat(), "printed": value.printed, "phone": value.phone_kept,
            "phone_lost": bool(phone) and not value.phone_kept, "offline": value.offline,
            "general_days": value.answer_days[0], "complex_days": value.answer_days[1],
            "ticket": self._case_ticket is not None, "window_closed": value.window_open is False,
            "qr": "data:image/png;base64," + base64.b64encode(value.qr_png).decode()})

    @Slot()
    def caseTicket(self) -> None:
        """A ticket for the 办不成事 window, taken as any other (and its usual receipt)."""
        self.touch()
        if self._on("case_done") and self._case_ticket is not None:
            choice = self._case_ticket
            self._background(lambda: self.service.take_ticket(choice), self._taken)

    # ------------------------------------------------------------ appointments, cards and scans

    def _check_in(self, **who) -> None:
        if self._view.get("screen") == "checkin" and self._view.get("busy"):
            return  # one check-in at a time (a wait preview in flight does not count)
        self.touch()
        self._set(screen="checkin", checkin={}, banner={})
        self._background(lambda: self.service.check_in(**who), self._checked_in)

    def _checked_in(self, result) -> None:
        kind, value = result
        if kind == "ok" and value.result == "checked_in":
            return self._taken(("ok", value.ticket))
        if kind == "ok":  # too early, or late: an ordinary ticket of the booked item is one tap away
            self._late_choice = value.choice
            shown = {"result": value.result, "slot": value.slot, "opens_at": value.opens_at,
                     "name": value.choice["name"], "name_en": value.choice["name_en"]}
        else:
            self._late_choice = None
            zh, en = message(value)
            shown = {"result": "offline" if isinstance(value, CheckInOffline) else "refused", "zh": zh, "en": en}
        self._set(busy=False, screen="checkin_result", checkin=shown)
        self._say("error" if kind == "error" else None)

    @Slot()
    def ordinaryTicket(self) -> None:
        """After a late or failed check-in: the ordinary ticket of the booked item, else the choice of items."""
        self.touch()
        if self._view.get("checkin", {}).get("result") == "late" and self._late_choice and not self._view.get("busy"):
            choice = self._late_choice
            self._background(lambda: self.service.take_ticket(choice), self._taken)
        elif not self._view.get("busy"):
            self.go("categories")

    def scanned(self, payload: str) -> None:
        """From a scanner's thread (CameraScanner's `on_scan`): handled on the UI thread."""
        self.worker.post(self._scan, payload)

    @Slot(str)
    def wedgeKey(self, text: str) -> None:
        for ch in text:
            self.wedge.key(ch)

    def _scan(self, payload: str) -> None:
        screen = self._view.get("screen")
        if screen not in READS_DEVICES:
            return
        try:
            scan = parse_scan(payload)
        except ScanRejected as exc:
            return self._banner(exc.zh, exc.en, "scan_failed")
        if scan.kind == "ticket":
            return self._banner(TEXTS["scanned_ticket"]["zh_CN"], TEXTS["scanned_ticket"]["en"], None)
        self._check_in(code=scan.value)

    def _banner(self, zh: str, en: str, prompt: str | None) -> None:
        self.touch()
        self._set(banner={"zh": zh, "en": en})
        self.banner_timer.start()
        self._say(prompt)

    def _card(self, card) -> None:
        """A card put on the reader: on the confirm screen it offers the green channel by age (only the age is
        used, nothing is kept); on home and check-in it checks in today's appointment."""
        screen = self._view.get("screen")
        if screen == "confirm" and not self._staff_green:
            try:
                age = parse_id(card.id_number).age_on(self.service.client.now().date())
            except Exception as exc:  # noqa: BLE001 - a bad card: say so, keep the flow going
                return self._card_failed(exc)
            elder = age >= policy.GREEN_AGE  # offered by the rule the hub checks
            self._card_id = card.id_number if elder else None  # the hub checks the age itself (policy.green_granted)
            self._set(green_offer=elder, green=elder, card_error="")
        elif screen in READS_DEVICES and screen != "confirm":
            self._check_in(id_number=card.id_number)

    def _card_failed(self, exc) -> None:
        zh, en = message(exc)
        if self._view.get("screen") == "confirm":
            self._set(card_error=zh if self._lang == "zh_CN" else en)
        elif self._view.get("screen") in READS_DEVICES:
            self._banner(zh, en, None)

    @Slot()
    def simulateCard(self) -> None:
        if self.demo:
            self._card(self.demo["card"])

    @Slot(str)
    def simulateScan(self, payload: str) -> None:
        if self.demo:
            self._scan(payload or self.demo["qr"])

    # ------------------------------------------------------------ language, elder mode, staff

    @Slot()
    def toggleLanguage(self) -> None:
        self.touch()
        self._lang = "en" if self._lang == "zh_CN" else "zh_CN"
        self.textsChanged.emit()

    @Slot()
    def toggleElder(self) -> None:
        self.touch()
        self._elder = not self._elder
        self._set(elder=self._elder, scale=1.35 if self._elder else 1.0)
        self._say(PROMPT_OF.get(self._view["screen"]))

    @Slot()
    def adminTap(self) -> None:
        """Five taps on the top-left corner within three seconds open the staff PIN pad."""
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t < 3.0] + [now]
        if len(self._taps) >= 5:
            self._taps = []
            self._set(screen="admin")

    @Slot(str)
    def adminPin(self, pin: str) -> None:
        if self.admin_check(pin):
            self.touch()
            self._set(screen="staff")
        else:
            self.reset()

    @Slot()
    def staffGreen(self) -> None:
        """Staff at the kiosk give the next ticket the green channel (a citizen who is disabled, pregnant,
        a veteran, or elderly without a card): the guide signs in on the hub with her own staff number and PIN."""
        if self._view.get("screen") == "staff":
            self.touch()
            self._set(screen="guide_sign_in", guide_error="")

    @Slot(str, str)
    def guideSignIn(self, staff_no: str, pin: str) -> None:
        """The hub checks the guide (the kiosk's PIN only opened the staff menu); the citizen then chooses the item,
        and the green channel ends with that ticket, with "home" or with the idle timeout."""
        if self._view.get("screen") != "guide_sign_in" or self._view.get("busy"):
            return
        self.touch()
        self._background(lambda: self.service.guide_sign_in(staff_no.strip(), pin), self._guide_signed_in)

    def _guide_signed_in(self, result) -> None:
        kind, value = result
        if kind == "error":
            zh, en = message(value)
            return self._set(busy=False, guide_error=zh if self._lang == "zh_CN" else en)
        self._staff_green = True
        self._set(busy=False, screen="categories", staff_green=True, guide_error="")

    @Slot()
    def staffExit(self) -> None:
        if self._view.get("screen") == "staff":
            self.on_exit()

    def stop_devices(self) -> None:
        for timer in (self.idle, self.status, self.banner_timer, self.guide_timer):
            timer.stop()
        if self.card_watcher is not None:
            self.card_watcher.stop()
