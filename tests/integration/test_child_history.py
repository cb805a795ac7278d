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
from common.db.schema import DeviceRow, SiteRow
from common.domain import errors as e
from common.domain import events as ev
from common.domain.clock import OffsetClock
from common.domain.model import Outcome, Role, TicketStatus
from common.sync import protocol
from common.sync.transport import HttpTransport
from common.usecases import auth, check, receive, upstream
from common.usecases.hub import Hub
from server import cli
from tests.conftest import LiveHub
from tests.integration.http import Device
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
        # s2 sits below the district's own site s1, as a village below its district: only then does its hub get
        # the PIN hashes its clerks sign in with (common.usecases.reference.for_peer)
        conn.execute(update(SiteRow).where(SiteRow.id == "s2").values(parent_id="s1"))
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


def test_a_stale_hub_role_device_at_an_own_site_does_not_stop_closing_its_days(district, child):
    """A booking adapter enrolled as role hub before the booking_import role existed, at the district's own site s1,
    syncing here: s1 is still the district's, and s2 (a real child hub's) still is not."""
    world, live = district
    with world.hub.engine.begin() as conn:
        code = auth.create_enrolment_code(conn, site_id="s1", role=Role.hub, name="old adapter", now=world.clock.now())
    adapter = Device(live.url, code)
    assert adapter.get("/sync/reference", params={"protocol": protocol.PROTOCOL}).status_code == 200  # it syncs here
    own = world.hub.issue_ticket(world.actor("kiosk"), item_id=world.items["A"]).ticket
    copy = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    child.link.sync_once()
    with world.hub.engine.connect() as conn:
        assert repo.own_sites(conn) == {"s1"} and repo.child_hub_sites(conn) == {"s2"}
    world.clock.advance(days=1)
    assert world.hub.close_past_days() == 1
    assert tickets(world.hub.engine, "s1")[own.id].status is TicketStatus.expired
    assert tickets(world.hub.engine)[copy.id].status is TicketStatus.waiting
    # the same at the village: a hub-role device of its own site s2 leaves s2 the village hub's to close
    with child.hub.engine.begin() as conn:
        code = auth.create_enrolment_code(conn, site_id="s2", role=Role.hub, name="old adapter", now=child.hub.clock.now())
    _, stale = child.hub.enrol(code)
    child.hub.seen(stale)
    with child.hub.engine.connect() as conn:
        assert repo.own_sites(conn) == {"s2"} and repo.child_hub_sites(conn) == set()
    assert child.hub.close_past_days() == 1
    assert tickets(child.hub.engine)[copy.id].status is TicketStatus.expired


def test_only_a_hub_of_the_site_itself_below_this_hubs_own_sites_makes_it_a_child_hubs(world):
    from common.usecases import reference

    with world.hub.engine.begin() as conn:
        reference.create_site(conn, id="v1", name="村服务点", level="village", parent_id="s2")
        conn.execute(update(SiteRow).where(SiteRow.id == "s2").values(parent_id="s1"))
        codes = {site: auth.create_enrolment_code(conn, site_id=site, role=Role.hub, name=site, now=world.clock.now())
                 for site in ("s1", "v1")}
    for code in codes.values():
        world.hub.seen(world.hub.enrol(code)[1])
    with world.hub.engine.connect() as conn:
        assert repo.below(conn, {"s1"}) == {"s2", "v1"}
        assert repo.child_hub_sites(conn) == {"v1"}  # s1 is its own; s2 has no hub of its own
    with world.hub.engine.begin() as conn:  # this hub is s2's now, enrolled upstream: s1 is above it
        upstream.save_state(conn, url="http://district", token="t", site_id="s2", device_id="me", acked=0)
        assert repo.own_sites(conn) == {"s2"} and repo.child_hub_sites(conn) == {"v1"}


def haoban_check(monkeypatch, db_url, tmp_path, capsys) -> tuple[int, str]:
    monkeypatch.setenv("HAOBAN_DATABASE_URL", db_url)
    monkeypatch.setenv("HAOBAN_DATA_DIR", str(tmp_path / "district-data"))
    code = cli.main(["check"])
    return code, capsys.readouterr().out


