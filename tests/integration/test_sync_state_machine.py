"""Hypothesis state machine over sync: a central hub, two site hubs, two kiosks per site.

Each link runs the real ASGI app (real routes, gzip bodies) behind a transport that can be cut
(partition), lose the answer after the receiver committed, deliver a batch twice or replay an old
batch (reordering), speak an old protocol version (version skew), and lose the device process
(crash: a new client on the same local file). Device clocks are minutes off. Each site hub has a
window whose clerk calls, serves and finishes, and a rating pad; days pass (a cut link stays cut
for days), each site hub closes its own past days, and the central hub tries to close past days at
any moment (it owns only the district centre d0, where nothing is issued: both sites below it have hubs of
their own, so it must expire nothing). A hostile kiosk puts forged events into its own outbox (another site's
ticket, a number out of range, a green-channel ticket no clerk gave): its site hub refuses each and the kiosk
sets it aside, and the honest events around it still go through. A kiosk registers 办不成事 cases offline (the
contact sealed to its site hub's public key, docs/cases.md), pushed with its tickets through the same faults.

Invariants: cursors never move back; numbers are unique per site-day; every acknowledged event is
stored exactly once at the next level. After the network heals and sync runs: no forged event is held by
any hub and each is set aside on its kiosk; every event made
anywhere is held exactly once at its site hub and at the central hub, in the same order; every
node's stored projection equals the fold of its events, and the central hub's tickets of a site
equal the site hub's (finished, rated, expired alike), and `haoban check` finds each copy equal to
what its site hub reported. Every case registered offline is one case at its site hub and at the central hub, with
its number and sealed contact as the kiosk made them, which its site hub opens.
"""
from __future__ import annotations

import shutil
from datetime import timedelta

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select, update

from common.db import repo
from common.db.engine import make_engine, migrate
from common.db.schema import CaseRow, SiteRow
from common.domain import contact
from common.domain import errors as e
from common.domain.clock import OffsetClock, business_day
from common.domain.events import Event
from common.domain.ids import new_token, uuid7
from common.domain.model import Outcome, Priority, Role
from common.domain.policy import decide_issue
from common.sync import protocol
from common.sync.client import SyncClient
from common.sync.store import OUTBOX, LocalStore
from common.sync.transport import HttpTransport, HubUnreachable
from common.usecases import auth, check, reference, upstream
from common.usecases.hub import Hub
from server.app import create_app
from tests.world import PIN, FakeClock, build

SITES = ("s1", "s2")
KIOSKS = (0, 1)
BOX = {site: bytes([n + 1]) * 32 for n, site in enumerate(SITES)}  # each site hub's X25519 key (docs/cases.md)
PHONE = "13812345678"
_template: dict = {}


class AppTransport(HttpTransport):
    """The hub's real ASGI app in-process, plus the faults a WAN link has."""

    def __init__(self, app, token: str) -> None:
        super().__init__("http://hub", token)
        self.http = TestClient(app, base_url="http://hub")
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.cut = self.lose_answers = self.duplicate = False
        self.old_protocol = False
        self.sent: list[dict] = []

    def call(self, method, path, *, params=None, json=None, packed=None):
        if self.cut:
            raise HubUnreachable()
        if self.old_protocol:
            params = {**(params or {}), "protocol": protocol.PROTOCOL - 1} if params else params
            packed = {**packed, "protocol": protocol.PROTOCOL - 1} if packed else packed
            json = {**json, "protocol": protocol.PROTOCOL - 1} if json else json
        if packed is not None:
            self.sent.append(packed)
        answer = super().call(method, path, params=params, json=json, packed=packed)
        if self.duplicate and packed is not None:
            answer = super().call(method, path, params=params, json=json, packed=packed)
        if self.lose_answers:
            raise HubUnreachable()  # the receiver committed; the sender never hears of it
        return answer

    def send(self, method, url, *, data=None, **kw):
        return self.http.request(method, url, content=data, **kw)

    def replay(self, index: int) -> None:
        """An old batch arrives again, late (a reordered or duplicated packet)."""
        if self.sent:
            try:
                super().call("POST", "/sync/push", packed=self.sent[index % len(self.sent)])
            except e.HaobanError:
                pass


