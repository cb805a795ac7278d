"""The hub's case commands (办不成事 and 差评: docs/cases.md), mixed into `Hub`. Who may do what:

- open a case: a kiosk (source "kiosk"), a clerk signed in on a terminal ("window", or "rejection" of the
  service she just refused), a supervisor on the dashboard ("hotline": transferred from 12345). A bad rating opens
  its 差评 case by itself (`rating_case`).
- classify, assign, note, extend, answer, follow up: the clerk of the site's 办不成事 window (a terminal at a
  window of kind "cases"), or a supervisor. The clerk rated may not handle her own 差评.
- which hub writes which step (a village case handled by a district department): `may_write`, one writer at a time.
- decide an appeal (申诉) of a 差评, and see the audit log: supervisors only.
- a department's handler (承办单位经办人, `Handler`, on the hub's /handler pages): only the cases assigned to her
  department at her own site, and only her steps (`HANDLER_STEPS`): note, extend, answer, the contact in full to
  handle the case. Another department's case is not found (`no_case`); any other step is `handler_not_allowed`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection

from common.db import caserows, repo
from common.db.engine import reader
from common.domain import cases as c
from common.domain import contact
from common.domain import errors as e
from common.domain import limits as L
from common.domain.cases import Case, CaseKind
from common.domain.clock import business_day
from common.domain.ids import new_token, public_token_form, uuid7, uuid_form
from common.domain.model import Outcome, Role, SiteState, Ticket, WindowKind
from common.usecases import auth
from common.usecases.commands import AtSite, Build, Done, command

RATING_CASE = uuid.UUID("6f1d3c2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f")  # namespace of 差评 case ids: one per rated service


@dataclass(frozen=True)
class Desk:
    """A supervisor acting on the dashboard, as a command's actor (the events name her as their clerk)."""

    site_id: str
    clerk_id: str
    device_id: str = "dashboard"
    role: Role | None = None
    window_id: str | None = None


@dataclass(frozen=True)
class Handler:
    """A department's handler (承办单位经办人) acting on the hub's /handler pages, as a command's actor: she answers
    for the cases assigned to `department` at her site (the events name her as their clerk)."""

    site_id: str
    clerk_id: str
    department: str
    device_id: str = "handler"
    role: Role | None = None
    window_id: str | None = None


HANDLER_STEPS = frozenset({"note", "extend", "answer", "contact_handle"})  # what a department's handler may do


def may(actor, step: str) -> None:
    """May this actor take `step` ("classify", "assign", "note", "extend", "answer", "follow_up", "appeal",
    "contact_<purpose>", "open", "read_site")? A department's handler takes only `HANDLER_STEPS`."""
    if isinstance(actor, Handler) and step not in HANDLER_STEPS:
        raise e.Forbidden("handler_not_allowed")


def sees(actor, found: Case) -> bool:
    """May this actor read (and, with `may`, handle) this case of her site? A department's handler sees only the
    cases assigned to her department at her own site; any other is not found to her (she learns nothing of it)."""
    return not isinstance(actor, Handler) or c.assigned_to(found, actor.site_id, actor.department)


_text = c.check_text


def rating_case(conn: Connection, t: Ticket, now: datetime) -> tuple[str, dict] | None:
    """The 差评 case a rating of `t` (already applied to it) opens by itself, or None: only a bad score opens one, and
    only at the hub that owns the site (a child hub's site: that hub opened it and relays it). Its id comes from the
    ticket's, so one rated service has one case. The one rule for `Hub.rate` online and `receive.store` when pushed."""
    if t.rating_score not in c.BAD_SCORES or t.site_id in repo.child_hub_sites(conn):
        return None
    day = business_day(now)
    return c.decide_open(case_id=str(uuid.uuid5(RATING_CASE, t.id)), public_token=new_token(), kind=CaseKind.rating,
                         source="rating", cause="other", text=t.rating_reason, day=day, item_id=t.item_id,
                         ticket_id=t.id, rated_clerk_id=t.clerk_id,
                         first_contact_due=caserows.calendar(conn).add(day, c.FIRST_CONTACT_DAYS))


def _own_site(conn: Connection, actor) -> None:
    """A case is opened by the hub that owns its site: a district reads a village hub's cases (relayed up) but opens
    none there, for its events would never reach the village (docs/cases.md "Who may do what")."""
    if isinstance(actor, Desk | Handler) and actor.site_id in repo.child_hub_sites(conn):
        raise e.Forbidden("case_at_child_hub")


