"""Commands and queries of the hub's HTTP API. Thin: each route calls one use case or read model."""
from __future__ import annotations

import asyncio
from concurrent.futures import Future

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from common.domain import errors as e
from common.domain.model import Outcome, Priority, Role
from common.readmodels import queries
from common.usecases.hub import Done
from server import signins
from server.deps import ActorDep, HubDep
from server.schemas import (
    CallIn,
    CommandOut,
    EnrolIn,
    EnrolOut,
    FinishIn,
    IssueIn,
    PauseIn,
    RateIn,
    SignInIn,
    SignInOut,
    SkipIn,
    TransferIn,
)
from server.web import phone

router = APIRouter(prefix="/api/v1")


def _out(hub, actor, done: Done, public: bool = False, status: int = 200) -> JSONResponse:
    """A command's answer (the shape of `CommandOut`, which the OpenAPI fuzz test holds it to), sent as it is:
    FastAPI would validate it against the model again and serialise it twice."""
    event, t = done.event, done.ticket
    ticket = None
    if t is not None:
        ticket = {"ticket_id": t.id, "number": t.number, "status": t.status.value, "queue_id": t.queue_id,
                  "window_id": t.window_id}
        if public:  # only the kiosk that issued it learns the ticket's secret status link
            ticket.update(public_token=t.public_token, status_path=f"/api/v1/public/tickets/{t.public_token}")
    return JSONResponse({
        "event": {"id": event.id, "seq": event.seq, "kind": event.kind, "at": event.at.isoformat(), "data": event.data},
        "ticket": ticket,
    }, status_code=status)


async def answered(future: Future[Done]) -> Done:
    """A command's Done (or its error), awaited on the event loop."""
    return await asyncio.wrap_future(future)


# ---------------------------------------------------------------- devices and clerks

@router.post("/enrol", response_model=EnrolOut, tags=["devices"])
def enrol(body: EnrolIn, hub: HubDep):
    """Spend a one-time enrolment code; the device token in the answer is shown only once."""
    token, actor = hub.enrol(body.code, Role(body.role) if body.role else None)
    return EnrolOut(token=token, device_id=actor.device_id, site_id=actor.site_id, role=actor.role.value, window_id=actor.window_id)


@router.post("/clerk/sign-in", response_model=SignInOut, tags=["devices"])
async def sign_in(body: SignInIn, hub: HubDep, actor: ActorDep):
    """Every failure answers alike; a terminal (or an account) that keeps failing backs off (README "Sign-in and
    back-off"). The PIN's argon2 check runs on the sign-in threads (server/signins.py)."""
    token, clerk_id, name = await signins.run(hub.sign_in, actor, body.staff_no, body.pin)
    return SignInOut(clerk_token=token, clerk_id=clerk_id, name=name)


@router.post("/clerk/sign-out", status_code=204, tags=["devices"])
def sign_out(hub: HubDep, actor: ActorDep):
    hub.sign_out(actor)


# ---------------------------------------------------------------- commands
# async, awaiting the writer's future: the writer thread runs the command, no thread of the pool waits for it.


@router.post("/tickets", response_model=CommandOut, status_code=201, tags=["commands"])
async def issue_ticket(body: IssueIn, hub: HubDep, actor: ActorDep):
    if body.slot_start is not None or body.slot_end is not None:  # as for pushed tickets (docs/sync.md)
        raise e.InvalidInput("slot_check_in_only")
    done = await answered(hub.issue_ticket.submit(actor, item_id=body.item_id, bundle_id=body.bundle_id, priority=Priority(body.priority),
                                                  id_number=body.id_number))  # green: `policy.green_granted`, as pushed
    return _out(hub, actor, done, public=True, status=201)


@router.post("/windows/{window_id}/call-next", response_model=CommandOut, tags=["commands"])
async def call_next(window_id: str, hub: HubDep, actor: ActorDep):
    return _out(hub, actor, await answered(hub.call_next.submit(actor, window_id)))