def test_check_compares_the_districts_copy_with_what_the_child_reported(district, child, db_url, tmp_path,
                                                                        monkeypatch, capsys):
    world, _ = district
    assert [c.state for c in check.copies(world.hub.engine)] == ["no report"]  # enrolled, nothing pushed yet
    ticket = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    child.link.sync_once()
    serve_and_rate(child, ticket.id)
    pushes = []
    with monkeypatch.context() as m:  # the push arrives, the report after it is lost
        m.setattr(child.link, "report", lambda: pushes.append(1))
        child.link.sync_once()
    assert pushes and [c.state for c in check.copies(world.hub.engine)] == ["catching up"]
    child.link.sync_once()
    assert says_ok(haoban_check(monkeypatch, db_url, tmp_path, capsys))
    # the district expires the village's ticket as it did before the owner rule: the copy differs
    other = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    child.link.sync_once()
    serve_and_rate(child, other.id)
    world.clock.advance(days=1)
    with monkeypatch.context() as m:
        m.setattr(repo, "child_hub_sites", lambda conn: set())
        assert world.hub.close_past_days() == 1
    child.link.sync_once()  # 4 void events at the district
    code, out = haoban_check(monkeypatch, db_url, tmp_path, capsys)
    assert code == 1 and "projection OK" in out  # the district's log folds to its state: only the copy is wrong
    with child.hub.engine.connect() as conn:
        device_id = upstream.load_state(conn)["device_id"]
    assert f"copy of site s2 (child hub {device_id}): DIFFERS" in out
    assert "expired 1" in out and "finished 1" in out


def says_ok(result: tuple[int, str]) -> bool:
    code, out = result
    assert "copy of site s2" in out and "OK, equal to what its hub reported" in out, out
    return code == 0


def test_hub_status_tells_the_truth_about_a_child_hub(district, child):
    world, _ = district
    child.hub.issue_ticket(child.kiosk, item_id="s2-IA")
    child.link.sync_once()
    world.hub.issue_ticket(world.actor("kiosk"), item_id=world.items["A"])  # events of s1 the child never pulls
    world.clock.advance(minutes=7)
    child.link.sync_once()  # nothing new to push: its only contact is the reference pull
    line = next(x for x in cli.render_peers(world.hub.engine).splitlines() if x.startswith("village hub"))
    assert world.clock.now().strftime("%Y-%m-%dT%H:%M:%S") in line  # last contact moved with the reference pull
    assert line.split()[-4:] == ["1", "-", "-", "same"]  # pushed up to #1; pulls no events; copy equal


class CountingLock:
    """The hub's write lock, counting how often it is taken."""

    def __init__(self, lock) -> None:
        self.lock, self.taken = lock, 0

    def __enter__(self):
        self.taken += 1
        return self.lock.__enter__()

    def __exit__(self, *exc):
        return self.lock.__exit__(*exc)


def test_a_reference_pull_writes_the_last_contact_only_when_it_is_older_than_the_interval(world):
    _, kiosk = world.hub.enrol(world.codes["kiosk"])
    lock = world.hub._write_lock = CountingLock(world.hub._write_lock)

    def stored():
        with world.hub.engine.connect() as conn:
            return receive.last_contact(conn, kiosk.device_id)

    first = world.clock.now()
    world.hub.seen(kiosk)  # the first contact is written
    assert (lock.taken, stored()) == (1, first)
    for _ in range(14):  # a pull every 2 s: read, nothing written, no write lock
        world.clock.advance(seconds=2)
        world.hub.seen(kiosk)
    assert world.clock.now() - first < receive.CONTACT_EVERY
    assert (lock.taken, stored()) == (1, first)
    world.clock.advance(seconds=2)  # 30 s since the stored contact: written
    world.hub.seen(kiosk)
    assert (lock.taken, stored()) == (2, first + receive.CONTACT_EVERY)
    world.clock.advance(minutes=-5)  # a clock set back: the contact is written, never left in the future
    world.hub.seen(kiosk)
    assert (lock.taken, stored()) == (3, world.clock.now())


