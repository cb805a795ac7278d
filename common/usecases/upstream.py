"""A hub's link to its upstream hub: upload this hub's events, download its site's reference data,
and keep this hub's clock in step with the upstream's. Runs in a thread of `haoban serve`."""
from __future__ import annotations

import threading

from sqlalchemy import Engine, update

from common.db import repo
from common.db.engine import snapshot
from common.db.schema import SyncStateRow
from common.domain import errors as e
from common.domain.clock import OffsetClock, SystemClock, business_day
from common.sync import protocol
from common.sync.client import keep_syncing, push_pending
from common.sync.transport import HttpTransport, HubUnreachable, timed
from common.usecases import check, reference

KEY = "upstream"


def load_state(conn) -> dict:
    return repo.sync_state(conn, KEY)


def save_state(conn, **changes) -> dict:
    state = {**load_state(conn), **changes}
    if not conn.execute(update(SyncStateRow).where(SyncStateRow.key == KEY).values(value=state)).rowcount:
        conn.execute(SyncStateRow.__table__.insert().values(key=KEY, value=state))
    return state


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
        self.online, self.last_error = False, None

    def _call(self, *args, **kw):
        answer, offset = timed(self.clock.base, lambda: self.transport.call(*args, **kw))
        self.clock.offset = offset  # this hub stamps its events with the upstream's time
        return answer

    def push(self) -> int:
        def read(after, n):
            with self.engine.connect() as conn:
                return [(x.seq, protocol.to_wire(x)) for x in repo.events_after(conn, self.site_id, after, limit=n)]

        def save_ack(acked, _void):
            with self.engine.begin() as conn:
                save_state(conn, acked=acked)

        with self.engine.begin() as conn:
            acked = load_state(conn).get("acked", 0)
        return push_pending(self, read, acked, save_ack)

    def report(self) -> None:
        """After a push that left nothing behind, tell the upstream what this site holds (`check.report`), so
        that its `haoban check` can compare its copy; once per position."""
        with self.engine.connect() as conn:
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

    def call(self, *args, **kw):  # the transport interface `push_pending` expects
        return self._call(*args, **kw)

    def refresh_reference(self) -> None:
        snap = self._call("GET", "/sync/reference", params={"protocol": protocol.PROTOCOL})
        with self.engine.begin() as conn:
            if load_state(conn).get("reference_version") != snap["version"]:
                reference.apply_snapshot(conn, snap)
                save_state(conn, reference_version=snap["version"])

    def sync_once(self) -> None:
        try:
            self.push()
            self.report()
            self.refresh_reference()
            with self.engine.begin() as conn:
                save_state(conn, last_contact=self.clock.now().isoformat())
            self.online, self.last_error = True, None
        except HubUnreachable as exc:
            self.online, self.last_error = False, exc.en
            raise

    def run(self, stop: threading.Event) -> None:
        def refused(exc):
            self.online, self.last_error = False, exc.en

        keep_syncing(self.sync_once, stop, refused)
