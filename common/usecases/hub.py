"""Use cases of the hub: every command decides, appends its event and updates the projection, all or nothing (its
own savepoint of a transaction that the writer commits for the commands that came together: writer.py)."""
from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from common.db import caserows, repo
from common.db.engine import lock_site, reader
from common.db.schema import BundleRow, QueueRow
from common.domain import errors as e
from common.domain import events as ev
from common.domain import policy
from common.domain.clock import SystemClock, business_day
from common.domain.events import Event
from common.domain.idcard import parse_id
from common.domain.ids import new_token, uuid7
from common.domain.model import Outcome, Priority, Role, SiteState, TicketStatus
from common.domain.projection import apply
from common.usecases import appointments, auth, door, receive, warnkeeper
from common.usecases.casework import CaseCommands, rating_case
from common.usecases.commands import AtSite, Build, Done, at_site, command
from common.usecases.guidework import GuideCommands
from common.usecases.homework import HomeCommands
from common.usecases.videowork import VideoCommands
from common.usecases.writer import Writer


class Hub(CaseCommands, VideoCommands, GuideCommands, HomeCommands):
    """The site hub's commands and the queries they need. Shells (HTTP, CLI, demo) call only these."""

    def __init__(self, engine: Engine, clock=None, id_key: bytes | None = None, contact_key: bytes | None = None,
                 box_key: bytes | None = None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        self.id_key = id_key  # the secret of ID-number hashes (common.usecases.appointments.hub_key)
        self.contact_key = contact_key  # seals case reporters' contact data (common.domain.contact.contact_key)
        self.box_key = box_key  # opens what its devices sealed offline (common.domain.contact.box_key)
        self.sign_in_backoff = auth.SourceBackoff()  # wrong sign-ins per terminal and per browser address
        # One hub process owns a SQLite file: queue its writers on a mutex rather than in SQLite's
        # busy handler, which sleeps in steps of up to 100 ms (measured: p95 148 ms -> see benchmarks).
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        self._writer = Writer(engine, self._write_lock)  # the queue commands wait in (group commit)
        self.local_reads = engine.dialect.name == "sqlite"  # a read is a local file's, never a round trip

    # ------------------------------------------------------------ plumbing

    def _command(self, actor: auth.Actor, build: Build | AtSite) -> Done:
        """Run `build` and wait for its Done (see `_job`)."""
        site_id, build = at_site(actor, build)
        return self._writer.run(site_id, self._job(actor, build, site_id))

    def _submit(self, actor: auth.Actor, build: Build | AtSite) -> Future[Done]:
        site_id, build = at_site(actor, build)
        return self._writer.submit(site_id, self._job(actor, build, site_id))

    def _job(self, actor: auth.Actor, build: Build, site_id: str) -> Callable[[Connection], Done]:
        """Run `build` under the lock of `site_id` (the actor's, or the case's: `commands.AtSite`), store its events
        (of that site), project them; all or nothing (committed by the writer with the commands that came with it:
        common/usecases/writer.py)."""

        def run(conn: Connection) -> Done:
            if not lock_site(conn, site_id):
                raise e.NotFound("no_site")
            now = self.clock.now()
            state = SiteState()
            decided = build(conn, state, now)
            if isinstance(decided, Done):  # the build found its command done already (an idempotent retry)
                return decided
            known_cases = set(state.cases)
            done = None
            for kind, data in decided if isinstance(decided, list) else [decided]:
                event = Event(
                    id=uuid7(), site_id=site_id, kind=kind, at=now, data=data,
                    device_id=actor.device_id, clerk_id=actor.clerk_id,
                )
                seq = repo.append_event(conn, event)
                new_ticket = event.ticket_id is not None and event.ticket_id not in state.tickets
                if not apply(state, event):  # the policy and the projection disagree: a bug, not input
                    raise e.Conflict()
                if event.ticket_id is not None:
                    repo.save_ticket(conn, state.tickets[event.ticket_id], new=new_ticket)
                if event.window_id is not None:
                    repo.save_window_state(conn, state.windows[event.window_id])
                done = done or Done(event=replace(event, seq=seq),
                                    ticket=state.tickets.get(event.ticket_id) if event.ticket_id else None)
            if state.cases:
                caserows.save_cases(conn, state.cases.values(), new=set(state.cases) - known_cases)
                if done.event.case_id:
                    done = replace(done, case=state.cases[done.event.case_id])
            return done

        return run

    def _load_window(self, conn: Connection, actor: auth.Actor, window_id: str, state: SiteState):
        auth.require(actor, "serve", window_id)
        window = repo.window(conn, actor.site_id, window_id)
        if window is None:
            raise e.NotFound("no_window")
        ws = state.windows[window_id] = repo.window_state(conn, actor.site_id, window_id)
        current = repo.ticket(conn, actor.site_id, ws.current_ticket_id)
        if current is not None:
            state.tickets[current.id] = current
        return window, ws, current

    # ------------------------------------------------------------ commands

    @command
    def issue_ticket(
        self,
        actor: auth.Actor,
        *,
        item_id: str | None = None,
        bundle_id: str | None = None,
        priority: Priority = Priority.normal,
        slot: tuple[datetime, datetime] | None = None,
        id_number: str | None = None,
    ) -> Build:
        """`id_number`: the citizen's, read from the ID card for the green channel by age (used for the age only:
        neither kept nor logged). The green channel is checked here, before the lock, by `policy.green_granted`."""
        auth.require(actor, "issue_ticket")
        if (item_id is None) == (bundle_id is None):
            raise e.InvalidInput("one_item_or_bundle")
        age = None if id_number is None else parse_id(id_number).age_on(business_day(self.clock.now()))
        if priority is Priority.green and not policy.green_granted(actor.role, actor.clerk_id, age):
            raise e.Forbidden("green_not_granted", age=policy.GREEN_AGE)

        return lambda conn, state, now: self._issue(conn, actor, now, item_id, bundle_id, priority, slot)

    def _issue(self, conn, actor, now, item_id, bundle_id, priority, slot) -> policy.Decision:
        if item_id is not None:
            item = repo.service_item(conn, actor.site_id, item_id)
            if item is None:
                raise e.NotFound("no_item")
            queue_id, limits = item.queue_id, (item.wait_limit_min, item.service_limit_min)  # (`repo.ticket_limits`)
        else:
            bundle = conn.execute(
                select(BundleRow).where(BundleRow.id == bundle_id, BundleRow.site_id == actor.site_id)
            ).first()
            if bundle is None:
                raise e.NotFound("no_bundle")
            queue_id, limits = bundle.queue_id, repo.ticket_limits(conn, actor.site_id, [(None, bundle_id)])[(None, bundle_id)]
        wait_min, service_min = limits
        letter = repo.queue_letter(conn, actor.site_id, queue_id)
        day = business_day(now)
        seq = repo.next_seq(conn, actor.site_id, day.isoformat(), letter)
        return policy.decide_issue(
            ticket_id=uuid7(), day=day, letter=letter, seq=seq, queue_id=queue_id, item_id=item_id,
            bundle_id=bundle_id, priority=priority, wait_limit_min=wait_min, service_limit_min=service_min,
            public_token=new_token(), slot=slot,
        )

    @command
    def call_next(self, actor: auth.Actor, window_id: str) -> Build:
        def build(conn, state, now):
            window, ws, _ = self._load_window(conn, actor, window_id, state)
            by_queue = defaultdict(list)
            for t in repo.call_candidates(conn, window.queue_ids, window.id, business_day(now).isoformat()):
                state.tickets[t.id] = t
                by_queue[t.queue_id].append(t)
            for tickets in by_queue.values():
                tickets.sort(key=policy.static_key)
            return policy.decide_call_next(repo.site_rules(conn, actor.site_id), window, ws, by_queue, now)

        return build

    def keep_warnings(self) -> tuple[int, int]:
        """Store the live warnings raised and decide those whose horizon has passed (common/usecases/warnkeeper.py);
        the hub runs it every minute (server/app.py). Returns (stored, decided)."""
        return warnkeeper.keep(self.engine, self._write_lock, self.clock.now())

    def close_past_days(self) -> int:
        """Expire every ticket still waiting (or called) from a business day that has ended, site by site:
        numbers are for one day, and nobody is called tomorrow for a ticket of today. Only the sites this hub
        owns: a child hub's site (below this hub's own, with a hub of its own: `repo.child_hub_sites`) is closed
        by that hub, and its history arrives late. Idempotent; the hub runs it every minute (server/app.py).
        Returns how many tickets expired."""
        T = repo.T
        left = T.c.status.in_([TicketStatus.waiting.value, TicketStatus.called.value])
        with reader(self.engine) as conn:  # one read a minute; a site is locked only when it has something to close
            today = business_day(self.clock.now()).isoformat()
            site_ids = set(conn.execute(select(T.c.site_id).where(left, T.c.business_day < today).distinct()).scalars())
            site_ids -= repo.child_hub_sites(conn)
        expired = 0
        for site_id in sorted(site_ids):
            with self._write_lock, self.engine.begin() as conn:
                if not lock_site(conn, site_id):
                    continue
                now = self.clock.now()
                rows = conn.execute(select(T.c.id, T.c.business_day, T.c.window_id, T.c.status).where(
                    T.c.site_id == site_id, left, T.c.business_day < business_day(now).isoformat())).all()
                events = [Event(id=uuid7(), site_id=site_id, kind=ev.TICKET_EXPIRED, at=now, data={
                    "ticket_id": r.id, "business_day": r.business_day,
                    "window_id": r.window_id if r.status == TicketStatus.called.value else None}) for r in rows]
                expired += len(events) - len(receive.store(conn, events))
        return expired

    @command
    def call_specific(self, actor: auth.Actor, window_id: str, ticket_id: str, reason: str) -> Build:
        def build(conn, state, now):
            window, ws, _ = self._load_window(conn, actor, window_id, state)
            t = repo.ticket(conn, actor.site_id, ticket_id)
            if t is None:
                raise e.NotFound("no_ticket")
            state.tickets[t.id] = t
            return policy.decide_call_specific(window, ws, t, reason)

        return build

    def _on_current(self, actor, window_id, decide) -> Build:
        def build(conn, state, now):
            _, ws, current = self._load_window(conn, actor, window_id, state)
            return decide(conn, ws, current)

        return build

    @command
    def recall(self, actor: auth.Actor, window_id: str) -> Build:
        return self._on_current(
            actor, window_id, lambda conn, ws, t: policy.decide_recall(repo.site_rules(conn, actor.site_id), ws, t)
        )

    @command
    def skip(self, actor: auth.Actor, window_id: str, requeue: bool = False) -> Build:
        return self._on_current(
            actor, window_id,
            lambda conn, ws, t: policy.decide_skip(repo.site_rules(conn, actor.site_id), ws, t, requeue),
        )

    @command
    def transfer(self, actor: auth.Actor, window_id: str, to_queue_id: str | None = None,
                 to_window_id: str | None = None) -> Build:
        """To another queue, or to one window of the site (then only that window calls the ticket next)."""
        def decide(conn, ws, t):
            to_window = None
            if to_window_id is not None:
                to_window = repo.window(conn, actor.site_id, to_window_id)
                if to_window is None:
                    raise e.NotFound("no_target_window")
            return policy.decide_transfer(ws, t, to_queue_id, repo.queue_ids(conn, actor.site_id), to_window)

        return self._on_current(actor, window_id, decide)

    @command
    def start(self, actor: auth.Actor, window_id: str) -> Build:
        return self._on_current(actor, window_id, lambda conn, ws, t: policy.decide_start(ws, t))

    @command
    def finish(
        self,
        actor: auth.Actor,
        window_id: str,
        outcome: Outcome,
        reason: str | None = None,
        missing_materials: str | None = None,
        due_date: date | None = None,
        guide_wrong: bool = False,
    ) -> Build:
        return self._on_current(
            actor, window_id,
            lambda conn, ws, t: policy.decide_finish(ws, t, outcome, reason, missing_materials, due_date, guide_wrong),
        )

    @command
    def pause(self, actor: auth.Actor, window_id: str, reason: str | None = None) -> Build:
        return self._on_current(actor, window_id, lambda conn, ws, t: policy.decide_pause(ws, reason))

    @command
    def resume(self, actor: auth.Actor, window_id: str) -> Build:
        return self._on_current(actor, window_id, lambda conn, ws, t: policy.decide_resume(ws))

    @command
    def rate(self, actor: auth.Actor, ticket_id: str, score: int | None, reason: str | None = None) -> Build:
        """Rate a finished service; `score=None` records that the citizen gave no answer in time (未评价)."""
        auth.require(actor, "rate")

        def build(conn, state, now):
            t = repo.ticket(conn, actor.site_id, ticket_id)
            if t is None:
                raise e.NotFound("no_ticket")
            if actor.window_id is not None and t.window_id != actor.window_id:
                raise e.Forbidden("rate_own_window_only")
            state.tickets[t.id] = t
            decided = policy.decide_rate(t, score, reason)
            rated = replace(t, rating_score=score, rating_reason=decided[1].get("reason"))
            opened = rating_case(conn, rated, now)  # a bad rating opens its 差评 case (docs/cases.md)
            return decided if opened is None else [decided, opened]

        return build

    def read(self, query: Callable, *args, now: bool = False):
        """Run a read model from `common.readmodels.queries` on a read-only connection (`now=True` passes the hub's time)."""
        with reader(self.engine) as conn:
            return query(conn, *args, self.clock.now()) if now else query(conn, *args)

    # ------------------------------------------------------------ appointments (common/usecases/appointments.py)

    def check_in(self, actor: auth.Actor, *, code: str | None = None, id_number: str | None = None) -> appointments.CheckIn:
        """Today's booking, by its code or ID number, becomes a ticket with its slot (once)."""
        return appointments.check_in(self, actor, code=code, id_number=id_number)

    def import_appointments(self, actor: auth.Actor, rows: list[dict]) -> dict:
        """Add or update the site's bookings from the booking system; all rows or none."""
        auth.require(actor, "import_appointments")
        with self._write_lock, self.engine.begin() as conn:
            return appointments.import_rows(conn, actor.site_id, rows, self.id_key, self.clock.now())

    # ------------------------------------------------------------ sync (docs/sync.md)

    def push(self, actor: auth.Actor, body: dict) -> dict:
        """A pushed batch: through the door (every check, reads only) first, then stored under the write lock."""
        now = self.clock.now()
        with reader(self.engine) as conn:
            admitted = door.admit(conn, actor, body, now)
        report = receive.pushed_report(actor, body)
        try:
            with self._write_lock:
                return receive.receive_push(self.engine, admitted, now, report)
        except IntegrityError as exc:  # e.g. an event naming a window or queue this hub does not know
            raise e.InvalidInput("sync_reference_mismatch") from exc

    def pull(self, actor: auth.Actor, after: int, limit: int) -> dict:
        with self._write_lock:
            return receive.serve_pull(self.engine, actor, after, limit, self.clock.now())

    def case_steps(self, actor: auth.Actor, after: int, limit: int) -> dict:
        """A child hub's pull of the handling steps this hub wrote on its site's cases (`receive.serve_case_steps`)."""
        with self._write_lock, self.engine.begin() as conn:
            lock_site(conn, actor.site_id)
            return receive.serve_case_steps(conn, actor, after, limit, self.clock.now())

    def seen(self, actor: auth.Actor) -> None:
        """Record a sync peer's contact that writes nothing else (its reference pull): read first, with no lock, and
        write only when the stored contact is older than `receive.CONTACT_EVERY`, so most pulls take no write lock."""
        now = self.clock.now()
        with reader(self.engine) as conn:
            if not receive.stale(receive.last_contact(conn, actor.device_id), now):
                return
        with contextlib.suppress(IntegrityError), self._write_lock, self.engine.begin() as conn:
            receive.touch(conn, actor, now)  # (a concurrent first contact of the same peer won)

    @command
    def lease(self, actor: auth.Actor, letter: str, size: int) -> Build:
        """Reserve a block of today's numbers of one queue letter for a device to use while offline."""
        if actor.role not in (Role.kiosk, Role.terminal):
            raise e.Forbidden()
        if not 1 <= size <= 500:
            raise e.InvalidInput("lease_size")

        def build(conn, state, now):
            if letter not in set(conn.execute(select(QueueRow.letter).where(QueueRow.site_id == actor.site_id)).scalars()):
                raise e.NotFound("no_queue")
            day = business_day(now).isoformat()
            first, last = repo.reserve(conn, actor.site_id, day, letter, size)
            return policy.decide_lease(letter=letter, day=day, first=first, last=last)

        return build

    # ------------------------------------------------------------ devices and clerks

    def enrol(self, code: str, role: Role | None = None) -> tuple[str, auth.Actor]:
        with self.engine.begin() as conn:
            return auth.enrol(conn, code, self.clock.now(), role)

    def actor(self, token: str, clerk_token: str | None = None) -> auth.Actor:
        """The device (and clerk) behind the tokens, read on every request (an indexed read, docs/benchmarks.md):
        a revoked device or an ended clerk session is refused at once, by every hub process on the database."""
        with reader(self.engine) as conn:
            return auth.device_actor(conn, token, clerk_token)

    def revoke_device(self, device_id: str) -> str:
        """The device's token stops working at once; its clerk session ends (`haoban admin revoke-device`)."""
        with self._write_lock, self.engine.begin() as conn:
            return auth.revoke_device(conn, device_id, self.clock.now())

    def sign_in(self, actor: auth.Actor, staff_no: str, pin: str) -> tuple[str, str, str]:
        """A clerk on a terminal of her site, or a guide on a kiosk for one green-channel ticket (only a terminal
        serves: `auth.PERMISSIONS`). Returns (session token, clerk id, name)."""
        if actor.role not in auth.CLERK_DEVICES:
            raise e.Forbidden()
        return self._sign_in(
            f"device:{actor.device_id}", pin,
            lambda conn: auth.candidate(conn, actor.site_id, staff_no, device_id=actor.device_id),
            lambda conn, cand, now: auth.start_clerk_session(conn, actor, cand, now))

    def _sign_in(self, source: str, pin: str, find: Callable, start: Callable, roles: frozenset[str] | None = None):
        """The source's back-off, the account read, argon2 outside any transaction and lock, then a short write
        (README "Sign-in and back-off"). Every failure answers the same, whatever its cause."""
        now = self.clock.now()
        if wait := self.sign_in_backoff.take(source, now):
            raise e.TooManyRequests("sign_in_wait", seconds=wait)
        with reader(self.engine) as conn:
            cand = find(conn)
        outcome = auth.verdict(cand, pin, now, roles)
        result = None
        if outcome != "refused":
            with self._write_lock, self.engine.begin() as conn:
                auth.record(conn, cand, outcome, now)
                result = start(conn, cand, now) if outcome == "ok" else None
        if result is None:
            raise e.BadCredentials()
        self.sign_in_backoff.succeeded(source)
        return result

    def sign_out(self, actor: auth.Actor) -> None:
        with self._write_lock, self.engine.begin() as conn:
            auth.sign_out(conn, actor, self.clock.now())

    # ------------------------------------------------------------ supervisors in a browser

    def web_sign_in(self, site_id: str, staff_no: str, pin: str, address: str = "", browser_token: str | None = None,
                    roles: frozenset[str] = auth.WEB_ROLES) -> tuple[str, str, str]:
        """A browser session from `address` for a supervisor or a department's handler (of `roles`): (session token,
        the browser's new known token, her role). `browser_token`: the known token of the browser's earlier sign-in,
        if any (its cookie `haoban_known`): the browser then backs off on its own count, not the account's."""
        return self._sign_in(f"address:{address}", pin,
                             lambda conn: auth.candidate(conn, site_id, staff_no, browser_token=browser_token),
                             lambda conn, cand, now: (*auth.start_web_session(conn, cand, now), cand.role), roles=roles)

    def supervisor_sign_in(self, site_id: str, staff_no: str, pin: str, address: str = "",
                           browser_token: str | None = None) -> tuple[str, str]:
        """`web_sign_in` for a supervisor only: (session token, known token)."""
        token, known, _ = self.web_sign_in(site_id, staff_no, pin, address, browser_token, frozenset({"supervisor"}))
        return token, known

    def supervisor(self, token: str) -> auth.Supervisor:
        with reader(self.engine) as conn:
            return auth.supervisor(conn, token, self.clock.now())

    def handler(self, token: str) -> auth.WebUser:
        """The department's handler signed in in a browser (`auth.handler`)."""
        with reader(self.engine) as conn:
            return auth.handler(conn, token, self.clock.now())

    def supervisor_sign_out(self, token: str) -> None:
        with self._write_lock, self.engine.begin() as conn:
            auth.supervisor_sign_out(conn, token, self.clock.now())