def test_a_bad_report_is_refused_with_both_messages_and_writes_nothing(district, child):
    world, live = district
    child.link.sync_once()
    with child.hub.engine.connect() as conn:
        token, acked = upstream.load_state(conn)["token"], upstream.load_state(conn)["acked"]
    hub = HttpTransport(live.url, token)
    kiosk = HttpTransport(live.url, Device(live.url, world.codes["s2kiosk"]).info["token"])
    good = {"upto": acked, "since": "2026-11-01", "days": {}}
    day = {"tickets": 1, "statuses": {"finished": 1}, "rated": 1, "hash": "0" * 32}
    bad = [None, [], {**good, "upto": -1}, {**good, "upto": 2**70}, {**good, "upto": "1"}, {**good, "since": "9999-99-99"},
           {**good, "extra": 1}, {**good, "days": {"2026-10-01": day}}, {**good, "days": {"2026-11-02": {**day, "rated": -1}}},
           {**good, "days": {"2026-11-02": {**day, "statuses": {"lost": 1}}}}, {**good, "days": {"2026-11-02": {**day, "hash": "x"}}},
           {**good, "days": {f"2026-12-{d:02}": day for d in range(1, 32)} | {f"2027-01-{d:02}": day for d in range(1, 32)} | {"2027-02-01": day}}]
    before = held(world.hub.engine)
    for report in bad:
        with pytest.raises(e.HaobanError) as refused:
            hub.call("POST", "/sync/push", packed={"protocol": protocol.PROTOCOL, "after": acked, "events": [], "report": report})
        assert refused.value.status == 422 and refused.value.zh == "下级服务端的核对报告格式不正确", report
        assert refused.value.en == "The child hub's report has the wrong shape"
    with pytest.raises(e.HaobanError) as refused:
        kiosk.call("POST", "/sync/push", packed={"protocol": protocol.PROTOCOL, "after": 0, "events": [], "report": good})
    assert refused.value.status == 403 and refused.value.en == "Only a child hub may send a report"
    assert held(world.hub.engine) == before


def held(engine) -> tuple:
    with engine.connect() as conn:
        return (conn.exec_driver_sql("select key, value from sync_state order by key").all(),
                conn.exec_driver_sql("select count(*) from events").scalar(),
                conn.exec_driver_sql("select peer_id, acked from sync_peers order by peer_id").all())


def test_a_copy_that_differs_only_in_a_rating_or_a_clerk_is_found(district, child):
    world, _ = district
    ticket = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    serve_and_rate(child, ticket.id)
    child.link.sync_once()
    assert [c.state for c in check.copies(world.hub.engine)] == ["same"]
    for change in ({"rating_score": 4}, {"rating_score": 5, "clerk_id": "someone else"}):
        with world.hub.engine.begin() as conn:  # the copy drifts (same status, same counts)
            conn.execute(update(repo.T).where(repo.T.c.id == ticket.id).values(**change))
        (copy,) = check.copies(world.hub.engine)
        assert copy.state == "differs" and len(copy.lines) == 1 and "rated 1" in copy.lines[0], change


def test_check_reads_one_snapshot_and_stalls_no_write(district, child, monkeypatch):
    """While `copies` is hashing, the district goes on writing (its own ticket, the child's push and report): on
    SQLite a write lock held by `copies` would stall both; on PostgreSQL, reading the cursor and the digest at two
    moments would see the pushed ticket without its report and say "differs"."""
    world, _ = district
    child.hub.issue_ticket(child.kiosk, item_id="s2-IA")
    child.link.sync_once()
    assert [c.state for c in check.copies(world.hub.engine)] == ["same"]
    digest, written = check.site_digest, []

    def digest_while_writing(conn, site_id, since):
        if not written:
            written.append(world.hub.issue_ticket(world.actor("kiosk"), item_id=world.items["A"]).ticket.id)
            written.append(child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket.id)
            child.link.sync_once()  # pushed and reported to the district, mid-read
        return digest(conn, site_id, since)

    monkeypatch.setattr(check, "site_digest", digest_while_writing)
    assert [c.state for c in check.copies(world.hub.engine)] == ["same"]  # as of the moment it began
    assert set(written) <= set(tickets(world.hub.engine, "s1")) | set(tickets(world.hub.engine))
    monkeypatch.undo()
    assert [c.state for c in check.copies(world.hub.engine)] == ["same"]  # and as of now


