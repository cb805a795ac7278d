"""一次办成率 (docs/guides.md "一次办成率"): of the citizens who came for a matter for the first time, the share whose
matter was 办结 or 受理 at that visit, per item and per department, over a range of business days.

What the hub can tell without keeping who people are: a service is a **return** when its clerk called it with the
reason 补齐材料后返回 (model.RETURNING); every other finished service is a first visit. A first visit counts as done
once when its outcome is 办结, 受理, 容缺受理 (the missing papers come later without another visit: that is what
容缺 is for) or 告知承诺; a refusal (不予受理) is a first visit not done. Returns are counted apart, not in the rate.
A transferred ticket counts once, with its last outcome. The hub keeps no identity, so a citizen refused who takes a
new ticket without saying so is a new "first visit" (the rate is an upper bound; docs say so)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import Connection, select

from common.db.repo import E
from common.db.schema import ServiceItemRow, TicketRow
from common.domain import events as ev
from common.domain.model import RETURNING, Outcome

DONE = frozenset({Outcome.completed.value, Outcome.accepted.value, Outcome.accepted_missing.value,
                  Outcome.commitment.value})


def _share(first: int, done: int, returns: int) -> dict:
    return {"first_visits": first, "done": done, "returns": returns, "rate": done / first if first else None}


def first_time(conn: Connection, site_ids: list[str], first_day: date, last_day: date) -> dict:
    """{"overall", "by_department": [{department, ...share}], "by_item": [{code, name, department, ...share}]} for
    the services finished on business days first_day..last_day (inclusive) of `site_ids`; rate None with no first
    visit. Departments by name; items lowest rate first (those with no first visit last), then by code."""
    if not site_ids or last_day < first_day:
        return {"overall": _share(0, 0, 0), "by_department": [], "by_item": []}
    days = (TicketRow.site_id.in_(site_ids), TicketRow.business_day >= first_day.isoformat(),
            TicketRow.business_day <= last_day.isoformat())
    returned = set(conn.execute(
        select(TicketRow.id).join(E, E.c.data["ticket_id"].as_string() == TicketRow.id)
        .where(*days, E.c.site_id.in_(site_ids), E.c.kind == ev.TICKET_CALLED,
               E.c.data["reason"].as_string() == RETURNING)).scalars())
    rows = conn.execute(
        select(TicketRow.id, TicketRow.outcome, ServiceItemRow.code, ServiceItemRow.name, ServiceItemRow.department)
        .join(ServiceItemRow, ServiceItemRow.id == TicketRow.item_id)
        .where(*days, TicketRow.outcome.is_not(None)))
    count: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])  # first visits, done, returns
    names: dict[str, tuple[str, str]] = {}
    for r in rows:
        names[r.code] = (r.name, r.department)
        for key in (("all",), ("dept", r.department), ("item", r.code)):
            c = count[key]
            if r.id in returned:
                c[2] += 1
            else:
                c[0] += 1
                c[1] += r.outcome in DONE
    return {
        "overall": _share(*count[("all",)]),
        "by_department": [{"department": k[1], **_share(*v)} for k, v in sorted(count.items()) if k[0] == "dept"],
        "by_item": sorted(({"code": k[1], "name": names[k[1]][0], "department": names[k[1]][1], **_share(*v)}
                           for k, v in count.items() if k[0] == "item"),
                          key=lambda i: (i["rate"] is None, i["rate"] or 0.0, i["code"])),
    }
