"""Request and response bodies of the hub's HTTP API."""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

from common.domain import limits as L  # the same limits as pushed events (common/domain/events.py)

Id = Field(min_length=1, max_length=L.ID_MAX, pattern=L.ID_PATTERN)
Text = Field(default=None, max_length=L.TEXT_MAX)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrolIn(In):
    code: str = Field(min_length=4, max_length=64)
    role: Literal["kiosk", "terminal", "rating", "display", "hub", "booking_import"] | None = None  # the role expected:
    # a code for another role is refused and stays unspent (a set-up screen that was given the wrong code)


class EnrolOut(BaseModel):
    token: str
    device_id: str
    site_id: str
    role: str
    window_id: str | None


class SignInIn(In):
    staff_no: str = Field(min_length=1, max_length=32)
    pin: str = Field(min_length=4, max_length=12, pattern=r"^[0-9]+$")


class SignInOut(BaseModel):
    clerk_token: str
    clerk_id: str
    name: str


class IssueIn(In):
    item_id: str | None = Field(default=None, min_length=1, max_length=L.ID_MAX)
    bundle_id: str | None = Field(default=None, min_length=1, max_length=L.ID_MAX)
    priority: Literal["normal", "green"] = "normal"
    slot_start: AwareDatetime | None = Field(None, description="refused: a slot comes only from a check-in")
    slot_end: AwareDatetime | None = Field(None, description="refused: a slot comes only from a check-in")
    id_number: str | None = Field(None, min_length=18, max_length=18, pattern=r"^[0-9]{17}[0-9Xx]$",
                                  description="the ID card's, for the green channel by age (used for the age only, never kept)")


class CallIn(In):
    ticket_id: str = Field(min_length=1, max_length=L.UUID_MAX)
    reason: str = Field(min_length=1, max_length=L.TEXT_MAX)


class SkipIn(In):
    requeue: bool = False


class TransferIn(In):
    """To another queue, or to one window (its queue chosen as in `policy.decide_transfer`), or both."""
    to_queue_id: str | None = Field(None, min_length=1, max_length=L.ID_MAX)
    to_window_id: str | None = Field(None, min_length=1, max_length=L.ID_MAX)


class FinishIn(In):
    outcome: Literal["completed", "accepted", "accepted_missing", "commitment", "rejected"]
    reason: str | None = Text
    missing_materials: str | None = Text
    due_date: date | None = None
    guide_wrong: StrictBool = Field(False, description="with a refusal only: the matter's 办事指南 misled the citizen")


class PauseIn(In):
    reason: str | None = Field(default=None, max_length=L.PAUSE_REASON_MAX)


class RateIn(In):
    score: int | None = Field(ge=L.SCORE_MIN, le=L.SCORE_MAX, description="5 非常满意 .. 1 非常不满意; null: no answer in time (未评价)")
    reason: str | None = Text


class TicketBrief(BaseModel):
    ticket_id: str
    number: str
    status: str
    queue_id: str
    window_id: str | None
    public_token: str | None = None
    status_path: str | None = None


class EventOut(BaseModel):
    id: str
    seq: int
    kind: str
    at: str
    data: dict[str, Any]


class CommandOut(BaseModel):
    event: EventOut
    ticket: TicketBrief | None = None


class ErrorOut(BaseModel):
    error: str
    message_zh: str
    message_en: str
    message_zh_hant: str | None = None


# ---------------------------------------------------------------- cases (docs/cases.md)

Cause = Literal["policy", "system", "materials", "attitude", "other"]


class CaseOpenIn(In):
    source: Literal["window", "kiosk", "rejection"]
    cause: Cause
    text: str | None = Text
    item_id: str | None = Field(None, min_length=1, max_length=L.ID_MAX, pattern=L.ID_PATTERN)
    ticket_id: str | None = Field(None, min_length=1, max_length=L.UUID_MAX, description="the refused service (source rejection)")
    name: str | None = Field(None, max_length=L.NAME_MAX, description="the reporter's: sealed at once, never logged")
    phone: str | None = Field(None, max_length=L.PHONE_MAX)
    case_id: str | None = Field(None, min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$",
                                description="the device's own UUID for the case: a retry with it opens no second case")
    public_token: str | None = Field(None, min_length=L.TOKEN_MIN, max_length=L.TOKEN_MAX, pattern=L.TOKEN_PATTERN,
                                     description="the device's own token for the citizen's page, with case_id: the "
                                                 "receipt is right whether the case went online or was kept offline")


class CaseClassifyIn(In):
    case_class: Literal["immediate", "general", "complex", "out_of_scope"]
    explanation: str | None = Text


class CaseAssignIn(In):
    department: str = Field(min_length=1, max_length=L.DEPARTMENT_MAX)
    handler_site_id: str | None = Field(None, min_length=1, max_length=L.ID_MAX, pattern=L.ID_PATTERN)


class CaseNoteIn(In):
    note: str = Field(min_length=1, max_length=L.TEXT_MAX)
    contact: bool = False


class CaseExtendIn(In):
    due_day: date
    reason: str = Field(min_length=1, max_length=L.TEXT_MAX)
    told: bool


class CaseAnswerIn(In):
    answer: Literal["done", "partly", "cannot", "rectified", "explained", "appeal"]
    text: str = Field(min_length=1, max_length=L.TEXT_MAX)
    legal_reason: str | None = Text


class CaseFollowUpIn(In):
    reached: bool
    satisfied: bool | None = None
    note: str | None = Text


class CaseContactIn(In):
    purpose: Literal["handle", "follow_up"]
