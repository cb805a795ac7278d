"""Today's figures recomputed straight from the raw event log, without the projection, the hub's read
models or common.domain.sla: the dashboard must agree with this."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from common.db.schema import EventRow

SHANGHAI = timezone(timedelta(hours=8))  # no daylight saving in China


def _at(value) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def tickets_from_events(engine, site_id: str) -> dict[str, dict]:
    """Each ticket as a plain dict built by walking its events in log order."""
    with engine.connect() as c:
        rows = c.execute(select(EventRow).where(EventRow.site_id == site_id).order_by(EventRow.seq)).all()
    out: dict[str, dict] = {}
    for r in rows:
        d, at = r.data, _at(r.at)
        if r.kind == "ticket_issued":
            out[d["ticket_id"]] = {"number": d["number"], "issued": at, "wait_limit": d["wait_limit_min"] * 60,
                                   "service_limit": d["service_limit_min"] * 60, "status": "waiting",
                                   "first_call": None, "start": None, "end": None, "clerk": None, "score": None,
                                   "reason": None, "window": None}
            continue
        t = out.get(d.get("ticket_id"))
        if t is None:
            continue
        if r.kind == "ticket_called":
            t.update(status="called", clerk=r.clerk_id, window=d["window_id"])
            t["first_call"] = t["first_call"] or at
        elif r.kind == "ticket_skipped":
            t["status"] = "waiting" if d.get("requeue") else "no_show"
        elif r.kind == "ticket_transferred":
            t["status"] = "waiting"
        elif r.kind == "service_started":
            t.update(status="serving", start=at)
        elif r.kind == "service_finished":
            t.update(status="finished", end=at)
        elif r.kind == "ticket_rated":
            t.update(score=d["score"], reason=d.get("reason"))
    return out


def figures(engine, site_id: str, now: datetime) -> dict:
    tickets = list(tickets_from_events(engine, site_id).values())
    waiting = [t for t in tickets if t["status"] == "waiting"]
    called = [t for t in tickets if t["first_call"]]
    finished = [t for t in tickets if t["status"] == "finished"]
    scores = [t["score"] for t in tickets if t["score"] is not None]

    def wait(t):
        return ((t["first_call"] or now) - t["issued"]).total_seconds()

    def share(flags):
        return round(sum(flags) / len(flags), 4) if flags else None

    hours = Counter(min(max(t["issued"].astimezone(SHANGHAI).hour, 8), 17) for t in tickets)
    return {
        "issued": len(tickets), "waiting": len(waiting), "served": len(finished),
        "longest_wait_seconds": round(max((wait(t) for t in waiting), default=0)),
        "wait_within_limit_share": share([wait(t) <= t["wait_limit"] for t in called]),
        "service_within_limit_share": share([(t["end"] - t["start"]).total_seconds() <= t["service_limit"]
                                             for t in finished]),
        "by_score": {str(s): scores.count(s) for s in range(5, 0, -1)},
        "average": round(sum(scores) / len(scores), 2) if scores else None,
        "bad": sorted((t["number"], t["score"], t["reason"]) for t in tickets if t["score"] and t["score"] <= 2),
        "arrivals": [hours[h] for h in range(8, 18)],
    }


def assessment(engine, site_id: str) -> dict[str, dict]:
    """Per clerk id: services, rated, average, bad ratings, share within both limits."""
    per = defaultdict(list)
    for t in tickets_from_events(engine, site_id).values():
        if t["status"] == "finished":
            per[t["clerk"]].append(t)
    out = {}
    for clerk, ts in per.items():
        scores = [t["score"] for t in ts if t["score"] is not None]
        ok = [(t["first_call"] - t["issued"]).total_seconds() <= t["wait_limit"]
              and (t["end"] - t["start"]).total_seconds() <= t["service_limit"] for t in ts]
        out[clerk] = {"services": len(ts), "rated": len(scores),
                      "average_rating": round(sum(scores) / len(scores), 2) if scores else None,
                      "bad_ratings": sum(1 for s in scores if s <= 2), "within_limits_share": round(sum(ok) / len(ok), 4)}
    return out
