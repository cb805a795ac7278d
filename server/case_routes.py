"""Cases over the device API (docs/cases.md): a kiosk or a terminal opens one; the clerk of the 办不成事 window works
the list. Thin: each route calls one hub command or read; the dashboard's routes are in server/web/."""
from __future__ import annotations

from fastapi import APIRouter

from common.readmodels import cases
from server.deps import ActorDep, HubDep
from server.routes import answered
from server.schemas import (
    CaseAnswerIn,
    CaseAssignIn,
    CaseClassifyIn,
    CaseContactIn,
    CaseExtendIn,
    CaseFollowUpIn,
    CaseNoteIn,
    CaseOpenIn,
)

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


def _case(done) -> dict:
    x = done.case
    return {"case_id": x.id, "number": x.number, "status": x.status.value, "kind": x.kind.value,
            "due_day": x.due_day, "public_token": x.public_token, "status_path": f"/c/{x.public_token}",
            "event": {"id": done.event.id, "seq": done.event.seq, "kind": done.event.kind}}


@router.post("", status_code=201)
async def open_case(body: CaseOpenIn, hub: HubDep, actor: ActorDep) -> dict:
    """Register a case (登记); the answer carries its number and the token of the citizen's page (for the 受理回执)."""
    return _case(await answered(hub.open_case.submit(
        actor, source=body.source, cause=body.cause, text=body.text, item_id=body.item_id, ticket_id=body.ticket_id,
        name=body.name, phone=body.phone, case_id=body.case_id, public_token=body.public_token)))


@router.get("")
def worklist(hub: HubDep, actor: ActorDep) -> list[dict]:
    """The site's cases still to be done, most urgent first (overdue, then due within one working day)."""
    return hub.read_cases(actor, cases.worklist)


@router.get("/{case_id}")
def one(case_id: str, hub: HubDep, actor: ActorDep) -> dict:
    """A case with its history (every step, oldest first); the reporter's contact masked."""
    found = hub.read_cases(actor, cases.detail, case_id)
    found["contact_masked"] = hub.masked_contact(found.pop("sealed_contact"))
    return found


@router.post("/{case_id}/classify")
async def classify(case_id: str, body: CaseClassifyIn, hub: HubDep, actor: ActorDep) -> dict:
    return _case(await answered(hub.classify_case.submit(actor, case_id, body.case_class, body.explanation)))


@router.post("/{case_id}/assign")
async def assign(case_id: str, body: CaseAssignIn, hub: HubDep, actor: ActorDep) -> dict:
    return _case(await answered(hub.assign_case.submit(actor, case_id, body.department, body.handler_site_id)))


@router.post("/{case_id}/notes")
async def note(case_id: str, body: CaseNoteIn, hub: HubDep, actor: ActorDep) -> dict:
    return _case(await answered(hub.note_case.submit(actor, case_id, body.note, body.contact)))


@router.post("/{case_id}/extend")
async def extend(case_id: str, body: CaseExtendIn, hub: HubDep, actor: ActorDep) -> dict:
    return _case(await answered(hub.extend_case.submit(actor, case_id, body.due_day, body.reason, body.told)))


@router.post("/{case_id}/answer")
async def answer(case_id: str, body: CaseAnswerIn, hub: HubDep, actor: ActorDep) -> dict:
    return _case(await answered(hub.answer_case.submit(actor, case_id, body.answer, body.text, body.legal_reason)))


@router.post("/{case_id}/follow-up")
async def follow_up(case_id: str, body: CaseFollowUpIn, hub: HubDep, actor: ActorDep) -> dict:
    return _case(await answered(hub.follow_up_case.submit(actor, case_id, body.reached, body.satisfied, body.note)))


@router.post("/{case_id}/contact")
def contact(case_id: str, body: CaseContactIn, hub: HubDep, actor: ActorDep) -> dict:
    """The reporter's name and phone in full, for the handling or the follow-up call: written to the audit log."""
    who = hub.case_contact(actor, case_id, body.purpose)
    return {"name": who.name, "phone": who.phone}


public_router = APIRouter(prefix="/api/v1/public/cases", tags=["public"])


@public_router.get("/{token}")
def public_case(token: str, hub: HubDep) -> dict:
    """A case for the citizen's phone, by the token in the 受理回执's QR code (the only key): status and answer."""
    return hub.read_public_case(cases.public, token)
