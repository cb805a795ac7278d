"""Live warning: will a waiting ticket of a queue cross its wait limit in the next 15 / 30 minutes at the current
pace, and which idle or lightly loaded window that may serve the queue could help ("医保社保 预计 12 分钟后超时 —
7 号窗口可协助"); and, afterwards, whether each warning came true, so that its precision is a figure.

The pace of a queue: the tickets of it called in the last `LOOKBACK` minutes, per minute; with none called yet but
windows open for it, one ticket per `DEFAULT_HOLD_MIN` per such window. The waiting tickets are taken first come
first served (the order the policy mostly keeps); the k-th is expected to be called after k / pace minutes.
A ticket already past its limit is no prediction (the dashboard already shows it as late): it is left out.

Pure: the time, the waiting tickets and the windows come from the caller (common/planning/live.py reads them).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.domain.sla import foretold

HORIZONS = (15, 30)  # minutes ahead a warning looks
LOOKBACK = 30  # minutes of calls that give a queue's pace
DEFAULT_HOLD_MIN = 10.0  # a window's minutes per ticket before the queue has any call today


@dataclass(frozen=True)
class Waiting:
    ticket_id: str
    queue_id: str
    issued_at: datetime
    wait_limit_min: int


@dataclass(frozen=True)
class WindowNow:
    window_id: str
    number: int
    queue_ids: tuple[str, ...]
    state: str  # idle | called | serving | paused | closed (no clerk signed in)


@dataclass(frozen=True)
class Warning:
    queue_id: str
    at: datetime  # when it was raised
    minutes: int  # until the first expected crossing
    horizon: int  # the smallest of HORIZONS it falls in
    tickets: int  # waiting tickets expected to cross within the horizon
    helper_window_id: str | None  # a window that may serve the queue and could help
    helper_number: int | None


def pace(queue_id: str, calls: Iterable[tuple[str, datetime]], windows: Sequence[WindowNow], now: datetime) -> float:
    """Tickets of the queue called per minute at the current pace (see the module's docstring)."""
    since = now - timedelta(minutes=LOOKBACK)
    recent = sum(1 for q, at in calls if q == queue_id and since < at <= now)
    if recent:
        return recent / LOOKBACK
    serving = sum(1 for w in windows if queue_id in w.queue_ids and w.state in ("idle", "called", "serving"))
    return serving / DEFAULT_HOLD_MIN


def _helper(queue_id: str, windows: Sequence[WindowNow], waiting_by_queue: dict[str, int]) -> WindowNow | None:
    """An idle window that may serve the queue; else one busy with the fewest other tickets waiting for it."""
    able = [w for w in windows if queue_id in w.queue_ids and w.state in ("idle", "called", "serving")]
    if not able:
        able = [w for w in windows if queue_id in w.queue_ids and w.state == "paused"]
    if not able:
        return None

    def load(w: WindowNow) -> tuple:
        others = sum(waiting_by_queue.get(q, 0) for q in w.queue_ids if q != queue_id)
        return (w.state != "idle", w.state == "paused", others, len(w.queue_ids), w.number)

    return min(able, key=load)


def warnings(now: datetime, waiting: Sequence[Waiting], windows: Sequence[WindowNow],
             calls: Sequence[tuple[str, datetime]], horizons: Sequence[int] = HORIZONS) -> list[Warning]:
    """At most one warning per queue: its first expected crossing within the longest horizon."""
    by_queue: dict[str, list[Waiting]] = {}
    for t in waiting:
        by_queue.setdefault(t.queue_id, []).append(t)
    counts = {q: len(ts) for q, ts in by_queue.items()}
    out = []
    longest = max(horizons)
    for q, tickets in sorted(by_queue.items()):
        rate = pace(q, calls, windows, now)
        crossing = []
        for k, t in enumerate(sorted(tickets, key=lambda t: t.issued_at)):
            deadline = t.issued_at + timedelta(minutes=t.wait_limit_min)
            left = (deadline - now).total_seconds() / 60
            if left < 0 or left > longest:
                continue  # already late (shown elsewhere), or beyond what we look at
            expected_call = (k + 1) / rate if rate > 0 else float("inf")
            if expected_call > left:
                crossing.append(left)
        if not crossing:
            continue
        first = min(crossing)
        horizon = min(h for h in horizons if first <= h)
        helper = _helper(q, windows, counts)
        out.append(Warning(q, now, int(first), horizon, sum(1 for c in crossing if c <= horizon),
                           helper.window_id if helper else None, helper.number if helper else None))
    return out


def came_true(w: Warning, crossed: Iterable[tuple[str, datetime]]) -> bool:
    """A ticket of the warning's queue crossed its limit within the warning's horizon."""
    end = w.at + timedelta(minutes=w.horizon)
    return any(q == w.queue_id and w.at < at <= end for q, at in crossed)


def precision(raised: Sequence[Warning], crossed: Sequence[tuple[str, datetime]]) -> float | None:
    """The share of the warnings raised that came true (None: none raised)."""
    if not raised:
        return None
    return sum(came_true(w, crossed) for w in raised) / len(raised)


def recall(raised: Sequence[Warning], crossed: Sequence[tuple[str, datetime]], lead_min: int = 1) -> float | None:
    """The share of crossings that some warning, raised at least `lead_min` before it and looking that far, foretold."""
    if not crossed:
        return None
    return foretold(((w.queue_id, w.at, w.horizon) for w in raised), crossed, lead_min) / len(crossed)