def template(root) -> dict:
    if _template:
        return _template
    central_path = root / "central.sqlite3"
    engine = make_engine(f"sqlite:///{central_path}")
    migrate(engine)
    world = build(engine)
    codes = {}
    with engine.begin() as conn:
        # both sites sit below the district centre d0, each with a hub of its own: the central hub owns only d0
        # (repo.child_hub_sites: a child hub's site lies below this hub's own sites)
        reference.create_site(conn, id="d0", name="区政务服务中心", level="district")
        conn.execute(update(SiteRow).where(SiteRow.id.in_(SITES)).values(parent_id="d0"))
        for site in SITES:
            codes[site] = auth.create_enrolment_code(conn, site_id=site, role=Role.hub, name=f"{site} hub", now=world.clock.now())
    central = Hub(engine, world.clock)
    sites = {}
    for site in SITES:
        token, actor = central.enrol(codes[site])
        path = root / f"{site}.sqlite3"
        site_engine = make_engine(f"sqlite:///{path}")
        migrate(site_engine)
        with engine.connect() as conn:
            snap = reference.snapshot(conn, site)
        with site_engine.begin() as conn:
            reference.apply_snapshot(conn, snap)
            upstream.save_state(conn, url="http://hub", token=token, site_id=site, device_id=actor.device_id, acked=0)
            kiosk_codes = [auth.create_enrolment_code(conn, site_id=site, role=Role.kiosk, name=f"k{i}",
                                                      now=world.clock.now()) for i in KIOSKS]
            desk_codes = [auth.create_enrolment_code(conn, site_id=site, role=role, name=role.value,
                                                     now=world.clock.now(), window_id=f"{site}-w01")
                          for role in (Role.terminal, Role.rating)]
        site_hub = Hub(site_engine, world.clock)
        kiosks = [site_hub.enrol(code) for code in kiosk_codes]
        (terminal, actor), (_, pad) = (site_hub.enrol(code) for code in desk_codes)
        clerk_token, _, _ = site_hub.sign_in(actor, "C1", PIN)  # the session is in the file: it outlives the copy
        sites[site] = {"path": path, "kiosks": kiosks, "terminal": (terminal, clerk_token), "pad": pad}
        site_engine.dispose()
    engine.dispose()
    _template.update(central=central_path, sites=sites, start=world.clock.now(), items={
        "s1": world.items["A"], "s2": "s2-IA"})
    return _template


