"""Check that the stored projection equals the fold of the event log (and rebuild it from scratch); compare a
district's copy of a child hub's site with what that hub reported (docs/sync.md, "Checking a copy")."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update

from common.db import caserows, repo
from common.db.engine import snapshot
from common.db.schema import SyncPeerRow, SyncStateRow, TicketCounterRow
from common.domain import errors as e
from common.domain import limits as L
from common.domain.model import SiteState, TicketStatus, WindowState
from common.domain.projection import fold


def rebuilt(engine: Engine) -> SiteState:
    state, after = SiteState(), 0
    with engine.connect() as conn:
        while batch := repo.events_after(conn, None, after, limit=5000):
            fold(batch, state)
            after = batch[-1].seq
    return state


def differences(engine: Engine) -> list[str]:
    """Every way the stored projection differs from the rebuilt one; empty when they agree."""
    state = rebuilt(engine)
    out: list[str] = []
    with engine.connect() as conn:
        stored = {r.id: repo.ticket_from_row(r) for r in conn.execute(select(repo.T))}
        windows = {r.window_id: repo.window_state_from_row(r) for r in conn.execute(select(repo.W))}
        counters = {(c.site_id, c.business_day, c.letter): c.last_seq for c in conn.execute(select(TicketCounterRow))}
    for tid in stored.keys() | state.tickets.keys():
        if stored.get(tid) != state.tickets.get(tid):
            out.append(f"ticket {tid}: stored {stored.get(tid)} != rebuilt {state.tickets.get(tid)}")
    for wid in windows.keys() | state.windows.keys():
        a = windows.get(wid)
        b = state.windows.get(wid) or (WindowState(window_id=wid, site_id=a.site_id) if a else None)
        if a != b:
            out.append(f"window {wid}: stored {a} != rebuilt {b}")
    if state.counters != counters:
        out.append(f"ticket counters: stored {counters} != rebuilt {state.counters}")
    with engine.connect() as conn:
        cases = {r.id: caserows.case_from_row(r) for r in conn.execute(select(caserows.K))}
    for cid in cases.keys() | state.cases.keys():
        if cases.get(cid) != state.cases.get(cid):  # (the case's number only: its contact is sealed in both)
            out.append(f"case {cid}: stored {_case(cases.get(cid))} != rebuilt {_case(state.cases.get(cid))}")
    return out


def _case(x) -> str:
    return "none" if x is None else str({k: v for k, v in vars(x).items() if k not in ("contact", "text", "answer_text")})


# ------------------------------------------------------------ a district's copy of a child hub's site

REPORT_DAYS = 31  # the business days a child hub's report covers, today included
REPORT_KEY = "report:"  # + the child hub's device id: its last report, in sync_state


def site_digest(conn, site_id: str, since: str) -> dict[str, dict]:
    """Per business day from `since`: how many tickets, by status, how many rated, and a hash of each ticket's
    outcome (status, window, clerk, outcome, rating). Equal digests: equal finished and rated tickets."""
    T = repo.T
    rows = conn.execute(select(T.c.id, T.c.business_day, T.c.status, T.c.window_id, T.c.clerk_id, T.c.outcome,
                               T.c.rating_score).where(T.c.site_id == site_id, T.c.business_day >= since)
                        .order_by(T.c.business_day, T.c.id))
    days: dict[str, dict] = {}
    hashes: dict[str, Any] = {}
    for r in rows:
        day = days.setdefault(r.business_day, {"tickets": 0, "statuses": {}, "rated": 0})
        day["tickets"] += 1
        day["statuses"][r.status] = day["statuses"].get(r.status, 0) + 1
        day["rated"] += r.rating_score is not None
        line = "|".join(str(x) for x in (r.id, r.status, r.window_id, r.clerk_id, r.outcome, r.rating_score))
        hashes.setdefault(r.business_day, hashlib.sha256()).update(line.encode() + b"\n")
    for day, h in hashes.items():
        days[day]["hash"] = h.hexdigest()[:32]
    return days


def report(conn, site_id: str, today: date) -> dict:
    """What a child hub tells its upstream about its site: the digest of the last REPORT_DAYS days, as of
    its event `upto` (read in one snapshot, so the two agree)."""
    since = (today - timedelta(days=REPORT_DAYS - 1)).isoformat()
    return {"upto": repo.last_seq(conn, site_id), "since": since, "days": site_digest(conn, site_id, since)}


def _count(x) -> bool:
    return type(x) is int and 0 <= x < 2**31


def _day(x) -> bool:
    try:
        return isinstance(x, str) and len(x) == 10 and date.fromisoformat(x).isoformat() == x
    except ValueError:
        return False


def _day_ok(key, d) -> bool:
    return (_day(key) and isinstance(d, dict) and set(d) == {"tickets", "statuses", "rated", "hash"}
            and _count(d["tickets"]) and _count(d["rated"]) and isinstance(d["statuses"], dict)
            and all(s in STATUSES and _count(n) for s, n in d["statuses"].items())
            and isinstance(d["hash"], str) and len(d["hash"]) == 32 and all(c in "0123456789abcdef" for c in d["hash"]))


STATUSES = frozenset(s.value for s in TicketStatus)


def report_from_wire(body) -> dict:
    """A pushed report, checked field by field (refused whole: InvalidInput `sync_report_shape`)."""
    ok = (isinstance(body, dict) and set(body) == {"upto", "since", "days"} and type(body["upto"]) is int
          and 0 <= body["upto"] <= L.POSITION_MAX and _day(body["since"]) and isinstance(body["days"], dict)
          and len(body["days"]) <= 2 * REPORT_DAYS
          and all(_day_ok(k, d) and k >= body["since"] for k, d in body["days"].items()))
    if not ok:
        raise e.InvalidInput("sync_report_shape")
    return body


def save_report(conn, peer_id: str, rep: dict, now: datetime) -> None:
    value = {**rep, "received_at": now.isoformat(timespec="seconds")}
    key = REPORT_KEY + peer_id
    if not conn.execute(update(SyncStateRow).where(SyncStateRow.key == key).values(value=value)).rowcount:
        conn.execute(SyncStateRow.__table__.insert().values(key=key, value=value))


@dataclass(frozen=True)
class Copy:
    """How this hub's copy of a child hub's site compares with the child's last report."""

    peer_id: str
    site_id: str
    state: str  # same | differs | catching up | no report
    lines: list[str]


