"""Check that the stored projection equals the fold of the event log (and rebuild it from scratch)."""
from __future__ import annotations

from sqlalchemy import Engine, select

from common.db import repo
from common.db.schema import TicketCounterRow
from common.domain.model import SiteState, WindowState
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
    return out
