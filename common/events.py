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
WINDOW_PAUSED = "window_paused"
WINDOW_RESUMED = "window_resumed"
NUMBERS_LEASED = "numbers_leased"  # a block of ticket numbers reserved for a kiosk to use offline

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
        WINDOW_PAUSED,
        WINDOW_RESUMED,
        NUMBERS_LEASED,
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
