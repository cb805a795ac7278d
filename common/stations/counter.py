"""The window terminal's use cases, without Qt: sign in, serve the window's tickets through the hub,
what the clerk sees (the window's queue, the current ticket, the service timer's colour, today's figures, the live
warnings of the window's queues: docs/planning.md), announcements, manual mode (walk-ins recorded on the terminal
while the hub is unreachable), and the 办不成事 window's cases (docs/cases.md): they live at the hub only (the hub
seals the reporter's contact), so none of these calls has an offline fallback."""
from __future__ import annotations

from datetime import datetime, timedelta

from common.devices import voice
from common.domain import errors as e
from common.domain.clock import utc
from common.domain.ids import new_token, uuid7
from common.domain.model import RETURNING
from common.domain.pins import hash_pin, verify_pin
from common.sync.client import SyncClient
from common.sync.transport import HttpTransport, HubUnreachable

AMBER_AT = 0.8  # the timer turns amber at 80 % of the item's service limit, red at the limit
PAUSE_REASONS = ("meal", "meeting", "training", "other")
# Materials often missing (容缺受理), offered for a matter that has no guide yet (else the guide's own list).
COMMON_MATERIALS = ("身份证原件", "户口簿", "结婚证", "房产证明", "营业执照", "授权委托书", "证件照片", "银行卡")
CALL_REASONS = ("预约到达", "老弱病残孕优先", RETURNING, "转来本窗口")
MAX_OFFLINE_PINS = 5
# cases (docs/cases.md), in the order the forms offer them (common.domain.cases holds the rules)
CASE_CAUSES = ("policy", "system", "materials", "attitude", "other")  # 政策 / 系统 / 材料 / 服务态度 / 其他
CASE_CLASSES = ("immediate", "general", "complex", "out_of_scope")  # 即办 / 一般 / 复杂 / 不属受理范围
CASE_ANSWERS = {"case": ("done", "partly", "cannot"), "rating": ("rectified", "explained", "appeal")}
CASE_STEPS = ("classify", "assign", "notes", "extend", "answer", "follow-up")  # POST /cases/{id}/<step>
WARNING_POLL_SECONDS = 30  # the terminal asks for its live warnings (the hub computes a site's once per 30 s)
WARNING_MAX_AGE = timedelta(minutes=2)  # older than this (the hub away), a warning is shown no more


def timer_colour(started_at: datetime | None, limit_min: int, now: datetime) -> str:
    """"normal", "amber" or "red" for a service running since `started_at` against its limit."""
    if started_at is None:
        return "normal"
    used = (now - started_at) / timedelta(minutes=limit_min)
    return "red" if used >= 1 else "amber" if used >= AMBER_AT else "normal"


def about_to_breach(breach_at: datetime, now: datetime, within: timedelta = timedelta(minutes=2)) -> bool:
    """A waiting ticket within two minutes of its wait limit (or past it) is marked for the clerk."""
    return breach_at - now <= within


def case_mark(item: dict) -> str:
    """"overdue", "due_soon" or "" for a case of the work list (the hub flags them on the day it reads them)."""
    return "overdue" if item.get("overdue") else "due_soon" if item.get("due_soon") else ""