def test_a_failing_report_does_not_stop_the_reference_data_and_is_recorded_without_personal_data(
        district, child, monkeypatch, caplog):
    world, _ = district
    child.hub.issue_ticket(child.kiosk, item_id="s2-IA")

    def broken(*args):
        raise RuntimeError("张三 110101199003071234")  # whatever a bug's message holds, none of it is kept or logged

    monkeypatch.setattr(check, "report", broken)
    with world.hub.engine.begin() as conn:  # new reference data at the district, for the child to pull
        conn.execute(update(repo.WindowRow).where(repo.WindowRow.site_id == "s2").values(name="新窗口"))
    with caplog.at_level("WARNING", logger="common.usecases.upstream"):
        child.link.sync_once()  # the push went, the report failed: no exception, the reference data came down
    with child.hub.engine.connect() as conn:
        assert conn.exec_driver_sql("select name from windows where site_id = 's2'").scalar_one() == "新窗口"
        state = upstream.load_state(conn)
    assert state["errors"] == {"report": {"error": "RuntimeError"}} and state["acked"] > 0
    assert child.link.online and child.link.last_error == "report: RuntimeError"
    assert "upstream report failed: RuntimeError" in caplog.text and "张三" not in caplog.text
    assert "张三" not in str(state) and "upstream report failed: RuntimeError" in cli.render_peers(child.hub.engine)
    assert [c.state for c in check.copies(world.hub.engine)] == ["no report"]
    monkeypatch.undo()
    child.link.sync_once()  # mended: the report goes, the error is cleared
    with child.hub.engine.connect() as conn:
        assert upstream.load_state(conn)["errors"] == {}
    assert child.link.last_error is None and [c.state for c in check.copies(world.hub.engine)] == ["same"]


def test_an_event_the_parent_refuses_is_set_aside_and_blocks_nothing(district, child, caplog):
    """A queue made at the village only (the district does not know it): its ticket is refused by the district's door;
    the tickets before and after it still go up, and it is never sent again."""
    world, _ = district
    from common.usecases import reference

    with child.hub.engine.begin() as conn:
        queue = reference.create_queue(conn, site_id="s2", letter="Z", name="本地队列")
        item = reference.create_item(conn, site_id="s2", code="IZ", name="本地事项", department="本地", category="personal",
                                     complexity="general", standard_minutes=5, queue_id=queue)
    before = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    bad = child.hub.issue_ticket(child.kiosk, item_id=item).event
    last = child.hub.issue_ticket(child.kiosk, item_id="s2-IA")
    after = last.ticket
    sent: list[str] = []
    call = child.link.transport.call

    def recording(method, path, **kw):
        sent.extend(x["i"] for x in (kw.get("packed") or {}).get("events", []))
        return call(method, path, **kw)

    child.link.transport.call = recording
    with caplog.at_level("WARNING", logger="common.usecases.upstream"):
        child.link.sync_once()
    assert set(tickets(world.hub.engine)) == {before.id, after.id}
    with child.hub.engine.connect() as conn:
        (aside,) = upstream.set_aside(conn)
        acked = upstream.load_state(conn)["acked"]
    assert (aside["event_id"], aside["kind"], aside["seq"]) == (bad.id, ev.TICKET_ISSUED, bad.seq)
    assert aside["refusal"]["error"] and aside["refusal"]["message_zh"] and aside["refusal"]["message_en"]
    assert acked == last.event.seq > bad.seq  # past the refused one
    assert f"upstream refused event #{bad.seq} (ticket_issued)" in caplog.text
    status = cli.render_peers(child.hub.engine)
    assert "backlog 0  set aside 1" in status, status
    sent.clear()
    child.link.sync_once()  # nothing is sent again
    assert bad.id not in sent and sent == []
    later = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    child.link.sync_once()
    assert bad.id not in sent and later.id in tickets(world.hub.engine)
    # the district's copy really lacks the refused ticket: `haoban check` says so, it does not hide it
    (copy,) = check.copies(world.hub.engine)
    assert copy.state == "differs" and "tickets" in copy.lines[0]