class Network(RuleBasedStateMachine):
    root = None

    @initialize(skews=st.lists(st.integers(-600, 600), min_size=4, max_size=4))
    def build_network(self, skews):
        tpl = template(self.root)
        Network.n = getattr(Network, "n", 0) + 1
        folder = self.root / f"net{Network.n}"
        folder.mkdir()
        self.clock = FakeClock(tpl["start"])
        shutil.copy(tpl["central"], folder / "central.sqlite3")
        self.central = Hub(make_engine(f"sqlite:///{folder / 'central.sqlite3'}"), self.clock)
        central_app = create_app(self.central)
        self.hubs, self.links, self.kiosks, self.clients = {}, {}, {}, {}
        self.desks: dict = {}  # site -> (the clerk's terminal, the rating pad)
        self.finished: dict[str, list[str]] = {s: [] for s in SITES}  # tickets finished at a site, not rated yet
        self.made: dict[str, list[str]] = {s: [] for s in SITES}  # event ids made at each site
        self.offline = {(s, k): [] for s in SITES for k in KIOSKS}  # event ids each kiosk made offline
        self.forged = {(s, k): [] for s in SITES for k in KIOSKS}  # event ids a tampered kiosk put in its outbox
        self.cases: dict[str, dict[str, dict]] = {s: {} for s in SITES}  # case id -> the event's data, per site
        self.cursors: dict = {}
        for i, site in enumerate(SITES):
            shutil.copy(tpl["sites"][site]["path"], folder / f"{site}.sqlite3")
            engine = make_engine(f"sqlite:///{folder / f'{site}.sqlite3'}")
            hub_clock = OffsetClock(self.clock)
            self.hubs[site] = Hub(engine, hub_clock, box_key=BOX[site])
            link = upstream.UpstreamLink(engine, hub_clock)
            with engine.connect() as conn:
                token = upstream.load_state(conn)["token"]
            link.transport = AppTransport(central_app, token)
            self.links[site] = link
            terminal, clerk_token = tpl["sites"][site]["terminal"]
            self.desks[site] = (self.hubs[site].actor(terminal, clerk_token), tpl["sites"][site]["pad"])
            app = create_app(self.hubs[site])
            for k, (token, actor) in enumerate(tpl["sites"][site]["kiosks"]):
                clock = OffsetClock(self.clock, skews[i * 2 + k])  # this kiosk's clock is off by minutes
                store = folder / f"{site}-k{k}.sqlite3"
                self.kiosks[site, k] = (actor, token, app, clock, store)
                self.clients[site, k] = self.new_client(site, k)

    def new_client(self, site, k):
        actor, token, app, clock, store = self.kiosks[site, k]
        return SyncClient(LocalStore(store), AppTransport(app, token), device_id=actor.device_id, site_id=site,
                          lease_size=4, clock=clock)

    def teardown(self):
        if not hasattr(self, "central"):
            return
        try:
            self.heal_and_check()
        finally:
            for hub in (self.central, *self.hubs.values()):
                hub.engine.dispose()
            for client in self.clients.values():
                client.store.engine.dispose()

    # ------------------------------------------------------------ rules

    @rule(site=st.sampled_from(SITES), k=st.sampled_from(KIOSKS))
    def issue_online(self, site, k):
        actor = self.kiosks[site, k][0]
        done = self.hubs[site].issue_ticket(actor, item_id=_template["items"][site])
        self.made[site].append(done.event.id)

    @rule(site=st.sampled_from(SITES), k=st.sampled_from(KIOSKS), n=st.integers(1, 3))
    def issue_offline(self, site, k, n):
        client = self.clients[site, k]
        reference = client.store.get("reference")
        if reference is None:
            return
        queue = reference["tables"]["queues"][0]
        item = next(i for i in reference["tables"]["service_items"] if i["queue_id"] == queue["id"])
        for _ in range(n):
            try:
                made = client.issue_offline(item, queue).id
                self.made[site].append(made)
                self.offline[site, k].append(made)
            except e.HaobanError as exc:
                assert exc.code == "no_numbers"
                return

    @rule(site=st.sampled_from(SITES), k=st.sampled_from(KIOSKS), phone=st.booleans())
    def register_case_offline(self, site, k, phone):
        """The kiosk's 办不成事 flow with the hub away (or not: it does not ask); kept with its tickets."""
        client = self.clients[site, k]
        reference = client.store.get("reference")
        item = reference["tables"]["service_items"][0]["id"] if reference else None
        x = client.open_case_offline(source="kiosk", cause="materials", text="已经来了好几次，还是没办成", item_id=item,
                                     phone=PHONE if phone else None)
        assert (x.data["contact"] is not None) == (phone and reference is not None)  # no key before the first sync
        self.made[site].append(x.id)
        self.offline[site, k].append(x.id)
        self.cases[site][x.data["case_id"]] = x.data

    @rule(site=st.sampled_from(SITES), k=st.sampled_from(KIOSKS))
    def device_sync(self, site, k):
        try:
            self.clients[site, k].sync_once()
        except e.HaobanError as exc:
            assert exc.code in ("hub_unreachable", "protocol_too_old"), exc.code

    @rule(site=st.sampled_from(SITES), k=st.sampled_from(KIOSKS), forgery=st.sampled_from(["other_site", "seq", "green"]))
    def hostile_kiosk_forges(self, site, k, forgery):
        """A tampered kiosk writes into its own outbox what no kiosk may push; its next sync sends it."""
        client = self.clients[site, k]
        other = next(s for s in SITES if s != site)
        now = client.now()
        target = other if forgery == "other_site" else site
        with self.hubs[site].engine.connect() as conn:  # the item's true limits: only the forgery is wrong
            wait, service = repo.ticket_limits(conn, site, [(_template["items"][site], None)])[(_template["items"][site], None)]
        _, data = decide_issue(
            ticket_id=uuid7(), day=business_day(now), letter="A", seq=10**9 if forgery == "seq" else 1,
            queue_id=f"{target}-A", item_id=_template["items"][target], bundle_id=None,
            priority=Priority.green if forgery == "green" else Priority.normal, wait_limit_min=wait,
            service_limit_min=service, public_token=new_token())
        x = Event(id=uuid7(), site_id=target, kind="ticket_issued", at=now, data=data, device_id=client.device_id)
        with client.store.engine.begin() as conn:
            conn.execute(OUTBOX.insert().values(id=x.id, wire=protocol.to_wire(x)))
        self.forged[site, k].append(x.id)

    @rule(site=st.sampled_from(SITES))
    def hub_sync(self, site):
        try:
            self.links[site].sync_once()
        except e.HaobanError as exc:
            assert exc.code in ("hub_unreachable", "protocol_too_old"), exc.code

    @rule(site=st.sampled_from(SITES), k=st.sampled_from(KIOSKS + (None,)),
          fault=st.sampled_from(["cut", "lose_answers", "duplicate", "old_protocol"]), on=st.booleans())
    def set_fault(self, site, k, fault, on):
        transport = self.links[site].transport if k is None else self.clients[site, k].transport
        setattr(transport, fault, on)

    @rule(site=st.sampled_from(SITES), k=st.sampled_from(KIOSKS + (None,)), index=st.integers(0, 20))
    def replay_old_batch(self, site, k, index):
        (self.links[site].transport if k is None else self.clients[site, k].transport).replay(index)

    @rule(site=st.sampled_from(SITES), k=st.sampled_from(KIOSKS))
    def device_restarts(self, site, k):
        old = self.clients[site, k]
        faults = {f: getattr(old.transport, f) for f in ("cut", "lose_answers", "duplicate", "old_protocol")}
        old.store.engine.dispose()
        self.clients[site, k] = client = self.new_client(site, k)
        for f, v in faults.items():
            setattr(client.transport, f, v)

    @rule(minutes=st.integers(0, 30))
    def time_passes(self, minutes):
        self.clock.advance(minutes=minutes)

    @rule(site=st.sampled_from(SITES))
    def clerk_serves(self, site):
        """The window calls the next ticket, serves it and finishes (each step refused when it cannot be)."""
        hub, (terminal, _) = self.hubs[site], self.desks[site]
        window = f"{site}-w01"
        for step in (hub.call_next, hub.start):
            try:
                step(terminal, window)
            except e.HaobanError as exc:
                assert exc.status == 409, exc.code  # the queue's rules refused the step (empty, busy, idle)
        try:
            self.finished[site].append(hub.finish(terminal, window, Outcome.completed).ticket_id)
        except e.HaobanError as exc:
            assert exc.status == 409, exc.code

    @rule(site=st.sampled_from(SITES), score=st.integers(1, 5))
    def citizen_rates(self, site, score):
        if self.finished[site]:
            self.hubs[site].rate(self.desks[site][1], self.finished[site].pop(0), score,
                                 reason="等候时间太长" if score <= 2 else None)

    @rule(site=st.sampled_from(SITES))
    def site_hub_closes_past_days(self, site):
        self.hubs[site].close_past_days()

    @rule()
    def central_closes_past_days(self):
        """At any moment, also while a site is cut off with days of history not yet pushed."""
        assert self.central.close_past_days() == 0  # both sites have hubs of their own: they close their days

    @rule(site=st.sampled_from(SITES), days=st.integers(1, 3), score=st.integers(1, 5))
    def partition_for_days(self, site, days, score):
        """The site's link is down for days: its clerk serves and citizens rate (tickets whose issue may
        have reached the central hub already), midnight passes, both hubs try to close past days."""
        self.hub_sync(site)  # the link goes down right after a sync (when the other faults let it through)
        self.links[site].transport.cut = True
        for _ in range(days):
            self.clerk_serves(site)
            self.citizen_rates(site, score)
            self.clock.advance(days=1)
            self.site_hub_closes_past_days(site)
            self.central_closes_past_days()

    # ------------------------------------------------------------ invariants

    @precondition(lambda self: hasattr(self, "central"))
    @invariant()
    def cursors_never_move_back(self):
        now = {}
        for (site, k), client in self.clients.items():
            now[site, k, "acked"] = client.store.get("acked", 0)
            now[site, k, "cursor"] = client.store.get("cursor", 0)
        for site, hub in self.hubs.items():
            with hub.engine.connect() as conn:
                now[site, "upstream"] = upstream.load_state(conn).get("acked", 0)
        for key, value in now.items():
            assert value >= self.cursors.get(key, 0), key
        self.cursors = now

    @precondition(lambda self: hasattr(self, "central"))
    @invariant()
    def acknowledged_events_are_stored_upstream(self):
        for (site, k), client in self.clients.items():
            with client.store.engine.connect() as conn:
                pending = set(conn.exec_driver_sql("select id from outbox").scalars())
            acknowledged = [x for x in self.offline[site, k] if x not in pending]
            with self.hubs[site].engine.connect() as conn:
                held = set(conn.execute(select(repo.E.c.id).where(repo.E.c.id.in_(acknowledged))).scalars())
            assert held == set(acknowledged)  # the unique key on event id makes it "once"
        for site, hub in self.hubs.items():
            with hub.engine.connect() as conn:
                acked = upstream.load_state(conn).get("acked", 0)
                below = [x.id for x in repo.events_after(conn, site, 0, limit=100_000) if x.seq <= acked]
            with self.central.engine.connect() as conn:
                held = set(conn.execute(select(repo.E.c.id).where(repo.E.c.id.in_(below))).scalars())
            assert held == set(below)

    def heal_and_check(self):
        for client in self.clients.values():
            for f in ("cut", "lose_answers", "duplicate", "old_protocol"):
                setattr(client.transport, f, False)
        for link in self.links.values():
            for f in ("cut", "lose_answers", "duplicate", "old_protocol"):
                setattr(link.transport, f, False)
        for _ in range(2):
            for client in self.clients.values():
                client.sync_once()
            for link in self.links.values():
                link.sync_once()
        held_anywhere: set[str] = set()
        for hub in (self.central, *self.hubs.values()):
            with hub.engine.connect() as conn:
                held_anywhere |= set(conn.execute(select(repo.E.c.id)).scalars())
        for key, client in self.clients.items():
            assert client.store.backlog() == 0
            assert abs(client.now() - self.clock.now()) < timedelta(seconds=1)
            set_aside = {x["wire"]["i"] for x in client.store.set_aside()}
            assert set(self.forged[key]) <= set_aside and not set(self.forged[key]) & held_anywhere
        for site, hub in self.hubs.items():
            with hub.engine.connect() as conn:
                site_ids = [x.id for x in repo.events_after(conn, site, 0, limit=100_000)]
                site_tickets = {r.id: repo.ticket_from_row(r) for r in conn.execute(select(repo.T))}
            with self.central.engine.connect() as conn:
                central_ids = [x.id for x in repo.events_after(conn, site, 0, limit=100_000)]
                central_tickets = {r.id: repo.ticket_from_row(r) for r in conn.execute(select(repo.T).where(repo.T.c.site_id == site))}
            assert len(site_ids) == len(set(site_ids)) and central_ids == site_ids
            assert set(self.made[site]) <= set(site_ids)
            assert central_tickets == site_tickets
            numbers = [(t.business_day, t.number) for t in site_tickets.values()]
            assert len(numbers) == len(set(numbers))
            assert check.differences(hub.engine) == []
            self.check_cases(site, hub)
        assert check.differences(self.central.engine) == []
        assert [c.state for c in check.copies(self.central.engine)] == ["same"] * len(SITES)

    def check_cases(self, site, hub):
        """Each case a kiosk registered offline: one case at its site hub and the same at the central hub, its number
        and sealed contact as the kiosk made them; the site hub opens the contact, the central hub holds it sealed."""
        rows = {}
        for node in (hub, self.central):
            with node.engine.connect() as conn:
                rows[node] = {r.id: (r.number, r.public_token, r.contact, r.source) for r in conn.execute(
                    select(CaseRow).where(CaseRow.site_id == site))}
        assert rows[hub] == rows[self.central]
        for case_id, d in self.cases[site].items():
            assert rows[hub][case_id] == (d["number"], d["public_token"], d["contact"], "kiosk")
            if d["contact"] is not None:
                assert contact.unseal(None, d["contact"], BOX[site]).phone == PHONE
                assert hub.masked_contact(d["contact"])["phone"] == "138****5678"


def test_sync_state_machine(tmp_path_factory):
    Network.root = tmp_path_factory.mktemp("network")
    _template.clear()
    Network.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None,
                                         suppress_health_check=list(HealthCheck))
    Network.TestCase().runTest()
