"""Monthly and quarterly reports of a site (plan §1, §2, §7, §12): per department, window and clerk, and for a
district each of its sites summarised. The figures of a ticket are the dashboard's (`measures`), so that one
definition of a wait serves every page and export; the period is cut by the site's business day (Shanghai).
"""
from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

from sqlalchemy import Connection, DateTime, select, type_coerce

from common.db import repo, warningrows
from common.db.schema import BundleRow, ClerkRow, ServiceItemRow, SiteRow, WindowRow
from common.domain import errors as e
from common.domain import events as ev
from common.domain import sla
from common.domain.clock import SHANGHAI, business_day, utc
from common.domain.model import UNRATED, Outcome, Ticket, TicketStatus
from common.readmodels import dashboard, firsttime, queries

T, E = repo.T, repo.E
FIRST_YEAR, LAST_YEAR = 2000, 2099
OUTCOMES = tuple(o.value for o in Outcome)


@dataclass(frozen=True)
class Period:
    """A calendar month ('2026-11') or quarter ('2026-Q4'), as business days."""

    label: str
    kind: str  # "month" | "quarter"
    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first instant of its first business day (midnight in Shanghai), in UTC as the tables keep instants
        (SQLite compares them as text: a Shanghai time would be read as UTC, eight hours off)."""
        return datetime.combine(self.first, time(0), SHANGHAI).astimezone(timezone.utc)

    @property
    def end(self) -> datetime:
        """The first instant after its last business day."""
        return datetime.combine(self.last + timedelta(days=1), time(0), SHANGHAI).astimezone(timezone.utc)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def parse_period(text: str | None) -> Period:
    """'2026-11' (a month) or '2026-Q4' (a quarter) -> its Period; years 2000-2099."""
    m = re.fullmatch(r"([0-9]{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))", text or "")  # [0-9]: \d takes full-width digits
    if not m:
        raise e.InvalidInput("period_format")
    year = int(m[1])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise e.InvalidInput("period_range", first=FIRST_YEAR, last=LAST_YEAR)
    first_month, months, kind = (int(m[2]), 1, "month") if m[2] else (3 * int(m[3]) - 2, 3, "quarter")
    first = date(year, first_month, 1)
    after = date(year + (first_month + months > 12), (first_month + months - 1) % 12 + 1, 1)
    return Period(text or "", kind, first, after - timedelta(days=1))


def period_of(day: date, kind: str = "month") -> str:
    return f"{day.year}-{day.month:02d}" if kind == "month" else f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_month(day: date) -> str:
    """The month before `day`'s: what a supervisor reports on at the start of a month."""
    return period_of(day.replace(day=1) - timedelta(days=1))


# ---------------------------------------------------------------- one ticket, one group

class Measures(NamedTuple):
    wait: float | None  # seconds, None where the dashboard does not count a wait (never called)
    service: float | None  # seconds, None unless finished


