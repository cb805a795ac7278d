"""The window terminal's use cases, without Qt: sign in, serve the window's tickets through the hub,
and what the clerk sees (the window's queue, the current ticket, the service timer's colour)."""
from __future__ import annotations

from datetime import datetime, timedelta

from .clock import utc
from .sync_client import HttpTransport

AMBER_AT = 0.8  # the timer turns amber at 80 % of the item's service limit, red at the limit
PAUSE_REASONS = ("meal", "meeting", "training", "other")


def timer_colour(started_at: datetime | None, limit_min: int, now: datetime) -> str:
    """"normal", "amber" or "red" for a service running since `started_at` against its limit."""
    if started_at is None:
        return "normal"
    used = (now - started_at) / timedelta(minutes=limit_min)
    return "red" if used >= 1 else "amber" if used >= AMBER_AT else "normal"


def about_to_breach(breach_at: datetime, now: datetime, within: timedelta = timedelta(minutes=2)) -> bool:
    """A waiting ticket within two minutes of its wait limit (or past it) is marked for the clerk."""
    return breach_at - now <= within


class TerminalService:
    def __init__(self, transport: HttpTransport, window_id: str, clock) -> None:
        self.transport, self.window_id, self.clock = transport, window_id, clock
        self.clerk: str | None = None

    def sign_in(self, staff_no: str, pin: str) -> str:
        answer = self.transport.call("POST", "/clerk/sign-in", json={"staff_no": staff_no, "pin": pin})
        self.transport.http.headers["X-Clerk-Token"] = answer["clerk_token"]
        self.clerk = answer["name"]
        return self.clerk

    def sign_out(self) -> None:
        self.transport.call("POST", "/clerk/sign-out")
        self.transport.http.headers.pop("X-Clerk-Token", None)
        self.clerk = None

    def act(self, action: str, **body) -> dict:
        """One of call-next, recall, skip, start, finish, transfer, pause, resume on this window."""
        kw = {"json": body} if body or action in ("skip", "pause") else {}
        return self.transport.call("POST", f"/windows/{self.window_id}/{action}", **kw)

    def board(self) -> dict:
        """The window, its current ticket with the timer colour, and the waiting tickets it serves."""
        now = self.clock.now()
        windows = self.transport.call("GET", "/windows")
        me = next(w for w in windows if w["window_id"] == self.window_id)
        queues = [q for q in self.transport.call("GET", "/queue") if q["queue_id"] in me["queue_ids"]]
        current = me["current"]
        if current:
            started = utc(datetime.fromisoformat(current["started_at"])) if current["started_at"] else None
            current = {**current, "colour": timer_colour(started, current["service_limit_min"], now),
                       "service_seconds": int((now - started).total_seconds()) if started else 0}
        waiting = [{**t, "queue": q["name"], "soon": about_to_breach(utc(datetime.fromisoformat(t["wait_breach_at"])), now)}
                   for q in queues for t in q["tickets"]]  # each queue in calling order
        return {"window": me, "current": current, "waiting": waiting}