def fresh_warnings(got: dict | None, now: datetime) -> list[dict]:
    """The warnings of the hub's last answer (`TerminalService.warnings`) while they are at most WARNING_MAX_AGE old:
    their age when the hub answered (by its clock) plus the time since (by ours), so clocks set apart do not matter.
    Their minutes count down by that age (whole minutes, never under 0): between two answers the banner moves on."""
    if not got:
        return []
    age = timedelta(seconds=got["age_seconds"]) + (now - got["received"])
    if not timedelta(0) <= age <= WARNING_MAX_AGE:
        return []
    gone = int(age.total_seconds() // 60)
    return [{**w, "minutes": max(0, w["minutes"] - gone)} for w in got["warnings"]]


def warning_banner(warnings: list[dict], t) -> str:
    """One line per warning in the terminal's language (`t`: key, *args -> text), as the hall says it:
    "医保社保 预计 12 分钟后超时 — 7 号窗口可协助", or "— 请本窗口协助" at the window suggested to help."""
    lines = []
    for w in warnings:
        line = t("warn_line", w["queue"], max(1, w["minutes"]))
        if w["helper_is_me"]:
            line += t("warn_me")
        elif w["window_number"] is not None:
            line += t("warn_helper", w["window_number"])
        lines.append(line)
    return "\n".join(lines)


def _at(text: str | None) -> datetime | None:
    return utc(datetime.fromisoformat(text)) if text else None


class TerminalService:
    def __init__(self, transport: HttpTransport, window_id: str | None, clock, client: SyncClient | None = None,
                 speaker=None) -> None:
        self.transport, self.window_id, self.clock = transport, window_id, clock
        self.bound = window_id is not None  # a device enrolled at one window; otherwise the clerk picks one
        self.client, self.speaker = client, speaker  # the local store (manual mode); None: no announcements
        self.clerk: str | None = None
        self.clerk_id: str | None = None
        self.window_number: int | None = None
        self._offline_failures = 0

    # ------------------------------------------------------------ clerks

    def sign_in(self, staff_no: str, pin: str, window_id: str | None = None) -> str:
        """Sign in at the hub; while it is unreachable, as a clerk who signed in here before (manual mode)."""
        self.window_id = self.window_id or window_id
        if self.window_id is None:
            raise e.InvalidInput("choose_window")
        try:
            answer = self.transport.call("POST", "/clerk/sign-in", json={"staff_no": staff_no, "pin": pin})
        except HubUnreachable:
            if self.client is None:
                raise
            return self._sign_in_offline(staff_no, pin)
        self.transport.http.headers["X-Clerk-Token"] = answer["clerk_token"]
        self.clerk, self.clerk_id = answer["name"], answer["clerk_id"]
        if self.client is not None:  # remembered (PIN hashed) so the clerk can sign in here when the hub is away
            known = self.client.store.get("clerks", {})
            known[staff_no] = {"clerk_id": self.clerk_id, "name": self.clerk, "pin_hash": hash_pin(pin)}
            self.client.store.put("clerks", known)
        return self.clerk

    def _sign_in_offline(self, staff_no: str, pin: str) -> str:
        if self._offline_failures >= MAX_OFFLINE_PINS:
            raise e.ClerkLocked()
        known = self.client.store.get("clerks", {}).get(staff_no)
        if known is None or not verify_pin(known["pin_hash"], pin):
            self._offline_failures += 1
            raise e.BadCredentials()
        self._offline_failures = 0
        self.clerk, self.clerk_id = known["name"], known["clerk_id"]
        return self.clerk

    def sign_out(self) -> None:
        try:
            self.transport.call("POST", "/clerk/sign-out")
        except HubUnreachable:
            pass  # the hub ends the session by itself; here it ends now
        self.transport.http.headers.pop("X-Clerk-Token", None)
        self.clerk = self.clerk_id = None
        if not self.bound:
            self.window_id = None

    def windows(self) -> list[dict]:
        """The site's windows to choose from at sign-in (a terminal not bound to one window)."""
        try:
            return [w for w in self.transport.call("GET", "/windows") if w["kind"] != "cases"]
        except HubUnreachable:  # manual mode: the windows this terminal knows from its last sync
            tables = self.client.store.tables() if self.client else {}
            return [{"window_id": w["id"], "number": w["number"], "name": w["name"]}
                    for w in sorted(tables.get("windows", []), key=lambda w: w["number"]) if w["kind"] != "cases"]

    # ------------------------------------------------------------ serving

    def act(self, action: str, **body) -> dict:
        """One of call-next, call, recall, skip, start, finish, transfer, pause, resume on this window.
        A call or recall is announced through the speakers when the terminal has them."""
        kw = {"json": body} if body or action in ("skip", "pause") else {}
        answer = self.transport.call("POST", f"/windows/{self.window_id}/{action}", **kw)
        ticket = answer.get("ticket") or {}
        if action in ("call-next", "call", "recall") and ticket.get("number"):
            self.announce(ticket["number"])
        return answer

    def announce(self, number: str) -> None:
        if self.speaker is not None and self.window_number is not None:
            self.speaker.play(voice.call_wav(number, self.window_number))

    def load(self) -> dict:
        """The window (with its current ticket) and the queues it serves, from the hub."""
        windows = self.transport.call("GET", "/windows")
        me = next(w for w in windows if w["window_id"] == self.window_id)
        self.window_number = me["number"]
        every = self.transport.call("GET", "/queue")
        return {"window": me, "queues": [q for q in every if q["queue_id"] in me["queue_ids"]],
                "all_queues": [{"queue_id": q["queue_id"], "name": q["name"]} for q in every],
                "other_windows": [{"window_id": w["window_id"], "number": w["number"], "queue_ids": w["queue_ids"]}
                                  for w in windows if w["window_id"] != self.window_id and w["kind"] != "cases"],
                "at": self.clock.now()}

    def board(self, loaded: dict) -> dict:
        """What the clerk sees now: the current ticket with its wait and timer colour, the waiting tickets
        (each queue in calling order) with those about to breach their wait limit marked; tickets transferred
        to another window are left out, those transferred to this one marked `for_me`. Without a fresh
        `load`, the times move on from the last one (the screen ticks every second)."""
        now = self.clock.now()
        since = int((now - loaded["at"]).total_seconds())
        current = loaded["window"]["current"]
        if current:
            started, issued = _at(current["started_at"]), _at(current["issued_at"])
            called = _at(current.get("first_called_at")) or now
            current = {**current, "colour": timer_colour(started, current["service_limit_min"], now),
                       "service_seconds": int((now - started).total_seconds()) if started else 0,
                       "waited_seconds": int((called - issued).total_seconds())}
        waiting = [{**t, "queue": q["name"], "soon": about_to_breach(_at(t["wait_breach_at"]), now),
                    "waited_seconds": t["waited_seconds"] + since,
                    "breach_in_seconds": int((_at(t["wait_breach_at"]) - now).total_seconds()),
                    "for_me": t.get("target_window_id") == self.window_id}
                   for q in loaded["queues"] for t in q["tickets"] if t.get("target_window_id") in (None, self.window_id)]
        return {"window": loaded["window"], "current": current, "waiting": waiting}

    def transfer_targets(self, loaded: dict, current_queue: str | None) -> list[tuple[dict, str, tuple]]:
        """Where the current ticket can go: (request body, text key, its arguments), windows first
        (the usual case: "please go to window 5"), then the other queues."""
        names = {q["queue_id"]: q["name"] for q in loaded.get("all_queues", [])}
        windows = [({"to_window_id": w["window_id"]}, "to_window", (w["number"], "、".join(names[q] for q in w["queue_ids"])))
                   for w in loaded.get("other_windows", []) if w["queue_ids"]]
        queues = [({"to_queue_id": q["queue_id"]}, "to_queue", (q["name"],))
                  for q in loaded.get("all_queues", []) if q["queue_id"] != current_queue]
        return windows + queues

    def figures(self) -> dict:
        return self.transport.call("GET", "/figures/me")

    def warnings(self) -> dict:
        """The hub's live warnings for this window's queues, with when they came (for `fresh_warnings`)."""
        answer = self.transport.call("GET", f"/windows/{self.window_id}/warnings")
        return {"warnings": answer["warnings"], "age_seconds": answer["age_seconds"], "received": self.clock.now()}

    def window_kind(self, loaded: dict | None) -> str | None:
        """This window's kind ("cases": the 办不成事反映窗口) from the last load, or, before one, from the
        reference data cached on the terminal (so the cases page can say that it needs the hub)."""
        if loaded:
            return loaded["window"]["kind"]
        tables = self.client.store.tables() if self.client else {}
        return next((w["kind"] for w in tables.get("windows", []) if w["id"] == self.window_id), None)

    # ------------------------------------------------------------ cases (docs/cases.md), at the hub only

    def cases(self) -> list[dict]:
        """The work list, most urgent first (the hub's order): only at a window of kind "cases"."""
        return self.transport.call("GET", "/cases")

    def case(self, case_id: str) -> dict:
        """One case with its history and the reporter's contact masked."""
        return self.transport.call("GET", f"/cases/{case_id}")

    def open_case(self, source: str, cause: str, *, text: str | None = None, name: str | None = None,
                  phone: str | None = None, ticket_id: str | None = None, item_id: str | None = None) -> dict:
        """Register a case: "window" (reported at the 办不成事 window) or "rejection" (of `ticket_id`, just refused).
        With the hub away (manual mode) it is kept here and pushed with the next sync (`SyncClient.open_case_offline`,
        the same id and token as the request that got no answer): the answer then says `offline`, and `contact_lost`
        when a name or phone was given but could not be sealed (a terminal that never synced has no key for it)."""
        case_id, token = uuid7(), new_token()
        body = {"source": source, "cause": cause, "text": text, "name": name, "phone": phone, "ticket_id": ticket_id,
                "case_id": case_id, "public_token": token}
        try:
            return self.transport.call("POST", "/cases", json={k: v for k, v in body.items() if v not in (None, "")})
        except HubUnreachable:
            if self.client is None or self.clerk_id is None:
                raise
        x = self.client.open_case_offline(source=source, cause=cause, text=text, item_id=item_id, ticket_id=ticket_id,
                                          name=name, phone=phone, case_id=case_id, public_token=token,
                                          clerk_id=self.clerk_id)
        return {"case_id": case_id, "number": x.data["number"], "offline": True,
                "contact_lost": bool(name or phone) and x.data["contact"] is None}

    def case_step(self, case_id: str, step: str, body: dict) -> dict:
        """One of CASE_STEPS on a case; the hub decides whether it fits the case as it stands."""
        if step not in CASE_STEPS:
            raise ValueError(step)
        return self.transport.call("POST", f"/cases/{case_id}/{step}", json=body)

    def case_contact(self, case_id: str, purpose: str) -> dict:
        """The reporter's name and phone in full ("handle" or "follow_up"): the hub writes the showing to its
        audit log first. The caller shows it and keeps it nowhere."""
        return self.transport.call("POST", f"/cases/{case_id}/contact", json={"purpose": purpose})

    # ------------------------------------------------------------ manual mode (docs/sync.md)

    def manual_items(self) -> list[dict]:
        """The items of this window's queues, from the reference data cached on the terminal."""
        tables = self.client.store.tables() if self.client else {}
        mine = {wq["queue_id"] for wq in tables.get("window_queues", []) if wq["window_id"] == self.window_id}
        return [i for i in tables.get("service_items", []) if i["queue_id"] in mine]

    def materials(self, item_id: str | None) -> tuple[tuple[tuple[str, str | None], ...], int | None]:
        """What the clerk may tick as missing (容缺受理) for a ticket of this matter, and the version of the guide it
        comes from: every material of the matter's guide as this terminal holds it (the citizen's answers at the
        kiosk are not known here, so conditional materials are listed too), else COMMON_MATERIALS and None. Read
        from the reference data cached on the terminal: no call to the hub. Each material as (name, English name)."""
        from common.guides.files import from_wire

        tables = self.client.store.tables() if self.client else {}
        item = next((i for i in tables.get("service_items", []) if i["id"] == item_id), None)
        rows = [g for g in tables.get("guides", []) if item and isinstance(g, dict) and g.get("item") == item["code"]]
        guide = from_wire(rows[-1:])[0] if rows else None  # one per item: the newest the hub sent
        if guide is None or not guide.materials:
            return tuple((m, None) for m in COMMON_MATERIALS), None
        return tuple({m.name: (m.name, m.name_en) for m in guide.materials}.values()), guide.version

    def serve_walk_in(self, item_id: str, outcome: str, reason: str | None = None) -> dict:
        """A walk-in served while the hub is unreachable: recorded here, uploaded when it returns."""
        if self.client is None:
            raise HubUnreachable()
        tables = self.client.store.tables()
        item = next((i for i in tables.get("service_items", []) if i["id"] == item_id), None)
        if item is None:
            raise e.NotFound("terminal_lacks_item")
        queue = next(q for q in tables["queues"] if q["id"] == item["queue_id"])
        if outcome == "rejected" and not (reason or "").strip():
            raise e.ReasonRequired("rejection_reason")
        issued = self.client.manual_service(item, queue, window_id=self.window_id, clerk_id=self.clerk_id,
                                            outcome=outcome, reason=(reason or "").strip() or None)
        return {"ticket_id": issued.data["ticket_id"], "number": issued.data["number"]}
