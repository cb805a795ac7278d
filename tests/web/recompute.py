"""Today's figures recomputed straight from the raw event log, without the projection, the hub's read
models or common.domain.sla: the dashboard (and every figure) must agree with this. The rules are docs/queue.md
"Figures", written here again in the simplest way: walk each ticket's events and note every span of waiting and
every service."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from common.db.schema import BundleItemRow, EventRow, ServiceItemRow

SHANGHAI = timezone(timedelta(hours=8))  # no daylight saving in China


def _at(value) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _midnight_after(day: str) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, tzinfo=SHANGHAI) + timedelta(days=1)


def tickets_from_events(engine, site_id: str) -> dict[str, dict]:
    """Each ticket as a plain dict built by walking its events in log order. An event that does not fit the ticket's
    state (the hub's projection makes it void) is left out, as the hub does."""
    with engine.connect() as c:
        rows = c.execute(select(EventRow).where(EventRow.site_id == site_id).order_by(EventRow.seq)).all()
    out: dict[str, dict] = {}
    held: dict[str, str] = {}  # window -> the ticket it holds
    for r in rows:
        d, at = r.data, _at(r.at)
        if r.kind == "ticket_issued":
            if d["ticket_id"] in out:
                continue
            out[d["ticket_id"]] = {"number": d["number"], "day": d["business_day"], "issued": at,
                                   "item": d.get("item_id") or d.get("bundle_id"), "queue": d["queue_id"],
                                   "wait_limit": d["wait_limit_min"] * 60, "service_limit": d["service_limit_min"] * 60,
                                   "status": "waiting", "first_call": None, "start": None, "clerk": None,
                                   "score": None, "reason": None, "window": None, "waited": 0.0, "since": at,
                                   "services": [], "transfers": 0}
            continue
        t = out.get(d.get("ticket_id"))
        if t is None:
            continue
        w = d.get("window_id")
        at_window = w is not None and held.get(w) == d["ticket_id"]
        if r.kind == "ticket_called" and t["status"] == "waiting" and w not in held:
            t["waited"] += (at - t["since"]).total_seconds()
            t.update(status="called", clerk=r.clerk_id, window=w, since=None)
            t["first_call"] = t["first_call"] or at
            held[w] = d["ticket_id"]
        elif r.kind == "service_started" and t["status"] == "called" and at_window:
            t.update(status="serving", start=at)
        elif r.kind == "ticket_skipped" and t["status"] == "called" and at_window:
            del held[w]
            if d.get("requeue"):
                t.update(status="waiting", since=at, window=None)
            else:
                t["status"] = "no_show"
        elif r.kind == "ticket_transferred" and t["status"] in ("called", "serving") and at_window:
            del held[w]
            if t["status"] == "serving":
                t["services"].append({"window": w, "clerk": t["clerk"], "start": t["start"], "end": at,
                                      "waited": t["waited"], "score": None})
            t.update(status="waiting", since=at, start=None, window=None, queue=d["to_queue_id"])
            t["transfers"] += 1
        elif r.kind == "service_finished" and t["status"] == "serving" and at_window:
            del held[w]
            t["services"].append({"window": w, "clerk": t["clerk"], "start": t["start"], "end": at,
                                  "waited": t["waited"], "score": None, "finished": True})
            t["status"] = "finished"
        elif r.kind in ("ticket_rated", "ticket_unrated") and t["status"] == "finished" and t["score"] is None:
            score = d["score"] if r.kind == "ticket_rated" else 0
            t.update(score=score, reason=d.get("reason"))
            t["services"][-1]["score"] = score
        elif r.kind == "ticket_expired" and t["status"] in ("waiting", "called"):
            if t["status"] == "called" and held.get(t["window"]) == d["ticket_id"]:
                del held[t["window"]]
            t.update(status="expired", window=None)  # a waiting one waited until its day's end
    return out


def wait(t: dict, now: datetime) -> float:
    return t["waited"] + ((min(now, _midnight_after(t["day"])) - t["since"]).total_seconds() if t["since"] else 0.0)


def verdict(t: dict, now: datetime) -> bool | None:
    """Within (True), over (False), not counted yet (None)."""
    if wait(t, now) > t["wait_limit"]:
        return False
    return None if t["since"] is not None else True


def classes(engine, site_id: str) -> dict[str, str]:
    with engine.connect() as c:
        out = dict(c.execute(select(ServiceItemRow.id, ServiceItemRow.complexity).where(ServiceItemRow.site_id == site_id)).all())
        for bundle, item in c.execute(select(BundleItemRow.bundle_id, BundleItemRow.item_id)).all():
            if out.get(item) == "complex" or bundle not in out:
                out[bundle] = "complex" if out.get(item) == "complex" or out.get(bundle) == "complex" else "general"
    return out


def _share(flags):
    flags = [f for f in flags if f is not None]
    return round(sum(flags) / len(flags), 4) if flags else None


def figures(engine, site_id: str, now: datetime, day: str | None = None) -> dict:
    """The figures of the site's tickets (of `day` only, when given)."""
    tickets = [t for t in tickets_from_events(engine, site_id).values() if day in (None, t["day"])]
    kinds = classes(engine, site_id)
    waiting = [t for t in tickets if t["status"] == "waiting"]
    finished = [t for t in tickets if t["status"] == "finished"]
    scores = [t["score"] for t in tickets if t["score"]]
    services = [(t, s) for t in tickets for s in t["services"]]

    def kind(t):
        return kinds.get(t["item"]) or ("complex" if t["wait_limit"] >= 30 * 60 else "general")

    by_class = {}
    for c in ("general", "complex"):
        vs = [v for t in tickets if kind(t) == c and (v := verdict(t, now)) is not None]
        by_class[c] = {"share": _share(vs), "counted": len(vs), "over": vs.count(False)}
    hours = Counter(min(max(t["issued"].astimezone(SHANGHAI).hour, 8), 17) for t in tickets)
    return {
        "issued": len(tickets), "waiting": len(waiting), "served": len(finished),
        "transfers": sum(t["transfers"] for t in tickets),
        "longest_wait_seconds": round(max((wait(t, now) for t in waiting), default=0)),
        "wait_within_limit_share": _share([verdict(t, now) for t in tickets]),
        "wait_within_limit_by_class": by_class,
        "service_within_limit_share": _share([(s["end"] - s["start"]).total_seconds() <= t["service_limit"]
                                              for t, s in services]),
        "by_score": {str(s): scores.count(s) for s in range(5, 0, -1)},
        "average": round(sum(scores) / len(scores), 2) if scores else None,
        "bad": sorted((t["number"], t["score"], t["reason"]) for t in tickets if t["score"] and t["score"] <= 2),
        "arrivals": [hours[h] for h in range(8, 18)],
    }


def longest_per_queue(engine, site_id: str, now: datetime, day: str) -> dict[str, float]:
    """Queue id -> the longest wait of a ticket of `day` waiting in it now."""
    out: dict[str, float] = {}
    for t in tickets_from_events(engine, site_id).values():
        if t["status"] == "waiting" and t["day"] == day:
            out[t["queue"]] = max(out.get(t["queue"], 0.0), wait(t, now))
    return out


def assessment(engine, site_id: str, first: str = "", last: str = "9999") -> dict[str, dict]:
    """Per clerk id: services (every one, a transferred ticket's first too), rated, average, bad ratings, share within
    both limits (the wait when that window called it, and the service)."""
    per = defaultdict(list)
    for t in tickets_from_events(engine, site_id).values():
        for s in t["services"] if first <= t["day"] <= last else ():
            per[s["clerk"]].append((t, s))
    out = {}
    for clerk, ts in per.items():
        scores = [s["score"] for _, s in ts if s["score"]]
        ok = [s["waited"] <= t["wait_limit"] and (s["end"] - s["start"]).total_seconds() <= t["service_limit"]
              for t, s in ts]
        out[clerk] = {"services": len(ts), "rated": len(scores),
                      "average_rating": round(sum(scores) / len(scores), 2) if scores else None,
                      "bad_ratings": sum(1 for s in scores if s <= 2), "within_limits_share": round(sum(ok) / len(ok), 4)}
    return out