def copies(engine: Engine) -> list[Copy]:
    """Every child hub's site: this hub's digest against the child's last report, when this hub holds exactly
    the events the report covers (else "catching up": the report follows the push that completes it).
    Read in one read-only snapshot (`engine.snapshot`): the cursor, the report and the digest are of one moment,
    so a push landing meanwhile makes no false "differs", and the hub's writes go on beside it."""
    out = []
    with snapshot(engine) as conn:
        peers = conn.execute(select(SyncPeerRow.peer_id, SyncPeerRow.site_id, SyncPeerRow.acked)
                             .where(SyncPeerRow.role == "hub").order_by(SyncPeerRow.site_id)).all()
        for p in peers:
            rep = repo.sync_state(conn, REPORT_KEY + p.peer_id)
            if not rep:
                out.append(Copy(p.peer_id, p.site_id, "no report", []))
            elif rep["upto"] != p.acked:
                out.append(Copy(p.peer_id, p.site_id, "catching up", [
                    f"site {p.site_id}: its hub reported up to #{rep['upto']}, this hub holds up to #{p.acked}: not compared"]))
            else:
                mine, theirs = site_digest(conn, p.site_id, rep["since"]), rep["days"]
                lines = [f"site {p.site_id} day {day}: this hub holds {_brief(mine.get(day))}, "
                         f"its site hub reported {_brief(theirs.get(day))}"
                         for day in sorted(mine.keys() | theirs.keys()) if mine.get(day) != theirs.get(day)]
                out.append(Copy(p.peer_id, p.site_id, "differs" if lines else "same", lines))
    return out


def _brief(d: dict | None) -> str:
    if d is None:
        return "no tickets"
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(d["statuses"].items()))
    return f"{d['tickets']} tickets ({statuses}; rated {d['rated']}; hash {d['hash'][:8]})"