# The handling steps (承办: notes, contacts made, extensions, the answer): the department's, wherever it sits.
HANDLING = frozenset({c.CASE_NOTED, c.CASE_EXTENDED, c.CASE_ANSWERED})
_WAITING = (c.CaseStatus.registered, c.CaseStatus.open)


def holder_site(found: Case) -> str:
    """The site the case is held at now: while it waits on a department (registered or open, and assigned), that
    department's site; otherwise (not assigned, answered, closed) the case's own site."""
    if found.handler_site_id and found.status in _WAITING:
        return found.handler_site_id
    return found.site_id


def may_write(conn: Connection, found: Case, kind: str) -> None:
    """May this hub write step `kind` on `found`? The one rule of which hub writes what (docs/cases.md "Across the
    hub tree"); who at this hub may (a supervisor, the 办不成事 window's clerk, not her own 差评) is checked apart
    (`CaseCommands._reading`, `cases.may_handle`), and a role of its own composes with it the same way.

    One writer at a time: the hub that owns the site the case is held at (`holder_site`). While a department of a
    site of another hub holds it, that hub writes the handling steps (`HANDLING`) and nothing else, and the owning
    hub writes nothing on it (`case_with_other_site`) until the answer comes down; at any other time the owning hub
    writes every step and the other hubs only read it (`case_at_child_hub`)."""
    owned = repo.owned_sites(conn)
    if holder_site(found) not in owned:
        raise e.Forbidden("case_with_other_site" if found.site_id in owned else "case_at_child_hub")
    if found.site_id not in owned and kind not in HANDLING:
        raise e.Forbidden("case_at_child_hub")


def check_handler_site(conn: Connection, site_id: str) -> None:
    """A department a case may be assigned to sits at a site this hub owns, or above its own (its upstream's: the
    case then travels up and its answer down). Not at a child hub's site (the case would never reach that hub)."""
    own = repo.own_sites(conn)
    if site_id in repo.owned_sites(conn) | repo.above(conn, own):
        return
    if site_id in repo.below(conn, own):
        raise e.Forbidden("case_handler_child_hub")
    raise e.NotFound("no_site")


