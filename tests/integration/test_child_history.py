"""No history thrown away (docs/sync.md rule 5): only the hub that owns a site closes its days, so a child
hub's late history is applied at the district, not voided; `haoban check` compares the district's copy of
a child site with what the child reported; `hub status` tells the truth about child hubs.
The district is `world` (SQLite and PostgreSQL), the site hub of s2 a SQLite file of its own, over real HTTP."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from common.db import repo
from common.db.engine import make_engine, migrate
from common.db.schema import DeviceRow
from common.domain import events as ev
from common.domain.clock import OffsetClock
from common.domain.model import Outcome, Role, TicketStatus
from common.usecases import auth, check, upstream
from common.usecases.hub import Hub
from tests.conftest import LiveHub
from tests.world import PIN


@dataclass
class Child:
    hub: Hub
    link: upstream.UpstreamLink
    kiosk: auth.Actor
    terminal: auth.Actor
    pad: auth.Actor
    window: str


@pytest.fixture
def district(world):
    with LiveHub(world.hub) as live:
        yield world, live


@pytest.fixture
def child(district, tmp_path):
    """The site hub of s2, enrolled at the district, with a kiosk, a terminal (clerk signed in) and a rating pad."""
    world, live = district
    with world.hub.engine.begin() as conn:
        code = auth.create_enrolment_code(conn, site_id="s2", role=Role.hub, name="village hub", now=world.clock.now())
    engine = make_engine(f"sqlite:///{tmp_path / 's2.sqlite3'}")
    migrate(engine)
    upstream.enrol(engine, live.url, code)
    clock = OffsetClock(world.clock)
    hub = Hub(engine, clock)
    with engine.connect() as conn:
        window = conn.exec_driver_sql("select id from windows where site_id = 's2'").scalar_one()
    with engine.begin() as conn:
        codes = [auth.create_enrolment_code(conn, site_id="s2", role=role, name=role.value, now=clock.now(),
                                            window_id=None if role is Role.kiosk else window)
                 for role in (Role.kiosk, Role.terminal, Role.rating)]
    (_, kiosk), (token, terminal), (_, pad) = (hub.enrol(c) for c in codes)
    clerk_token, _, _ = hub.sign_in(terminal, "C1", PIN)
    yield Child(hub, upstream.UpstreamLink(engine, clock), kiosk, hub.actor(token, clerk_token), pad, window)
    engine.dispose()


def tickets(engine, site_id="s2") -> dict:
    with engine.connect() as conn:
        return {r.id: repo.ticket_from_row(r) for r in conn.execute(select(repo.T).where(repo.T.c.site_id == site_id))}


def serve_and_rate(child: Child, ticket_id: str) -> None:
    child.hub.call_next(child.terminal, child.window)
    child.hub.start(child.terminal, child.window)
    child.hub.finish(child.terminal, child.window, Outcome.completed)
    child.hub.rate(child.pad, ticket_id, 5)


def test_late_history_of_a_child_hub_is_applied_not_voided(district, child):
    world, _ = district
    ticket = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    child.link.sync_once()  # one push delivers only the issue
    serve_and_rate(child, ticket.id)  # ... the rest is made while the link is down
    world.clock.advance(days=1)
    assert world.hub.close_past_days() == 0  # the district owns no day of s2: its hub closes them
    with world.hub.engine.connect() as conn:
        assert conn.execute(select(repo.E.c.id).where(repo.E.c.kind == ev.TICKET_EXPIRED)).first() is None
    child.link.sync_once()  # the next push delivers the rest, a day late
    at_site, at_district = tickets(child.hub.engine), tickets(world.hub.engine)
    assert at_district == at_site
    t = at_district[ticket.id]
    assert (t.status, t.outcome, t.clerk_id, t.rating_score) == (TicketStatus.finished, Outcome.completed,
                                                                  child.terminal.clerk_id, 5)
    assert check.differences(world.hub.engine) == []


def test_a_day_closed_by_the_child_hub_is_closed_at_the_district_too(district, child):
    world, _ = district
    served = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    left = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    child.link.sync_once()
    serve_and_rate(child, served.id)
    world.clock.advance(days=1)
    assert world.hub.close_past_days() == 0
    assert child.hub.close_past_days() == 1  # the owner closes its own day
    child.link.sync_once()
    at_district = tickets(world.hub.engine)
    assert at_district == tickets(child.hub.engine)
    assert (at_district[served.id].status, at_district[left.id].status) == (TicketStatus.finished, TicketStatus.expired)
    assert check.differences(world.hub.engine) == []


def test_the_district_still_closes_the_days_of_the_sites_it_owns(district, child):
    world, _ = district
    own = world.hub.issue_ticket(world.actor("kiosk"), item_id=world.items["A"]).ticket  # s1: no hub of its own
    copy = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    child.link.sync_once()
    world.clock.advance(days=1)
    assert world.hub.close_past_days() == 1
    assert tickets(world.hub.engine, "s1")[own.id].status is TicketStatus.expired
    assert tickets(world.hub.engine)[copy.id].status is TicketStatus.waiting
    with world.hub.engine.begin() as conn:  # the child hub is revoked: s2's devices talk to the district now
        conn.execute(update(DeviceRow).where(DeviceRow.role == "hub", DeviceRow.site_id == "s2")
                     .values(revoked_at=world.clock.now()))
    assert world.hub.close_past_days() == 1
    assert tickets(world.hub.engine)[copy.id].status is TicketStatus.expired