@router.post("/windows/{window_id}/call", response_model=CommandOut, tags=["commands"])
async def call_specific(window_id: str, body: CallIn, hub: HubDep, actor: ActorDep):
    """Call one ticket out of order; the reason is recorded in the event."""
    return _out(hub, actor, await answered(hub.call_specific.submit(actor, window_id, body.ticket_id, body.reason)))


@router.post("/windows/{window_id}/recall", response_model=CommandOut, tags=["commands"])
async def recall(window_id: str, hub: HubDep, actor: ActorDep):
    return _out(hub, actor, await answered(hub.recall.submit(actor, window_id)))


@router.post("/windows/{window_id}/skip", response_model=CommandOut, tags=["commands"])
async def skip(window_id: str, body: SkipIn, hub: HubDep, actor: ActorDep):
    return _out(hub, actor, await answered(hub.skip.submit(actor, window_id, body.requeue)))


@router.post("/windows/{window_id}/transfer", response_model=CommandOut, tags=["commands"])
async def transfer(window_id: str, body: TransferIn, hub: HubDep, actor: ActorDep):
    return _out(hub, actor, await answered(hub.transfer.submit(actor, window_id, body.to_queue_id, body.to_window_id)))


@router.post("/windows/{window_id}/start", response_model=CommandOut, tags=["commands"])
async def start(window_id: str, hub: HubDep, actor: ActorDep):
    return _out(hub, actor, await answered(hub.start.submit(actor, window_id)))


@router.post("/windows/{window_id}/finish", response_model=CommandOut, tags=["commands"])
async def finish(window_id: str, body: FinishIn, hub: HubDep, actor: ActorDep):
    done = await answered(hub.finish.submit(actor, window_id, Outcome(body.outcome), body.reason, body.missing_materials,
                                                   body.due_date, body.guide_wrong))
    return _out(hub, actor, done)


@router.post("/windows/{window_id}/pause", response_model=CommandOut, tags=["commands"])
async def pause(window_id: str, body: PauseIn, hub: HubDep, actor: ActorDep):
    return _out(hub, actor, await answered(hub.pause.submit(actor, window_id, body.reason)))


@router.post("/windows/{window_id}/resume", response_model=CommandOut, tags=["commands"])
async def resume(window_id: str, hub: HubDep, actor: ActorDep):
    return _out(hub, actor, await answered(hub.resume.submit(actor, window_id)))


@router.post("/tickets/{ticket_id}/rating", response_model=CommandOut, tags=["commands"])
async def rate(ticket_id: str, body: RateIn, hub: HubDep, actor: ActorDep):
    return _out(hub, actor, await answered(hub.rate.submit(actor, ticket_id, body.score, body.reason)))


# ---------------------------------------------------------------- queries

@router.get("/catalogue", tags=["queries"])
def catalogue(hub: HubDep, actor: ActorDep) -> dict:
    return hub.read(queries.catalogue, actor.site_id)


@router.get("/queue", tags=["queries"])
def queue(hub: HubDep, actor: ActorDep) -> list[dict]:
    return hub.read(queries.queue_state, actor.site_id, now=True)


@router.get("/windows", tags=["queries"])
def windows(hub: HubDep, actor: ActorDep) -> list[dict]:
    return hub.read(queries.window_states, actor.site_id)


@router.get("/figures", tags=["queries"])
def figures(hub: HubDep, actor: ActorDep) -> dict:
    return hub.read(queries.figures, actor.site_id, now=True)


@router.get("/figures/me", tags=["queries"])
def my_figures(hub: HubDep, actor: ActorDep) -> dict:
    """The signed-in clerk's own figures for today."""
    if actor.clerk_id is None:
        raise e.ClerkRequired()
    return hub.read(queries.clerk_figures, actor.site_id, actor.clerk_id, now=True)


@router.get("/public/tickets/{token}", tags=["public"])
def public_ticket(token: str, hub: HubDep, request: Request) -> dict:
    """A ticket's status for the citizen's phone (a page for a browser); the token in its QR code is the only key."""
    return phone.answer(request, hub, token)