class CaseCommands:
    """Mixed into `Hub`: uses its engine, clock, write lock, `_command` and `contact_key`."""

    contact_key: bytes | None
    box_key: bytes | None

    def _handling(self, conn: Connection, actor, case_id: str, state: SiteState, kind: str | None) -> Case:
        """The case, for an actor who may handle it (a supervisor, or the clerk at the 办不成事 window of a site the
        case is of or handled at), when this hub may write step `kind` on it (`may_write`; None: a reading)."""
        self._reading(conn, actor)
        found = caserows.case_here(conn, actor.site_id, case_id)
        if found is None or not sees(actor, found):
            raise e.NotFound("no_case")
        if kind is not None:
            may_write(conn, found, kind)
        c.may_handle(found, actor.clerk_id)
        state.cases[found.id] = found
        return found

    def _step(self, actor, case_id: str, kind: str, decide) -> AtSite:
        """A step on a case, as a build run at the case's own site (a district department's answer to a village case
        is the village site's event, under that site's lock); `decide(conn, found, now)` gives the event. A handling
        step names the site of the department it was written for (`handler_site_id`): the upstream sends down the
        ones its departments wrote (`receive.serve_case_steps`) and recognises them when they come back up."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            seen = caserows.case_here(conn, actor.site_id, case_id)
        site = seen.site_id if seen is not None else actor.site_id

        def build(conn, state, now):
            found = self._handling(conn, actor, case_id, state, kind)
            if found.site_id != site:  # opened meanwhile, of another site: try again
                raise e.Conflict()
            step, data = decide(conn, found, now)
            if step in HANDLING and found.handler_site_id:
                data = {**data, "handler_site_id": found.handler_site_id}
            return step, data

        return AtSite(site, build)

    @command
    def open_case(self, actor, *, source: str, cause: str, text: str | None = None, item_id: str | None = None,
                  ticket_id: str | None = None, name: str | None = None, phone: str | None = None,
                  case_id: str | None = None, public_token: str | None = None) -> Build:
        """Register a case (登记); the reporter's name and phone are sealed before anything is written. `case_id`: the
        device's own id for it (a UUID it made), so that a retry after a lost answer finds the case it opened instead
        of opening a second one. `public_token`: the device's own token for it (only with `case_id`), so that the
        case it keeps offline when the answer is lost (`SyncClient.open_case_offline`) is this very case."""
        may(actor, "open")
        if case_id is not None and not uuid_form(case_id):
            raise e.InvalidInput("case_id_form")
        if public_token is not None and (case_id is None or not public_token_form(public_token)):
            raise e.InvalidInput("case_id_form")
        allowed = {"hotline"} if isinstance(actor, Desk) else {"kiosk"} if actor.role is Role.kiosk else {"window", "rejection"}
        if not isinstance(actor, Desk):
            auth.require(actor, "serve" if actor.role is Role.terminal else "issue_ticket")
        if source not in allowed or cause not in c.CAUSES:
            raise e.InvalidInput("case_source_or_cause")
        if (source == "rejection") != (ticket_id is not None):
            raise e.InvalidInput("case_rejection_ticket")
        text = _text(text, "case_text_too_long")
        who = contact.check(name, phone)
        if who is not None and not self.contact_key:
            raise e.Conflict("contact_no_key")
        sealed = contact.seal(self.contact_key, who) if who is not None and self.contact_key else None

        def build(conn, state, now):
            if case_id is not None and (again := caserows.opened(conn, case_id)) is not None:
                event, found = again
                if event.device_id != actor.device_id or found.site_id != actor.site_id:
                    raise e.Conflict("case_id_taken")
                return Done(event=event, ticket=None, case=found)  # the retry of a case already opened: no new event
            if public_token is not None and caserows.by_token(conn, public_token) is not None:
                raise e.Conflict("case_id_taken")  # another case's token
            _own_site(conn, actor)
            if item_id is not None and repo.service_item(conn, actor.site_id, item_id) is None:
                raise e.NotFound("no_item")
            item = item_id
            if ticket_id is not None:  # a refused service of this window: 不予受理 -> 登记为办不成事
                t = repo.ticket(conn, actor.site_id, ticket_id)
                if t is None or t.outcome is not Outcome.rejected or t.window_id != actor.window_id:
                    raise e.Conflict("case_not_a_rejection")
                item = item or t.item_id
            return c.decide_open(case_id=case_id or uuid7(), public_token=public_token or new_token(), kind=CaseKind.case, source=source,
                                 cause=cause, text=text, day=business_day(now), contact=sealed, item_id=item,
                                 ticket_id=ticket_id)

        return build

    @command
    def classify_case(self, actor, case_id: str, case_class: str, explanation: str | None = None) -> AtSite:
        """即办 (today), 一般 (5 working days), 复杂 (15), or out of scope (closed with the explanation and the channel)."""
        may(actor, "classify")
        explanation = _text(explanation, "case_text_too_long")

        def decide(conn, found, now):
            days = c.CLASSES.get(case_class)
            due = caserows.calendar(conn).add(business_day(now), days) if days is not None else None
            return c.decide_classify(found, case_class, due, explanation)

        return self._step(actor, case_id, c.CASE_CLASSIFIED, decide)

    @command
    def assign_case(self, actor, case_id: str, department: str, handler_site_id: str | None = None) -> AtSite:
        """To a department (承办单位), of this site or of another one of the hub tree (`check_handler_site`)."""
        may(actor, "assign")
        department = _text(department, "case_department", required=True, max_len=L.DEPARTMENT_MAX)

        def decide(conn, found, now):
            site = handler_site_id or actor.site_id
            if site != actor.site_id:
                check_handler_site(conn, site)
            return c.decide_assign(found, department, site)

        return self._step(actor, case_id, c.CASE_ASSIGNED, decide)

    @command
    def note_case(self, actor, case_id: str, note: str, contact_made: bool = False) -> AtSite:
        """A note on the handling; `contact_made`: a contact with the citizen (each one is logged)."""
        may(actor, "note")
        note = _text(note, "case_note_required", required=True)
        return self._step(actor, case_id, c.CASE_NOTED, lambda conn, found, now: c.decide_note(found, note, contact_made))

    @command
    def extend_case(self, actor, case_id: str, new_due: date, reason: str, told: bool) -> AtSite:
        may(actor, "extend")
        reason = _text(reason, "case_reason_required", required=True)

        def decide(conn, found, now):
            if not caserows.calendar(conn).is_working(new_due):
                raise e.InvalidInput("case_due_not_working_day")
            return c.decide_extend(found, business_day(now), new_due, reason, told)

        return self._step(actor, case_id, c.CASE_EXTENDED, decide)

    @command
    def answer_case(self, actor, case_id: str, answer: str, text: str, legal_reason: str | None = None) -> AtSite:
        may(actor, "answer")
        text = _text(text, "case_answer_text_required", required=True)
        legal_reason = _text(legal_reason, "case_text_too_long")
        return self._step(actor, case_id, c.CASE_ANSWERED,
                          lambda conn, found, now: c.decide_answer(found, business_day(now), answer, text, legal_reason))

    @command
    def follow_up_case(self, actor, case_id: str, reached: bool, satisfied: bool | None, note: str | None = None) -> AtSite:
        """回访: the follow-up call after the answer."""
        may(actor, "follow_up")
        note = _text(note, "case_text_too_long")
        return self._step(actor, case_id, c.CASE_FOLLOWED_UP,
                          lambda conn, found, now: c.decide_follow_up(found, reached, satisfied, note))

    @command
    def decide_appeal(self, actor, case_id: str, upheld: bool, note: str | None = None) -> AtSite:
        may(actor, "appeal")
        if not isinstance(actor, Desk):
            raise e.Forbidden("supervisors_only")
        note = _text(note, "case_text_too_long")
        return self._step(actor, case_id, c.CASE_APPEAL_DECIDED, lambda conn, found, now: c.decide_appeal(found, upheld, note))

    # ------------------------------------------------------------ reads (common/readmodels/cases.py)

    def _reading(self, conn: Connection, actor) -> None:
        """Who may read a site's cases: a supervisor, or a clerk at the 办不成事 window (as for handling); a
        department's handler reads her department's only (`sees`, `read_department`)."""
        if not isinstance(actor, Desk | Handler):
            auth.require(actor, "serve")
            window = repo.window(conn, actor.site_id, actor.window_id) if actor.window_id else None
            if window is None or window.kind is not WindowKind.cases:
                raise e.Forbidden("case_window_only")

    def read_cases(self, actor, query, *args):
        """Run a read model of `common.readmodels.cases` as `query(conn, site_id, today, calendar, *args)`, for an
        actor who may read the site's cases."""
        may(actor, "read_site")
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            self._reading(conn, actor)
            today = business_day(self.clock.now())  # type: ignore[attr-defined]
            return query(conn, actor.site_id, today, caserows.calendar(conn), *args)

    def read_department(self, actor: Handler, query, *args):
        """Run a read model of `common.readmodels.cases` as `query(conn, site_id, today, calendar, *args,
        department=...)` for a department's handler: it reads the cases assigned to her department at her site."""
        if not isinstance(actor, Handler):
            raise e.Forbidden("handlers_only")
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            _own_site(conn, actor)
            today = business_day(self.clock.now())  # type: ignore[attr-defined]
            return query(conn, actor.site_id, today, caserows.calendar(conn), *args, department=actor.department)

    def read_public_case(self, query, token: str):
        """`query(conn, case, today, calendar)` for the case of this public token (the citizen's page)."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            found = caserows.by_token(conn, token) if public_token_form(token) else None  # no NUL to PostgreSQL
            if found is None:
                raise e.NotFound("no_case")
            return query(found, business_day(self.clock.now()), caserows.calendar(conn))  # type: ignore[attr-defined]

    def masked_contact(self, sealed: str | None) -> dict | None:
        """A sealed contact as lists and pages show it (张*明, 138****5678): not a showing in full, no audit entry."""
        if not sealed or not (self.contact_key or self.box_key):
            return None
        try:
            return contact.unseal(self.contact_key, sealed, self.box_key).masked()
        except e.HaobanError:  # sealed by another hub: shown as present, unreadable here
            return {"name": None, "phone": None, "elsewhere": True}

    # ------------------------------------------------------------ personal data, in full (PIPL)

    def case_contact(self, actor, case_id: str, purpose: str) -> contact.Contact:
        """The reporter's name and phone in full, for whoever handles the case or makes the follow-up call; the
        showing is written to the audit log first (no showing without its entry)."""
        if purpose not in ("handle", "follow_up"):
            raise e.InvalidInput("contact_purpose")
        may(actor, f"contact_{purpose}")
        with self._write_lock, self.engine.begin() as conn:  # type: ignore[attr-defined]
            found = self._handling(conn, actor, case_id, SiteState(), None)  # a reading: wherever the case is held
            if not found.contact:
                raise e.NotFound("no_contact")
            if not (self.contact_key or self.box_key):
                raise e.Conflict("contact_no_key")
            shown = contact.unseal(self.contact_key, found.contact, self.box_key)
            caserows.audit(conn, site_id=actor.site_id, at=self.clock.now(), clerk_id=actor.clerk_id,  # type: ignore[attr-defined]
                           what="case_contact", record_id=found.id, purpose=purpose)
        return shown
