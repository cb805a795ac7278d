"""How a hub command is written: `@command` on `prepare(hub, actor, ...) -> Build`, the checks that need no
database; the build runs in the writer's transaction (common/usecases/writer.py) and decides the event(s)."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from common.domain import policy
from common.domain.cases import Case
from common.domain.events import Event
from common.domain.model import SiteState, Ticket

if TYPE_CHECKING:
    from common.usecases import auth
    from common.usecases.hub import Hub

# A build decides one event, or several in order (a bad rating and the 差评 case it opens): the first is the Done's.
# It may also find its command done already (a retry after a lost answer) and return that Done: nothing is stored.
Build = Callable[[Connection, SiteState, datetime], "policy.Decision | list[policy.Decision] | Done"]


@dataclass(frozen=True)
class AtSite:
    """A build whose events are of another site than its actor's, run under that site's lock: a step a department of
    the actor's site takes on another site's case (a district answering a village case: docs/cases.md)."""

    site_id: str
    build: Build


def at_site(actor: auth.Actor, prepared: Build | AtSite) -> tuple[str, Build]:
    """The site a prepared command runs at, and its build."""
    if isinstance(prepared, AtSite):
        return prepared.site_id, prepared.build
    return actor.site_id, prepared


@dataclass(frozen=True)
class Done:
    """What a command did: the event it stored and the ticket (or case) as it now stands, if it names one."""

    event: Event
    ticket: Ticket | None
    case: Case | None = None

    @property
    def ticket_id(self) -> str | None:
        return self.event.ticket_id


class command:  # noqa: N801 - used as a decorator, like property
    """A hub command, written as `prepare(hub, actor, ...) -> Build`: the checks that need no database, then the
    build that the writer runs in its transaction. `hub.name(actor, ...)` waits for the Done;
    `hub.name.submit(actor, ...)` returns its future at once (an event loop awaits it: no thread waits)."""

    def __init__(self, prepare: Callable[..., Build | AtSite]) -> None:
        self.prepare = prepare
        self.__doc__ = prepare.__doc__

    def __get__(self, hub: Hub | None, owner=None):
        return self if hub is None else _BoundCommand(hub, self.prepare)


class _BoundCommand:
    __slots__ = ("hub", "prepare")

    def __init__(self, hub: Hub, prepare: Callable[..., Build | AtSite]) -> None:
        self.hub, self.prepare = hub, prepare

    def __call__(self, actor: auth.Actor, *args, **kwargs) -> Done:
        return self.hub._command(actor, self.prepare(self.hub, actor, *args, **kwargs))

    def submit(self, actor: auth.Actor, *args, **kwargs) -> Future[Done]:
        return self.hub._submit(actor, self.prepare(self.hub, actor, *args, **kwargs))
