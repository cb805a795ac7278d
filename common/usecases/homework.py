"""The hub's 上门办 commands (docs/remote.md), mixed into `Hub`. Who may do what (`HomeUser.role`, the clerk's role):

- ask for a visit: the village staff (a clerk of the village site, on its laptop: source "village"), or a
  supervisor of the village site or of its parent (from a 12345 call: source "hotline");
- plan (team, day, order) and re-plan: a supervisor of the village site or of its parent;
- record the visit and the citizen's rating, on the team's laptop (the village hub): a clerk or supervisor of the
  village site or of its parent (the visiting team's clerk);
- cancel: a supervisor, or the village staff; show the person in full: the same, each showing audited.

Every step is an event of the village site, written under its lock, only by the hub that owns the village site (a
child hub's village is that hub's: `home_at_child_hub`); it travels up the hub tree with the site's other events.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from common.db import caserows, homerows, repo, videorows
from common.db.engine import reader
from common.domain import errors as e
from common.domain import homevisits as hv
from common.domain.clock import business_day
from common.domain.homevisits import Eligibility, HomeVisit, Person
from common.domain.ids import uuid7, uuid_form
from common.usecases import auth
from common.usecases.commands import AtSite, command

HOME_ROLES = frozenset({"clerk", "supervisor"})
# why a person was shown in full: the printed day list, a call before the visit, finding the door (the audit log's words)
SHOW_PURPOSES = ("print", "call", "find")


@dataclass(frozen=True)
class HomeUser:
    """Someone on the home-visit pages, as a command's actor: village staff, a team clerk or a supervisor."""

    site_id: str
    clerk_id: str
    clerk_role: str  # "clerk" or "supervisor"
    device_id: str = "home-visits"
    role: None = None
    window_id: None = None


def _owned(conn: Connection, site_id: str) -> None:
    if site_id not in repo.owned_sites(conn):
        raise e.Forbidden("home_at_child_hub")


def _near(conn: Connection, actor: HomeUser, site_id: str) -> bool:
    """The actor's site is the village itself or the site above it."""
    return actor.site_id == site_id or videorows.parent_of(conn, site_id) == actor.site_id


def _may(conn: Connection, actor: HomeUser, site_id: str, roles: frozenset[str], near: bool = True) -> None:
    if actor.clerk_role not in roles or not (_near(conn, actor, site_id) if near else actor.site_id == site_id):
        raise e.Forbidden("home_not_allowed")


def _find(conn: Connection, visit_id: str) -> HomeVisit:
    if not isinstance(visit_id, str) or not uuid_form(visit_id):
        raise e.NotFound("no_home_visit")
    found = homerows.visits(conn, repo.owned_sites(conn) | repo.child_hub_sites(conn)).get(visit_id)
    if found is None:
        raise e.NotFound("no_home_visit")
    return found


