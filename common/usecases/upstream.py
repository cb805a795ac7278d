"""A hub's link to its upstream hub: upload this hub's events, download its site's reference data,
and keep this hub's clock in step with the upstream's. Runs in a thread of `haoban serve`."""
from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, insert, select

from common.db import repo
from common.db.engine import lock_site, reader, snapshot
from common.db.schema import UpstreamSetAsideRow
from common.domain import errors as e
from common.domain.clock import OffsetClock, SystemClock, business_day
from common.sync import protocol
from common.sync.client import keep_syncing, push_pending, push_setting_aside
from common.sync.transport import HttpTransport, HubUnreachable, timed
from common.usecases import check, door, receive, reference

KEY = "upstream"
CASES_KEY = "upstream_cases"  # the cursor of the case steps pulled down, and those set aside
SET_ASIDE = UpstreamSetAsideRow.__table__
SET_ASIDE_KEPT = 100  # case steps set aside: the last ones are kept (with the count of all) for someone to look at
log = logging.getLogger(__name__)


def load_state(conn) -> dict:
    return repo.sync_state(conn, KEY)


def save_state(conn, **changes) -> dict:
    state = {**load_state(conn), **changes}
    repo.put_sync_state(conn, KEY, state)
    return state


def cases_set_aside(conn) -> tuple[int, list[dict]]:
    """The upstream's case steps this hub set aside: how many in all, and the last ones with their refusals."""
    state = repo.sync_state(conn, CASES_KEY)
    return state.get("set_aside_count", 0), state.get("set_aside", [])


def enrol(engine: Engine, url: str, code: str) -> dict:
    """Enrol this hub at its upstream with a one-time code for role "hub"; then fetch its site's reference data."""
    answer = HttpTransport(url, "").call("POST", "/enrol", json={"code": code})
    if answer["role"] != "hub":
        raise e.InvalidInput("not_hub_code")
    with engine.begin() as conn:
        save_state(conn, url=url, token=answer["token"], site_id=answer["site_id"], device_id=answer["device_id"], acked=0)
    link = UpstreamLink(engine)
    link.refresh_reference()
    return answer


