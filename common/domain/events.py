"""Events: append-only facts. Every state change of a ticket or window is one of these kinds."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from common.domain import cases, homevisits, videohelp
from common.domain import limits as L

SCHEMA_VERSION = 1

TICKET_ISSUED = "ticket_issued"
TICKET_CALLED = "ticket_called"
TICKET_RECALLED = "ticket_recalled"
TICKET_SKIPPED = "ticket_skipped"
TICKET_TRANSFERRED = "ticket_transferred"
SERVICE_STARTED = "service_started"
SERVICE_FINISHED = "service_finished"
TICKET_RATED = "ticket_rated"
TICKET_UNRATED = "ticket_unrated"  # the citizen gave no answer in time: 未评价, and the rating is closed
WINDOW_PAUSED = "window_paused"
WINDOW_RESUMED = "window_resumed"
NUMBERS_LEASED = "numbers_leased"  # a block of ticket numbers reserved for a kiosk to use offline
TICKET_EXPIRED = "ticket_expired"  # the hub closes a past business day: its tickets still waiting expire
SEARCH_MISSED = "search_missed"  # a kiosk's guide search that ended in nothing: its masked text, for the editors
# and the case kinds of common/domain/cases.py (办不成事 and 差评 cases), folded by `cases.apply`, and the video-help
# kinds of common/domain/videohelp.py (视频帮办), folded by `videohelp.apply`

KINDS = frozenset(
    {
        TICKET_ISSUED,
        TICKET_CALLED,
        TICKET_RECALLED,
        TICKET_SKIPPED,
        TICKET_TRANSFERRED,
        SERVICE_STARTED,
        SERVICE_FINISHED,
        TICKET_RATED,
        TICKET_UNRATED,
        WINDOW_PAUSED,
        WINDOW_RESUMED,
        NUMBERS_LEASED,
        TICKET_EXPIRED,
        SEARCH_MISSED,
    }
) | cases.KINDS | videohelp.KINDS | homevisits.KINDS


@dataclass(frozen=True)
class Event:
    """One fact. `data` holds only JSON values; `ticket_id` / `window_id` name what it touches."""

    id: str
    site_id: str
    kind: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    device_id: str | None = None
    clerk_id: str | None = None
    schema_version: int = SCHEMA_VERSION
    seq: int | None = None  # position in the hub's order, set when stored

    @property
    def ticket_id(self) -> str | None:
        return self.data.get("ticket_id")

    @property
    def window_id(self) -> str | None:
        return self.data.get("window_id")

    @property
    def case_id(self) -> str | None:
        return self.data.get("case_id")


# The data of each kind: every field it may carry, with its type and range. A pushed event is checked
# against this (`validate`), so that a malformed one is refused with a message instead of breaking the
# projection; a field not listed here is refused too. The limits are those of the online API (limits.py).
@dataclass(frozen=True)
class Field:
    types: tuple
    required: bool = True
    max_len: int | None = None
    lo: int | None = None
    hi: int | None = None
    choices: frozenset | None = None
    form: str | None = None  # "id", "day", "time": a string of that form


def _id(required: bool = True, max_len: int = L.ID_MAX) -> Field:
    return Field((str,) if required else (str, type(None)), required, max_len, form="id")


def _text(max_len: int = L.TEXT_MAX) -> Field:
    return Field((str, type(None)), False, max_len)


def _int(lo: int, hi: int) -> Field:
    return Field((int,), lo=lo, hi=hi)


_TICKET, _WINDOW, _DAY = _id(max_len=L.UUID_MAX), _id(), Field((str,), form="day")
_LETTER = Field((str,), max_len=1, form="letter")
OUTCOMES = frozenset({"completed", "accepted", "accepted_missing", "commitment", "rejected"})
PRIORITIES = frozenset({"normal", "green"})

FIELDS: dict[str, dict[str, Field]] = {
    TICKET_ISSUED: {"ticket_id": _TICKET, "business_day": _DAY, "number": Field((str,), max_len=L.NUMBER_MAX),
                    "letter": _LETTER, "seq": _int(1, L.SEQ_MAX), "queue_id": _id(), "item_id": _id(False),
                    "bundle_id": _id(False), "priority": Field((str,), choices=PRIORITIES),
                    "wait_limit_min": _int(1, L.MINUTES_MAX), "service_limit_min": _int(1, L.MINUTES_MAX),
                    "public_token": Field((str,), form="token"), "slot_start": Field((str, type(None)), False, form="time"),
                    "slot_end": Field((str, type(None)), False, form="time")},
    TICKET_CALLED: {"ticket_id": _TICKET, "window_id": _WINDOW, "reason": _text()},
    TICKET_RECALLED: {"ticket_id": _TICKET, "window_id": _WINDOW},
    TICKET_SKIPPED: {"ticket_id": _TICKET, "window_id": _WINDOW, "requeue": Field((bool,), False)},
    TICKET_TRANSFERRED: {"ticket_id": _TICKET, "window_id": _WINDOW, "from_queue_id": _id(False),
                         "to_queue_id": _id(), "to_window_id": _id(False)},
    SERVICE_STARTED: {"ticket_id": _TICKET, "window_id": _WINDOW},
    SERVICE_FINISHED: {"ticket_id": _TICKET, "window_id": _WINDOW, "outcome": Field((str,), choices=OUTCOMES),
                       "reason": _text(), "missing_materials": _text(),
                       "due_date": Field((str, type(None)), False, form="day"),
                       "guide_wrong": Field((bool,), False)},  # rejected, and the clerk says the guide misled (docs/guides.md)
    TICKET_RATED: {"ticket_id": _TICKET, "score": _int(L.SCORE_MIN, L.SCORE_MAX), "reason": _text()},
    TICKET_UNRATED: {"ticket_id": _TICKET},
    WINDOW_PAUSED: {"window_id": _WINDOW, "reason": _text(L.PAUSE_REASON_MAX)},
    WINDOW_RESUMED: {"window_id": _WINDOW},
    NUMBERS_LEASED: {"letter": _LETTER, "business_day": _DAY, "first": _int(1, L.SEQ_MAX), "last": _int(1, L.SEQ_MAX)},
    TICKET_EXPIRED: {"ticket_id": _TICKET, "business_day": _DAY, "window_id": _id(False)},  # the window it frees
    # digits masked by the kiosk (common/search/text.py `masked`); no run of four digits or more passes
    SEARCH_MISSED: {"text": Field((str,), max_len=L.MISS_TEXT_MAX, form="miss")},
}
_CASE, _NOTE, _DUE = _id(max_len=L.UUID_MAX), Field((str,), max_len=L.TEXT_MAX), Field((str, type(None)), False, form="day")
FIELDS.update({
    cases.CASE_OPENED: {
        "case_id": _CASE, "number": Field((str,), max_len=L.NUMBER_MAX), "public_token": Field((str,), form="token"),
        "kind": Field((str,), choices=frozenset(cases.CaseKind)), "source": Field((str,), choices=cases.SOURCES),
        "cause": Field((str,), choices=cases.CAUSES), "text": _text(), "opened_day": _DAY,
        "contact": Field((str, type(None)), False, L.CONTACT_SEALED_MAX), "item_id": _id(False),
        "of_ticket_id": _id(False, L.UUID_MAX), "rated_clerk_id": _id(False), "due_day": _DUE},
    cases.CASE_CLASSIFIED: {"case_id": _CASE, "case_class": Field((str,), choices=frozenset(cases.CLASSES)),
                            "due_day": _DUE, "explanation": _text()},
    cases.CASE_ASSIGNED: {"case_id": _CASE, "department": Field((str,), max_len=L.DEPARTMENT_MAX),
                          "handler_site_id": _id()},
    # a handling step names the site of the department it was written for, once the case is assigned (docs/cases.md)
    cases.CASE_NOTED: {"case_id": _CASE, "note": _NOTE, "contact": Field((bool,)), "handler_site_id": _id(False)},
    cases.CASE_EXTENDED: {"case_id": _CASE, "due_day": Field((str,), form="day"), "reason": _NOTE,
                          "handler_site_id": _id(False)},
    cases.CASE_ANSWERED: {"case_id": _CASE, "answer": Field((str,), choices=frozenset().union(*cases.ANSWERS.values())),
                          "text": _NOTE, "legal_reason": _text(), "on_time": Field((bool,)), "handler_site_id": _id(False)},
    cases.CASE_FOLLOWED_UP: {"case_id": _CASE, "reached": Field((bool,)), "satisfied": Field((bool, type(None)), False),
                             "note": _text()},
    cases.CASE_APPEAL_DECIDED: {"case_id": _CASE, "upheld": Field((bool,)), "note": _text()},
})

# 视频帮办 (branch video): a request of a village site, served by its parent site's desks (docs/remote.md)
_REQUEST = _id(max_len=L.UUID_MAX)
FIELDS.update({
    videohelp.VIDEO_REQUESTED: {"request_id": _REQUEST, "serving_site_id": _id(), "item_id": _id(),
                                "call_token": Field((str,), form="token"), "wait_limit_min": _int(1, L.MINUTES_MAX),
                                "service_limit_min": _int(1, L.MINUTES_MAX), "call_back": Field((bool,))},
    videohelp.VIDEO_TAKEN: {"request_id": _REQUEST, "desk_clerk_id": _id()},
    videohelp.VIDEO_CONNECTED: {"request_id": _REQUEST},
    videohelp.VIDEO_HUNG_UP: {"request_id": _REQUEST, "by": Field((str,), choices=videohelp.ENDS)},
    videohelp.VIDEO_FINISHED: {"request_id": _REQUEST, "outcome": Field((str,), choices=videohelp.OUTCOMES),
                               "reason": _text()},
    videohelp.VIDEO_CANCELLED: {"request_id": _REQUEST},
    videohelp.VIDEO_RATED: {"request_id": _REQUEST, "score": _int(L.SCORE_MIN, L.SCORE_MAX)},
})

# 上门办 (branch homevisits): a visit of a village site; its person only sealed (docs/remote.md)
_VISIT, _HV = _id(max_len=L.UUID_MAX), homevisits
FIELDS.update({
    _HV.HOME_REQUESTED: {"visit_id": _VISIT, "item_id": _id(), "person": Field((str,), max_len=_HV.SEALED_MAX, form="sealed"),
                         "source": Field((str,), choices=_HV.SOURCES), "reason": Field((str,), choices=_HV.REASONS),
                         "seen_by": _id(False), "slots": Field((str,), max_len=80, form="slots")},
    _HV.HOME_PLANNED: {"visit_id": _VISIT, "team": Field((str,), max_len=_HV.TEAM_MAX, form="printable"),
                       "day": _DAY, "order": _int(1, _HV.ORDER_MAX)},
    _HV.HOME_VISITED: {"visit_id": _VISIT, "outcome": Field((str,), choices=_HV.OUTCOMES),
                       "materials": Field((str,), max_len=_HV.MATERIALS_MAX * 61, form="printable")},
    _HV.HOME_CANCELLED: {"visit_id": _VISIT, "reason": Field((str,), max_len=L.TEXT_MAX, form="printable")},
    _HV.HOME_RATED: {"visit_id": _VISIT, "score": _int(L.SCORE_MIN, L.SCORE_MAX)},
})

_ID = re.compile(L.ID_PATTERN)
_TOKEN = re.compile(L.TOKEN_PATTERN)
_SEALED = re.compile(r"v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+={0,2}")
_FORMS = {
    "id": lambda v: bool(_ID.match(v)),
    "letter": lambda v: "A" <= v <= "Z",
    "token": lambda v: L.TOKEN_MIN <= len(v) <= L.TOKEN_MAX and bool(_TOKEN.match(v)),
    "day": lambda v: len(v) == 10 and date.fromisoformat(v).isoformat() == v,  # YYYY-MM-DD only, no week dates
    "time": lambda v: len(v) <= 40 and datetime.fromisoformat(v).tzinfo is not None,
    "printable": lambda v: v.isprintable(),
    "miss": lambda v: v.isprintable() and bool(v.strip()) and not re.search(r"\d{4}", v),  # no long digit run
    "sealed": lambda v: bool(_SEALED.fullmatch(v)),
    "slots": lambda v: len(v.split(",")) == homevisits.WEEKDAYS and set(v.split(",")) <= homevisits.SLOTS | {""}
    and v.strip(","),
}


def _valid(f: Field, value: Any) -> bool:
    if not isinstance(value, f.types) or (bool not in f.types and isinstance(value, bool)):
        return False
    if isinstance(value, str):
        return (f.max_len is None or len(value) <= f.max_len) and (f.choices is None or value in f.choices) and (
            f.form is None or _FORMS[f.form](value))
    if isinstance(value, int) and not isinstance(value, bool):
        return (f.lo is None or value >= f.lo) and (f.hi is None or value <= f.hi)
    return True


def validate(kind: str, data: dict) -> None:
    """Raise ValueError naming the field unless `data` is exactly what `kind` carries, every value in range."""
    fields = FIELDS[kind]
    for name in data:
        if name not in fields:
            raise ValueError("?")  # never echoed: a field name is the sender's text
    for name, f in fields.items():
        if name not in data and not f.required:
            continue
        try:
            ok = _valid(f, data.get(name))
        except (ValueError, TypeError, OverflowError):
            ok = False
        if not ok:
            raise ValueError(name)
    if kind == TICKET_ISSUED and data["number"] != f"{data['letter']}{data['seq']:03d}":  # policy.format_number
        raise ValueError("number")
    if kind == cases.CASE_OPENED and data["number"] != cases.case_number(data["case_id"]):
        raise ValueError("number")
    if kind == homevisits.HOME_VISITED and data["outcome"] == "not_home" and data["materials"]:
        raise ValueError("materials")
    if kind == NUMBERS_LEASED and not 0 <= data["last"] - data["first"] < L.LEASE_MAX:
        raise ValueError("last")
