"""The sync client of a kiosk or terminal: a local store, an outbox, number leases, clock correction,
and background sync with backoff. The UIs read `status` to show online / offline and progress."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from common.domain import contact
from common.domain import errors as e
from common.domain import events as ev
from common.domain.cases import CaseKind, check_text, decide_open
from common.domain.clock import SystemClock, business_day
from common.domain.errors import NoNumbers  # also imported from here by callers
from common.domain.events import Event
from common.domain.ids import new_token, uuid7
from common.domain.model import Priority
from common.domain.policy import decide_issue
from common.sync import protocol
from common.sync.store import INBOX, LEASES, OUTBOX, SET_ASIDE, LocalStore
from common.sync.transport import HubUnreachable, timed


@dataclass
class SyncStatus:
    online: bool = False
    last_sync: datetime | None = None
    last_error: str | None = None
    backlog: int = 0
    progress: tuple[int, int] | None = None  # (sent, to send) during a long catch-up
    void: list[str] = field(default_factory=list)  # our events the hub found in conflict (docs/sync.md)
    set_aside: int = 0  # our events the hub refused, kept apart in the store (LocalStore.set_aside)


def keep_syncing(sync_once: Callable[[], None], stop: threading.Event, refused: Callable[[e.HaobanError], None],
                 interval: float = 2.0, max_backoff: float = 60.0) -> None:
    """Call `sync_once` until `stop` is set: every `interval` seconds while the other side answers,
    backing off (doubling up to `max_backoff`) while it cannot be reached, slowly when it refuses."""
    wait = interval
    while not stop.is_set():
        try:
            sync_once()
            wait = interval
        except HubUnreachable:
            wait = min(max_backoff, max(wait * 2, 1.0))
        except e.HaobanError as exc:  # refused, e.g. protocol too old: say so and keep trying slowly
            refused(exc)
            wait = max_backoff
        stop.wait(wait)


REFUSED = (403, 422)  # the receiver refused what a batch holds (not the sender: 401; not the protocol: 426)


def push_setting_aside(push: Callable[[int], int], set_aside: Callable[[e.Relayed], None]) -> int:
    """Push with `push(batch size)`; a refused batch is sent again one event at a time, and the event the receiver
    refuses goes to `set_aside` (which records it so that it is never read again), so one bad event never blocks
    the rest. Returns the acknowledged position."""
    while True:
        try:
            return push(500)
        except e.Relayed as exc:
            if exc.status not in REFUSED:
                raise
        try:
            return push(1)  # the events before the refused one go one by one
        except e.Relayed as exc:
            if exc.status not in REFUSED:
                raise
            set_aside(exc)


def push_pending(transport, read: Callable[[int, int], list[tuple[int, dict]]], acked: int,
                 save_ack: Callable[[int, list[str]], None], progress: Callable[[int], None] | None = None,
                 batch: int = 500) -> int:
    """Send everything after position `acked`, batch by batch; returns the new acknowledged position."""
    sent = 0
    while rows := read(acked, batch):
        answer = transport.call("POST", "/sync/push", packed={
            "protocol": protocol.PROTOCOL, "after": acked, "events": [{**w, "p": p} for p, w in rows]})
        new = answer["acked"]
        save_ack(new, answer.get("void", []))
        sent += sum(1 for p, _ in rows if acked < p <= new)
        if answer.get("rewind") or new < rows[-1][0]:
            acked = new
            continue
        acked = new
        if progress:
            progress(sent)
    return acked


class SyncClient:
    """Keeps a device's local store and its hub in step."""

    def __init__(self, store: LocalStore, transport, *, device_id: str, site_id: str, lease_size: int = 50,
                 clock=None, on_change: Callable[[SyncStatus], None] | None = None) -> None:
        self.store, self.transport = store, transport
        self.device_id, self.site_id, self.lease_size = device_id, site_id, lease_size
        self.clock = clock or SystemClock()
        self.on_change = on_change
        self.status = SyncStatus(backlog=store.backlog(), set_aside=len(store.set_aside()))
        self._lock = threading.Lock()  # one sync at a time

    # ------------------------------------------------------------ time

    def now(self) -> datetime:
        """Local time corrected by the offset the hub's answers showed."""
        return self.clock.now() + timedelta(seconds=self.store.get("offset_seconds", 0.0))

    def _timed(self, fn):
        answer, offset = timed(self.clock, fn)
        self.store.put("offset_seconds", offset)
        return answer

    # ------------------------------------------------------------ local facts

    def record(self, kind: str, data: dict, clerk_id: str | None = None) -> Event:
        """Keep an event made on this device; it reaches the hub with the next sync."""
        x = Event(id=uuid7(), site_id=self.site_id, kind=kind, at=self.now(), data=data,
                  device_id=self.device_id, clerk_id=clerk_id)
        with self.store.engine.begin() as conn:
            conn.execute(insert(OUTBOX).values(id=x.id, wire=protocol.to_wire(x)))
        self._changed(backlog=self.store.backlog())
        return x

    def issue_offline(self, item: dict, queue: dict, priority: Priority = Priority.normal) -> Event:
        """A ticket from this device's leased numbers (hub unreachable). Never reuses a number."""
        now = self.now()  # before the transaction: reading the offset opens its own
        day = business_day(now).isoformat()
        with self.store.engine.begin() as conn:
            lease = conn.execute(select(LEASES).where(LEASES.c.letter == queue["letter"], LEASES.c.day == day,
                                                      LEASES.c.next <= LEASES.c.last).order_by(LEASES.c.next)).first()
            if lease is None:
                raise NoNumbers()
            conn.execute(update(LEASES).where(LEASES.c.id == lease.id).values(next=lease.next + 1))
            kind, data = decide_issue(
                ticket_id=uuid7(), day=business_day(now), letter=queue["letter"], seq=lease.next,
                queue_id=queue["id"], item_id=item["id"], bundle_id=None, priority=priority,
                wait_limit_min=item["wait_limit_min"], service_limit_min=item["service_limit_min"],
                public_token=new_token())
            x = Event(id=uuid7(), site_id=self.site_id, kind=kind, at=now, data=data, device_id=self.device_id)
            conn.execute(insert(OUTBOX).values(id=x.id, wire=protocol.to_wire(x)))
        self._changed(backlog=self.store.backlog())
        return x

    def manual_service(self, item: dict, queue: dict, *, window_id: str, clerk_id: str, outcome: str,
                       reason: str | None = None) -> Event:
        """A terminal in manual mode (hub unreachable): a walk-in served at the window, recorded as the
        events the hub would have made - a ticket from the lease, called, started, finished."""
        issued = self.issue_offline(item, queue)
        tid, wid = issued.data["ticket_id"], window_id
        self.record(ev.TICKET_CALLED, {"ticket_id": tid, "window_id": wid, "reason": "人工模式 manual mode"}, clerk_id)
        self.record(ev.SERVICE_STARTED, {"ticket_id": tid, "window_id": wid}, clerk_id)
        self.record(ev.SERVICE_FINISHED, {"ticket_id": tid, "window_id": wid, "outcome": outcome, "reason": reason,
                                          "missing_materials": None, "due_date": None}, clerk_id)
        return issued

    def open_case_offline(self, *, source: str, cause: str, text: str | None = None, item_id: str | None = None,
                          ticket_id: str | None = None, name: str | None = None, phone: str | None = None,
                          case_id: str | None = None, public_token: str | None = None,
                          clerk_id: str | None = None) -> Event:
        """A 办不成事 case registered while the hub is unreachable (docs/cases.md): the `case_opened` event the hub
        would have made (its number comes from its id), checked as the hub checks the online command, the contact
        sealed to the hub's public key from the reference data (`contact.seal_box`). A device that never synced has
        no such key: the case is registered without the contact (its `contact` is None although one was given)."""
        text = check_text(text, "case_text_too_long")
        who = contact.check(name, phone)
        box = (self.store.tables().get("case_box") or [None])[0]
        kind, data = decide_open(case_id=case_id or uuid7(), public_token=public_token or new_token(), kind=CaseKind.case,
                                 source=source, cause=cause, text=text, day=business_day(self.now()),
                                 contact=contact.seal_box(box, who) if who is not None and box else None,
                                 item_id=item_id, ticket_id=ticket_id)
        return self.record(kind, data, clerk_id)

    def numbers_left(self, letter: str) -> int:
        day = business_day(self.now()).isoformat()
        with self.store.engine.begin() as conn:
            return conn.execute(select(func.coalesce(func.sum(LEASES.c.last - LEASES.c.next + 1), 0)).where(
                LEASES.c.letter == letter, LEASES.c.day == day, LEASES.c.next <= LEASES.c.last)).scalar_one()

    # ------------------------------------------------------------ sync steps

    def push(self) -> int:
        """Send the outbox; an event the hub refuses is set aside (kept with the refusal, `status.set_aside`), so
        that one bad event never blocks the rest (`push_setting_aside`)."""
        return push_setting_aside(self._push, self._set_aside)

    def _set_aside(self, refusal: e.Relayed) -> None:
        with self.store.engine.begin() as conn:
            row = conn.execute(select(OUTBOX).where(OUTBOX.c.pos > LocalStore._get(conn, "acked", 0))
                               .order_by(OUTBOX.c.pos).limit(1)).first()
            if row is None:
                raise refusal
            conn.execute(insert(SET_ASIDE).values(pos=row.pos, id=row.id, wire=row.wire, refusal=refusal.as_dict()))
            conn.execute(delete(OUTBOX).where(OUTBOX.c.pos == row.pos))
        self._changed(set_aside=self.status.set_aside + 1, last_error=refusal.en, backlog=self.store.backlog())

    def _push(self, batch: int) -> int:
        def read(after, n):
            with self.store.engine.begin() as conn:
                rows = conn.execute(select(OUTBOX).where(OUTBOX.c.pos > after).order_by(OUTBOX.c.pos).limit(n))
                return [(r.pos, r.wire) for r in rows]

        def save_ack(acked, void):
            with self.store.engine.begin() as conn:  # the cursor and the outbox trim in one transaction
                conn.execute(delete(OUTBOX).where(OUTBOX.c.pos <= acked))
                LocalStore._put(conn, "acked", acked)
            self.status.void += void

        total = self.store.backlog()
        transport = _Timed(self)
        return push_pending(transport, read, self.store.get("acked", 0), save_ack,
                            lambda sent: self._changed(progress=(sent, total), backlog=self.store.backlog()), batch=batch)

    def pull(self) -> int:
        """Fetch the site's events since our cursor; the cursor moves in the same transaction."""
        got = 0
        while True:
            cursor = self.store.get("cursor", 0)
            answer = self._timed(lambda: self.transport.call(
                "GET", "/sync/pull", params={"protocol": protocol.PROTOCOL, "after": cursor, "limit": 500}))  # noqa: B023 - called at once
            with self.store.engine.begin() as conn:
                for w in answer["events"]:
                    if not conn.execute(select(INBOX.c.seq).where(INBOX.c.seq == w["q"])).first():
                        conn.execute(insert(INBOX).values(seq=w["q"], wire=w))
                LocalStore._put(conn, "cursor", max(cursor, answer["next"]))
            got += len(answer["events"])
            if not answer["more"]:
                return got

    def refresh_reference(self) -> dict:
        snap = self._timed(lambda: self.transport.call("GET", "/sync/reference", params={"protocol": protocol.PROTOCOL}))
        if snap["version"] != (self.store.get("reference") or {}).get("version"):
            self.store.put("reference", {k: snap[k] for k in ("site_id", "version", "tables")})
        return snap

    def refill_leases(self) -> None:
        """Keep at least half a lease of today's numbers for every queue letter of the site."""
        reference = self.store.get("reference") or {"tables": {"queues": []}}
        for q in reference["tables"]["queues"]:
            if self.numbers_left(q["letter"]) * 2 < self.lease_size:
                got = self._timed(lambda: self.transport.call(
                    "POST", "/sync/lease", json={"protocol": protocol.PROTOCOL, "letter": q["letter"], "size": self.lease_size}))  # noqa: B023
                with self.store.engine.begin() as conn:  # the hub's business day is the one that counts
                    conn.execute(insert(LEASES).values(letter=got["letter"], day=got["business_day"],
                                                       next=got["first"], last=got["last"]))

    def sync_once(self, leases: bool = True) -> None:
        with self._lock:
            try:
                self.push()
                self.pull()
                self.refresh_reference()
                if leases:
                    self.refill_leases()
            except HubUnreachable as exc:
                self._changed(online=False, last_error=exc.en, progress=None)
                raise
            self._changed(online=True, last_error=None, last_sync=self.now(), progress=None,
                          backlog=self.store.backlog())

    def unreachable(self, exc: e.HaobanError) -> None:
        """A direct request (not the background sync) found the hub unreachable: the status says so at once."""
        self._changed(online=False, last_error=exc.en)

    def run(self, stop: threading.Event) -> None:
        """Sync until `stop` is set (see `keep_syncing`)."""
        keep_syncing(self.sync_once, stop, lambda exc: self._changed(online=False, last_error=exc.en))

    def _changed(self, **kw) -> None:
        for k, v in kw.items():
            setattr(self.status, k, v)
        if self.on_change:
            self.on_change(self.status)


class _Timed:
    """Wraps the transport so that every answer also corrects the clock offset."""

    def __init__(self, client: SyncClient) -> None:
        self.client = client

    def call(self, *args, **kw):
        return self.client._timed(lambda: self.client.transport.call(*args, **kw))