class HomeCommands:
    """Mixed into `Hub`: uses its engine, clock, contact key and `_command`. `home_rules`: each site's `Eligibility`
    (data; a site not named has the default rule)."""

    home_rules: dict[str, Eligibility] = {}

    def home_rule(self, site_id: str) -> Eligibility:
        return self.home_rules.get(site_id, Eligibility())

    @command
    def request_home_visit(self, actor: HomeUser, *, site_id: str, item_id: str, name: str, phone: str,
                           address: str, slots: list, reason: str, id_number: str | None = None,
                           certificate_seen: bool = False) -> AtSite:
        """Ask for a visit to a citizen of the village `site_id` about the matter `item_id`."""
        key = self.contact_key  # type: ignore[attr-defined]
        if key is None:
            raise e.Forbidden("contact_no_key")
        if not isinstance(site_id, str) or not 0 < len(site_id) <= 64 or not isinstance(item_id, str) \
                or not 0 < len(item_id) <= 64:
            raise e.NotFound("no_item")
        today = business_day(self.clock.now())  # type: ignore[attr-defined]
        person = hv.check_person(name, phone, address, id_number, today)
        slots = hv.check_slots(slots)
        if reason not in hv.REASONS:
            raise e.InvalidInput("home_reason")
        hv.eligible(self.home_rule(site_id), reason, person.id_number, bool(certificate_seen), today)
        source = "village" if actor.site_id == site_id else "hotline"
        rule_roles = HOME_ROLES if source == "village" else frozenset({"supervisor"})

        def build(conn, state, now):
            _owned(conn, site_id)
            _may(conn, actor, site_id, rule_roles)
            if repo.service_item(conn, site_id, item_id) is None:
                raise e.NotFound("no_item")
            return hv.decide_request(visit_id=uuid7(), item_id=item_id, person=hv.seal_person(key, person),
                                     source=source, reason=reason,
                                     seen_by=actor.clerk_id if reason == "certificate" else None, slots=slots)

        return AtSite(site_id, build)

    def _home_step(self, actor: HomeUser, visit_id: str, roles: frozenset[str], decide) -> AtSite:
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            seen = _find(conn, visit_id)

        def build(conn, state, now):
            _owned(conn, seen.site_id)
            _may(conn, actor, seen.site_id, roles)
            v = state.home[visit_id] = homerows.visits(conn, [seen.site_id])[visit_id]
            return decide(v, now)

        return AtSite(seen.site_id, build)

    @command
    def plan_home_visit(self, actor: HomeUser, visit_id: str, *, team: str, day: date, order: int) -> AtSite:
        if not isinstance(team, str) or not isinstance(day, date) or type(order) is not int:
            raise e.InvalidInput("home_team")
        return self._home_step(actor, visit_id, frozenset({"supervisor"}),
                          lambda v, now: hv.decide_plan(v, team.strip(), day, order, business_day(now)))

    @command
    def record_home_visit(self, actor: HomeUser, visit_id: str, *, outcome: str, materials: list) -> AtSite:
        return self._home_step(actor, visit_id, HOME_ROLES, lambda v, now: hv.decide_visit(v, outcome, materials))

    @command
    def rate_home_visit(self, actor: HomeUser, visit_id: str, score: int) -> AtSite:
        return self._home_step(actor, visit_id, HOME_ROLES, lambda v, now: hv.decide_rate(v, score))

    @command
    def cancel_home_visit(self, actor: HomeUser, visit_id: str, reason: str) -> AtSite:
        if not isinstance(reason, str):
            raise e.ReasonRequired()
        return self._home_step(actor, visit_id, HOME_ROLES, lambda v, now: hv.decide_cancel(v, reason))

    def show_home_person(self, actor: HomeUser, visit_id: str, purpose: str) -> Person:
        """The person in full (to call or find the citizen, or on the printed day list): written to the audit log in
        the same transaction, as a case's contact is: under the site of the clerk who saw it, with its purpose."""
        if purpose not in SHOW_PURPOSES:
            raise e.InvalidInput("contact_purpose")
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            v = _find(conn, visit_id)
            _may(conn, actor, v.site_id, HOME_ROLES)
            person = hv.unseal_person(self.contact_key, v.person)  # type: ignore[attr-defined]
            caserows.audit(conn, site_id=actor.site_id, at=self.clock.now(), clerk_id=actor.clerk_id,  # type: ignore[attr-defined]
                           what="home_person", record_id=v.id, purpose=purpose)
        return person

    def home_read(self, fn, *args):
        """`fn(conn, *args, now)` in one read: a view of common.readmodels.homevisits."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            return fn(conn, *args, self.clock.now())  # type: ignore[attr-defined]

    def home_user(self, token: str) -> HomeUser:
        """Who is signed in to the home-visit pages in a browser (a clerk or a supervisor)."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            user = auth.web_user(conn, token, self.clock.now(), HOME_ROLES)  # type: ignore[attr-defined]
        return HomeUser(site_id=user.site_id, clerk_id=user.clerk_id, clerk_role=user.role)

