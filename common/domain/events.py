"""Events: append-only facts. Every state change of a ticket or window is one of these kinds."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
    }
)


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


# The data each kind must carry, with its type: pushed events are checked against it, so that a
# malformed one is refused with a message instead of breaking the projection.
_S, _I, _B = (str,), (int,), (bool,)
_OPT_S = (str, type(None))
REQUIRED: dict[str, dict[str, tuple]] = {
    TICKET_ISSUED: {"ticket_id": _S, "business_day": _S, "number": _S, "letter": _S, "seq": _I, "queue_id": _S,
                    "priority": _S, "wait_limit_min": _I, "service_limit_min": _I, "public_token": _S},
    TICKET_CALLED: {"ticket_id": _S, "window_id": _S},
    TICKET_RECALLED: {"ticket_id": _S, "window_id": _S},
    TICKET_SKIPPED: {"ticket_id": _S, "window_id": _S},
    TICKET_TRANSFERRED: {"ticket_id": _S, "window_id": _S, "to_queue_id": _S},
    SERVICE_STARTED: {"ticket_id": _S, "window_id": _S},
    SERVICE_FINISHED: {"ticket_id": _S, "window_id": _S, "outcome": _S},
    TICKET_RATED: {"ticket_id": _S, "score": _I},
    TICKET_UNRATED: {"ticket_id": _S},
    WINDOW_PAUSED: {"window_id": _S},
    WINDOW_RESUMED: {"window_id": _S},
    NUMBERS_LEASED: {"letter": _S, "business_day": _S, "first": _I, "last": _I},
    TICKET_EXPIRED: {"ticket_id": _S, "business_day": _S},
}
_CHOICES = {("priority", "normal"), ("priority", "green"), *(("outcome", o) for o in (
    "completed", "accepted", "accepted_missing", "commitment", "rejected"))}


# Fields a kind may carry; when present, of this type (None included).
OPTIONAL: dict[str, dict[str, tuple]] = {
    TICKET_TRANSFERRED: {"to_window_id": _OPT_S},
    TICKET_EXPIRED: {"window_id": _OPT_S},  # the window of a called ticket, which it frees
}


def validate(kind: str, data: dict) -> None:
    """Raise ValueError unless `data` has every field `kind` needs, of the right type and range."""
    for name, types in OPTIONAL.get(kind, {}).items():
        if not isinstance(data.get(name), types):
            raise ValueError(f"{kind}.{name}")
    for name, types in REQUIRED[kind].items():
        value = data.get(name)
        if not isinstance(value, types) or (types == _I and isinstance(value, bool)):
            raise ValueError(f"{kind}.{name}")
    for name, value in data.items():  # ids are stored in columns of 64 characters at most
        if name.endswith("_id") and isinstance(value, str) and len(value) > 64:
            raise ValueError(f"{kind}.{name}")
        if name in ("priority", "outcome") and (name, value) not in _CHOICES:
            raise ValueError(f"{kind}.{name}")
    if kind == TICKET_RATED and not 1 <= data["score"] <= 5:
        raise ValueError("score")
    if kind == TICKET_ISSUED:
        from datetime import date

        date.fromisoformat(data["business_day"])
        if not (len(data["letter"]) == 1 and data["seq"] > 0 and len(data["number"]) <= 12):
            raise ValueError("number")
