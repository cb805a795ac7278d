"""The citizen's rating pad (好差评), without Qt: a service finished at my window waits for one rating;
no answer in time records 未评价; while the hub is unreachable the answer is kept and uploaded later.
The pad is its own device (role `rating`): the clerk's terminal token cannot rate."""
from __future__ import annotations

from dataclasses import dataclass

from common.domain import errors as e
from common.domain import events as ev
from common.sync.client import SyncClient
from common.sync.transport import HubUnreachable

TIMEOUT_SECONDS = 60
SCORES = (5, 4, 3, 2, 1)  # 非常满意 满意 基本满意 不满意 非常不满意 (texts: i18n/rating.json)
REASON_NEEDED = (2, 1)
REASONS = ("wait", "unclear", "attitude", "skill", "process", "other")  # the fixed list (texts: i18n/rating.json)


@dataclass(frozen=True)
class Service:
    """A finished service waiting for its rating: what the citizen sees about it."""

    ticket_id: str
    number: str
    window_number: int | None
    window_name: str
    clerk_name: str
    staff_no: str


class RatingService:
    def __init__(self, client: SyncClient, window_id: str | None) -> None:
        self.client, self.window_id = client, window_id

    def _reference(self) -> dict:
        return self.client.store.tables()

    def window_number(self) -> int | None:
        """This pad's window number, once the reference data has been synced."""
        return next((w["number"] for w in self._reference().get("windows", []) if w["id"] == self.window_id), None)

    def finished(self, ticket_id: str, number: str, window_id: str, clerk_id: str | None) -> Service | None:
        """The service to rate, when it was finished at this pad's window (None otherwise)."""
        if self.window_id is not None and window_id != self.window_id:
            return None
        tables = self._reference()
        window = next((w for w in tables.get("windows", []) if w["id"] == window_id), {})
        clerk = next((c for c in tables.get("clerks", []) if c["id"] == clerk_id), {})
        return Service(ticket_id=ticket_id, number=number, window_number=window.get("number"),
                       window_name=window.get("name", ""), clerk_name=clerk.get("name", ""),
                       staff_no=clerk.get("staff_no", ""))

    def from_event(self, event: dict) -> Service | None:
        """A `service_finished` event of the hub's stream at this window, or None for any other event."""
        if event["kind"] != ev.SERVICE_FINISHED:
            return None
        d = event["data"]
        if self.window_id is not None and d["window_id"] != self.window_id:
            return None
        number = self.client.store.ticket_number(d["ticket_id"])
        if number is None:  # issued since our last pull: fetch the news once
            try:
                self.client.pull()
            except HubUnreachable:
                pass
            number = self.client.store.ticket_number(d["ticket_id"])
        return self.finished(d["ticket_id"], number or "", d["window_id"], event.get("clerk_id"))

    def rate(self, service: Service, score: int | None, reason: str | None = None) -> bool:
        """Send the answer (None: no answer in time, 未评价). Returns False when it was kept for later."""
        reason = (reason or "").strip() or None
        if score is not None and score in REASON_NEEDED and not reason:
            raise e.ReasonRequired("low_score_reason")
        try:
            self.client.transport.call("POST", f"/tickets/{service.ticket_id}/rating",
                                       json={"score": score, "reason": reason})
            return True
        except HubUnreachable:
            if score is None:
                self.client.record(ev.TICKET_UNRATED, {"ticket_id": service.ticket_id})
            else:
                self.client.record(ev.TICKET_RATED, {"ticket_id": service.ticket_id, "score": score, "reason": reason})
            return False