def measures(t: Ticket, now: datetime) -> Measures:
    """One ticket's wait and service time, taken from `common.domain.sla` for the tickets `queries.figures_of`
    counts them for (waits of called tickets, service times of finished ones): the one place this report reads a
    ticket's times, so that a change of the wait's definition there is a change here."""
    wait = sla.wait_seconds(t, now) if t.first_called_at is not None else None
    service = sla.service_seconds(t, now) if t.status is TicketStatus.finished else None
    return Measures(wait, service)


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank (a value that occurred: "90 % waited at most this")."""
    return sorted(values)[math.ceil(0.9 * len(values)) - 1] if values else None


def figures(tickets: list[Ticket], now: datetime, site_id: str = "") -> dict:
    """The figures of a group of tickets: counts, shares and ratings as the dashboard has them, medians and p90."""
    f = queries.figures_of(site_id, tickets, now, by_class=False)
    m = [measures(t, now) for t in tickets]
    waits = [x.wait for x in m if x.wait is not None]
    services = [x.service for x in m if x.service is not None]
    scores = [t.rating_score for t in tickets if t.rating_score not in (None, UNRATED)]
    return {
        "arrivals": f["issued"], "served": f["served"], "no_show": f["no_show"],
        "wait_median": round(statistics.median(waits)) if waits else None,
        "wait_p90": round(p90(waits)) if waits else None,  # type: ignore[arg-type]
        "service_median": round(statistics.median(services)) if services else None,
        "service_p90": round(p90(services)) if services else None,  # type: ignore[arg-type]
        "wait_within_limit_share": f["wait_within_limit_share"],
        "service_within_limit_share": f["service_within_limit_share"],
        "rated": f["ratings"]["count"], "rating_average": f["ratings"]["average"],
        "bad_ratings": sum(1 for s in scores if s <= dashboard.BAD_SCORE), "unrated": f["ratings"]["unrated"],
        "transferred": sum(1 for t in tickets if t.transfers), "transfers": sum(t.transfers for t in tickets),
        "outcomes": {o: f["outcomes"].get(o, 0) for o in OUTCOMES},
        "first_pass_rate": None,  # 一次办成率: by site and department from firsttime (its definition), in site_report
    }


# ---------------------------------------------------------------- paused and idle time

class Pause(NamedTuple):
    window_id: str
    clerk_id: str | None
    reason: str
    day: date
    start: datetime
    end: datetime


def pauses(conn: Connection, site_ids: list[str], period: Period, now: datetime) -> list[Pause]:
    """Each pause of a window in the period, from its events: from window_paused to window_resumed, cut at the end of
    its business day (a window left paused overnight was closed, not paused) and at `now`."""
    # the two keys taken out by the database (not each event's JSON parsed here), the time as the driver gives it
    rows = conn.execute(select(E.c.kind, type_coerce(E.c.at, DateTime(timezone=True)), E.c.clerk_id,
                               E.c.data["window_id"].as_string(), E.c.data["reason"].as_string())
                        .where(E.c.site_id.in_(site_ids), E.c.kind.in_((ev.WINDOW_PAUSED, ev.WINDOW_RESUMED)),
                               E.c.at >= period.start, E.c.at < period.end).order_by(E.c.seq)).all()
    open_: dict[str, tuple[datetime, str | None, str]] = {}
    out: list[Pause] = []

    def close(window_id: str, at: datetime | None) -> None:
        start, clerk, reason = open_.pop(window_id)
        day = business_day(start)
        cut = min(datetime.combine(day + timedelta(days=1), time(0), SHANGHAI), now)
        end = min(at, cut) if at is not None else cut
        if end > start:
            out.append(Pause(window_id, clerk, reason, day, start, end))

    for kind, at, clerk_id, wid, reason in rows:
        if not wid:
            continue
        if kind == ev.WINDOW_PAUSED:
            if wid not in open_:  # a second pause while paused changes the reason shown, not the time
                open_[wid] = (utc(at), clerk_id, (reason or "").strip())
        elif wid in open_:
            close(wid, utc(at))
    for wid in list(open_):
        close(wid, None)
    return out


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def idle_seconds(tickets: list[Ticket], paused: list[Pause], now: datetime) -> float:
    """Time between services on one day: from the first service's start to the last one's end, less the services
    and the pauses inside that span. (Before the first and after the last service nobody can tell idle from away.)"""
    served = [t for t in tickets if t.started_at is not None and t.status is TicketStatus.finished]
    if not served:
        return 0.0
    first = min(t.started_at for t in served)  # type: ignore[type-var]
    last = max(t.finished_at for t in served)  # type: ignore[type-var]
    busy = sum(measures(t, now).service or 0.0 for t in served)
    gaps = sum(_overlap(first, last, p.start, p.end) for p in paused)  # type: ignore[arg-type, misc]
    return max(0.0, (last - first).total_seconds() - busy - gaps)  # type: ignore[operator]


def time_use(tickets: list[Ticket], paused: list[Pause], key, now: datetime) -> dict[str, dict]:
    """Paused and idle seconds per group (`key` of a ticket, the same key of a pause: window or clerk)."""
    by_day: dict[tuple, list[Ticket]] = defaultdict(list)
    for t in tickets:
        by_day[(key(t), t.business_day)].append(t)
    pauses_of: dict[tuple, list[Pause]] = defaultdict(list)
    for p in paused:
        pauses_of[(key(p), p.day.isoformat())].append(p)
    out: dict[str, dict] = defaultdict(lambda: {"paused_seconds": 0.0, "idle_seconds": 0.0})
    for (k, day), ts in by_day.items():
        if k is not None:
            out[k]["idle_seconds"] += idle_seconds(ts, pauses_of.get((k, day), []), now)
    for (k, _), ps in pauses_of.items():
        if k is not None:
            out[k]["paused_seconds"] += sum((p.end - p.start).total_seconds() for p in ps)
    return out


def pause_reasons(paused: Iterable[Pause]) -> list[dict]:
    """Pauses by reason, the longest total first."""
    acc: dict[str, list[float]] = defaultdict(list)
    for p in paused:
        acc[p.reason].append((p.end - p.start).total_seconds())
    return sorted(({"reason": r, "count": len(s), "seconds": round(sum(s))} for r, s in acc.items()),
                  key=lambda x: (-x["seconds"], x["reason"]))


# ---------------------------------------------------------------- the report

# The fields of a ticket this report reads (here, in `queries.figures_of` and in `common.domain.sla`'s figures); the
# others are not fetched and are None in its tickets: half the columns, for 300,000 tickets a month. A field read
# from now on must be added here (tests/integration/test_reports.py compares with tickets read whole).
READ_FIELDS = frozenset({
    "id", "site_id", "queue_id", "issued_at", "business_day", "item_id", "bundle_id", "status", "window_id", "clerk_id", "first_called_at",
    "started_at", "finished_at", "outcome", "rating_score", "transfers", "wait_limit_min", "service_limit_min",
    "waited_seconds", "waiting_since", "services"})
_COLUMNS = repo.ticket_columns(READ_FIELDS)


def tickets_of(conn: Connection, site_ids: list[str], period: Period) -> list[Ticket]:
    """The tickets of the period's business days (`business_day` is the Shanghai date of issue), with the fields
    in `READ_FIELDS`."""
    rows = conn.execute(select(*_COLUMNS).where(
        T.c.site_id.in_(site_ids), T.c.business_day >= period.first.isoformat(),
        T.c.business_day <= period.last.isoformat())).all()  # all(): psycopg's row-by-row fetch cost a third
    return repo.tickets_from_rows(rows)


def _timed(fig: dict, use: dict | None) -> dict:
    use = use or {}
    return fig | {"paused_seconds": round(use.get("paused_seconds", 0.0)), "idle_seconds": round(use.get("idle_seconds", 0.0))}


def _grouped(tickets: list[Ticket], key) -> dict:
    groups: dict = defaultdict(list)
    for t in tickets:
        groups[key(t)].append(t)
    return groups


def site_report(conn: Connection, site_id: str, period: Period, now: datetime, tickets: list[Ticket] | None = None,
                paused: list[Pause] | None = None) -> dict:
    """One site's report: its totals, each day's arrivals, and the figures per department, window and clerk."""
    tickets = tickets_of(conn, [site_id], period) if tickets is None else tickets
    paused = pauses(conn, [site_id], period, now) if paused is None else paused
    items = {i.id: i.department for i in conn.execute(
        select(ServiceItemRow.id, ServiceItemRow.department).where(ServiceItemRow.site_id == site_id))}
    bundles = set(conn.execute(select(BundleRow.id).where(BundleRow.site_id == site_id)).scalars())
    windows = conn.execute(select(WindowRow.id, WindowRow.number, WindowRow.name)
                           .where(WindowRow.site_id == site_id).order_by(WindowRow.number)).all()
    clerks = conn.execute(select(ClerkRow.id, ClerkRow.staff_no, ClerkRow.name)
                          .where(ClerkRow.site_id == site_id).order_by(ClerkRow.staff_no)).all()

    def department(t: Ticket) -> str | None:  # a bundle's (一件事) tickets are one group of their own: key ""
        return "" if t.bundle_id in bundles else items.get(t.item_id or "")

    by_dept, by_window, by_clerk = (_grouped(tickets, department), _grouped(tickets, lambda t: t.window_id),
                                    _grouped(tickets, lambda t: t.clerk_id))
    window_use = time_use(tickets, paused, lambda x: x.window_id, now)
    clerk_use = time_use(tickets, paused, lambda x: x.clerk_id, now)
    arrivals = _grouped(tickets, lambda t: t.business_day)
    name = conn.execute(select(SiteRow.name).where(SiteRow.id == site_id)).scalar()
    first = firsttime.first_time(conn, [site_id], period.first, period.last)  # 一次办成率 (docs/guides.md)
    first_rate = {d["department"]: d["rate"] for d in first["by_department"]}
    total_use = {"paused_seconds": sum(u["paused_seconds"] for u in window_use.values()),
                 "idle_seconds": sum(u["idle_seconds"] for u in window_use.values())}
    return {
        "site_id": site_id, "site_name": name, "period": period.label, "kind": period.kind,
        "first": period.first.isoformat(), "last": period.last.isoformat(),
        "total": _timed(figures(tickets, now, site_id), total_use) | {"first_pass_rate": first["overall"]["rate"]},
        "per_day": [{"day": d.isoformat(), "arrivals": len(arrivals.get(d.isoformat(), []))} for d in period.days()],
        "departments": [{"department": k, "bundle": k == ""} | figures(v, now, site_id)
                        | {"first_pass_rate": first_rate.get(k or "") if k else None}
                        for k, v in sorted(by_dept.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))],
        "windows": [{"number": w.number, "name": w.name} | _timed(figures(by_window.get(w.id, []), now, site_id), window_use.get(w.id))
                    for w in windows if w.id in by_window or w.id in window_use],
        "clerks": [{"staff_no": c.staff_no, "name": c.name} | _timed(figures(by_clerk.get(c.id, []), now, site_id), clerk_use.get(c.id))
                   for c in clerks if c.id in by_clerk or c.id in clerk_use],
        "pause_reasons": pause_reasons(paused),
        "warnings": warningrows.between(conn, site_id, period.first, period.last)  # the live warnings kept, decided
        | foretold(conn, site_id, period, tickets, now),
    }


def foretold(conn: Connection, site_id: str, period: Period, tickets: list[Ticket], now: datetime) -> dict:
    """The recall of the live warnings: of the period's crossings until now (a ticket past its wait limit before
    its first call, `sla.breaches`: the crossing the warnings predict and are decided by), how many a warning
    kept for that queue foretold (`sla.foretold`: raised a minute or more before it, looking that far). None
    where it says nothing: no crossing, no warning kept in the period (the keeper was not running), or a site of a
    child hub (its warnings are kept and decided at its own hub, never sent up: `kept_elsewhere`)."""
    crossed = [c for c in sla.breaches((t.queue_id, t.issued_at, t.wait_limit_min, t.first_called_at)
                                           for t in tickets) if c[1] <= now]
    elsewhere = site_id in repo.child_hub_sites(conn)
    raised = [] if elsewhere else warningrows.raised_between(conn, site_id, period.first, period.last)
    hits = sla.foretold(raised, crossed)
    return {"crossed": len(crossed), "foretold": hits, "kept_elsewhere": elsewhere,
            "recall": hits / len(crossed) if crossed and raised else None}


def district_summary(conn: Connection, sites: list[dict], period: Period, now: datetime) -> tuple[list[dict], dict, dict]:
    """Each site's totals, in one read of the period's tickets and pauses; and those, per site."""
    ids = [s["site_id"] for s in sites]
    by_site = _grouped(tickets_of(conn, ids, period), lambda t: t.site_id)
    paused = pauses(conn, ids, period, now)
    pause_site = dict(conn.execute(select(WindowRow.id, WindowRow.site_id).where(WindowRow.site_id.in_(ids))).all())
    paused_by_site = _grouped(paused, lambda p: pause_site.get(p.window_id))  # type: ignore[arg-type]
    out = []
    for s in sites:
        ts, ps = by_site.get(s["site_id"], []), paused_by_site.get(s["site_id"], [])
        use = time_use(ts, ps, lambda x: x.window_id, now)
        out.append({"site_id": s["site_id"], "name": s["name"]} | _timed(figures(ts, now, s["site_id"]), {
            "paused_seconds": sum(u["paused_seconds"] for u in use.values()),
            "idle_seconds": sum(u["idle_seconds"] for u in use.values())}))
    return out, by_site, paused_by_site


def report(conn: Connection, supervisor_site: str, site: str | None, period_text: str | None, now: datetime) -> dict:
    """What a supervisor of `supervisor_site` may see for `period_text`: the chosen site's report (default: her own),
    and on a district hub every site summarised. Default period: last month."""
    period = parse_period(period_text or previous_month(business_day(now)))
    sites = dashboard.sites_for(conn, supervisor_site)
    chosen = site or supervisor_site
    if chosen not in {s["site_id"] for s in sites}:
        raise e.Forbidden("site_not_allowed")
    if len(sites) == 1:
        return {"sites": sites, "site": site_report(conn, chosen, period, now), "summary": []}
    summary, tickets, paused = district_summary(conn, sites, period, now)  # read once for both
    return {"sites": sites, "summary": summary,
            "site": site_report(conn, chosen, period, now, tickets.get(chosen, []), paused.get(chosen, []))}