class UpstreamLink:
    def __init__(self, engine: Engine, clock: OffsetClock | None = None, url: str | None = None) -> None:
        self.engine, self.clock = engine, clock or OffsetClock(SystemClock())
        with engine.begin() as conn:
            state = load_state(conn)
        if not state.get("token"):
            raise e.InvalidInput("hub_not_enrolled")
        self.site_id = state["site_id"]
        self.transport = HttpTransport(url or state["url"], state["token"])
        self.online = False
        self.last_error: str | None = None

    def _call(self, *args, **kw):
        answer, offset = timed(self.clock.base, lambda: self.transport.call(*args, **kw))
        self.clock.offset = offset  # this hub stamps its events with the upstream's time
        return answer

    def push(self) -> int:
        """Upload this hub's events after the acknowledged position. An event the upstream refuses (403/422) is set
        aside (`set_aside`): it stays in the log, is recorded with the refusal, and is never sent again by itself,
        so that the events after it go up (`push_setting_aside`, as a device does)."""
        return push_setting_aside(self._push, self._set_aside)

    def _push(self, batch: int) -> int:
        def read(after, n):
            with reader(self.engine) as conn:
                skip = set_aside_seqs(conn, after)
                return [(x.seq, protocol.to_wire(x)) for x in repo.events_after(conn, self.site_id, after, n, skip)]

        def save_ack(acked, _void):
            with self.engine.begin() as conn:
                save_state(conn, acked=acked)

        with reader(self.engine) as conn:
            acked = load_state(conn).get("acked", 0)
        return push_pending(self, read, acked, save_ack, batch=batch)

    def _set_aside(self, refusal: e.Relayed) -> None:
        """The first event not yet acknowledged (nor set aside) is the one refused: set it aside."""
        with self.engine.begin() as conn:
            acked = load_state(conn).get("acked", 0)
            first = repo.events_after(conn, self.site_id, acked, 1, set_aside_seqs(conn, acked))
            if not first:
                raise refusal
            x = first[0]
            conn.execute(insert(UpstreamSetAsideRow).values(seq=x.seq, event_id=x.id, kind=x.kind, refusal=refusal.as_dict(),
                                                  set_aside_at=self.clock.now()))
        log.warning("upstream refused event #%s (%s): %s %s; set aside", x.seq, x.kind, refusal.status, refusal.code)

    def report(self) -> None:
        """After a push that left nothing behind, tell the upstream what this site holds (`check.report`), so
        that its `haoban check` can compare its copy; once per position. (While the last event is one set aside,
        nothing is reported: the upstream cannot hold what the report covers.)"""
        with reader(self.engine) as conn:
            state = load_state(conn)
        acked = state.get("acked", 0)
        if state.get("reported") == acked:
            return
        with snapshot(self.engine) as conn:
            rep = check.report(conn, self.site_id, business_day(self.clock.now()))
        if rep["upto"] != acked:  # new events since the push: the next round pushes them, then reports
            return
        answer = self._call("POST", "/sync/push", packed={
            "protocol": protocol.PROTOCOL, "after": acked, "events": [], "report": rep})
        with self.engine.begin() as conn:
            save_state(conn, **({"acked": answer["acked"]} if answer.get("rewind") else {"reported": acked}))

    def pull_cases(self, limit: int = 500) -> int:
        """Download the handling steps the upstream's departments wrote on this site's cases (a village case answered
        at the district: docs/cases.md "Across the hub tree"), page by page. Each page passes the door
        (`door.admit_from_upstream`: a step that does not fit is set aside, not stored) and is stored with its cursor
        in one transaction, under the site's lock. Returns how many steps were stored. They go up again with this
        hub's events (positions stay gapless), where the upstream recognises them as its own (`door._check`)."""
        stored = 0
        while True:
            with reader(self.engine) as conn:
                after = repo.sync_state(conn, CASES_KEY).get("pulled", 0)
            page = self._call("GET", "/sync/cases", params={"protocol": protocol.PROTOCOL, "after": after, "limit": limit})
            with self.engine.begin() as conn:
                lock_site(conn, self.site_id)
                state = repo.sync_state(conn, CASES_KEY)
                if state.get("pulled", 0) != after:  # another round stored this page meanwhile
                    return stored
                events, aside, upto = door.admit_from_upstream(conn, page, after, self.clock.now())
                receive.store(conn, events)
                kept = (state.get("set_aside", []) + aside)[-SET_ASIDE_KEPT:]
                repo.put_sync_state(conn, CASES_KEY, {"pulled": upto, "set_aside": kept,
                                                      "set_aside_count": state.get("set_aside_count", 0) + len(aside)})
            stored += len(events)
            for x in aside:
                log.warning("upstream case step at #%s (%s) set aside: %s", x["q"], x["kind"], x["key"])
            if not page.get("more") or upto == after:
                return stored

    def call(self, *args, **kw):  # the transport interface `push_pending` expects
        return self._call(*args, **kw)

    def refresh_reference(self) -> None:
        snap = self._call("GET", "/sync/reference", params={"protocol": protocol.PROTOCOL})
        with self.engine.begin() as conn:
            if load_state(conn).get("reference_version") != snap["version"]:
                reference.apply_snapshot(conn, snap)
                save_state(conn, reference_version=snap["version"])

    STEPS = ("pull_cases", "push", "refresh_reference", "report")

    def sync_once(self) -> None:
        """Pull the case steps written upstream, push, pull the reference data, then report; each step runs whatever befell the one before (a bad
        report must not stop the reference data coming down, nor a refused push either). Every failure is logged
        by its step and code only (never a message that could hold personal data) and kept in the upstream state
        (`errors`, shown by `hub status`) until that step succeeds. An unreachable upstream stops the round; a push
        refused as a whole (e.g. 426) is raised after the other steps, so that the link backs off."""
        errors: dict[str, dict] = {}
        pushed: Exception | None = None
        for name in self.STEPS:
            try:
                getattr(self, name)()
            except HubUnreachable as exc:
                self.online, self.last_error = False, exc.en
                raise
            except Exception as exc:  # noqa: BLE001 - one step's failure must not stop the others
                errors[name] = failure(exc)
                pushed = exc if name == "push" else pushed
        with self.engine.begin() as conn:
            before = load_state(conn).get("errors", {})
            state: dict[str, object] = {"errors": errors}
            if len(errors) < len(self.STEPS):  # the upstream answered at least once
                state["last_contact"] = self.clock.now().isoformat()
            save_state(conn, **state)
        for name, error in errors.items():
            if before.get(name) != error:
                log.warning("upstream %s failed: %s", name, error["error"])
        self.online = len(errors) < len(self.STEPS)
        self.last_error = next((f"{n}: {x.get('message_en') or x['error']}" for n, x in errors.items()), None)
        if isinstance(pushed, e.HaobanError):
            raise pushed

    def run(self, stop: threading.Event) -> None:
        def refused(exc):
            self.online, self.last_error = False, exc.en

        keep_syncing(self.sync_once, stop, refused)


def failure(exc: Exception) -> dict:
    """What is kept and logged of a step's failure: a refusal's code, status and English message (from the
    catalogue: no input in it), otherwise the exception's type only."""
    if isinstance(exc, e.HaobanError):
        return {"error": exc.code, "status": exc.status, "message_en": exc.en}
    return {"error": type(exc).__name__}


def set_aside_seqs(conn: Connection, after: int = 0) -> set[int]:
    """The seqs of this hub's events set aside, after `after`."""
    return set(conn.execute(select(SET_ASIDE.c.seq).where(SET_ASIDE.c.seq > after)).scalars())


def set_aside(conn: Connection) -> list[dict]:
    """The events the upstream refused, oldest first, each with its refusal: for whoever looks into them."""
    return [dict(r) for r in conn.execute(select(SET_ASIDE).order_by(SET_ASIDE.c.seq)).mappings()]
